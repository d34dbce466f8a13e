"""Settings the user changes in the app, stored as JSON in the database."""

import json

from crm.db import db
from crm.models import Setting


def get_setting(key, default=None):
    """The stored value for a key, or the default."""
    row = Setting.get_or_none(Setting.key == key)
    return json.loads(row.value) if row else default


def get_settings(prefix):
    """Every stored setting whose key starts with the prefix, without it."""
    rows = Setting.select().where(Setting.key.startswith(prefix))
    return {row.key[len(prefix):]: json.loads(row.value) for row in rows}


def set_setting(key, value):
    """Store a value for a key, replacing the old one."""
    with db.atomic():
        Setting.replace(key=key, value=json.dumps(value)).execute()
