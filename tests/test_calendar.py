"""The calendar feed as calendar apps see it: bytes, parsers, validators, token, contents."""

import random
import re
from datetime import date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar
from icalendar.parser.content_line import Contentline
from support import ON_POSTGRES, contact_form, counting_queries

from crm import calendar_feed
from crm.demo import load_demo
from crm.followups import answer, current
from crm.ics import _fold, uid_for
from crm.models import Application, Contact, Event, Interview, Setting, Touch
from crm.settings import remember_served_at, today_for_user

BASE = "https://crm.example.org"
FEED = re.compile(r"/calendar/([A-Za-z0-9_-]{43})\.ics")


@pytest.fixture
def demo(app, database):
    """The demo job search, a calendar address under a public base URL, and today's date."""
    app.config["BASE_URL"] = BASE + "/"
    load_demo(today_for_user())
    return today_for_user()


def feed_path(client):
    """The feed's path, as the Calendar page gives it."""
    return FEED.search(client.get("/calendar").get_data(as_text=True)).group(0)


def fresh(app, client, path, **headers):
    """The feed rendered anew, as after a restart: no cached suggestions or body."""
    app.extensions.pop("crm.followups", None)
    return client.get(path, headers=headers)


def unfolded(raw):
    return raw.replace(b"\r\n ", b"").decode()


