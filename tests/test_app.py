"""The app factory, its configuration, the database settings and the migrations."""

import os
import subprocess
import sys
import textwrap

import pytest
from playhouse.schema_diff import diff_models
from support import ON_POSTGRES, contact_form, trigger_names

from crm import changes, create_app, scheduler, schema
from crm.db import db
from crm.login_sessions import LoginSession
from crm.models import MODELS, Company, Contact
from crm.schema import migration_runner


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    first = create_app()
    key_file = tmp_path / "secret_key"
    assert first.config["SECRET_KEY"] == key_file.read_text() and len(key_file.read_text()) == 64
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]
    # The default database lives beside it.
    assert first.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'crm.db'}"


def test_crm_database_url_selects_the_database(tmp_path, monkeypatch):
    path = tmp_path / "chosen.db"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["DATABASE_URL"] == f"sqlite:///{path}"
    assert app.test_client().get("/healthz").status_code == 200
    assert path.exists()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's pragmas; PostgreSQL has no such settings")
def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(database):
    pragma = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]
              for name in ("journal_mode", "foreign_keys", "busy_timeout")}
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000}


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_migrations_leave_exactly_the_schema_the_models_describe(database):
    models = [*MODELS, LoginSession, scheduler.JobLease]  # no user data: kept out of MODELS
    found = diff_models(database.obj, models)
    # PostgreSQL's search indexes, its twin of SQLite's FTS tables, are made by migration
    # 0018 over expressions no model declares.
    found = found._replace(drop_indexes=[index for index in found.drop_indexes
                                         if not index.name.endswith("_search")])
    assert not found, str(found)
    assert all(step.applied for step in migration_runner().status())


def test_migrating_again_applies_nothing_and_keeps_the_data(app, client, tmp_path):
    client.submit("/contacts/new", contact_form(name="Kept"))
    again = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x"})
    assert schema.migrate() == []
    with again.app_context(), db.connection_context():
        assert [c.name for c in Contact.select()] == ["Kept"]


def test_web_and_command_line_can_write_at_the_same_time(app, client, tmp_path):
    """A second process writing in a loop never makes the web process fail, nor loses rows."""
    writer = textwrap.dedent(f"""
        from crm.db import db, open_database
        from crm.models import Contact
        db.initialize(open_database({app.config['DATABASE_URL']!r}))
        for n in range(150):
            with db.atomic():
                Contact.create(name=f"cli {{n}}", search_text="cli")
                Contact.select().count()
        print("ok")
    """)
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    statuses = [client.submit("/contacts/new", contact_form(name=f"web {n}")).status_code
                for n in range(40)]
    out, err = process.communicate(timeout=120)
    assert out.strip() == "ok", err
    assert set(statuses) == {302}
    with app.app_context(), db.connection_context():
        assert Contact.select().count() == 190


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/contacts/999999")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.get_data(as_text=True)


def test_every_table_is_watched_for_changes_or_declared_unread(database):
    """Cached suggestions trust the change log: a table without its triggers would go stale."""
    triggers = trigger_names()
    for model in MODELS:
        assert (model in changes.WATCHED) != (model in changes.UNWATCHED), model
        for event in changes.WATCHED.get(model, ((), ()))[0]:
            verb = event.split()[0].lower()
            assert f"{model._meta.table_name}_{verb}_logged" in triggers, (model, event)


def test_building_the_app_never_changes_the_schema(empty_database_url):
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        assert len(schema.pending()) == len(migration_runner().status())


def test_init_db_and_migrate_apply_the_migrations_themselves(empty_database_url, monkeypatch):
    monkeypatch.setenv("CRM_MIGRATE_ON_START", "false")
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    count = len(migration_runner().status())
    assert result.exit_code == 0 and f"({count} migration(s) applied now)" in result.output
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0 and "applied now" not in result.output
    assert result.output.count("0001_initial: applied ") == 1


def test_serve_refuses_a_database_that_needs_migrating_when_told_not_to_migrate(
        empty_database_url):
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x",
                      "MIGRATE_ON_START": False})
    result = app.test_cli_runner().invoke(args=["serve", "--port", "1"])
    assert result.exit_code != 0 and "run `crm migrate` first" in result.output


def test_the_browser_icon_is_there_without_logging_in(app, client):
    from crm.auth import set_password

    with app.test_request_context():
        set_password("correct horse battery")
    response = client.get("/favicon.ico", follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_events_typed_in_before_calendars_existed_stay_going(empty_database_url, tmp_path,
                                                            monkeypatch):
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context(), db.connection_context():
        migration_runner().up(target="0010_people_history")
        db.execute_sql("INSERT INTO event (name, start_on, end_on, timezone, place, url, notes, "
                       "sequence, created_at, updated_at) VALUES ('Summit', '2026-12-10', "
                       "'2026-12-11', 'UTC', '', '', '', 0, '2026-11-01', '2026-11-01')")
        schema.migrate()
        row = db.execute_sql("SELECT name, attendance, status, uid FROM event").fetchone()
    assert row == ("Summit", "going", "confirmed", None)


RELEASED = sorted(name.removesuffix(".py") for name in os.listdir(schema.MIGRATIONS_DIR)
                  if name[:4].isdigit())


@pytest.mark.parametrize("released", RELEASED)
def test_an_upgrade_from_each_released_schema_keeps_the_data(empty_database_url, released):
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context(), db.connection_context():
        migration_runner().up(target=released)
        db.execute_sql("INSERT INTO company (name, website, notes, created_at, updated_at) "
                       "VALUES ('Kept Ltd', '', '', '2026-11-01', '2026-11-01')")
        schema.migrate()
        assert not schema.pending()
        assert [c.name for c in Company.select()] == ["Kept Ltd"]
