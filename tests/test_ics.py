import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from crm.ics import (
    CalendarEvent,
    Reminder,
    etag_for,
    last_modified_for,
    render_calendar,
    render_single,
    uid_for,
)

NAMESPACE = uuid.UUID("0f9d2c56-5a1e-4c1b-9a43-2b7f3c0d8e11")
CHANGED = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


def reminder(**overrides):
    fields = dict(
        key="followthrough:interview:12:contact:7",
        date=date(2025, 3, 10),
        summary="Thank Ana for the interview",
        changed_at=CHANGED,
        description="Interview was 2 days ago.\nHi Ana, thanks again",
        url="http://127.0.0.1:5000/contacts/7",
    )
    return Reminder(**(fields | overrides))


def event(**overrides):
    fields = dict(
        key="event:5",
        name="PyCon US",
        start=datetime(2025, 5, 14, 9, 0),
        end=datetime(2025, 5, 14, 17, 30),
        tzid="America/New_York",
        changed_at=CHANGED,
        place="Pittsburgh, PA",
        sequence=3,
    )
    return CalendarEvent(**(fields | overrides))


def render(reminders=(), events=(), **options):
    return render_calendar(
        list(reminders), list(events), name="Followthrough", namespace=NAMESPACE, **options
    )


def unfolded(raw: bytes) -> str:
    return raw.replace(b"\r\n ", b"").decode()


def only_event(raw: bytes):
    [vevent] = Calendar.from_ical(raw).events
    return vevent


def test_calendar_has_one_prodid_version_2_gregorian_and_publish():
    lines = unfolded(render([reminder()], [event()])).split("\r\n")
    assert sum(line.startswith("PRODID:") for line in lines) == 1
    assert lines.count("VERSION:2.0") == 1
    assert sum(line.startswith("VERSION") for line in lines) == 1
    assert "CALSCALE:GREGORIAN" in lines
    assert "METHOD:PUBLISH" in lines


def test_every_vevent_has_exactly_one_uid_and_dtstamp():
    raw = render([reminder(), reminder(key="k2")], [event(), event(key="event:6")])
    blocks = unfolded(raw).split("BEGIN:VEVENT")[1:]
    assert len(blocks) == 4
    for block in blocks:
        lines = block.split("\r\n")
        assert sum(line.startswith("UID:") for line in lines) == 1
        assert sum(line.startswith("DTSTAMP") for line in lines) == 1


def test_lines_end_in_crlf_with_no_bare_newline():
    raw = render([reminder(description="one\ntwo\r\nthree\rfour")], [event()])
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")


def test_long_lines_fold_at_75_octets_without_splitting_a_utf8_character():
    summary = "Café con Zoë 🎉 — félicitations ✨ " * 12
    raw = render([reminder(summary=summary)])
    physical = raw.split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    for line in physical:
        line.decode("utf-8")  # a split character would not decode on its own line
    assert any(line.startswith(b" ") for line in physical)
    assert str(only_event(raw)["SUMMARY"]) == summary


def test_text_escapes_commas_semicolons_backslashes_and_newlines():
    text = "Hi Ana, about C:\\Notes; see a\\b\nBest"
    raw = render([reminder(summary=text, description=text, url="")])
    assert "SUMMARY:Hi Ana\\, about C:\\\\Notes\\; see a\\\\b\\nBest\r\n" in unfolded(raw)
    vevent = only_event(raw)
    assert str(vevent["SUMMARY"]) == text
    assert str(vevent["DESCRIPTION"]) == text


def test_calendar_name_is_escaped_and_refresh_interval_is_a_duration():
    raw = render_calendar([], [], name="Jobs, 2025", namespace=NAMESPACE, refresh_hours=6)
    lines = unfolded(raw).split("\r\n")
    assert "NAME:Jobs\\, 2025" in lines
    assert "X-WR-CALNAME:Jobs\\, 2025" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines
    assert "X-PUBLISHED-TTL:PT6H" in lines


def test_default_refresh_is_four_hours():
    lines = unfolded(render()).split("\r\n")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT4H" in lines
    assert "X-PUBLISHED-TTL:PT4H" in lines