def vevents(raw):
    """Each VEVENT as its list of unfolded content lines."""
    return [block.split("\r\n")[:-1] for block in
            re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT", unfolded(raw), re.S)]


def prop(lines, name):
    """The values of one property in a VEVENT's lines."""
    return [line.split(":", 1)[1] for line in lines if re.match(rf"{name}[;:]", line)]


def uids(raw):
    return [prop(lines, "UID")[0] for lines in vevents(raw)]


def age_everything():
    """Date every row's last change back to 2020, so a change made now shows in the stamps."""
    long_ago = datetime(2020, 5, 1, 12, 0)
    for model in (Contact, Event, Interview, Application):
        model.update(updated_at=long_ago).execute()
    Touch.update(created_at=long_ago).execute()


def add_events(today):
    """An all-day event, a timed one in Berlin with awkward text, and ones outside the window."""
    Event.create(name="Association breakfast", start_on=today + timedelta(days=3),
                 end_on=today + timedelta(days=3))
    Event.create(name="Zoë's café meetup; Ångström, \\ “quotes”",
                 start_on=today + timedelta(days=40), end_on=today + timedelta(days=40),
                 start_time=time(18), end_time=time(21), timezone="Europe/Berlin",
                 place="Café Einstein, Kurfürstenstraße 58, Berlin",
                 notes="Long notes " + "déjà vu, semicolons; and commas, " * 8)
    Event.create(name="Ended long ago", start_on=today - timedelta(days=45),
                 end_on=today - timedelta(days=44))
    Event.create(name="Far in the future", start_on=today + timedelta(days=400),
                 end_on=today + timedelta(days=401))


def test_feed_is_valid_rfc5545_on_the_raw_bytes(client, demo):
    add_events(demo)
    response = client.get(feed_path(client))
    raw = response.data
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode()  # folding never split a UTF-8 character
    text = unfolded(raw)
    assert text.count("\r\nVERSION:2.0\r\n") == 1 and text.count("\r\nPRODID:") == 1
    assert "\r\nNAME:Followthrough\r\n" in text and "\r\nX-WR-CALNAME:Followthrough\r\n" in text
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT4H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT4H\r\n" in text
    events = vevents(raw)
    assert len(events) > 5
    for lines in events:
        assert len(prop(lines, "UID")) == 1 and len(prop(lines, "DTSTAMP")) == 1, lines
        assert prop(lines, "DTSTAMP")[0].endswith("Z")
    assert len(set(uids(raw))) == len(events)
    reminders = [lines for lines in events if prop(lines, "TRANSP") == ["TRANSPARENT"]]
    assert reminders and all(not any(line.startswith("BEGIN:VTODO") for line in lines)
                             for lines in events)
    breakfast = next(lines for lines in events if "SUMMARY:Association breakfast" in lines)
    for lines in [*reminders, breakfast]:
        start = date.fromisoformat(_date(lines, "DTSTART;VALUE=DATE"))
        assert date.fromisoformat(_date(lines, "DTEND;VALUE=DATE")) == start + timedelta(days=1)
    used = set(re.findall(r";TZID=([^;:]+)", text))
    defined = set(re.findall(r"BEGIN:VTIMEZONE\r\nTZID:([^\r]+)", text))
    assert used and used <= defined and "UTC" not in used
    assert "Ended long ago" not in text and "Far in the future" not in text
    assert r"Zoë's café meetup\; Ångström\, \\ “quotes”" in text


def _date(lines, name):
    value = next(line for line in lines if line.startswith(name + ":")).split(":")[1]
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def test_fast_folding_gives_icalendars_own_bytes():
    pieces = ["a", "b ", "\\", "^", ";", ",", "é", "€", "𝄞", "“", "…", "x" * 70]
    rng = random.Random(5545)
    for _ in range(3000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        assert _fold(line.encode()) == Contentline(line).to_ical(), line


def test_control_characters_never_reach_the_feed(client, demo):
    # PostgreSQL cannot store a NUL at all (the fields refuse it on the way in).
    nul = "nul " if ON_POSTGRES else "nul\x00 "
    typed = f"tab\there {nul}bell\x07 escape\x1b[31m del\x7f vt\x0b end"
    Event.create(name=typed, start_on=demo, end_on=demo, place=typed, notes=typed)
    raw = client.get(feed_path(client)).data
    assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", raw.replace(b"\r\n", b""))
    meetup = next(e for e in Calendar.from_ical(raw).walk("VEVENT")
                  if str(e["SUMMARY"]).startswith("tab"))
    printable = "tab\there nul bell escape[31m del vt end"
    assert str(meetup["SUMMARY"]) == str(meetup["LOCATION"]) == printable


def test_icalendar_reads_back_what_we_wrote(client, demo):
    add_events(demo)
    raw = client.get(feed_path(client)).data
    parsed = Calendar.from_ical(raw)
    assert parsed.to_ical() == raw
    by_name = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    meetup = by_name["Zoë's café meetup; Ångström, \\ “quotes”"]
    start = meetup.decoded("DTSTART")
    berlin = ZoneInfo("Europe/Berlin")
    assert start == datetime.combine(demo + timedelta(days=40), time(18), tzinfo=berlin)
    assert str(meetup["LOCATION"]) == "Café Einstein, Kurfürstenstraße 58, Berlin"
    assert "déjà vu, semicolons; and commas," in str(meetup["DESCRIPTION"])
    assert len(by_name) == len(vevents(raw))


def test_vobject_an_independent_parser_reads_the_same_calendar(client, demo):
    add_events(demo)
    raw = client.get(feed_path(client)).data
    parsed = vobject.readOne(raw.decode())
    found = parsed.contents["vevent"]
    assert sorted(v.uid.value for v in found) == sorted(uids(raw))
    meetup = next(v for v in found if v.summary.value.startswith("Zoë"))
    assert meetup.summary.value == "Zoë's café meetup; Ångström, \\ “quotes”"
    expected = datetime.combine(demo + timedelta(days=40), time(18),
                                tzinfo=ZoneInfo("Europe/Berlin"))
    assert meetup.dtstart.value == expected
    breakfast = next(v for v in found if v.summary.value == "Association breakfast")
    assert breakfast.dtend.value - breakfast.dtstart.value == timedelta(days=1)


def test_uids_and_bytes_are_the_same_across_renders_and_after_unrelated_edits(app, client, demo):
    path = feed_path(client)
    age_everything()
    first = fresh(app, client, path)
    second = fresh(app, client, path)
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    client.submit("/contacts/new", contact_form(name="Unrelated Person", company="Elsewhere"))
    after_new_contact = fresh(app, client, path)
    assert after_new_contact.data == first.data
    bob = Contact.get(Contact.name == "Bob Hale")
    client.submit(f"/contacts/{bob.id}/edit", contact_form(
        name="Bob Hale", title="SVP, Partnerships", company=bob.company.name,
        email=bob.email, preferred_channel="email", tags=", ".join(bob.tag_names()),
        notes=bob.notes))
    after_edit = fresh(app, client, path)
    assert uids(after_edit.data) == uids(first.data)
    assert after_edit.data != first.data  # Bob's reminders carry the new change date


def test_reminders_say_what_for_whom_why_with_the_draft_and_a_link_back(client, demo):
    raw = client.get(feed_path(client)).data
    sam = Contact.get(Contact.name == "Sam Okafor")
    letter = next(lines for lines in vevents(raw)
                  if "SUMMARY:Send Sam Okafor a follow-through letter" in lines)
    description = prop(letter, "DESCRIPTION")[0]
    assert "the follow-through letter is due the day after" in description
    assert "Draft:" in description and "Dear Sam\\," in description
    assert prop(letter, "URL") == [f"{BASE}/contacts/{sam.id}"]
    assert _date(letter, "DTSTART;VALUE=DATE") == str(demo)


def test_reminders_stamp_when_their_data_changed_not_the_request(client, demo):
    path = feed_path(client)
    age_everything()

    def letter():
        return next(lines for lines in vevents(client.get(path).data)
                    if "SUMMARY:Send Sam Okafor a follow-through letter" in lines)

    assert prop(letter(), "DTSTAMP") == ["20200501T120000Z"]
    Contact.update(updated_at=datetime(2021, 3, 4, 5, 6, 7)).where(
        Contact.name == "Sam Okafor").execute()
    assert prop(letter(), "DTSTAMP") == ["20210304T050607Z"]
    assert prop(letter(), "LAST-MODIFIED") == ["20210304T050607Z"]
    Interview.update(updated_at=datetime(2022, 1, 2, 3, 4, 5)).execute()
    assert prop(letter(), "DTSTAMP") == ["20220102T030405Z"]


def test_done_and_skipped_reminders_leave_the_feed_and_a_snoozed_one_moves(client, demo):
    path = feed_path(client)
    found = current(demo).suggestions
    by_kind = {s.kind: s for s in found if demo - timedelta(days=30) <= s.due}
    done, skipped, snoozed = by_kind["followthrough"], by_kind["linkedin"], by_kind["keep_in_mind"]
    namespace = calendar_feed.namespace()
    before = client.get(path).data
    for suggestion in (done, skipped, snoozed):
        assert uid_for(suggestion.key, namespace) in uids(before)
    until = demo + timedelta(days=12)
    answer(done.key, done.contact_id, "done")
    answer(skipped.key, skipped.contact_id, "skipped")
    answer(snoozed.key, snoozed.contact_id, "snoozed", until=until)
    after = client.get(path).data
    assert uid_for(done.key, namespace) not in uids(after)
    assert uid_for(skipped.key, namespace) not in uids(after)
    moved = next(lines for lines in vevents(after)
                 if prop(lines, "UID") == [uid_for(snoozed.key, namespace)])
    assert _date(moved, "DTSTART;VALUE=DATE") == str(until)


def test_the_feed_covers_thirty_days_back_to_a_year_ahead(client, demo):
    recent = Contact.create(name="Recently Due", status="long_term", search_text="recent")
    recent.record_touch(happened_on=demo - timedelta(days=100))  # due 10 days ago
    stale = Contact.create(name="Long Overdue", status="long_term", search_text="stale")
    stale.record_touch(happened_on=demo - timedelta(days=200))  # due 110 days ago
    assert {"Recently Due", "Long Overdue"} <= {
        h.contact.name for h in current(demo).histories.values()}
    text = unfolded(client.get(feed_path(client)).data)
    assert "SUMMARY:Say hello to Recently Due" in text
    assert "Long Overdue" not in text


def test_an_events_sequence_goes_up_when_its_time_changes(client, demo):
    path = feed_path(client)
    summit = Event.get(Event.name == "Sports Sponsorship Summit")
    age_everything()
    before = next(lines for lines in vevents(client.get(path).data)
                  if "SUMMARY:Sports Sponsorship Summit" in lines)
    assert prop(before, "SEQUENCE") == ["0"]
    assert prop(before, "DTSTART;TZID=America/New_York")
    form = {"name": summit.name, "start_on": str(summit.start_on), "end_on": str(summit.end_on),
            "start_time": "10:00", "end_time": "17:00", "timezone": summit.timezone,
            "place": summit.place, "url": summit.url, "notes": "", "people": "Bob Hale",
            "companies": "Northwind Athletics"}
    assert client.submit(f"/events/{summit.id}/edit", form).status_code == 302
    after = next(lines for lines in vevents(client.get(path).data)
                 if "SUMMARY:Sports Sponsorship Summit" in lines)
    assert prop(after, "SEQUENCE") == ["1"] and prop(after, "UID") == prop(before, "UID")
    assert prop(after, "DTSTART;TZID=America/New_York")[0].endswith("T100000")
    assert prop(after, "DTSTAMP") > prop(before, "DTSTAMP")
    assert "Likely there: Bob Hale" in prop(after, "DESCRIPTION")[0]


def test_etag_and_last_modified_bring_304_not_modified(client, demo):
    path = feed_path(client)
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', etag) and modified.endswith(" GMT")
    assert "no-cache" in first.headers["Cache-Control"]
    by_etag = client.get(path, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.data == b""
    assert by_etag.headers["ETag"] == etag
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    # If-None-Match wins over If-Modified-Since, as RFC 9110 asks.
    assert client.get(path, headers={"If-None-Match": '"other"',
                                     "If-Modified-Since": modified}).status_code == 200
    Event.create(name="New meetup", start_on=demo + timedelta(days=2),
                 end_on=demo + timedelta(days=2))
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_304_neither_renders_nor_reads_much(app, client, demo, monkeypatch):
    path = feed_path(client)
    renders = []
    real = calendar_feed.render_calendar
    monkeypatch.setattr(calendar_feed, "render_calendar",
                        lambda *a, **k: renders.append(1) or real(*a, **k))
    etag = client.get(path).headers["ETag"]
    with counting_queries() as statements:
        for _ in range(3):
            assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert renders == [1]
    # The token, the time zone for the date and for the cache, the change log's position.
    assert len(statements) <= 3 * 4


@pytest.mark.parametrize("configured", [True, False], ids=["CRM_BASE_URL", "no CRM_BASE_URL"])
def test_feed_query_count_does_not_grow_with_contacts(app, client, demo, database, configured):
    # Without CRM_BASE_URL the address is looked up (stored, or the request's): once a feed.
    app.config["BASE_URL"] = app.config["BASE_URL"] if configured else ""
    path = feed_path(client)

    def queries():
        app.extensions.pop("crm.followups", None)
        with counting_queries() as sent:
            client.get(path)
        return len(sent)

    few = queries()
    for n in range(25):
        contact = Contact.create(name=f"Long-term {n}", status="long_term", search_text="lt")
        contact.record_touch(happened_on=demo - timedelta(days=80 + n))
    assert queries() == few


def test_wrong_or_missing_token_is_a_404_with_no_hint(client, database):
    response = client.get("/calendar/guess.ics")
    assert response.status_code == 404
    assert Setting.get_or_none(Setting.key == "calendar.token") is None
    real = feed_path(client)
    wrong = real[:-8] + ("A" if real[-5] != "A" else "B") + ".ics"
    for path in (wrong, "/calendar/x.ics", real.replace(".ics", ".ICS")):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "token" not in response.get_data(as_text=True).lower()


def test_rotating_the_token_retires_the_old_address(client, database):
    old = feed_path(client)
    assert client.post("/calendar/rotate").status_code == 400  # no CSRF token
    assert client.get(old).status_code == 200
    response = client.submit("/calendar/rotate", {}, form_page="/calendar")
    assert response.status_code == 302
    new = feed_path(client)
    assert new != old
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_alarms_only_when_turned_on(client, demo):
    path = feed_path(client)
    assert b"BEGIN:VALARM" not in client.get(path).data
    client.submit("/calendar/alarms", {"alarms": "y"}, form_page="/calendar")
    raw = client.get(path).data
    assert raw.count(b"BEGIN:VALARM") == len(vevents(raw))
    assert 'checked' in client.get("/calendar").get_data(as_text=True)
    client.submit("/calendar/alarms", {}, form_page="/calendar")
    assert b"BEGIN:VALARM" not in client.get(path).data


def test_each_event_and_reminder_downloads_alone_with_its_feed_uid(client, demo):
    feed = client.get(feed_path(client)).data
    summit = Event.get(Event.name == "Sports Sponsorship Summit")
    event_file = client.get(f"/events/{summit.id}.ics")
    assert event_file.headers["Content-Type"] == "text/calendar; charset=utf-8"
    disposition = event_file.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="sports-sponsorship-summit.ics"'
    assert len(vevents(event_file.data)) == 1
    assert uids(event_file.data)[0] in uids(feed)
    page = client.get("/calendar").get_data(as_text=True)
    link = re.search(r'href="(/calendar/reminder/[^"]+\.ics)"', page).group(1)
    reminder_file = client.get(link)
    assert reminder_file.status_code == 200 and len(vevents(reminder_file.data)) == 1
    assert uids(reminder_file.data)[0] in uids(feed)
    assert client.get("/calendar/reminder/nothing:1.ics").status_code == 404
    assert client.get("/events/9999.ics").status_code == 404


def test_calendar_page_gives_every_link_and_the_how_to(client, demo):
    response = client.get("/calendar")
    html = response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    token = FEED.search(html).group(1)
    https = f"{BASE}/calendar/{token}.ics"
    webcal = f"webcal://crm.example.org/calendar/{token}.ics"
    assert f'value="{https}"' in html and f'href="{webcal}"' in html
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    assert f'href="{google}"' in html
    for words in ("Google", "12 to 24", "Apple Calendar", "Outlook", "Thunderbird",
                  "Make a new address", 'name="alarms"'):
        assert words in html, words
    assert "only calendar apps running here" not in html


def test_calendar_page_warns_when_the_address_is_only_on_this_machine(client, database):
    assert "only calendar apps running here" in client.get("/calendar").get_data(as_text=True)


def test_calendar_url_command_prints_https_and_webcal(app, runner, client, database):
    app.config["BASE_URL"] = "https://crm.example.org/"
    result = runner.invoke(args=["calendar-url"])
    assert result.exit_code == 0, result.output
    https, webcal = result.output.split()
    assert https == BASE + feed_path(client)
    assert webcal == "webcal://crm.example.org" + feed_path(client)


def test_next_in_your_calendar_is_in_date_order(client, demo):
    Event.create(name="Far conference", start_on=demo + timedelta(days=200),
                 end_on=demo + timedelta(days=200))
    html = client.get("/calendar").get_data(as_text=True)
    section = html.split("Next in your calendar")[1].split("</section>")[0]
    # Pages write "Thu 24 Dec", with the year only when it is not this one.
    this_year = date.today().year
    days = [datetime.strptime(day if re.search(r"\d{4}$", day) else f"{day} {this_year}",
                              "%a %d %b %Y").date() if day[4:5].isdigit() else None
            for day in re.findall(r"<time>([^<,]+)</time>", section)]
    listed = [day for day in days if day is not None]
    assert listed == sorted(listed) and len(listed) >= 2


def test_links_follow_the_port_the_app_is_reached_on(app, client, runner, database):
    """No CRM_BASE_URL: the page uses the address asked, commands the one last served on."""
    app.config["BASE_URL"] = ""
    load_demo(date.today())
    page = client.get("/calendar", base_url="http://127.0.0.1:5077").get_data(as_text=True)
    assert "http://127.0.0.1:5077/calendar/" in page and "webcal://127.0.0.1:5077/" in page
    feed = FEED.search(page).group(0)
    body = client.get(feed, base_url="http://127.0.0.1:5077").get_data(as_text=True)
    assert "URL:http://127.0.0.1:5077/contacts/" in unfolded(body.encode())
    assert ":5000" not in body

    remember_served_at("0.0.0.0", 5077)  # as `crm serve --host 0.0.0.0 --port 5077` does
    urls = runner.invoke(args=["calendar-url"]).output.split()
    assert urls[0].startswith("http://127.0.0.1:5077/calendar/")
    assert urls[1].startswith("webcal://127.0.0.1:5077/calendar/")
    digest = runner.invoke(args=["digest", "--format", "text"]).output
    assert "http://127.0.0.1:5077/contacts/" in digest and ":5000" not in digest

    app.config["BASE_URL"] = "https://crm.example.org/"
    assert runner.invoke(args=["calendar-url"]).output.startswith(
        "https://crm.example.org/calendar/")
