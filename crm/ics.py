"""Reminders and events -> RFC 5545 calendar bytes (pure: no database, request or clock)."""

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Timezone, vDuration, vText

PRODID = "-//Followthrough//Followthrough CRM//EN"
UID_DOMAIN = "followthrough"
# An all-day item has no time of its own; its alarm rings at 09:00 on the day.
ALL_DAY_ALARM = timedelta(hours=9)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A URI holds none at all: icalendar refuses a line break in one, which failed the whole feed
# (the forms refuse them now; this keeps a row stored before that from doing it again).
URI_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
FOLD_AT = 74  # octets before the line break; a continuation adds its leading space


@dataclass(frozen=True)
class Reminder:
    """A suggested follow-up, shown as an all-day event on its date."""

    key: str  # stable identity of the suggestion, never its date or wording
    date: date
    summary: str
    changed_at: datetime  # aware; last change of the underlying item
    description: str = ""
    url: str = ""

    def __post_init__(self):
        if isinstance(self.date, datetime):
            raise ValueError("a reminder's date must be a date, not a datetime")
        _require_aware(self.changed_at)


@dataclass(frozen=True)
class CalendarEvent:
    """An event: all-day (dates, end inclusive) or timed (naive datetimes in tzid)."""

    key: str
    name: str
    start: date | datetime
    end: date | datetime
    changed_at: datetime
    tzid: str | None = None  # IANA name, required for timed events
    place: str = ""
    url: str = ""
    description: str = ""
    sequence: int = 0

    def __post_init__(self):
        _require_aware(self.changed_at)
        timed = isinstance(self.start, datetime)
        if timed != isinstance(self.end, datetime):
            raise ValueError("start and end must both be dates or both be datetimes")
        if timed:
            if self.start.tzinfo or self.end.tzinfo:
                raise ValueError("give naive start and end times and the zone in tzid")
            _zone(self.tzid)
        if self.end < self.start:
            raise ValueError("an event cannot end before it starts")

    @property
    def all_day(self) -> bool:
        """True when the event spans whole days rather than times."""
        return not isinstance(self.start, datetime)


class _Text(vText):
    """TEXT escaped per RFC 5545 3.3.11.

    vText first turns a literal backslash-N into a line break, so text such as
    'C:\\Notes' would come back as 'C:' + newline; this keeps the backslash.
    icalendar 7.3 also treats NAME and X-WR-CALNAME as unknown and skips escaping.
    """

    def to_ical(self) -> bytes:
        text = self.replace("\r\n", "\n").replace("\r", "\n")
        # TEXT may hold a tab and (escaped) line breaks, no other control character.
        text = CONTROL_CHARACTERS.sub("", text)
        for char in "\\;,":
            text = text.replace(char, "\\" + char)
        return text.replace("\n", "\\n").encode(self.encoding)


def render_calendar(
    reminders, events, *, name: str, namespace: uuid.UUID,
    alarms: bool = False, alarm_minutes: int = 30, refresh_hours: int = 4,
    rendered: dict | None = None,
) -> bytes:
    """Render the subscribable feed of all reminders and events.

    `rendered`, a dict the caller keeps between renders, holds each reminder's
    bytes, so a feed rendered again after one person changed renders only
    theirs; it is emptied of reminders the feed no longer has.
    """
    minutes = alarm_minutes if alarms else None
    head = _head(events)
    head.add("NAME", _Text(name))
    # Google and Outlook still read the older X-WR-* names rather than RFC 7986's.
    head.add("X-WR-CALNAME", _Text(name))
    refresh = timedelta(hours=refresh_hours)
    head.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
    head.add("X-PUBLISHED-TTL", vDuration(refresh))
    kept = {} if rendered is None else rendered
    fresh = {}
    for reminder in reminders:
        key = (reminder, namespace, minutes)
        fresh[key] = kept.get(key) or _component(_reminder_vevent(reminder, namespace), minutes)
    kept.clear()
    kept.update(fresh)
    parts = [((key[0].date, uid_for(key[0].key, namespace)), part) for key, part in fresh.items()]
    return _compose(head, parts + _event_parts(events, namespace, minutes))


def render_single(
    item: Reminder | CalendarEvent, *, namespace: uuid.UUID,
    alarms: bool = False, alarm_minutes: int = 30,
) -> bytes:
    """Render a one-item .ics file for "add to my calendar"."""
    minutes = alarm_minutes if alarms else None
    if isinstance(item, Reminder):
        part = _component(_reminder_vevent(item, namespace), minutes)
        return _compose(_head([]), [((item.date, ""), part)])
    return _compose(_head([item]), _event_parts([item], namespace, minutes))


def etag_for(body: bytes) -> str:
    """A strong, quoted ETag for a rendered body."""
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def last_modified_for(reminders, events) -> datetime | None:
    """The latest changed_at of all items, in UTC, or None when there are none."""
    stamps = [item.changed_at for item in [*reminders, *events]]
    return max(stamps).astimezone(UTC) if stamps else None


