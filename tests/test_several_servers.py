"""Several app servers on one database (two `crm serve` behind a proxy): whichever answers,
the user sees the same; the background jobs run once. On either engine.

Two apps on one database stand for the two processes; tests/test_load.py runs two real
`crm serve` processes under load.
"""

import socket
import threading
from datetime import timedelta

from support import CSRF_FIELD, contact_form

from crm import create_app, followups, scheduler
from crm.auth import set_password
from crm.db import db
from crm.models import Contact


def second_server(app, tmp_path, secret="test-secret"):
    """Another app on the same database, with an instance folder of its own."""
    other = create_app({"TESTING": True, "SECRET_KEY": secret,
                        "DATABASE_URL": app.config["DATABASE_URL"]})
    other.instance_path = str(tmp_path / "other")
    return other


def test_a_write_through_one_server_is_served_fresh_by_the_other(app, database, tmp_path):
    other = second_server(app, tmp_path)
    with other.app_context():
        before = followups.current()  # the other process's kept suggestions, computed once
    app.test_client().submit("/contacts/new", contact_form(name="Ada Lovelace",
                                                           status="long_term"))
    ada = Contact.get(Contact.name == "Ada Lovelace")
    ada.record_touch(happened_on=ada.created_at.date() - timedelta(days=200))
    with other.app_context():
        after = followups.current()
    assert not any(s.contact_id == ada.id for s in before.suggestions)
    assert any(s.contact_id == ada.id for s in after.suggestions)
    assert "Ada Lovelace" in other.test_client().get("/?all=1").get_data(as_text=True)


def test_a_login_and_a_form_from_one_server_work_on_the_other(app, tmp_path):
    # No app context stays pushed: Flask-WTF keeps a request's CSRF token in `g`.
    with app.app_context():
        set_password("correct horse battery")
    other = second_server(app, tmp_path)
    first, second = app.test_client(), other.test_client()
    first.submit("/login", {"password": "correct horse battery", "next": ""})
    token = CSRF_FIELD.search(first.get("/contacts/new").get_data(as_text=True)).group(1)
    second.set_cookie("session", first.get_cookie("session").value)
    response = second.post("/contacts/new",
                           data={**contact_form(name="Grace Hopper"), "csrf_token": token})
    assert response.status_code == 302 and "/login" not in response.location
    with app.app_context(), db.connection_context():
        assert Contact.get_or_none(Contact.name == "Grace Hopper") is not None


def test_a_server_with_another_secret_key_signs_no_one_in(app, tmp_path):
    with app.app_context():
        set_password("correct horse battery")
    first = app.test_client()
    first.submit("/login", {"password": "correct horse battery", "next": ""})
    stranger = second_server(app, tmp_path, secret="another-secret").test_client()
    stranger.set_cookie("session", first.get_cookie("session").value)
    assert "/login" in stranger.get("/contacts").location


def test_a_background_job_runs_once_however_many_servers_run_it(app, tmp_path):
    servers = [app, second_server(app, tmp_path)] * 2
    runs = []
    job = scheduler.Job("count", 3600, lambda app: runs.append(app))
    threads = [threading.Thread(target=scheduler.run_job, args=(server, job))
               for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(runs) == 1
    scheduler.run_job(app, job)  # still within the interval
    assert len(runs) == 1


def test_a_database_out_of_reach_is_a_503_not_a_crash(tmp_path, empty_database_url):
    if empty_database_url.startswith("sqlite"):
        unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'crm.db'}"
    else:  # a port nothing listens on
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        unreachable = f"postgresql://postgres@127.0.0.1:{port}/crm?connect_timeout=2"
    client = create_app({"TESTING": True, "SECRET_KEY": "x",
                         "DATABASE_URL": unreachable}).test_client()
    assert client.get("/healthz").status_code == 503
    response = client.get("/contacts")
    assert response.status_code == 503
    assert "The database is not answering" in response.get_data(as_text=True)
