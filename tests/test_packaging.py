"""A wheel built from the repository carries the templates and static files."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_templates_static_files_and_migrations(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, timeout=120)
    wheel = next(tmp_path.glob("followthrough-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").rglob("*.html"):
        assert f"crm/templates/{template.relative_to(ROOT / 'templates')}" in names
    assert "crm/static/app.css" in names
    assert "crm/migrations/0001_initial.py" in names
