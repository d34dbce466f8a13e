"""Followthrough: a self-hosted personal CRM for people who network while they look for work."""

import os
import secrets

from flask import Flask

from crm import db

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# A source checkout keeps templates at the top level; a wheel carries them
# inside the package (see pyproject.toml).
SOURCE_TEMPLATES = os.path.join(os.path.dirname(PACKAGE_DIR), "templates")
TEMPLATE_DIR = (SOURCE_TEMPLATES if os.path.isdir(SOURCE_TEMPLATES)
                else os.path.join(PACKAGE_DIR, "templates"))


def create_app(test_config=None):
    """Create and configure the Followthrough app."""
    app = Flask(__name__, instance_relative_config=True, template_folder=TEMPLATE_DIR,
                instance_path=os.environ.get("CRM_INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=db.default_url(app.instance_path),
        PER_PAGE=50,
        TIMEZONE="UTC",
        MIGRATE_ON_START=True,
        BASE_URL="",  # empty: the address the app is reached at (settings.base_url)
        SMTP_HOST="",
        SMTP_PORT=587,
        SMTP_STARTTLS=True,
        SMTP_SSL=False,
        SMTP_USERNAME="",
        SMTP_PASSWORD="",
        MAIL_FROM="followthrough@localhost",
        DIGEST_TO="",
        DIGEST_EVERY_DAYS=7,
        DIGEST_DAYS=7,
        MAX_CONTENT_LENGTH=10 * 2**20,  # bytes: uploads over 10 MiB get the import page's advice
        PROXY_FIX=False,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=14 * 24 * 3600,  # seconds: a login lasts two weeks unused
        LOGIN_MAX_LIFETIME=30 * 24 * 3600,  # seconds: and a month at most, however used
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CRM")  # CRM_DATABASE_URL -> DATABASE_URL
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)

    db.init_app(app)
    register(app)
    return app


def register(app):
    """Attach every part of the app: pages, the login wall, commands and background jobs."""
    from crm import auth, cli, digest, drafts, followups, pages, security, vocabulary
    from crm.conferences import sync as calendar_sync
    from crm.mail import sync as mail_sync
    from crm.news import sync as news_sync

    app.jinja_env.globals["labels"] = vocabulary.LABELS
    app.jinja_env.globals["linkedin_note_limit"] = vocabulary.LINKEDIN_NOTE_LIMIT
    app.jinja_env.filters["mailto"] = drafts.mailto
    for module in (pages, cli, digest, news_sync, calendar_sync, mail_sync, auth, security,
                   followups):
        module.init_app(app)


def instance_secret(instance_path):
    """Read the secret key from the instance folder, creating it on first run."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        # O_EXCL: two processes starting at once must not write two keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()
