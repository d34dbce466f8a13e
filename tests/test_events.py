"""Conferences and meetings: the list, an event's page, the form, and the people likely there."""

import re
from datetime import UTC, datetime, timedelta
from html import escape as html_escape

from support import contact_form, event_form

from crm.models import Contact, Event, EventAttendee, EventCompany

TODAY = datetime.now(UTC).date()  # the tests run with the UTC time zone


def add_event(client, **fields):
    """Add an event through the form and return the response."""
    return client.submit("/events/new", event_form(**fields))


def add_contact(client, name, company=""):
    """Add a contact through the form; return them."""
    client.submit("/contacts/new", contact_form(name=name, company=company, save_anyway="y"))
    return Contact.select().where(Contact.name == name).order_by(Contact.id.desc()).get()


def test_adding_an_all_day_event_shows_its_page(client, database):
    response = add_event(client, end_on=str(TODAY + timedelta(days=21)), notes="Bring cards")
    assert response.status_code == 302
    event = Event.get()
    assert (event.start_time, event.end_time, event.sequence) == (None, None, 0)
    assert event.end_on == TODAY + timedelta(days=21)
    page = client.get(response.location).get_data(as_text=True)
    assert "Sports Sponsorship Summit" in page and "Javits Center, New York" in page
    assert "all day" in page and "Bring cards" in page
    assert f'href="/events/{event.id}.ics"' in page


def test_a_one_day_event_ends_on_its_first_day(client, database):
    add_event(client)
    assert Event.get().end_on == TODAY + timedelta(days=20)


def test_timed_event_keeps_its_times_and_zone(client, database):
    add_event(client, start_time="09:00", end_time="17:30", timezone="Europe/Berlin")
    event = Event.get()
    assert (str(event.start_time), str(event.end_time)) == ("09:00:00", "17:30:00")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "09:00–17:30" in page and "Europe/Berlin" in page


def test_invalid_event_shows_errors_next_to_fields_and_keeps_what_was_typed(client, database):
    response = add_event(client, name="Chicago Marathon Expo",
                         start_on=str(TODAY + timedelta(days=5)),
                         end_on=str(TODAY + timedelta(days=3)), start_time="10:00",
                         timezone="Mars/Olympus_Mons", place="McCormick Place",
                         url="javascript://example.com/%0aalert(1)")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nothing was saved" in html
    assert "The last day cannot come before the first day." in html
    assert "Give both times, or neither for an all-day event." in html
    assert "Choose a time zone like America/New_York" in html
    assert "Enter a full web address" in html
    assert 'value="Chicago Marathon Expo"' in html and 'value="McCormick Place"' in html
    assert 'value="Mars/Olympus_Mons"' in html and 'value="10:00"' in html
    assert Event.select().count() == 0


def test_event_must_end_after_it_starts(client, database):
    response = add_event(client, start_time="17:00", end_time="09:00")
    assert "The event must end after it starts." in response.get_data(as_text=True)
    assert add_event(client, start_time="17:00", end_time="09:00",
                     end_on=str(TODAY + timedelta(days=21))).status_code == 302


def test_missing_name_and_date_are_refused(client, database):
    html = add_event(client, name=" ", start_on="").get_data(as_text=True)
    assert "An event needs a name." in html and "Enter the first day." in html
    assert Event.select().count() == 0


def test_post_without_csrf_token_is_refused(client, database):
    assert client.post("/events/new", data=event_form()).status_code == 400
    assert Event.select().count() == 0


def test_people_and_companies_are_linked_by_name(client, database):
    bob = add_contact(client, "Bob Hale", "Meridian")
    sam = add_contact(client, "Sam Okafor", "Northwind")
    dana = add_contact(client, "Dana Whitfield", "Northwind")
    add_contact(client, "Pat Nobody", "Elsewhere")
    add_event(client, people="bob hale\n", companies="northwind")
    event = Event.get()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    listed = re.findall(r'<a href="/contacts/\d+">([^<]+)</a>', page)
    assert listed == ["Bob Hale", "Dana Whitfield", "Sam Okafor"]
    assert [a.contact_id for a in EventAttendee.select()] == [bob.id]
    assert {c.company.name for c in EventCompany.select()} == {"Northwind"}
    assert "Pat Nobody" not in page and {sam.id, dana.id}.isdisjoint(
        a.contact_id for a in EventAttendee.select())


def test_ambiguous_names_are_errors_and_company_tells_twins_apart(client, database):
    add_contact(client, "Alex Kim", "Meridian")
    twin = add_contact(client, "Alex Kim", "Northwind")
    html = add_event(client, people="Alex Kim\nNo Such Person",
                     companies="Nowhere Inc").get_data(as_text=True)
    assert "Several contacts are called “Alex Kim”: add their company in brackets" in html
    assert "No company called “Nowhere Inc”." in html
    assert Event.select().count() == 0
    assert not Contact.select().where(Contact.name == "No Such Person").exists()
    assert add_event(client, people="Alex Kim (Northwind)").status_code == 302
    assert [a.contact_id for a in EventAttendee.select()] == [twin.id]
    edit_page = client.get(f"/events/{Event.get().id}/edit").get_data(as_text=True)
    assert "Alex Kim (Northwind)</textarea>" in edit_page


