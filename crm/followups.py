"""The edge between the database and the playbook: facts in, suggestions out, answers back.

Everything is read in a fixed number of queries, whatever the number of
contacts: one per table, never one per contact.
"""

import gc
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app, request
from peewee import JOIN, fn

from crm import changes, playbook
from crm.db import among, db
from crm.models import (
    Application,
    Article,
    ArticleMatch,
    Company,
    Contact,
    ContactTag,
    Event,
    EventAttendee,
    EventCompany,
    Feed,
    Interview,
    Interviewer,
    JobChange,
    SuggestionState,
    Tag,
    Touch,
    application_people,
    recent_applications,
    utcnow,
)
from crm.news.parse import plain_text
from crm.settings import get_setting, rules, today_for_user, user_timezone
from crm.vocabulary import (
    APPLICATION_STATUSES,
    ARTICLE_KINDS,
    CHANNELS,
    CONTACT_STATUSES,
    DIRECTIONS,
    PREFERRED_CHANNELS,
    ROLES,
    SUGGESTION_STATES,
)
from crm.vocabulary import values as words

# Touches older than this only matter as "the last contact": every rule that
# counts tries or spaces notes looks at weeks, not years.
HORIZON_DAYS = 400
# A closed process matters for a few months (the "keep me in mind" letter, the
# first long-term touch); after that the contact's status and touches carry it.
CLOSED_PROCESS_DAYS = 120
_cache_lock = threading.Lock()
ROLE_WORDS, STATUS_WORDS = words(ROLES), words(CONTACT_STATUSES)
PREFERRED_WORDS, CHANNEL_WORDS = words(PREFERRED_CHANNELS), words(CHANNELS)
DIRECTION_WORDS, APPLICATION_STATUS_WORDS = words(DIRECTIONS), words(APPLICATION_STATUSES)
ARTICLE_KIND_WORDS, STATE_WORDS = words(ARTICLE_KINDS), words(SUGGESTION_STATES)
NO_STATES = MappingProxyType({})


@dataclass(frozen=True)
class Snapshot:
    """The open suggestions at one point of the change log: what every page reads.

    `derived` keeps what is computed from them once per snapshot (the rendered
    calendar feed), so it lives and dies with the suggestions it came from.
    """

    suggestions: tuple
    histories: dict
    seq: int | None
    derived: dict = field(default_factory=dict, compare=False)

    def derive(self, name, make):
        """`make()` once for this snapshot, then the kept answer."""
        if name not in self.derived:
            self.derived[name] = make()
        return self.derived[name]


def histories(today, contact_ids=None):
    """Build the playbook History of every contact that can get a suggestion."""
    settings = rules()
    horizon = today - timedelta(days=HORIZON_DAYS)
    wanted = None if contact_ids is None else set(contact_ids)
    recent = [pk for (pk,) in raw_rows(recent_applications(
        today - timedelta(days=CLOSED_PROCESS_DAYS), wanted))]
    process = _process_facts(recent, wanted)
    moved = _moves(today, wanted, settings)
    # Only long-term contacts, people in a process, whoever referred the user to one and
    # people with a new role can get a suggestion: skipping the rest keeps a
    # 10,000-contact address book cheap.
    contacts = raw_rows(_contacts(wanted, process.involved | moved.keys()))
    chosen_ids = [row[0] for row in contacts]
    touches = _touches(horizon, chosen_ids)
    articles = _articles(today, chosen_ids, settings)
    # Tags are interests to weigh news against (the playbook reads them for nothing else), so
    # only people with news to weigh need theirs: a few, where most of the address book has tags.
    tags = _tags(list(articles))
    events = _events(today, set(chosen_ids))
    states = _states(chosen_ids)
    resume_updated_on = _date(get_setting("resume_updated_on"))
    if contacts:
        _, _, _, _, roles, statuses, _, cadences, _, _, _, preferred = zip(*contacts, strict=True)
        _refuse_unknown(set(roles), ROLE_WORDS, "Role")
        _refuse_unknown(set(statuses), STATUS_WORDS, "Status")
        _refuse_unknown(set(preferred), PREFERRED_WORDS, "Preferred channel")
        if min((days for days in cadences if days is not None), default=1) < 1:
            raise ValueError("Cadence must be at least one day.")
    # The lookups, once: thousands of contacts each make ten of them.
    tags_of, interviews_of, applications_of = tags.get, process.interviews.get, \
        process.applications.get
    referrals_of, touches_of, articles_of = process.referrals.get, touches.get, articles.get
    events_of, moves_of, states_of = events.get, moved.get, states.get
    history, contact_facts = _maker(playbook.History), _maker(playbook.ContactFacts)
    return [
        history((
            contact_facts((
                pk, name, company, title, role, status, bool(may_follow_up), cadence_days,
                bool(linkedin_connected), notes, email, preferred_channel, tags_of(pk, ()))),
            interviews_of(pk, ()), applications_of(pk, ()), referrals_of(pk, ()),
            touches_of(pk, ()), articles_of(pk, ()), events_of(pk, ()), moves_of(pk, ()),
            resume_updated_on, states_of(pk, NO_STATES)))
        for (pk, name, company, title, role, status, may_follow_up, cadence_days,
             linkedin_connected, notes, email, preferred_channel) in contacts
    ]


