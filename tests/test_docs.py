"""README keeps up with the code: every command and setting is documented."""

import re
from pathlib import Path

from crm.cli import main
from crm.mail.sync import DEFAULTS as mail_settings
from crm.news.sync import DEFAULTS as news_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_crm_command_is_in_the_readme(app):
    commands = set(app.cli.commands) | set(main.commands)
    commands -= {"shell", "routes"}  # Flask's own developer tools
    missing = [name for name in commands if f"crm {name}" not in README]
    assert not missing, f"README does not mention: {missing}"


def test_every_setting_is_in_the_readme(app):
    settings = ["DATABASE_URL", "PER_PAGE", "TIMEZONE", "MIGRATE_ON_START", "INSTANCE_PATH"]
    settings += re.findall(r'app\.config\["([A-Z_]+)"\]',
                           (Path(__file__).resolve().parent.parent / "crm" / "__init__.py")
                           .read_text())
    settings += list(news_settings) + list(mail_settings)
    missing = [key for key in set(settings) - {"SECRET_KEY"} if f"CRM_{key}" not in README]
    assert not missing, f"README does not document: {missing}"


def test_quick_start_is_the_two_commands():
    assert "make run" in README and "make test" in README
