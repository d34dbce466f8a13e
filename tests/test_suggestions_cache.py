"""After each kind of write from the pages, the patched suggestions equal a full recompute."""

from datetime import timedelta

import pytest
from support import contact_form
from test_applications import application_form, interview_form
from test_events import event_form
from test_today import load

from crm import suggestions
from crm.db import data_version
from crm.models import Application, Contact, Event, Interview
from crm.settings import today_for_user


def assert_patched_equals_recomputed(app):
    """The cache was patched (it is current) and holds what a recompute gives."""
    assert app.extensions["crm.suggestions"]["key"][1] == data_version()
    patched = suggestions.current()
    app.extensions.pop("crm.suggestions")
    recomputed = suggestions.current()
    assert patched[0] == recomputed[0]
    assert patched[1] == recomputed[1]


def bob():
    return Contact.get(Contact.name == "Bob Hale")


WRITES = {
    "edit a contact": lambda c: c.submit(f"/contacts/{bob().id}/edit", contact_form(
        name="Bob Hale", status="long_term", cadence_days="30")),
    "add a contact": lambda c: c.submit("/contacts/new", contact_form(
        name="New Person", status="long_term")),
    "archive a contact": lambda c: c.submit(f"/contacts/{bob().id}/archive", {},
                                            form_page=f"/contacts/{bob().id}"),
    "delete a contact": lambda c: c.submit(f"/contacts/{bob().id}/delete", {}),
    "log a touch": lambda c: c.submit(f"/contacts/{bob().id}/touches/new", {
        "happened_on": today_for_user().isoformat(), "channel": "email", "direction": "in",
        "note": "Replied", "article_id": ""}),
    "reject an application": lambda c: c.submit(
        f"/applications/{Application.get(Application.status == 'interviewing').id}/status",
        {"status": "rejected", "closed_on": ""},
        form_page=f"/applications/{Application.get(Application.status == 'interviewing').id}"),
    "add an application": lambda c: c.submit("/applications/new", application_form(
        company="Meridian Sports & Entertainment", people="Dana Whitfield",
        applied_on=today_for_user().isoformat())),
    "add an interview": lambda c: c.submit(
        f"/applications/{Application.get(Application.status == 'interviewing').id}"
        "/interviews/new",
        interview_form(("Sam Okafor", "", ""), ("Zed New", "", ""),
                       on_date=(today_for_user() - timedelta(days=1)).isoformat())),
    "delete an interview": lambda c: c.submit(
        f"/interviews/{Interview.select().order_by(Interview.id.desc()).get().id}/delete", {}),
    "edit an event": lambda c: c.submit(f"/events/{Event.get().id}/edit", event_form(
        start_on=(today_for_user() + timedelta(days=10)).isoformat(),
        people="Bob Hale\nDana Whitfield")),
    "delete an event": lambda c: c.submit(f"/events/{Event.get().id}/delete", {}),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_patched_cache_equals_a_full_recompute(write, app, client, database):
    load(app)
    client.get("/")  # warm the cache
    response = WRITES[write](client)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    assert_patched_equals_recomputed(app)


def test_a_write_from_outside_the_pages_is_seen_at_once(app, client, database):
    """A `crm` command or another process writes without patching: the counter tells."""
    load(app)
    before, _ = suggestions.current()
    (Application.update(position="Head of Partnerships")
     .where(Application.status == "interviewing").execute())
    after, _ = suggestions.current()
    assert any("Head of Partnerships" in s.reason for s in after)
    assert not any("Head of Partnerships" in s.reason for s in before)