def _maker(kind):
    """A maker of playbook records of this kind from their fields in order, as one tuple.

    `tuple.__new__` skips the argument handling of `kind(...)`, which costs several times the
    record itself, and the partial calls it without a Python frame: thousands are made.
    """
    return partial(tuple.__new__, kind)


def _record(kind, fields):
    """A playbook record from its fields in order (see `_maker`)."""
    return tuple.__new__(kind, fields)


def _refuse_unknown(seen, allowed, what):
    """Refuse a word the vocabulary does not know (a row written from outside the app).

    The records check nothing themselves: checking the distinct words of a whole
    query here costs less than checking every record.
    """
    unknown = seen.difference(allowed)
    if unknown:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {min(unknown)!r}.")


def _tuples(lists):
    """Each contact's list of records as a tuple: histories are shared and never change."""
    return {key: tuple(found) for key, found in lists.items()}


def current(today=None):
    """The open suggestions as of today, kept until the data or the day changes.

    Today, the calendar feed and the digest all read this one snapshot. After
    a write only the people the change log names are recomputed; a new day, a
    settings change or a long gap recomputes everyone.
    """
    tz = user_timezone()
    today = today or today_for_user(tz)
    cache = current_app.extensions.setdefault("crm.followups", {})
    key = (current_app.config["DATABASE_URL"], today, str(tz))
    with _cache_lock:
        # Read under the lock: a request that waited for another's computation
        # then finds it current instead of computing again.
        seq = changes.latest()
        kept = cache.get(key)
        if kept is None or seq is None or kept.seq != seq:
            changed = None if kept is None else changes.changed_since(kept.seq, seq)
            if changed is None:
                kept = compute(today, tz, seq)
            else:
                kept = _patch(kept, changed, today, tz, seq)
            cache.clear()  # yesterday's answer or another database's is no use now
            cache[key] = kept
        return kept


def init_app(app):
    """After a page writes, bring the kept suggestions up to date before answering."""

    @app.after_request
    def _catch_up(response):
        # The change log says whom the write concerned; patching them now, in
        # the request that wrote, spares the page the user goes to next. A
        # write that changed nothing the playbook reads costs one query.
        if request.method == "POST" and response.status_code < 400 and not db.is_closed():
            current()
        return response