def test_reminder_is_a_transparent_all_day_event_ending_the_next_day():
    raw = render([reminder(date=date(2025, 12, 31))])
    text = unfolded(raw)
    assert "DTSTART;VALUE=DATE:20251231\r\n" in text
    assert "DTEND;VALUE=DATE:20260101\r\n" in text
    assert "TRANSP:TRANSPARENT\r\n" in text
    assert "VTODO" not in text
    vevent = only_event(raw)
    assert vevent.decoded("DTSTART") == date(2025, 12, 31)
    assert vevent.decoded("DTEND") == date(2026, 1, 1)


def test_reminder_link_is_in_url_and_at_the_end_of_the_description():
    vevent = only_event(render([reminder()]))
    assert str(vevent["URL"]) == "http://127.0.0.1:5000/contacts/7"
    assert str(vevent["DESCRIPTION"]).endswith("\n\nhttp://127.0.0.1:5000/contacts/7")


def test_multi_day_event_ends_the_day_after_its_last_day():
    fair = event(start=date(2025, 6, 1), end=date(2025, 6, 3), tzid=None)
    text = unfolded(render(events=[fair]))
    assert "DTSTART;VALUE=DATE:20250601\r\n" in text
    assert "DTEND;VALUE=DATE:20250604\r\n" in text


@pytest.mark.parametrize("tzid", ["UTC", "Etc/UTC"])
def test_utc_event_uses_z_times_and_no_tzid(tzid):
    raw = render(events=[event(tzid=tzid)])
    text = unfolded(raw)
    assert "DTSTART:20250514T090000Z\r\n" in text
    assert "DTEND:20250514T173000Z\r\n" in text
    assert "TZID" not in text
    assert "VTIMEZONE" not in text


def test_zoned_events_keep_local_time_and_each_tzid_has_a_vtimezone():
    events = [event(), event(key="event:6", tzid="Europe/Berlin"), event(key="event:7", tzid="UTC")]
    raw = render(events=events)
    text = unfolded(raw)
    assert "DTSTART;TZID=America/New_York:20250514T090000\r\n" in text
    assert "DTSTART;TZID=Europe/Berlin:20250514T090000\r\n" in text
    assert "TZID=UTC" not in text
    cal = Calendar.from_ical(raw)
    assert sorted(tz.tz_name for tz in cal.timezones) == ["America/New_York", "Europe/Berlin"]
    assert cal.get_missing_tzids() == set()
    # Each VTIMEZONE comes before the events that use it.
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    starts = {str(v["UID"]): v.decoded("DTSTART") for v in cal.events}
    new_york = starts[uid_for("event:5", NAMESPACE)]
    assert new_york == datetime(2025, 5, 14, 9, tzinfo=ZoneInfo("America/New_York"))
    assert new_york.utcoffset() == timedelta(hours=-4)


def test_same_inputs_render_the_same_bytes_in_any_order():
    reminders = [reminder(), reminder(key="k2", date=date(2025, 3, 2))]
    events = [
        event(),
        event(key="event:6", tzid="Asia/Tokyo"),
        event(key="event:7", start=date(2025, 6, 1), end=date(2025, 6, 1), tzid=None),
    ]
    first = render(reminders, events, alarms=True)
    assert render(reminders, events, alarms=True) == first
    assert render(reversed(reminders), reversed(events), alarms=True) == first


def test_output_does_not_depend_on_the_process_hash_seed():
    # Time zones come out of a set; another process must still list them in the same order.
    script = (
        "import sys, uuid, datetime as d; from crm.ics import CalendarEvent, render_calendar\n"
        "ch = d.datetime(2025, 1, 1, tzinfo=d.UTC)\n"
        "tzs = ['Asia/Tokyo', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney']\n"
        "es = [CalendarEvent(str(i), 'x', d.datetime(2025, 5, 1, 9), d.datetime(2025, 5, 1, 10),"
        " ch, tzid=tz) for i, tz in enumerate(tzs)]\n"
        "sys.stdout.buffer.write(render_calendar([], es, name='n', namespace=uuid.UUID(int=1)))\n"
    )
    root = Path(__file__).resolve().parent.parent

    def run(seed):
        env = os.environ | {"PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, check=True
        )
        return done.stdout

    assert run("1") == run("2") == run("3")


