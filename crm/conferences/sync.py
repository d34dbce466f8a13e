"""Calendars into events: import a file, subscribe to a URL, refresh subscriptions on schedule.

Subscriptions are fetched as company feeds are (`crm.news.fetch`: the guard
against private addresses, one deadline, the size cap, conditional GET, and
the same backoff and pause). Events are matched by their UID: a refresh moves
a moved event, marks a cancelled one, and never adds one twice. New events
come in as "maybe"; the user's own notes and their going/interested answer are
never overwritten by a refresh.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from crm import scheduler
from crm.conferences.parse import CalendarError, parse_calendar
from crm.db import db
from crm.models import Event, EventCalendar, utcnow
from crm.news.feeds import PRIVATE_HINT, with_scheme
from crm.news.fetch import fetch, next_attempt, note_failure, note_success
from crm.news.sync import fetch_options
from crm.news.urls import PrivateAddress, UnsafeURL, check_public_url
from crm.settings import today_for_user, user_timezone

log = logging.getLogger(__name__)

DEFAULTS = {"CALENDARS_REFRESH_MINUTES": 360, "CALENDARS_MONTHS_AHEAD": 6}
# What a refresh may change on an event it already has; timing changes raise SEQUENCE.
UPDATED = ("name", "start_on", "end_on", "start_time", "end_time", "timezone", "place", "url",
           "status")
TIMING = ("start_on", "end_on", "start_time", "end_time", "timezone")


def init_app(app):
    """Set the calendar defaults and let `crm serve` refresh subscriptions on schedule."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    scheduler.register(app, "calendars", app.config["CALENDARS_REFRESH_MINUTES"] * 60,
                       lambda app: log.info("Calendar refresh: %s", refresh()))


@dataclass
class Stored:
    """What reading a calendar did to the events: counts for the message."""

    calendar: EventCalendar
    added: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0

    def line(self):
        """"NYC Sponsorship: 3 new, 1 updated, 1 cancelled, 2 unchanged"."""
        return (f"{self.calendar.name}: {self.added} new, {self.updated} updated, "
                f"{self.cancelled} cancelled, {self.unchanged} unchanged")


def parse(data):
    """Parse calendar bytes over the configured window, in the user's time zone."""
    today = today_for_user()
    months = int(current_app.config["CALENDARS_MONTHS_AHEAD"])
    return parse_calendar(data, today, today + timedelta(days=31 * months), str(user_timezone()))


def import_file(data, filename):
    """Import the events of an .ics file, all or nothing; raise CalendarError when unreadable."""
    parsed = parse(data)
    name = parsed.name or filename.rsplit(".", 1)[0][:200] or "Imported calendar"
    with db.atomic():
        calendar = (EventCalendar.get_or_none(EventCalendar.name == name,
                                              EventCalendar.url.is_null())
                    or EventCalendar.create(name=name))
        return store(calendar, parsed.events, vanished=False)


def subscribe(url):
    """Subscribe to a published calendar: fetch and read it first, so nothing half-works."""
    url = with_scheme(url.strip().replace("webcal://", "https://", 1))
    options = fetch_options()
    try:
        check_public_url(url, options["allow_private"])
    except PrivateAddress as error:
        raise CalendarError(f"Cannot subscribe to {url}: {error}. {PRIVATE_HINT}") from None
    except UnsafeURL as error:
        raise CalendarError(f"Cannot subscribe to {url}: {error}.") from None
    if EventCalendar.select().where(EventCalendar.url == url).exists():
        raise CalendarError(f"You already subscribe to {url}.")
    result = fetch(url, **options)
    if not result.ok:
        raise CalendarError(f"Could not fetch {url}: {result.error}.")
    parsed = parse(result.body)
    now = utcnow()
    with db.atomic():
        calendar = EventCalendar.create(
            name=parsed.name or url[:200], url=url, etag=result.etag or "",
            last_modified=result.last_modified or "", last_checked_at=now, last_success_at=now,
            next_check_at=next_attempt(0, now, interval()))
        return store(calendar, parsed.events, vanished=True)


def interval():
    """Minutes between two fetches of a healthy subscription."""
    return int(current_app.config["CALENDARS_REFRESH_MINUTES"])


def store(calendar, records, vanished):
    """Write the records as events of the calendar (call inside a transaction).

    With `vanished`, a subscription's upcoming event that its calendar no
    longer lists is marked cancelled: organisers delete as often as they cancel.
    """
    found = Stored(calendar)
    known = {e.uid: e for e in Event.select().where(
        Event.uid.in_([r.uid for r in records]))} if records else {}
    now = utcnow()
    for record in records:
        values = {name: getattr(record, name) for name in UPDATED if name != "status"}
        values["status"] = "cancelled" if record.cancelled else "confirmed"
        event = known.get(record.uid)
        if event is None:
            Event.create(**values, notes=record.notes, uid=record.uid, calendar=calendar,
                         attendance="maybe")
            found.added += 1
            continue
        changed = {name: value for name, value in values.items()
                   if getattr(event, name) != value}
        if not changed and event.calendar_id == calendar.id:
            found.unchanged += 1
            continue
        if any(name in TIMING for name in changed):
            changed["sequence"] = event.sequence + 1
        Event.update(**changed, calendar=calendar, updated_at=now).where(
            Event.id == event.id).execute()
        if changed.get("status") == "cancelled":
            found.cancelled += 1
        else:
            found.updated += 1
    if vanished:
        gone = (Event.update(status="cancelled", sequence=Event.sequence + 1, updated_at=now)
                .where(Event.calendar == calendar, Event.status != "cancelled",
                       Event.start_on >= today_for_user(),
                       Event.uid.not_in([r.uid for r in records]))
                .execute())
        found.cancelled += gone
    return found


def refresh(due_only=True, calendar_ids=None):
    """Fetch the subscriptions due (or these ones) and store their events; return a summary."""
    now = utcnow()
    query = EventCalendar.select().where(EventCalendar.url.is_null(False))
    if calendar_ids is not None:
        query = query.where(EventCalendar.id.in_(calendar_ids))
    elif due_only:
        query = query.where(~EventCalendar.paused, EventCalendar.next_check_at.is_null()
                            | (EventCalendar.next_check_at <= now))
    lines = [refresh_one(calendar, now) for calendar in query]
    return "; ".join(lines) if lines else "no calendar was due"


def refresh_one(calendar, now):
    """Fetch one subscription, conditionally, and store it; a failure backs off."""
    result = fetch(calendar.url, etag=calendar.etag or None,
                   last_modified=calendar.last_modified or None, **fetch_options())
    error, parsed = result.error, None
    if not error and not result.not_modified:
        try:
            parsed = parse(result.body)
        except CalendarError as problem:
            error = str(problem)
    with db.atomic():
        calendar = EventCalendar.get_or_none(EventCalendar.id == calendar.id)
        if calendar is None:
            return "a calendar deleted meanwhile"
        if error:
            note_failure(calendar, error, now, interval(), result.retry_after)
            calendar.save()
            return f"{calendar.name}: failed ({error})"
        note_success(calendar, result, now, interval())
        calendar.save()
        if parsed is None:
            return f"{calendar.name}: not modified"
        return store(calendar, parsed.events, vanished=True).line()