def compute(today, tz, seq=None):
    """Every contact's suggestions from nothing."""
    # Tens of thousands of records, none in a reference cycle, would set off the cyclic
    # garbage collector many times over a heap that holds the kept snapshot; paused, it
    # runs once afterwards (10-15 ms less per computation at 10,000 contacts).
    paused = gc.isenabled()
    gc.disable()
    try:
        found = histories(today)
        return Snapshot(tuple(playbook.suggest_all(found, today, tz, rules())),
                        {h.contact.id: h for h in found}, seq)
    finally:
        # The records live as long as the snapshot: freezing and unfreezing puts everything
        # in the oldest generation at once, so the next collections do not walk them all
        # again as new objects (about 5 ms, in the request after this one).
        gc.freeze()
        gc.unfreeze()
        if paused:
            gc.enable()


def _patch(kept, changed, today, tz, seq):
    """The snapshot with the suggestions of the `changed` contacts recomputed."""
    fresh = histories(today, changed)
    mine = playbook.suggest_all(fresh, today, tz, rules())
    by_contact = {cid: h for cid, h in kept.histories.items() if cid not in changed}
    by_contact.update((h.contact.id, h) for h in fresh)
    merged = [s for s in kept.suggestions if s.contact_id not in changed] + mine
    merged.sort(key=lambda s: (s.due, by_contact[s.contact_id].contact.name.casefold(),
                               s.contact_id, s.importance, s.key))
    return Snapshot(tuple(merged), by_contact, seq)


def for_contact(contact_id, today=None):
    """The open suggestions for one contact, with their history (None if they get none)."""
    today = today or today_for_user()
    found = histories(today, [contact_id])
    if not found:
        return [], None
    return playbook.suggest(found[0], today, user_timezone(), rules()), found[0]


def _in(field, wanted):
    """A condition limiting a query to some contacts, or none when all are wanted."""
    return True if wanted is None else among(field, wanted)


def _contacts(wanted, involved):
    """Long-term contacts and the `involved` (in a process, or moved), with ContactFacts' fields."""
    def chosen(*conditions):
        return (Contact.select(
            Contact.id, Contact.name, fn.COALESCE(Company.name, "").alias("company"),
            Contact.title, Contact.role, Contact.status, Contact.may_follow_up,
            Contact.cadence_days, Contact.linkedin_connected, Contact.notes, Contact.email,
            Contact.preferred_channel)
            .join(Company, JOIN.LEFT_OUTER)
            .where(Contact.archived_at.is_null(), _in(Contact.id, wanted), *conditions))

    # Two parts, each found through an index (the status; the ids), rather than one walk
    # through all 10,000 contacts' rows; UNION ALL, as no one is in both.
    return (chosen(Contact.status == "long_term")
            + chosen(among(Contact.id, involved),
                     Contact.status.not_in(("long_term", "do_not_contact"))))


def _tags(wanted):
    result = defaultdict(list)
    query = (ContactTag.select(ContactTag.contact, Tag.name).join(Tag)
             .where(_in(ContactTag.contact, wanted))
             # In the order SQLite's index gives; PostgreSQL promises no order unasked.
             .order_by(ContactTag.contact, ContactTag.tag))
    for contact_id, name in raw_rows(query):
        result[contact_id].append(name)
    return _tuples(result)


class _ApplicationRow(NamedTuple):
    """An application as its query reads it, dates as the driver gives them."""

    id: int
    company: str
    position: str
    status: str
    applied_on: object
    decision_expected_on: object
    check_in_on: object
    closed_on: object
    closed_at: object
    next_contact: int | None
    next_name: str
    referrer: int | None


class ProcessFacts(NamedTuple):
    """The recent applications' facts by contact, and everyone they involve."""

    applications: dict
    interviews: dict
    referrals: dict
    involved: set


