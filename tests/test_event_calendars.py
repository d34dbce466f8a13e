"""Conferences from their own calendars: files and subscriptions as Google, Outlook, Meetup and
Eventbrite publish them, kept current by UID, and "maybe" until the user says otherwise."""

import io
from datetime import date, time, timedelta

import pytest
from support import CALENDARS, calendar_fixture, on, seen

from crm import followups
from crm.calendar_feed import feed_token
from crm.conferences.parse import CalendarError, parse_calendar
from crm.models import Contact, Event, EventAttendee, EventCalendar, utcnow
from tests.feedserver import FeedServer, Reply

WINDOW = (date(2026, 11, 30), date(2027, 5, 30))
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


def parsed(name, home="America/New_York"):
    """The events of a fixture over the half year after it was written, by name and day."""
    found = parse_calendar((CALENDARS / name).read_bytes(), *WINDOW, home)
    return found, {(e.name, e.start_on): e for e in found.events}


def test_google_calendar_times_given_in_utc_take_the_x_wr_timezone():
    calendar, events = parsed("google_association.ics", home="Europe/Paris")
    assert calendar.name == "NYC Sponsorship Professionals"
    december = events["Sponsorship Breakfast", date(2026, 12, 3)]
    assert (december.start_time, december.end_time, december.timezone) == (
        time(8, 0), time(9, 30), "America/New_York")
    # The same local hour after the change to summer time, as the organisers mean it.
    assert events["Sponsorship Breakfast", date(2027, 4, 1)].start_time == time(8, 0)
    assert december.place == "The Yale Club, 50 Vanderbilt Ave, New York, NY 10017, USA"


def test_a_series_keeps_its_exceptions_moves_and_cancellations():
    _, events = parsed("google_association.ics")
    breakfasts = sorted(day for name, day in events if name.startswith("Sponsorship Breakfast"))
    assert date(2027, 1, 7) not in breakfasts  # EXDATE
    moved = events["Sponsorship Breakfast (late start)", date(2027, 2, 4)]
    assert moved.start_time == time(9, 0)
    assert events["Sponsorship Breakfast", date(2027, 3, 4)].cancelled
    assert not events["Sponsorship Breakfast", date(2027, 4, 1)].cancelled
    # Each instance is known by the series and its original start, from one publication to
    # the next.
    assert moved.uid == "4q1lg0s2j5e7p9r3t6v8x0z2b4@google.com/20270204T130000Z"


def test_an_all_day_conference_ends_the_day_before_its_dtend():
    _, events = parsed("google_association.ics")
    summit = events["NYC Sponsorship Summit", date(2026, 12, 10)]
    assert (summit.end_on, summit.start_time, summit.end_time) == (date(2026, 12, 11), None, None)
    assert summit.url == "https://nycsponsorship.example.org/summit"


def test_outlook_windows_zone_names_become_iana_zones():
    _, events = parsed("outlook_conference.ics")
    forum = events["Partnership Marketing Forum 2027", date(2027, 1, 20)]
    assert (forum.timezone, forum.start_time, forum.end_on, forum.end_time) == (
        "America/Los_Angeles", time(9, 0), date(2027, 1, 21), time(17, 0))
    roundtables = sorted(day for name, day in events if name.startswith("Sponsor roundtable"))
    assert roundtables == [date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 16),
                           date(2027, 1, 6)]  # until 13 Jan, without 23 and 30 Dec


def test_eventbrite_times_in_utc_are_shown_in_the_users_zone():
    _, events = parsed("eventbrite_event.ics", home="America/New_York")
    breakfast = events["Women in Sports Business Breakfast", date(2026, 12, 15)]
    assert (breakfast.start_time, breakfast.end_time, breakfast.timezone) == (
        time(9, 0), time(11, 0), "America/New_York")


@pytest.mark.parametrize("text, message", [
    (b"", "The file is empty."),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "Line 1 is not an iCalendar line"),
    (b"<!doctype html><html><body>Calendar</body></html>", "Line 1 is not an iCalendar line"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nthis is not a line\r\n"
     b"END:VEVENT\r\nEND:VCALENDAR\r\n", "Line 5 is not an iCalendar line"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:No start\r\n"
     b"END:VEVENT\r\nEND:VCALENDAR\r\n", "The event at line 3 has no start (DTSTART)."),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261210T100000Z\r\n"
     b"SUMMARY:" + b"x" * 300 + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
     "The event at line 3, SUMMARY 'xxx"),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Hale\r\nEND:VCARD\r\n", "not an iCalendar file"),
])
def test_a_file_that_is_not_a_calendar_is_refused_naming_the_line(text, message):
    with pytest.raises(CalendarError) as refused:
        parse_calendar(text, *WINDOW, "UTC")
    assert message in str(refused.value)


