"""Settings the user changes in the app, stored as JSON in the database (the page is
`crm.pages.settings`)."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request

from crm.db import db
from crm.fields import InvalidValue, LineField, TimeZoneField, WebAddressField, check
from crm.models import Setting
from crm.playbook import Rules

# What the settings page stores besides the rules, checked the same way in a restored backup.
VALUES = {"sender_name": LineField(200), "timezone": TimeZoneField(),
          "base_url": WebAddressField()}
RULES_PREFIX = "rules."


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
        # An upsert, not INSERT OR REPLACE: PostgreSQL has only the former.
        Setting.insert(key=key, value=json.dumps(value)).on_conflict(
            conflict_target=[Setting.key], preserve=[Setting.value]).execute()


def forget_setting(key):
    """Remove a stored value: the default applies again."""
    with db.atomic():
        Setting.delete().where(Setting.key == key).execute()


def save_about_you(name, timezone, address):
    """Store who signs the drafts, their time zone, and the address calendars should use.

    An empty address, or the one this request came to, is not stored: links
    then follow the address the app is opened at, whatever its port.
    """
    with db.atomic():
        set_setting("sender_name", name)
        set_setting("timezone", timezone)
        if address.rstrip("/") in ("", request.host_url.rstrip("/")):
            forget_setting("base_url")
        else:
            set_setting("base_url", address.rstrip("/"))


def rules():
    """The playbook's rules as the user set them on the settings page."""
    return Rules.from_mapping(get_settings(RULES_PREFIX))


def stored_problem(stored):
    """What is wrong with settings as stored (key -> JSON text), as (key, message), or None."""
    values = {}
    for key, text in stored.items():
        try:
            values[key] = json.loads(text)
        except (TypeError, ValueError):
            return key, "Expected a JSON value."
        try:
            if key in VALUES:
                check(VALUES[key], values[key])
        except InvalidValue as error:
            return key, str(error)
    rules_stored = {key.removeprefix(RULES_PREFIX): value for key, value in values.items()
                    if key.startswith(RULES_PREFIX)}
    try:
        Rules.from_mapping(rules_stored)  # each in its range, and late after due
    except ValueError as error:
        return RULES_PREFIX + "*", str(error)
    return None


def user_timezone():
    """The user's time zone: the setting, else the TIMEZONE config key."""
    return ZoneInfo(get_setting("timezone") or current_app.config["TIMEZONE"])


def local_time(moment, zone=None):
    """A stored time (naive UTC) where the user is (or in `zone`, looked up once by the caller)."""
    return moment.replace(tzinfo=UTC).astimezone(zone or user_timezone())


def today_for_user(tz=None):
    """Today's date where the user is (in `tz`, when the caller has looked it up already)."""
    return datetime.now(tz or user_timezone()).date()


def now_for_user():
    """The user's local date and time now, without its time zone (as touches store it)."""
    return datetime.now(user_timezone()).replace(tzinfo=None)


SERVED_AT = "server.address"
DEFAULT_ADDRESS = "http://127.0.0.1:5000"


def base_url():
    """Where the user reaches the app, for links that leave it (the digest, the calendar).

    CRM_BASE_URL when set; else the address the user gave on the first run or
    the settings page; else the address of the request being answered; else the
    address `crm run` or `crm serve` last listened on, which is what a `crm`
    command or a background job has to go by.
    """
    given = current_app.config.get("BASE_URL") or get_setting("base_url")
    if given:
        return given.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return (get_setting(SERVED_AT) or DEFAULT_ADDRESS).rstrip("/")


def remember_served_at(host, port):
    """Note the address the server listens on, for links made outside a request."""
    # Listening everywhere, the machine itself is reachable at the loopback address;
    # from elsewhere, CRM_BASE_URL must say the name people use.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    host = f"[{host}]" if ":" in host else host
    if get_setting(SERVED_AT) != f"http://{host}:{port}":
        set_setting(SERVED_AT, f"http://{host}:{port}")


def sender_name():
    """The name that signs the drafts."""
    return get_setting("sender_name") or "[Your name]"