def uid_for(key: str, namespace: uuid.UUID) -> str:
    """The UID of an item: derived from its key alone, so it survives every edit."""
    return f"{uuid.uuid5(namespace, key)}@{UID_DOMAIN}"


def _head(events) -> Calendar:
    """The calendar's own properties and the time zones its timed events need."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    # Calendar.add_missing_timezones walks a set (order varies by process) and silently
    # skips zones it cannot build; sorting and from_tzid keep output stable and complete.
    timed = [e for e in events if not e.all_day]
    if timed:
        probe = Calendar()
        for event in timed:
            probe.add_component(_event_vevent(event, uuid.UUID(int=0)))
        first = date(min(e.start.year for e in timed), 1, 1)
        last = date(max(e.end.year for e in timed) + 1, 1, 1)
        for tzid in sorted(probe.get_missing_tzids()):
            cal.add_component(Timezone.from_tzid(tzid, first_date=first, last_date=last))
    return cal


def _event_parts(events, namespace, minutes):
    return [((_day(e.start), uid_for(e.key, namespace)),
             _component(_event_vevent(e, namespace), minutes)) for e in events]


def _component(vevent: Event, alarm_minutes: int | None) -> bytes:
    """One VEVENT's folded lines, with its alarm when alarms are on."""
    if alarm_minutes is not None:
        vevent.add_component(_alarm(vevent, alarm_minutes))
    return _to_ical(vevent)


def _compose(head: Calendar, parts) -> bytes:
    """The calendar's lines with the events' between its time zones and its end.

    Sorted by day and UID: the same inputs in any order give the same bytes,
    so the ETag only moves on a real change.
    """
    lines = _to_ical(head)
    end = b"END:VCALENDAR\r\n"
    return lines[: -len(end)] + b"".join(part for _, part in sorted(parts)) + end


def _to_ical(cal) -> bytes:
    """The same bytes as cal.to_ical(), folded a slice at a time.

    icalendar folds character by character: a sixth of the time a
    10,000-contact feed took to render.
    """
    return b"".join(_fold(line.encode()) + b"\r\n" for line in cal.content_lines() if line)


def _fold(data: bytes) -> bytes:
    chunks, start = [], 0
    while len(data) - start > FOLD_AT:
        end = start + FOLD_AT
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: keep the character whole
            end -= 1
        # As icalendar does: never end a line on the backslash (or ^) of an escape.
        if data[end - 1] in b"\\^" and end - start > 1:
            end -= 1
        chunks.append(data[start:end])
        start = end
    chunks.append(data[start:])
    return b"\r\n ".join(chunks)


def _reminder_vevent(reminder: Reminder, namespace) -> Event:
    vevent = _vevent(reminder, namespace, reminder.summary, reminder.description)
    vevent.add("DTSTART", reminder.date)
    vevent.add("DTEND", reminder.date + timedelta(days=1))
    # A reminder is a note on the day, not a meeting: it must not block free/busy.
    vevent.add("TRANSP", "TRANSPARENT")
    return vevent


def _event_vevent(event: CalendarEvent, namespace) -> Event:
    vevent = _vevent(event, namespace, event.name, event.description)
    if event.all_day:
        # The app stores the last day; iCalendar wants the day after it.
        vevent.add("DTSTART", event.start)
        vevent.add("DTEND", event.end + timedelta(days=1))
    else:
        zone = _zone(event.tzid)
        vevent.add("DTSTART", event.start.replace(tzinfo=zone))
        vevent.add("DTEND", event.end.replace(tzinfo=zone))
    if event.place:
        vevent.add("LOCATION", _Text(event.place))
    vevent.add("SEQUENCE", event.sequence)
    return vevent


def _vevent(item, namespace, summary: str, description: str) -> Event:
    vevent = Event()
    vevent.add("UID", uid_for(item.key, namespace))
    # Stamped from the item, never the clock, so refreshes render identical bytes.
    vevent.add("DTSTAMP", item.changed_at.astimezone(UTC))
    vevent.add("LAST-MODIFIED", item.changed_at.astimezone(UTC))
    vevent.add("SUMMARY", _Text(summary))
    url = URI_CONTROL_CHARACTERS.sub("", item.url)
    if url:
        vevent.add("URL", url)
        # Google Calendar does not show URL, so the link also ends the description.
        description = f"{description}\n\n{url}" if description else url
    if description:
        vevent.add("DESCRIPTION", _Text(description))
    return vevent


def _alarm(vevent: Event, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", _Text(str(vevent["SUMMARY"])))
    all_day = not isinstance(vevent.decoded("DTSTART"), datetime)
    alarm.add("TRIGGER", ALL_DAY_ALARM if all_day else -timedelta(minutes=minutes))
    return alarm


def _day(start: date | datetime) -> date:
    return start.date() if isinstance(start, datetime) else start


def _zone(tzid: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tzid or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tzid!r}; use an IANA name") from None


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("changed_at must be a timezone-aware datetime")