def _process_facts(recent, wanted):
    """Applications and interviews still open or recent, keyed by each contact in them; the
    applications keyed by whoever referred the user to them; and all those people."""
    named = Contact.alias()
    apps = {row[0]: _ApplicationRow(*row) for row in raw_rows(Application.select(
        Application.id, Company.name, Application.position, Application.status,
        Application.applied_on, Application.decision_expected_on, Application.check_in_on,
        Application.closed_on, Application.closed_at, Application.next_contact,
        fn.COALESCE(named.name, ""), Application.referrer)
        .join(Company).switch(Application)
        .join(named, JOIN.LEFT_OUTER, on=(Application.next_contact == named.id))
        .where(among(Application.id, recent)))}
    people = defaultdict(set)
    for app_id, contact_id in raw_rows(application_people(recent)):
        people[app_id].add(contact_id)
    interviews = raw_rows(Interview.select(
        Interview.id, Interview.application, Interview.starts_at, Interview.timezone,
        Interview.assistant, Interview.discussed, Interview.accomplishments,
        Interview.next_contact, fn.COALESCE(named.name, ""))
        .join(named, JOIN.LEFT_OUTER, on=(Interview.next_contact == named.id))
        .where(among(Interview.application, recent)))
    seats = raw_rows(Interviewer.select(Interviewer.interview, Interviewer.contact,
                                        Interviewer.values, Interviewer.concerns,
                                        Interviewer.accomplishments)
                     .join(Interview).where(among(Interview.application, recent)))
    interviewer_ids = defaultdict(list)
    for interview_id, contact_id, *_ in seats:
        interviewer_ids[interview_id].append(contact_id)
    # Each interview as every seat sees it, with its start in its own time zone.
    held, naive_start = {}, {}
    for (interview_id, app_id, starts_at, zone, assistant, discussed, strengths, next_contact,
         next_name) in interviews:
        app = apps[app_id]
        naive_start[interview_id] = as_datetime(starts_at)
        held[interview_id] = dict(
            id=interview_id, application_id=app_id, position=app.position, company=app.company,
            starts_at=naive_start[interview_id].replace(tzinfo=ZoneInfo(zone)),
            interviewer_ids=tuple(interviewer_ids[interview_id]), assistant_id=assistant,
            discussed=playbook.lines(discussed), strengths=playbook.lines(strengths),
            next_contact=next_name, next_contact_id=next_contact)
    starts, point_of_contact = defaultdict(list), {}
    for interview in sorted(held.values(), key=lambda i: naive_start[i["id"]]):
        app_id = interview["application_id"]
        starts[app_id].append(interview["starts_at"])
        # Each interview may hand over to another person; the latest word stands.
        if not interview["next_contact_id"]:
            app = apps[app_id]
            interview["next_contact_id"], interview["next_contact"] = point_of_contact.get(
                app_id, (app.next_contact, app.next_name))
        point_of_contact[app_id] = (interview["next_contact_id"], interview["next_contact"])

    _refuse_unknown({app.status for app in apps.values()}, APPLICATION_STATUS_WORDS,
                    "Application status")
    app_facts = {}
    for app_id, app in apps.items():
        rejected = app.status == "rejected"
        closed_on = as_date(app.closed_on)
        app_facts[app_id] = _record(playbook.ApplicationFacts, (
            app_id, app.company, app.position, app.status, as_date(app.applied_on),
            as_date(app.decision_expected_on), as_date(app.check_in_on),
            point_of_contact.get(app_id, (app.next_contact,))[0],
            closed_on if rejected else None, closed_on,
            as_time(app.closed_at) if rejected else None, tuple(sorted(people[app_id])),
            app.referrer, tuple(starts[app_id])))
    applications, referrals = defaultdict(list), defaultdict(list)
    for app_id, app in apps.items():
        if app.referrer and (wanted is None or app.referrer in wanted):
            referrals[app.referrer].append(app_facts[app_id])
    for app_id, contact_ids in people.items():
        for contact_id in contact_ids:
            if wanted is None or contact_id in wanted:
                applications[contact_id].append(app_facts[app_id])

    by_contact = defaultdict(list)
    # Each interview made once, without answers; a seat adds its own as the last fields.
    unanswered = {interview_id: playbook.InterviewFacts(**interview)
                  for interview_id, interview in held.items()}
    shared = len(playbook.InterviewFacts._fields) - len(playbook.SEAT_ANSWERS)
    interview_facts, lines = _maker(playbook.InterviewFacts), playbook.lines
    for interview_id, contact_id, values, concerns, accomplishments in seats:
        if wanted is None or contact_id in wanted:
            by_contact[contact_id].append(interview_facts(unanswered[interview_id][:shared] + (
                lines(values), lines(concerns), lines(accomplishments))))
    for interview in unanswered.values():
        assistant = interview.assistant_id
        if assistant and (wanted is None or assistant in wanted):
            by_contact[assistant].append(interview)
    involved = {contact_id for contact_ids in people.values() for contact_id in contact_ids}
    involved.update(app.referrer for app in apps.values() if app.referrer)
    return ProcessFacts(_tuples(applications), _tuples(by_contact), _tuples(referrals), involved)


