"""Signed-in browsers, remembered on the server so that logging out ends a login for good.

The session cookie carries only a random token; this table holds its SHA-256, so a
copy of the database signs no one in. A login ends on logout, on "Sign out
everywhere", on a new password, after PERMANENT_SESSION_LIFETIME unused, and
LOGIN_MAX_LIFETIME after it began however much it is used.

Not in `crm.models.MODELS` on purpose: logins are neither data to back up (a
restore must not bring back a login that was ended) nor changes the caches of
suggestions need to see.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from peewee import CharField, DateTimeField, Model

from crm.db import db
from crm.models import utcnow

# Last-seen is written at most this often, so a page view is one read, not a write.
SEEN_EVERY = timedelta(minutes=1)
# (marker in the User-Agent, name) in the order to test: Edge and Opera also say Chrome,
# Chrome also says Safari, Android also says Linux.
BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari")]
SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
           ("Linux", "Linux")]


class LoginSession(Model):
    id = CharField(primary_key=True)  # SHA-256 of the cookie's token
    user_agent = CharField(default="")
    created_at = DateTimeField()
    last_seen_at = DateTimeField()
    expires_at = DateTimeField()  # the idle deadline, never past the absolute one

    class Meta:
        database = db
        table_name = "login_session"

    @classmethod
    def live(cls, now):
        """Logins not yet expired, the most recently used first."""
        return cls.select().where(cls.expires_at > now).order_by(cls.last_seen_at.desc())

    @property
    def browser(self):
        """The browser and system named in the User-Agent, like "Firefox on Linux"."""
        agent = self.user_agent
        name = next((name for mark, name in BROWSERS if mark in agent), None)
        system = next((name for mark, name in SYSTEMS if mark in agent), None)
        if name and system:
            return f"{name} on {system}"
        return name or system or "An unknown browser"


def digest(token):
    """The table's key for a cookie's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def deadline(created_at, now):
    """When a login used now expires: unused for the idle lifetime, or at its absolute end."""
    config = current_app.config
    return min(now + current_app.permanent_session_lifetime,
               created_at + timedelta(seconds=config["LOGIN_MAX_LIFETIME"]))


def start(user_agent):
    """Record a new login and return the token for the cookie; forget expired ones."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.atomic():
        LoginSession.delete().where(LoginSession.expires_at <= now).execute()
        LoginSession.create(id=digest(token), user_agent=user_agent[:255], created_at=now,
                            last_seen_at=now, expires_at=deadline(now, now))
    return token


def find(token):
    """The live login a cookie's token names, or None; marks it seen (once a minute)."""
    if not isinstance(token, str):
        return None
    now = utcnow()
    login = LoginSession.get_or_none((LoginSession.id == digest(token))
                                     & (LoginSession.expires_at > now))
    if login and now - login.last_seen_at >= SEEN_EVERY:
        login.last_seen_at, login.expires_at = now, deadline(login.created_at, now)
        with db.atomic():
            login.save(only=[LoginSession.last_seen_at, LoginSession.expires_at])
    return login


def end(token):
    """End the login a cookie's token names, if any."""
    if isinstance(token, str):
        with db.atomic():
            LoginSession.delete().where(LoginSession.id == digest(token)).execute()


def end_all():
    """End every login, on every browser."""
    with db.atomic():
        LoginSession.delete().execute()
