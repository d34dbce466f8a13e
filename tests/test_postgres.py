"""PostgreSQL: moving house from SQLite and back, sequences after a restore, its own search.

These need the PostgreSQL server of the PostgreSQL run (`CRM_TEST_DATABASE=postgresql`,
part of `make test`), so they skip in the SQLite one.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ON_POSTGRES, export, fill_every_table

from crm import create_app, schema
from crm.db import db
from crm.models import Company, Contact
from crm.transfer import backup

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs the PostgreSQL server of the PostgreSQL run "
                            "(CRM_TEST_DATABASE=postgresql, which `make test` also runs)")


def an_app(url, tmp_path, name):
    """An app on `url` with an instance folder of its own: another process, as it were."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url})
    app.instance_path = str(tmp_path / name)
    return app


def test_moving_house_from_sqlite_to_postgresql_and_back_keeps_every_byte(
        app, runner, tmp_path, empty_database_url):
    sqlite_app = an_app(f"sqlite:///{tmp_path / 'old.db'}", tmp_path, "old")
    with sqlite_app.app_context():
        schema.migrate()
        with db.connection_context():
            fill_every_table()
    from_sqlite = export(sqlite_app.test_cli_runner())
    (tmp_path / "moving.json").write_bytes(from_sqlite)

    postgres_app = an_app(empty_database_url, tmp_path, "new")
    result = postgres_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "moving.json")])
    assert result.exit_code == 0, result.output
    from_postgres = export(postgres_app.test_cli_runner())
    assert from_postgres == from_sqlite

    (tmp_path / "back.json").write_bytes(from_postgres)
    back_app = an_app(f"sqlite:///{tmp_path / 'back.db'}", tmp_path, "back")
    result = back_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "back.json")])
    assert result.exit_code == 0, result.output
    assert export(back_app.test_cli_runner()) == from_sqlite


def test_after_a_restore_new_rows_get_new_ids(runner, database, tmp_path):
    fill_every_table()
    document = json.loads(export(runner))
    highest = max(row["id"] for row in document["tables"]["contact"])
    backup.restore(document, replace=True)
    added = Contact.create(name="Someone New")
    assert added.id == highest + 1
    assert Company.create(name="A New Company").id > max(
        row["id"] for row in document["tables"]["company"])


def test_search_on_postgresql_ignores_accents_case_and_punctuation(client, database):
    Contact.create(name="Zoë Müller", search_text="zoë müller zoe@ångström.example")
    found = client.get("/contacts?q=ZOE+angstr").get_data(as_text=True)
    assert "Zoë Müller" in found
    assert "Zoë Müller" not in client.get("/contacts?q=zoe+bob").get_data(as_text=True)


def test_two_servers_started_at_once_migrate_one_after_the_other(empty_database_url, tmp_path):
    crm = str(Path(sys.executable).with_name("crm"))
    env = {**os.environ, "CRM_DATABASE_URL": empty_database_url,
           "CRM_INSTANCE_PATH": str(tmp_path)}
    both = [subprocess.Popen([crm, "migrate"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in both]
    assert [process.returncode for process in both] == [0, 0], outputs
    assert sum(output.count("applied now") for output in outputs) == len(
        [line for line in outputs[0].splitlines() if line.startswith("0")])