def _touches(horizon, wanted):
    """Touches since the horizon, plus each contact's last touch before it."""
    recent = Touch.select().where(Touch.happened_on >= horizon, _in(Touch.contact, wanted))
    # From the contacts to their last touch: PostgreSQL, given the ids on the touches, reads
    # every touch of those people to find a few hundred (22 ms at full size; this way 6).
    older = (Touch.select().join(Contact, on=((Touch.contact == Contact.id)
                                              & (Touch.happened_on == Contact.last_touch_on)))
             .where(Contact.last_touch_on < horizon, _in(Contact.id, wanted)))
    columns = (Touch.id, Touch.contact, Touch.happened_on, Touch.happened_at, Touch.channel,
               Touch.direction, Touch.article, Touch.suggestion_key)
    # UNION ALL: the two parts never overlap, so there is nothing to deduplicate.
    rows = raw_rows(recent.select(*columns) + older.select(*columns))
    if not rows:
        return {}
    # Column by column: thousands of touches hold a few words, days and times, each read once.
    ids, contact_ids, ons, ats, channels, directions, article_ids, keys = zip(*rows, strict=True)
    _refuse_unknown(set(channels), CHANNEL_WORDS, "Channel")
    _refuse_unknown(set(directions), DIRECTION_WORDS, "Direction")
    days = {on: as_date(on) for on in set(ons)}
    times = {at: as_time(at) for at in set(ats)}
    result = defaultdict(list)
    for record in map(_maker(playbook.TouchFacts), zip(
            ids, contact_ids, map(days.__getitem__, ons), map(times.__getitem__, ats),
            channels, directions, article_ids, keys, strict=True)):
        result[record.contact_id].append(record)
    return _tuples(result)


def raw_rows(query):
    """The query's rows as the database driver gives them, without peewee's conversions.

    A hot path's only: converting every value costs more than the query here,
    so the caller converts the few columns that need it (`as_date`).
    """
    return db.execute(query).fetchall()


def as_date(value):
    """A date from the driver: SQLite gives text, other drivers a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def as_datetime(value):
    """A date and time from the driver: SQLite gives text, other drivers a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def as_time(value):
    """A time of day from the driver, or None: SQLite gives text, other drivers a time."""
    return time.fromisoformat(value) if isinstance(value, str) else value


def _articles(today, wanted, settings):
    """Recent articles matched to each contact, with their text for the playbook to weigh."""
    since = datetime.combine(today - timedelta(days=settings.news_max_age_days), time.min)
    query = (ArticleMatch.select(ArticleMatch.contact, ArticleMatch.kind, Article.id,
                                 Article.title, Article.published_at, Article.link,
                                 Article.summary_html, fn.COALESCE(Company.name, ""))
             .join(Article).join(Feed).join(Company, JOIN.LEFT_OUTER)
             .where(Article.published_at >= since, _in(ArticleMatch.contact, wanted)))
    texts = {}  # an article matched to many people is read once
    rows = raw_rows(query)
    _refuse_unknown({row[1] for row in rows}, ARTICLE_KIND_WORDS, "Article kind")
    result = defaultdict(list)
    for contact_id, kind, article_id, title, published, link, summary, company in rows:
        if article_id not in texts:
            texts[article_id] = plain_text(summary)
        result[contact_id].append(_record(playbook.ArticleFacts, (
            article_id, title, as_datetime(published).date(), link, company, texts[article_id],
            kind, contact_id if kind == "congratulate" else None)))
    return _tuples(result)


