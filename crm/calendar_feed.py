"""The calendar subscription: reminders and events as one .ics feed, kept with the suggestions.

The page and its routes are `crm.pages.calendar`; `crm calendar-url` and the
digest use the addresses from here. The token in the feed's URL is its only
key: calendar apps cannot log in.
"""

import json
import secrets
import threading
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from flask import current_app
from peewee import fn

from crm import followups
from crm.agenda import letters
from crm.db import db
from crm.drafts import render_draft
from crm.ics import CalendarEvent, Reminder, etag_for, last_modified_for, render_calendar
from crm.models import (
    Application,
    Article,
    Contact,
    Event,
    Interview,
    Setting,
    SuggestionState,
    Touch,
    ends_at,
    people_at,
    starts_at,
)
from crm.settings import base_url, get_setting, sender_name, set_setting

CALENDAR_NAME = "Followthrough"
DAYS_BACK, DAYS_AHEAD = 30, 365  # the feed's window, around today
DRAFT_LINES, DRAFT_CHARS = 3, 300  # of the draft, in a reminder's description
NAMES_SHOWN = 12  # people "likely there" named in an event's description
EPOCH = datetime(1970, 1, 1)
# The data a suggestion can point at, with the column saying when that row last changed.
RELATED = (("event_id", Event, Event.updated_at), ("article_id", Article, Article.first_seen_at),
           ("application_id", Application, Application.updated_at),
           ("interview_id", Interview, Interview.updated_at))
_feed_lock = threading.Lock()


def stored_once(key, make):
    """A setting made on first need; two first requests at once still agree on one value."""
    value = get_setting(key)
    if value is None:
        with db.atomic():
            Setting.insert(key=key, value=json.dumps(make())).on_conflict_ignore().execute()
        value = get_setting(key)
    return value


def feed_token():
    """The secret in the feed's URL."""
    # Made with the token, so serving the feed never writes (which would void its cache).
    namespace()
    return stored_once("calendar.token", lambda: secrets.token_urlsafe(32))


def namespace():
    """This install's namespace for UIDs, so two installs never share one."""
    return uuid.UUID(stored_once("calendar.namespace", lambda: str(uuid.uuid4())))


def alarms_on():
    """Whether the user asked for alarms on reminders and events."""
    return bool(get_setting("calendar.alarms", False))


def absolute_url(endpoint, base=None, **values):
    """A full URL for a page, where the user reaches the app (`settings.base_url`, or `base`
    when the caller looked it up once for many links)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return (base or base_url()) + path


def subscription_urls():
    """The feed's address, and the same as webcal:// for apps that subscribe on a click."""
    url = absolute_url("calendar.feed", token=feed_token())
    return url, "webcal://" + url.split("://", 1)[1]


def rotate_token():
    """Make a new secret address; the old one stops working at once."""
    set_setting("calendar.token", secrets.token_urlsafe(32))


def reminders(found, histories):
    """Suggestions as all-day reminders: what to do, why, the draft's opening, a link back."""
    stamps = changed_at(found)
    env, signer, base = letters(), sender_name(), base_url()
    items = []
    for suggestion in found:
        draft = render_draft(suggestion, histories[suggestion.contact_id], signer, env)
        items.append(Reminder(
            key=suggestion.key, date=suggestion.due, summary=suggestion.title,
            changed_at=stamps[suggestion.key],
            description=f"{suggestion.reason}\n\nDraft:\n{draft_opening(draft)}",
            url=absolute_url("contacts.detail", base, contact_id=suggestion.contact_id)))
    return items


