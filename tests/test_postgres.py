"""PostgreSQL: moving house from SQLite and back, and several app servers on one database.

These need both engines, or a server of their own, so they run in the PostgreSQL
run (`CRM_TEST_DATABASE=postgresql`, part of `make test`) and skip in the SQLite one.
"""

import json
import threading
from datetime import timedelta

import pytest
from conftest import ON_POSTGRES, FormClient
from support import CSRF_FIELD, export, fill_every_table

from crm import create_app, followups, scheduler, schema
from crm.db import db
from crm.models import Company, Contact
from crm.transfer import backup

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs the PostgreSQL server of the PostgreSQL run "
                            "(CRM_TEST_DATABASE=postgresql, which `make test` also runs)")


def an_app(url, tmp_path, name):
    """An app on `url` with an instance folder of its own: another process, as it were."""
    app = create_app({"TESTING": True, "SECRET_KEY": "same-on-both", "DATABASE_URL": url})
    app.instance_path = str(tmp_path / name)
    app.test_client_class = FormClient
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


def test_a_write_through_one_server_is_seen_by_the_other(app, database_url, tmp_path):
    other = an_app(database_url, tmp_path, "other")
    first, second = app.test_client(), other.test_client()
    assert "Ada Lovelace" not in second.get("/contacts").get_data(as_text=True)
    with other.app_context(), db.connection_context():
        before = followups.current()  # the other process's kept suggestions
    response = first.submit("/contacts/new", {
        "name": "Ada Lovelace", "role": "other", "status": "long_term", "may_follow_up": "y",
        "title": "", "company": "", "email": "", "phone": "", "linkedin_url": "",
        "preferred_channel": "", "cadence_days": "", "tags": "", "notes": ""})
    assert response.status_code == 302
    ada = Contact.get(Contact.name == "Ada Lovelace")
    ada.record_touch(happened_on=ada.created_at.date() - timedelta(days=200))
    with other.app_context(), db.connection_context():
        after = followups.current()
    assert before.seq != after.seq
    assert any(s.contact_id == ada.id for s in after.suggestions)
    assert "Ada Lovelace" in second.get("/").get_data(as_text=True)


def test_a_form_from_one_server_is_accepted_by_the_other(app, database_url, tmp_path):
    other = an_app(database_url, tmp_path, "other")
    app.config["SECRET_KEY"] = "same-on-both"
    page = app.test_client().get("/contacts/new").get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    second = other.test_client()
    second.get("/contacts/new")  # the session cookie: signed with the shared key
    with app.test_client() as first:
        first.get("/contacts/new")
        cookie = first.get_cookie("session")
        token = CSRF_FIELD.search(first.get("/contacts/new").get_data(as_text=True)).group(1)
    second.set_cookie("session", cookie.value)
    response = second.post("/contacts/new", data={
        "csrf_token": token, "name": "Grace Hopper", "role": "other", "status": "active",
        "may_follow_up": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert Contact.get_or_none(Contact.name == "Grace Hopper") is not None


def test_a_background_job_runs_once_whichever_servers_run_it(app, database_url, tmp_path):
    other = an_app(database_url, tmp_path, "other")
    runs = []
    job = scheduler.Job("count", 3600, lambda app: runs.append(app))
    threads = [threading.Thread(target=scheduler.run_job, args=(each, job))
               for each in (app, other, app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(runs) == 1
