"""Fixtures: an app on a fresh database per test, its client and CLI runner.

The database is a SQLite file, or with CRM_TEST_DATABASE=postgresql a database
of its own on a throwaway PostgreSQL server started for the run
(tests/pgserver.py), copied from a migrated template so each test starts
empty in a few milliseconds.
"""

import itertools
import os
import socket
from datetime import UTC, datetime

import pgserver
import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from imapserver import Dovecot, available
from support import CSRF_FIELD, ENGINE, ON_POSTGRES, Inbox

from crm import create_app, schema
from crm.calendar_feed import feed_token, namespace
from crm.db import db
from crm.demo import load_demo
from crm.models import Article, Company, Contact, Feed, MailAccount, MailCandidate


class FormClient(FlaskClient):
    """A test client that fills in forms as a browser would, CSRF token included."""

    def submit(self, url, data, form_page=None):
        """GET the page with the form, then POST the data with its CSRF token."""
        page = self.get(form_page or url)
        match = CSRF_FIELD.search(page.get_data(as_text=True))
        assert match, f"no CSRF token in the form at {form_page or url}"
        return self.post(url, data={**data, "csrf_token": match.group(1)})


_numbers = itertools.count()


def pytest_report_header(config):
    """Say which engine this run tests."""
    return f"database engine: {ENGINE} (CRM_TEST_DATABASE)"


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server for the whole run, then stopped and removed."""
    if not pgserver.available():
        pytest.fail("PostgreSQL is missing, and CRM_TEST_DATABASE=postgresql needs it: "
                    "run scripts/ensure-postgres as root, or `sudo apt-get install postgresql`")
    with pgserver.PostgresServer() as server:
        server.create("crm_template")
        template = create_app({"TESTING": True, "DATABASE_URL": server.url("crm_template"),
                               "SECRET_KEY": "test-secret"})
        with template.app_context():
            schema.migrate()
        db.close()
        yield server


@pytest.fixture
def empty_database_url(request, tmp_path):
    """The URL of a new database with no tables yet, on the engine under test."""
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server = request.getfixturevalue("postgres")
    name = f"empty_{next(_numbers)}"
    request.addfinalizer(lambda: server.drop(name))
    return server.create(name)


@pytest.fixture
def database_url(request, tmp_path):
    """The URL of a new migrated database, empty, on the engine under test."""
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'crm.db'}"
    server = request.getfixturevalue("postgres")
    name = f"test_{next(_numbers)}"
    request.addfinalizer(lambda: server.drop(name))
    return server.create(name, template="crm_template")


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    """The app with its own database and instance folder.

    The instance folder is a temporary one: a developer's own instance/letters
    or config.py must not change what the tests see.
    """
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "PER_PAGE": 10,
    })
    app.test_client_class = FormClient
    schema.migrate()
    yield app
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    """A browser-like client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs `crm` commands against the app."""
    return app.test_cli_runner()


@pytest.fixture
def database(app):
    """An open connection for tests that read or write rows directly."""
    with app.app_context():
        db.connect(reuse_if_open=True)
        yield db
        db.close()


@pytest.fixture
def seeded(app, database):
    """The demo job search, a touch, a feed with an article, and the calendar's secrets."""
    with app.test_request_context():
        load_demo()
        feed = Feed.create(url="https://example.com/feed.xml", company=Company.get())
        Article.create(feed=feed, identity="a1", link="https://example.com/news/1",
                       title="Meridian opens a new office", published_at=datetime.now(UTC))
        Contact.get().record_touch(happened_on="2026-11-01", note="Sent the thank-you letter")
        MailAccount.create(id=1, host="imap.example.com", username="jo@example.com")
        MailCandidate.create(email="kim@meridian.example", name="Kim Lee",
                             reason="Wrote in a thread with Bob Hale")
        feed_token(), namespace()  # made on first need; made here so GETs below write nothing
    return database


@pytest.fixture(scope="session")
def dovecot():
    """A real Dovecot on 127.0.0.1 for the whole run (plain, STARTTLS and IMAPS), then stopped."""
    if not available():
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is missing, and CI needs the mail tests (scripts/ensure-dovecot)")
        pytest.skip("Dovecot is not installed: run `make test` as root, or "
                    "`sudo apt-get install dovecot-imapd`")
    with Dovecot() as server:
        yield server


@pytest.fixture
def mailbox(dovecot, app, database):
    """An empty mailbox of its own on the server, set up on the Mail page (plain IMAP on
    loopback), its password in the app's configuration as a user's config.py would hold it."""
    from crm.models import MailAccount

    box = dovecot.mailbox()
    app.config.update(IMAP_PASSWORD=box.password, IMAP_CA_FILE=dovecot.cert)
    MailAccount.create(id=1, **box.settings())
    return box


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 for the duration of a test."""
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks its port by connecting: pick one first
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()