def test_editing_keeps_sequence_for_a_new_name_and_raises_it_for_a_new_time(client, database):
    add_event(client, start_time="09:00", end_time="17:00")
    event = Event.get()
    stamp = event.updated_at
    client.submit(f"/events/{event.id}/edit",
                  event_form(name="Summit 2", start_time="09:00", end_time="17:00"))
    renamed = Event.get_by_id(event.id)
    assert (renamed.name, renamed.sequence) == ("Summit 2", 0)
    assert renamed.updated_at > stamp
    client.submit(f"/events/{event.id}/edit",
                  event_form(name="Summit 2", start_time="10:00", end_time="17:00"))
    moved = Event.get_by_id(event.id)
    assert moved.sequence == 1 and moved.updated_at > renamed.updated_at
    client.submit(f"/events/{event.id}/edit", event_form(name="Summit 2"))  # now all day
    assert Event.get_by_id(event.id).sequence == 2


def test_delete_asks_first_then_removes_the_event_and_its_links(client, database):
    add_contact(client, "Bob Hale", "Meridian")
    add_event(client, people="Bob Hale", companies="Meridian")
    event = Event.get()
    assert "Delete Sports Sponsorship Summit?" in client.get(
        f"/events/{event.id}/delete").get_data(as_text=True)
    assert Event.select().count() == 1
    client.submit(f"/events/{event.id}/delete", {})
    assert Event.select().count() == 0
    assert EventAttendee.select().count() == 0 and EventCompany.select().count() == 0
    assert Contact.select().count() == 1
    assert client.get(f"/events/{event.id}").status_code == 404


def test_list_shows_upcoming_soonest_first_and_past_below(client, database):
    for name, days in [("Later", 60), ("Past long ago", -400), ("Sooner", 3), ("Past", -10)]:
        Event.create(name=name, start_on=TODAY + timedelta(days=days),
                     end_on=TODAY + timedelta(days=days))
    Event.create(name="Running now", start_on=TODAY - timedelta(days=1),
                 end_on=TODAY + timedelta(days=1))
    html = client.get("/events").get_data(as_text=True)
    names = re.findall(r'<a href="/events/\d+">([^<]+)</a>', html)
    assert names == ["Running now", "Sooner", "Later", "Past", "Past long ago"]
    assert html.index("Coming up") < html.index("Running now")
    assert html.index("Past events") < html.index(">Past<")


def test_past_events_page_through(client, database):
    for n in range(13):
        Event.create(name=f"Old {n:02}", start_on=TODAY - timedelta(days=10 + n),
                     end_on=TODAY - timedelta(days=10 + n))
    first = client.get("/events").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Old 00" in first and "Old 12" not in first
    assert "Old 12" in client.get("/events?page=2").get_data(as_text=True)


def test_contact_page_lists_upcoming_events_by_hand_and_by_company(client, database):
    bob = add_contact(client, "Bob Hale", "Meridian")
    sam = add_contact(client, "Sam Okafor", "Northwind")
    add_event(client, name="Summit", people="Bob Hale", companies="Northwind")
    Event.create(name="Last year's summit", start_on=TODAY - timedelta(days=300),
                 end_on=TODAY - timedelta(days=299))
    for contact in (bob, sam):
        page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
        assert "Upcoming events" in page and "Summit" in page
        assert "Last year" not in page
    loner = add_contact(client, "Lone Wolf")
    assert "Upcoming events" not in client.get(f"/contacts/{loner.id}").get_data(as_text=True)


def test_hostile_text_is_escaped_on_every_event_page(client, database):
    attack = '<script>alert("x")</script>'
    add_contact(client, attack, "Evil <b>Corp</b>")
    add_event(client, name=attack, place=attack, notes=attack, people=attack,
              companies="Evil <b>Corp</b>", url="https://example.com/?q=<script>")
    event = Event.get()
    contact = Contact.get()
    for url in ("/events", f"/events/{event.id}", f"/events/{event.id}/edit",
                f"/events/{event.id}/delete", f"/contacts/{contact.id}", "/calendar"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>Corp" not in html, url
        assert "&lt;script&gt;" in html, url


def test_an_event_form_sent_with_fields_missing_is_not_a_500(client, database):
    response = client.submit("/events/new", {"name": "Summit",
                                             "start_on": str(TODAY + timedelta(days=5))})
    assert response.status_code in (200, 302)


def test_unknown_names_become_contacts_as_the_interview_form_makes_them(client, database):
    bob = add_contact(client, "Bob Hale", "Meridian")
    response = add_event(client, people="bob hale\nNew Person\nKim Lee (Northwind)\n"
                                        "Bob Hale (Acme)\nBob Hale (Meridian)\nnew person")
    assert response.status_code == 302
    event = Event.get()
    new = Contact.get(Contact.name == "New Person")
    kim = Contact.get(Contact.name == "Kim Lee")
    other_bob = Contact.get(Contact.name == "Bob Hale", Contact.id != bob.id)
    assert (new.company, kim.company.name, other_bob.company.name) == (None, "Northwind", "Acme")
    assert {a.contact_id for a in EventAttendee.select()} == {bob.id, new.id, kim.id,
                                                              other_bob.id}
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "New Person" in page and "Kim Lee" in page
    assert "Kim Lee" in client.get("/contacts?q=kim").get_data(as_text=True)  # searchable


def test_a_name_too_long_for_a_contact_is_refused_and_nothing_is_made(client, database):
    """A new name must pass the contact form's rules (PostgreSQL would refuse it with a 500)."""
    for typed, shown in (("Ann " + "x" * 300, "Use at most 200 characters (this has 304)"),
                         ("Kim Lee (" + "Y" * 300 + ")", "(this has 300)")):
        response = add_event(client, people=typed)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and shown in html
        assert html_escape(typed) in html  # what was typed is kept
        assert Event.select().count() == Contact.select().count() == 0
