"""The IMAP password: in the instance folder or the environment, never in the database.

`IMAP_PASSWORD` (from instance/config.py or CRM_IMAP_PASSWORD) wins; else the
file instance/imap_password, which the Mail page writes (readable by its owner
only) and "Switch off and forget" deletes. Backups, pages and logs never see it.
"""

import contextlib
import os

from flask import current_app

FILE_NAME = "imap_password"


def _path():
    return os.path.join(current_app.instance_path, FILE_NAME)


def password():
    """The IMAP password, or "" when none is set."""
    configured = current_app.config.get("IMAP_PASSWORD")
    if configured:
        return str(configured)
    try:
        with open(_path(), encoding="utf-8") as f:
            return f.read().rstrip("\n")
    except FileNotFoundError:
        return ""


def source():
    """Where the password comes from, in words for the Mail page, or None when unset."""
    if current_app.config.get("IMAP_PASSWORD"):
        return "the IMAP_PASSWORD setting (instance/config.py or CRM_IMAP_PASSWORD)"
    if os.path.exists(_path()):
        return f"the file {FILE_NAME} in the instance folder"
    return None


def save(value):
    """Keep the password in the instance folder, readable by this user only."""
    path = _path()
    temporary = path + ".new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value)
    os.replace(temporary, path)  # whole or not at all


def forget():
    """Delete the password file (a configured IMAP_PASSWORD is the user's to remove)."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(_path())
