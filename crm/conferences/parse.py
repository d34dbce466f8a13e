"""A published calendar (.ics) as plain event records: time zones repaired, series expanded.

Pure: bytes and a window of days in, records out, or a CalendarError naming
the line. Google's files that give their zone only in X-WR-TIMEZONE are
repaired by `x-wr-timezone`; recurring events are expanded over the window by
`recurring-ical-events`, moved instances at their new time and cancelled ones
marked so. Each record has a `uid` that stays the same from one publication
to the next: the event's UID, plus the original start for an instance of a
series, so that a moved event is recognised and updated rather than doubled.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone.tzid import tzid_from_dt
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from crm import fields
from crm.fields import known_time_zones
from crm.models import Event

# Where each part of an event goes, checked by the rules the event form uses.
TEXTS = (("SUMMARY", "name", Event.name), ("LOCATION", "place", Event.place),
         ("URL", "url", Event.url), ("DESCRIPTION", "notes", Event.notes))
CHECKS = {name: fields.checker(field) for _, name, field in TEXTS}
CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")
UNTITLED = "Untitled event"
# Names a start in UTC can carry: such times are shown in the user's own zone.
UTC_NAMES = frozenset({"", "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Universal", "Etc/Universal",
                       "Zulu", "Etc/Zulu"})


class CalendarError(ValueError):
    """A file that is not a calendar we can read; the message names the line."""


@dataclass(frozen=True)
class EventRecord:
    """One event (or one instance of a series) as the calendar publishes it."""

    uid: str
    name: str
    start_on: date
    end_on: date
    start_time: time | None
    end_time: time | None
    timezone: str
    place: str = ""
    url: str = ""
    notes: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class CalendarFile:
    """A calendar's own name and its events within the window."""

    name: str
    events: list


def parse_calendar(data, first_day, last_day, home_zone):
    """Read .ics bytes into the events from `first_day` to `last_day`.

    Times published in UTC, and floating times, are given in `home_zone` (the
    user's), as their own calendar app would show them.
    """
    text = decode(data)
    check_lines(text)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise CalendarError(f"This is not an iCalendar file we can read ({error}).") from None
    if calendar.name != "VCALENDAR":
        raise CalendarError("This is not an iCalendar file: it does not start with "
                            "BEGIN:VCALENDAR.")
    sources = calendar.walk("VEVENT")
    for component, line in zip(sources, event_lines(text), strict=False):
        check_event(component, line)
    series = {str(c.get("UID")) for c in sources
              if "RRULE" in c or "RDATE" in c or "RECURRENCE-ID" in c}
    try:
        calendar = x_wr_timezone.to_standard(calendar)
        found = recurring_ical_events.of(calendar).between(first_day, last_day + timedelta(1))
    except Exception as error:  # noqa: BLE001 - the libraries raise many kinds on bad rules
        raise CalendarError(f"Its recurring events cannot be worked out ({error}).") from None
    name = one_line(str(calendar.get("X-WR-CALNAME", "")))[:200]
    records = {}
    for component in found:
        record = event_record(component, series, ZoneInfo(home_zone))
        records[record.uid] = record  # a moved instance replaces its original slot
    return CalendarFile(name, sorted(records.values(),
                                     key=lambda r: (r.start_on, r.start_time or time(), r.uid)))


def decode(data):
    """The file's text: UTF-8 as RFC 5545 says, else Latin-1 as older Outlooks wrote."""
    if not data.strip():
        raise CalendarError("The file is empty.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_lines(text):
    """Every unfolded line must be NAME[;params]:value; the first that is not is named."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line and line[0] not in " \t" and not CONTENT_LINE.match(line):
            shown = line if len(line) <= 60 else line[:60] + "…"
            raise CalendarError(f"Line {number} is not an iCalendar line: {shown!r}.")


def event_lines(text):
    """The line number of each BEGIN:VEVENT, in order."""
    return [number for number, line in enumerate(text.splitlines(), start=1)
            if line.strip().upper() == "BEGIN:VEVENT"]


def check_event(component, line):
    """An event needs a start, an end not before it, and texts the event form would accept."""
    where = f"The event at line {line}"
    if "DTSTART" not in component or not hasattr(component.decoded("DTSTART"), "year"):
        raise CalendarError(f"{where} has no start (DTSTART).")
    start, end = component.decoded("DTSTART"), component.get("DTEND")
    if end is not None and type(end.dt) is type(start) and end.dt < start:
        raise CalendarError(f"{where} ends before it starts.")
    for prop, name, _ in TEXTS:
        value = clean(name, component.get(prop))
        if value:
            try:
                CHECKS[name](value)
            except fields.InvalidValue as error:
                raise CalendarError(fields.refusal(where, prop, value, error)) from None


def clean(name, value):
    """A text property as stored: names and places on one line, notes as written."""
    if value is None:
        return ""
    text = str(value).strip()
    return text if name == "notes" else one_line(text)


def one_line(text):
    """Line breaks and runs of spaces made single spaces: summaries sometimes wrap."""
    return " ".join(text.split())


def event_record(component, series, home):
    """The EventRecord of one expanded occurrence."""
    uid = str(component.get("UID", "")) or f"no-uid:{component.get('SUMMARY', '')}"
    start = component.decoded("DTSTART")
    if uid in series:
        original = component.decoded("RECURRENCE-ID", start)
        uid = f"{uid}/{stamp(original)}"
    end = component.decoded("DTEND", None)
    texts = {name: clean(name, component.get(prop)) for prop, name, _ in TEXTS}
    texts["name"] = texts["name"] or UNTITLED
    cancelled = str(component.get("STATUS", "")).upper() == "CANCELLED"
    if not isinstance(start, datetime):
        # All-day: DTEND is the day after the last one (RFC 5545).
        last = end - timedelta(days=1) if isinstance(end, date) and end > start else start
        return EventRecord(uid, start_on=start, end_on=last, start_time=None, end_time=None,
                           timezone=str(home), cancelled=cancelled, **texts)
    zone = zone_of(start, home)
    start = start.replace(tzinfo=zone) if start.tzinfo is None else start.astimezone(zone)
    if not isinstance(end, datetime) or end <= start:
        end = start + timedelta(hours=1)  # an event needs an end; an hour is the usual guess
    end = end.replace(tzinfo=zone) if end.tzinfo is None else end.astimezone(zone)
    return EventRecord(uid, start_on=start.date(), end_on=end.date(),
                       start_time=start.time().replace(tzinfo=None, microsecond=0),
                       end_time=end.time().replace(tzinfo=None, microsecond=0),
                       timezone=zone.key, cancelled=cancelled, **texts)


def zone_of(moment, home):
    """The IANA zone a start is given in; UTC, floating and unknown zones become `home`."""
    if moment.tzinfo is None:
        return home
    name = tzid_from_dt(moment) or ""
    name = WINDOWS_TO_OLSON.get(name, name)
    if name in UTC_NAMES or name not in known_time_zones():
        return home
    return ZoneInfo(name)


def stamp(moment):
    """A start as text that does not depend on the zone it was written in."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo("UTC"))
        return moment.strftime("%Y%m%dT%H%M%S") + ("Z" if moment.tzinfo else "")
    return moment.strftime("%Y%m%d")