def draft_opening(draft):
    """The subject and first lines of a draft: enough to recall it, short enough for a phone."""
    lines = [f"Subject: {draft.subject}"] if draft.subject else []
    lines += [line for line in draft.body.splitlines() if line.strip()]
    text = "\n".join(lines[:DRAFT_LINES])
    if len(lines) <= DRAFT_LINES and len(text) <= DRAFT_CHARS:
        return text
    return text[:DRAFT_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def changed_at(found):
    """When the data behind each suggestion last changed, in a fixed number of queries.

    The latest of the contact's row, their latest touch, the suggestion's own
    state (snoozed) and the event, article, application or interview it is about.
    """
    contact_ids = list({s.contact_id for s in found})
    latest = dict(Contact.select(Contact.id, Contact.updated_at)
                  .where(Contact.id.in_(contact_ids)).tuples())
    for contact_id, logged in (Touch.select(Touch.contact, fn.MAX(Touch.created_at))
                               .where(Touch.contact.in_(contact_ids))
                               .group_by(Touch.contact).tuples()):
        latest[contact_id] = max(latest[contact_id], logged)
    states = dict(SuggestionState.select(SuggestionState.key, SuggestionState.updated_at)
                  .where(SuggestionState.contact.in_(contact_ids)).tuples())
    related = {}
    for name, model, column in RELATED:
        ids = list({getattr(s, name) for s in found} - {None})
        related[name] = dict(model.select(model.id, column).where(model.id.in_(ids)).tuples())
    return {s.key: max(latest[s.contact_id], states.get(s.key, EPOCH),
                       *(related[name].get(getattr(s, name), EPOCH) for name, *_ in RELATED)
                       ).replace(tzinfo=UTC)
            for s in found}


def calendar_events(events):
    """Events as calendar items: real times in their zone, or whole days."""
    people, base = people_at([event.id for event in events]), base_url()
    return [calendar_event(event, people.get(event.id, []), base) for event in events]


def calendar_event(event, people, base):
    """One event as a calendar item, naming the people likely there."""
    names = [contact.label() for contact in people]
    description = event.notes.strip()
    if names:
        more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
        likely = "Likely there: " + ", ".join(names[:NAMES_SHOWN]) + more + "."
        description = f"{description}\n\n{likely}" if description else likely
    changed = max([event.updated_at, *(contact.updated_at for contact in people)])
    return CalendarEvent(
        key=f"event:{event.id}", name=event.name, start=starts_at(event), end=ends_at(event),
        changed_at=changed.replace(tzinfo=UTC),
        tzid=event.timezone if event.start_time else None, place=event.place,
        url=event.url or absolute_url("events.detail", base, event_id=event.id),
        description=description, sequence=event.sequence)


def render_feed(snapshot, today):
    """The whole feed for today's window: body, ETag and Last-Modified.

    A person whose history is the same object as at the last render has the
    same reminders: those are reused, with their rendered bytes, so a feed
    after one logged touch costs that person's worth of work.
    """
    first, last = today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)
    memo = current_app.extensions.get("crm.feed")
    if memo is None or memo["base"] != base_url():  # the links in the reminders name it
        memo = current_app.extensions["crm.feed"] = {"base": base_url(), "people": {},
                                                     "rendered": {}}
    shown = defaultdict(list)
    for suggestion in snapshot.suggestions:
        if first <= suggestion.due <= last:
            shown[suggestion.contact_id].append(suggestion)
    people = {}
    for contact_id, found in shown.items():
        kept = memo["people"].get(contact_id)
        if kept is not None and kept[0] is snapshot.histories[contact_id] and kept[1] == found:
            people[contact_id] = kept
    todo = [s for contact_id, found in shown.items() if contact_id not in people for s in found]
    for item, suggestion in zip(reminders(todo, snapshot.histories), todo, strict=True):
        contact_id = suggestion.contact_id
        people.setdefault(contact_id, (snapshot.histories[contact_id], shown[contact_id], []))
        people[contact_id][2].append(item)
    memo["people"] = people
    items = [item for _, _, made in people.values() for item in made]
    events = calendar_events(list(Event.attending().where(Event.end_on >= first,
                                                       Event.start_on <= last)))
    body = render_calendar(items, events, name=CALENDAR_NAME, namespace=namespace(),
                           alarms=alarms_on(), rendered=memo["rendered"])
    return body, etag_for(body), last_modified_for(items, events)


def cached_feed(today):
    """The rendered feed, kept with the suggestions it shows, so a 304 costs no render."""
    snapshot = followups.current(today)
    # One render at a time: several calendar apps polling at once wait for the same body.
    with _feed_lock:
        return snapshot.derive(("calendar feed", base_url()),
                               lambda: render_feed(snapshot, today))