def test_uid_stays_the_same_when_summary_and_date_change():
    before = only_event(render([reminder()]))
    after = only_event(render([reminder(summary="Follow up with Ana", date=date(2025, 4, 2))]))
    assert before["UID"] == after["UID"]
    assert str(before["UID"]) == uid_for("followthrough:interview:12:contact:7", NAMESPACE)
    assert str(before["UID"]).endswith("@followthrough")


def test_uid_differs_by_key_and_by_namespace():
    uids = {
        uid_for("event:5", NAMESPACE),
        uid_for("event:6", NAMESPACE),
        uid_for("event:5", uuid.uuid4()),
    }
    assert len(uids) == 3


def test_dtstamp_and_last_modified_come_from_changed_at_in_utc():
    paris = datetime(2025, 3, 1, 13, 30, tzinfo=ZoneInfo("Europe/Paris"))
    text = unfolded(render([reminder(changed_at=paris)]))
    assert "DTSTAMP:20250301T123000Z\r\n" in text
    assert "LAST-MODIFIED:20250301T123000Z\r\n" in text


def test_event_carries_its_sequence_place_and_description():
    vevent = only_event(render(events=[event(description="Booth 12", url="https://us.pycon.org")]))
    assert vevent["SEQUENCE"] == 3
    assert str(vevent["LOCATION"]) == "Pittsburgh, PA"
    assert str(vevent["DESCRIPTION"]) == "Booth 12\n\nhttps://us.pycon.org"


def test_alarms_are_off_by_default():
    assert b"VALARM" not in render([reminder()], [event()])


def test_alarms_when_asked_display_a_description_at_a_sensible_time():
    raw = render([reminder()], [event()], alarms=True, alarm_minutes=15)
    by_uid = {str(v["UID"]): v for v in Calendar.from_ical(raw).events}
    [timed] = by_uid[uid_for("event:5", NAMESPACE)].subcomponents
    [all_day] = by_uid[uid_for(reminder().key, NAMESPACE)].subcomponents
    assert str(timed["ACTION"]) == "DISPLAY"
    assert str(timed["DESCRIPTION"]) == "PyCon US"
    assert timed.decoded("TRIGGER") == timedelta(minutes=-15)
    # An all-day reminder rings in the morning of its day, not the evening before.
    assert all_day.decoded("TRIGGER") == timedelta(hours=9)


def test_single_item_file_holds_one_event_with_the_feed_uid():
    raw = render_single(event(), namespace=NAMESPACE)
    cal = Calendar.from_ical(raw)
    [vevent] = cal.events
    assert str(vevent["UID"]) == uid_for("event:5", NAMESPACE)
    assert [tz.tz_name for tz in cal.timezones] == ["America/New_York"]
    assert b"REFRESH-INTERVAL" not in raw
    assert b"PRODID:" in raw and b"VERSION:2.0" in raw
    assert b"\r\nBEGIN:VTODO" not in render_single(reminder(), namespace=NAMESPACE)


def test_etag_is_strong_quoted_and_follows_the_body():
    body = render([reminder()])
    tag = etag_for(body)
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert etag_for(render([reminder()])) == tag
    assert etag_for(render([reminder(summary="changed")])) != tag


def test_last_modified_is_the_latest_change_in_utc():
    later = datetime(2025, 3, 5, 9, tzinfo=ZoneInfo("America/New_York"))
    latest = last_modified_for([reminder()], [event(changed_at=later)])
    assert latest == datetime(2025, 3, 5, 14, tzinfo=UTC)
    assert latest.tzinfo == UTC
    assert last_modified_for([], []) is None


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(start=date(2025, 5, 14)), "both be dates"),
        (dict(tzid="Mars/Olympus"), "unknown time zone"),
        (dict(tzid=None), "unknown time zone"),
        (dict(start=datetime(2025, 5, 14, 9, tzinfo=UTC)), "naive"),
        (dict(end=datetime(2025, 5, 13, 9)), "end before it starts"),
        (dict(changed_at=datetime(2025, 3, 1)), "timezone-aware"),
    ],
)
def test_bad_event_input_is_refused_with_a_clear_message(overrides, message):
    with pytest.raises(ValueError, match=message):
        event(**overrides)


def test_reminder_date_must_be_a_plain_date():
    with pytest.raises(ValueError, match="not a datetime"):
        reminder(date=datetime(2025, 3, 10, 9))