def upload_calendar(client, name, data=None):
    """Import a calendar file on the Calendars page."""
    page = client.get("/events/calendars").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = calendar_fixture(name) if data is None else data
    return client.post("/events/calendars/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_imported_events_are_maybe_until_marked_and_only_then_count(client, database):
    response = upload_calendar(client, "google_association.ics")
    assert response.status_code == 302
    page = seen(client, "/events")
    assert "Imported NYC Sponsorship Professionals: 7 new, 0 updated" in page
    assert "Maybe: from your calendars" in page and "NYC Sponsorship Summit" in page
    assert "Coming up No conferences or meetings coming up" in page
    feed = client.get(f"/calendar/{feed_token()}.ics").get_data(as_text=True)
    assert "NYC Sponsorship Summit" not in feed
    bob = Contact.create(name="Bob Hale", status="long_term")
    bob.record_touch(happened_on=on(date(2026, 10, 1)))
    summit = Event.get(Event.name == "NYC Sponsorship Summit")
    EventAttendee.create(event=summit, contact=bob)
    assert not [s for s in followups.current().suggestions if s.kind == "see_you_at_event"]

    client.submit(f"/events/{summit.id}/attendance", {"attendance": "going", "next": "/events"},
                  form_page="/events")
    page = seen(client, "/events")
    assert "NYC Sponsorship Summit: going." in page
    assert page.index("NYC Sponsorship Summit") < page.index("Maybe: from your calendars")
    feed = client.get(f"/calendar/{feed_token()}.ics").get_data(as_text=True)
    assert "SUMMARY:NYC Sponsorship Summit" in feed
    hopes = [s.title for s in followups.current().suggestions if s.kind == "see_you_at_event"]
    assert hopes == ["Tell Bob Hale you hope to see them at NYC Sponsorship Summit"]


def test_importing_the_same_calendar_again_adds_nothing(client, database):
    upload_calendar(client, "outlook_conference.ics")
    upload_calendar(client, "outlook_conference.ics")
    assert "Imported Partnership Marketing Forum: 0 new, 0 updated, 0 cancelled, 5 unchanged" in (
        seen(client, "/events"))
    assert Event.select().count() == 5 and EventCalendar.select().count() == 1


def test_a_broken_file_imports_nothing_and_keeps_the_page(client, database):
    broken = calendar_fixture("meetup_group.ics").replace(b"SUMMARY:New year", b"SUMMARY New year")
    response = upload_calendar(client, "meetup_group.ics", broken)
    assert response.status_code == 400
    page = seen(client, "/events/calendars")
    text = response.get_data(as_text=True)
    assert "meetup_group.ics: Line 49 is not an iCalendar line" in text
    assert "Nothing was imported." in text and "No calendars yet." in page
    assert not Event.select().exists()


@pytest.fixture
def server(app):
    """A calendar server on 127.0.0.1, which the app may fetch from."""
    app.config.update(FEEDS_ALLOW_PRIVATE=True, FEEDS_TIMEOUT=2)
    with FeedServer() as running:
        yield running


def subscribe(client, url):
    """Subscribe on the Calendars page."""
    return client.submit("/events/calendars/subscribe", {"url": url},
                         form_page="/events/calendars")


def test_a_subscription_follows_moves_and_cancellations_by_uid(client, database, server):
    server.routes["/meetup.ics"] = Reply(body=calendar_fixture("meetup_group.ics"),
                                         headers={**ICS, "ETag": '"v1"'})
    response = subscribe(client, server.url("/meetup.ics"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Subscribed to Events - Chicago Sports Marketing Meetup: 2 new" in seen(
        client, "/events")
    talk = Event.get(Event.uid == "event_304512345@meetup.com")
    assert (talk.start_on, talk.start_time, talk.timezone, talk.attendance) == (
        on(date(2026, 12, 10)), time(18, 30), "America/Chicago", "maybe")
    client.submit(f"/events/{talk.id}/attendance", {"attendance": "interested"},
                  form_page=f"/events/{talk.id}")

    server.routes["/meetup.ics"] = Reply(body=calendar_fixture("meetup_group_updated.ics"),
                                         headers={**ICS, "ETag": '"v2"'})
    calendar = EventCalendar.get()
    client.submit(f"/events/calendars/{calendar.id}/refresh", {},
                  form_page="/events/calendars")
    assert ("Events - Chicago Sports Marketing Meetup: 0 new, 1 updated, 1 cancelled, "
            "0 unchanged") in seen(client, "/events/calendars")
    talk = Event.get_by_id(talk.id)
    assert (talk.start_on, talk.sequence, talk.attendance) == (
        on(date(2026, 12, 11)), 1, "interested")  # moved, the answer kept
    night = Event.get(Event.uid == "event_304598765@meetup.com")
    assert night.status == "cancelled"
    assert Event.select().count() == 2
    assert server.seen[-1][1].get("If-None-Match") == '"v1"'


def test_a_subscription_is_fetched_conditionally_and_backs_off_when_failing(
        client, database, server, runner):
    body = calendar_fixture("eventbrite_event.ics")
    server.routes["/e.ics"] = lambda headers: (
        Reply(304) if headers.get("If-None-Match") == '"e1"'
        else Reply(body=body, headers={**ICS, "ETag": '"e1"'}))
    result = runner.invoke(args=["events", "import", server.url("/e.ics")])
    assert result.exit_code == 0, result.output
    assert "Subscribed to Women in Sports Business Breakfast: 1 new" in result.output
    result = runner.invoke(args=["events", "refresh", "--all"])
    assert result.output.strip() == "Women in Sports Business Breakfast: not modified."
    server.routes["/e.ics"] = Reply(500, b"down")
    result = runner.invoke(args=["events", "refresh", "--all"])
    assert "Women in Sports Business Breakfast: failed (" in result.output
    calendar = EventCalendar.get()
    assert calendar.error_count == 1 and calendar.next_check_at > utcnow() + timedelta(
        minutes=30)
    assert "failing" in seen(client, "/events/calendars")
    assert Event.select().count() == 1  # a failed fetch leaves the events as they were
    failed_at = calendar.last_checked_at
    server.routes["/e.ics"] = Reply(body=body, headers={**ICS, "ETag": '"e2"'})
    result = runner.invoke(args=["events", "refresh", "--all"])
    calendar = EventCalendar.get()  # back: the errors forgotten, the new validator kept
    assert (calendar.error_count, calendar.last_error, calendar.etag) == (0, "", '"e2"')
    assert calendar.last_success_at == calendar.last_checked_at >= failed_at


def test_subscribing_to_a_private_address_is_refused(client, database, app):
    app.config.update(FEEDS_ALLOW_PRIVATE=False)
    response = subscribe(client, "http://127.0.0.1:9/calendar.ics")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Cannot subscribe to http://127.0.0.1:9/calendar.ics" in text
    assert "CRM_FEEDS_ALLOW_PRIVATE" in text and not EventCalendar.select().exists()
    assert 'value="http://127.0.0.1:9/calendar.ics"' in text  # what was typed stays


def test_the_command_imports_a_file_or_names_the_broken_line(runner, database, tmp_path):
    good = tmp_path / "forum.ics"
    good.write_bytes(calendar_fixture("outlook_conference.ics"))
    result = runner.invoke(args=["events", "import", str(good)])
    assert result.exit_code == 0
    assert "Imported Partnership Marketing Forum: 5 new" in result.output
    bad = tmp_path / "bad.ics"
    bad.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                    b"SUMMARY:Lost\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    result = runner.invoke(args=["events", "import", str(bad)])
    assert result.exit_code == 1
    assert "bad.ics: The event at line 3 has no start (DTSTART). Nothing was imported." in (
        result.output)
    assert Event.select().count() == 5
    missing = runner.invoke(args=["events", "import", str(tmp_path / "none.ics")])
    assert missing.exit_code == 1 and "Cannot read" in missing.output


def test_removing_a_calendar_keeps_the_events_you_answered(client, database):
    upload_calendar(client, "google_association.ics")
    summit = Event.get(Event.name == "NYC Sponsorship Summit")
    client.submit(f"/events/{summit.id}/attendance", {"attendance": "going"},
                  form_page=f"/events/{summit.id}")
    calendar = EventCalendar.get()
    client.submit(f"/events/calendars/{calendar.id}/delete", {}, form_page="/events/calendars")
    assert [e.name for e in Event.select()] == ["NYC Sponsorship Summit"]
    assert Event.get().calendar is None


def test_an_unknown_attendance_is_refused(client, database):
    upload_calendar(client, "eventbrite_event.ics")
    event = Event.get()
    response = client.submit(f"/events/{event.id}/attendance", {"attendance": "definitely"},
                             form_page=f"/events/{event.id}")
    assert response.status_code == 400 and Event.get().attendance == "maybe"


def test_an_event_its_calendar_no_longer_lists_is_marked_cancelled(client, database, server):
    full = calendar_fixture("meetup_group.ics")
    server.routes["/meetup.ics"] = Reply(body=full, headers=ICS)
    subscribe(client, server.url("/meetup.ics"))
    start = full.index(b"BEGIN:VEVENT", full.index(b"event_304512345"))
    server.routes["/meetup.ics"] = Reply(
        body=full[:start] + full[full.index(b"END:VEVENT", start) + 12:], headers=ICS)
    client.submit(f"/events/calendars/{EventCalendar.get().id}/refresh", {},
                  form_page="/events/calendars")
    assert Event.get(Event.uid == "event_304598765@meetup.com").status == "cancelled"
    assert Event.get(Event.uid == "event_304512345@meetup.com").status == "confirmed"