def _events(today, wanted):
    """Upcoming events, for the contacts linked to them by hand or by company."""
    upcoming = {e.id: e for e in Event.attending().where(Event.start_on >= today)}
    attendees = defaultdict(set)
    for event_id, contact_id in (EventAttendee.select(EventAttendee.event, EventAttendee.contact)
                                 .where(EventAttendee.event.in_(list(upcoming))).tuples()):
        attendees[event_id].add(contact_id)
    by_company = (EventCompany.select(EventCompany.event, Contact.id)
                  .join(Contact, on=(EventCompany.company == Contact.company))
                  .where(EventCompany.event.in_(list(upcoming))).tuples())
    for event_id, contact_id in by_company:
        attendees[event_id].add(contact_id)
    result = defaultdict(list)
    for event_id, contact_ids in attendees.items():
        event = upcoming[event_id]
        for contact_id in contact_ids:
            if wanted is None or contact_id in wanted:
                # Each contact sees only themself among the attendees, so a change to
                # one person's links never changes another person's history.
                result[contact_id].append(playbook.EventFacts(
                    id=event.id, name=event.name, starts_on=event.start_on,
                    place=event.place, url=event.url, attendee_ids=(contact_id,)))
    return _tuples(result)


def _moves(today, wanted, settings):
    """Job changes still news (as old as articles may be), by contact."""
    since = today - timedelta(days=settings.news_max_age_days)
    old, new = Company.alias(), Company.alias()
    query = (JobChange.select(JobChange.id, JobChange.contact, JobChange.changed_on,
                              JobChange.old_title, fn.COALESCE(old.name, ""),
                              JobChange.new_title, fn.COALESCE(new.name, ""))
             .join_from(JobChange, old, JOIN.LEFT_OUTER, on=(JobChange.old_company == old.id))
             .join_from(JobChange, new, JOIN.LEFT_OUTER, on=(JobChange.new_company == new.id))
             .where(JobChange.changed_on >= since, _in(JobChange.contact, wanted)).tuples())
    result = defaultdict(list)
    for change_id, contact_id, on, old_title, old_company, new_title, new_company in query:
        result[contact_id].append(playbook.JobChangeFacts(
            id=change_id, changed_on=on, old_title=old_title, old_company=old_company,
            new_title=new_title, new_company=new_company))
    return _tuples(result)


def _states(wanted):
    result = defaultdict(dict)
    query = SuggestionState.select(
        SuggestionState.key, SuggestionState.contact, SuggestionState.state,
        SuggestionState.until, SuggestionState.updated_at,
    ).where(_in(SuggestionState.contact, wanted))
    rows = raw_rows(query)
    _refuse_unknown({row[2] for row in rows}, STATE_WORDS, "Suggestion state")
    for key, contact_id, state, until, updated_at in rows:
        result[contact_id][key] = _record(playbook.SuggestionState, (
            key, state, as_date(until), as_datetime(updated_at).date()))
    return result


def _date(value):
    return date.fromisoformat(value) if value else None


def answer(key, contact_id, state, until=None):
    """Record what the user did with a suggestion: done, snoozed until a date, or skipped."""
    answer_all([(key, contact_id)], state, until)


def answer_all(answered, state, until=None):
    """Record the same answer to several suggestions, given as (key, contact id), at once."""
    now = utcnow()
    SuggestionState.insert_many(
        [{"key": key, "contact": contact_id, "state": state, "until": until, "updated_at": now}
         for key, contact_id in answered]).on_conflict(
        conflict_target=[SuggestionState.key],
        preserve=[SuggestionState.contact, SuggestionState.state, SuggestionState.until,
                  SuggestionState.updated_at]).execute()
