"""The edge between the database and the playbook: facts in, suggestions out, answers back.

Everything is read in a fixed number of queries, whatever the number of
contacts: one per table, never one per contact.
"""

import threading
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from peewee import JOIN, fn

from crm import playbook, scheduler
from crm.db import data_version, db
from crm.models import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationContact,
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
    SuggestionState,
    Tag,
    Touch,
    utcnow,
)
from crm.news.parse import plain_text
from crm.settings import get_setting, rules, today_for_user, user_timezone

# Touches older than this only matter as "the last contact": every rule that
# counts tries or spaces notes looks at weeks, not years.
HORIZON_DAYS = 400
# A closed process matters for a few months (the "keep me in mind" letter, the
# first long-term touch); after that the contact's status and touches carry it.
CLOSED_PROCESS_DAYS = 120
_cache_lock = threading.Lock()



def histories(today, contact_ids=None):
    """Build the playbook History of every contact that can get a suggestion."""
    horizon = today - timedelta(days=HORIZON_DAYS)
    wanted = None if contact_ids is None else set(contact_ids)
    applications, interviews = _process_facts(today - timedelta(days=CLOSED_PROCESS_DAYS),
                                              wanted)
    # Only long-term contacts and people in a process can get a suggestion:
    # skipping the rest keeps a 10,000-contact address book cheap.
    chosen = _contacts(wanted, in_process=list(applications))
    contacts = list(chosen.namedtuples())
    # The other queries take the same choice as a subquery: thousands of ids as
    # parameters would cost more to build than the queries take to run.
    chosen_ids = chosen.select(Contact.id)
    tags = _tags(chosen_ids)
    touches = _touches(horizon, chosen_ids)
    articles = _articles(today, chosen_ids)
    events = _events(today, {row.id for row in contacts})
    states = _states(chosen_ids)
    resume_updated_on = _date(get_setting("resume_updated_on"))
    return [
        playbook.History(
            contact=playbook.ContactFacts(**row._asdict(), tags=tuple(tags.get(row.id, ()))),
            interviews=interviews.get(row.id, ()),
            applications=applications.get(row.id, ()),
            touches=touches.get(row.id, ()),
            articles=articles.get(row.id, ()),
            events=events.get(row.id, ()),
            resume_updated_on=resume_updated_on,
            states=states.get(row.id, {}),
        )
        for row in contacts
    ]


def current(today=None):
    """Every open suggestion as of today, with the histories they came from.

    The answer is cached until the data or the day changes: the Today page,
    the calendar feed and the digest all ask for it, and computing it for a
    big address book takes a large fraction of a second.
    """
    today = today or today_for_user()
    tz = user_timezone()
    cache = current_app.extensions.setdefault("crm.suggestions", {})
    with _cache_lock:
        # Read the version under the lock: a request that waited for another's
        # computation then finds it current instead of computing again.
        key = (current_app.config["DATABASE_URL"], data_version(), today, str(tz))
        if cache.get("key") != key or key[1] is None:
            found = histories(today)
            suggestions = tuple(playbook.suggest_all(found, today, tz, rules()))
            cache.update(key=key, value=(suggestions, {h.contact.id: h for h in found}))
        return cache["value"]


def init_app(app):
    """Have `crm serve` keep the suggestions computed, so a page rarely waits for them.

    Writes from the pages patch the cache themselves; this catches the rest:
    a new day, a `crm` command or a news refresh writing from elsewhere.
    """
    scheduler.register(app, "suggestions", 60, lambda app: current())


def for_contact(contact_id, today=None):
    """The open suggestions for one contact, with their history (None if they get none)."""
    today = today or today_for_user()
    found = histories(today, [contact_id])
    if not found:
        return [], None
    return playbook.suggest(found[0], today, user_timezone(), rules()), found[0]


def _in(field, wanted):
    """A condition limiting a query to some contacts, or none when all are wanted."""
    return True if wanted is None else field.in_(wanted)


def _contacts(wanted, in_process):
    """Long-term contacts and people in a process, with ContactFacts' fields."""
    query = (Contact.select(
        Contact.id, Contact.name, fn.COALESCE(Company.name, "").alias("company"), Contact.title,
        Contact.role, Contact.status, Contact.may_follow_up, Contact.cadence_days,
        Contact.linkedin_connected, Contact.notes, Contact.email, Contact.preferred_channel)
        .join(Company, JOIN.LEFT_OUTER)
        .where(Contact.archived_at.is_null(), Contact.status != "do_not_contact",
               (Contact.status == "long_term") | Contact.id.in_(in_process),
               _in(Contact.id, wanted)))
    return query


def _tags(wanted):
    result = defaultdict(list)
    query = (ContactTag.select(ContactTag.contact, Tag.name).join(Tag)
             .where(_in(ContactTag.contact, wanted)).tuples())
    for contact_id, name in query:
        result[contact_id].append(name)
    return result


def _process_facts(closed_since, wanted):
    """Applications and interviews still open or recent, keyed by each contact in them."""
    recent = (Application.select(Application.id).where(
        Application.status.in_(OPEN_APPLICATION_STATUSES)
        | (Application.closed_on >= closed_since)))
    apps = {row.id: row for row in Application.select(
        Application.id, Company.name.alias("company"), Application.position,
        Application.status, Application.applied_on, Application.decision_expected_on,
        Application.check_in_on, Application.closed_on, Application.next_contact)
        .join(Company).where(Application.id.in_(recent)).namedtuples()}
    people = defaultdict(set)
    for app_id, contact_id in (ApplicationContact
                               .select(ApplicationContact.application, ApplicationContact.contact)
                               .where(ApplicationContact.application.in_(recent)).tuples()):
        people[app_id].add(contact_id)
    interviews = {row.id: row for row in Interview.select(
        Interview.id, Interview.application, Interview.starts_at, Interview.timezone,
        Interview.assistant, Interview.discussed, Interview.accomplishments)
        .where(Interview.application.in_(recent)).namedtuples()}
    seats = list(Interviewer.select(Interviewer.interview, Interviewer.contact,
                                    Interviewer.values, Interviewer.concerns)
                 .join(Interview).where(Interview.application.in_(recent)).namedtuples())
    interviewer_ids = defaultdict(list)
    for seat in seats:
        interviewer_ids[seat.interview].append(seat.contact)
        people[interviews[seat.interview].application].add(seat.contact)
    for interview in interviews.values():
        if interview.assistant:
            people[interview.application].add(interview.assistant)

    app_facts = {app_id: playbook.ApplicationFacts(
        id=app_id, company=app.company, position=app.position, status=app.status,
        applied_on=app.applied_on, decision_expected_on=app.decision_expected_on,
        check_in_on=app.check_in_on,
        rejected_on=app.closed_on if app.status == "rejected" else None,
        contact_ids=tuple(sorted(people[app_id]))) for app_id, app in apps.items()}
    applications = defaultdict(list)
    for app_id, contact_ids in people.items():
        for contact_id in contact_ids:
            if wanted is None or contact_id in wanted:
                applications[contact_id].append(app_facts[app_id])

    def interview_facts(interview, seat=None):
        app = apps[interview.application]
        return playbook.InterviewFacts(
            id=interview.id, application_id=app.id, position=app.position, company=app.company,
            starts_at=interview.starts_at.replace(tzinfo=ZoneInfo(interview.timezone)),
            interviewer_ids=tuple(interviewer_ids[interview.id]),
            assistant_id=interview.assistant, discussed=interview.discussed,
            values=seat.values if seat else "", concerns=seat.concerns if seat else "",
            accomplishments=interview.accomplishments, next_contact=app.next_contact)

    by_contact = defaultdict(list)
    for seat in seats:
        if wanted is None or seat.contact in wanted:
            by_contact[seat.contact].append(interview_facts(interviews[seat.interview], seat))
    for interview in interviews.values():
        if interview.assistant and (wanted is None or interview.assistant in wanted):
            by_contact[interview.assistant].append(interview_facts(interview))
    return applications, by_contact


def _touches(horizon, wanted):
    """Touches since the horizon, plus each contact's last touch before it."""
    recent = Touch.select().where(Touch.happened_on >= horizon, _in(Touch.contact, wanted))
    older = (Touch.select().join(Contact, on=(Touch.contact == Contact.id))
             .where(Contact.last_touch_on < horizon, Touch.happened_on == Contact.last_touch_on,
                    _in(Touch.contact, wanted)))
    columns = (Touch.id, Touch.contact, Touch.happened_on, Touch.channel, Touch.direction,
               Touch.article, Touch.suggestion_key)
    result = defaultdict(list)
    # UNION ALL: the two parts never overlap, so there is nothing to deduplicate.
    for row in (recent.select(*columns) + older.select(*columns)).tuples():
        touch_id, contact_id, on, channel, direction, article_id, key = row
        result[contact_id].append(playbook.TouchFacts(
            id=touch_id, contact_id=contact_id, on=on, channel=channel, direction=direction,
            article_id=article_id, suggestion_key=key))
    return result


def _articles(today, wanted):
    """Recent articles matched to each contact, with their text for the playbook to weigh."""
    since = datetime.combine(today - timedelta(days=rules().news_max_age_days), datetime.min.time())
    query = (ArticleMatch.select(ArticleMatch.contact, ArticleMatch.kind, Article.id,
                                 Article.title, Article.published_at, Article.link,
                                 Article.summary_html, fn.COALESCE(Company.name, ""))
             .join(Article).join(Feed).join(Company, JOIN.LEFT_OUTER)
             .where(Article.published_at >= since, _in(ArticleMatch.contact, wanted)).tuples())
    texts = {}  # an article matched to many people is read once
    result = defaultdict(list)
    for contact_id, kind, article_id, title, published, link, summary, company in query:
        if article_id not in texts:
            texts[article_id] = plain_text(summary)
        result[contact_id].append(playbook.ArticleFacts(
            id=article_id, title=title, published=published.date(), url=link, company=company,
            summary=texts[article_id], kind=kind,
            mentions=contact_id if kind == "congratulate" else None))
    return result


def _events(today, wanted):
    """Upcoming events, for the contacts linked to them by hand or by company."""
    upcoming = {e.id: e for e in Event.select().where(Event.start_on >= today)}
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
    return result


def _states(wanted):
    result = defaultdict(dict)
    for row in SuggestionState.select().where(_in(SuggestionState.contact, wanted)):
        result[row.contact_id][row.key] = playbook.SuggestionState(
            key=row.key, state=row.state, until=row.until, updated_on=row.updated_at.date())
    return result


def application_people(application_id):
    """Everyone in an application: people added to it, interviewers and assistants."""
    linked = (ApplicationContact.select(ApplicationContact.contact)
              .where(ApplicationContact.application == application_id))
    seated = (Interviewer.select(Interviewer.contact).join(Interview)
              .where(Interview.application == application_id))
    hosts = Interview.select(Interview.assistant).where(
        Interview.application == application_id, Interview.assistant.is_null(False))
    return {pk for (pk,) in (linked | seated | hosts).tuples()}


def process_peers(contact_id):
    """Everyone in the applications this contact takes part in (whose facts name them)."""
    linked = (ApplicationContact.select(ApplicationContact.application)
              .where(ApplicationContact.contact == contact_id))
    seated = (Interview.select(Interview.application).join(Interviewer)
              .where(Interviewer.contact == contact_id))
    hosted = Interview.select(Interview.application).where(Interview.assistant == contact_id)
    peers = {contact_id}
    for (application_id,) in (linked | seated | hosted).tuples():
        peers |= application_people(application_id)
    return peers


def event_people(event_id):
    """Everyone likely at an event: linked by hand or through their company."""
    by_hand = EventAttendee.select(EventAttendee.contact).where(EventAttendee.event == event_id)
    by_company = (Contact.select(Contact.id)
                  .join(EventCompany, on=(EventCompany.company == Contact.company))
                  .where(EventCompany.event == event_id))
    return {pk for (pk,) in (by_hand | by_company).tuples()}


def _date(value):
    return date.fromisoformat(value) if value else None


def answer(key, contact_id, state, until=None):
    """Record what the user did with a suggestion: done, snoozed until a date, or skipped."""
    with changing(contact_id):
        SuggestionState.replace(key=key, contact=contact_id, state=state, until=until,
                                updated_at=utcnow()).execute()


@contextmanager
def changing(*contact_ids):
    """A transaction that changes some contacts' histories only: the cache is patched.

    Yields the set of changed contact ids, which the body may add to (a new
    contact's id, the people of an application before and after an edit).
    Logging a touch or editing an interview then costs those contacts' worth
    of work on the next Today page, not the whole address book's. The version
    is read inside the transaction, which holds the write lock, so no other
    writer can slip a change in between.
    """
    changed = set(contact_ids)
    with db.atomic():
        before = data_version()
        yield changed
        after = data_version()
    cache = current_app.extensions.get("crm.suggestions")
    with _cache_lock:
        if not cache or before is None or cache["key"][1] != before:
            return  # nothing cached, or stale already: the next reader recomputes
        url, _, today, tz = cache["key"]
        found, by_contact = cache["value"]
        fresh = histories(today, changed)
        mine = playbook.suggest_all(fresh, today, ZoneInfo(tz), rules())
        by_contact = {cid: h for cid, h in by_contact.items() if cid not in changed}
        by_contact.update((h.contact.id, h) for h in fresh)
        merged = [s for s in found if s.contact_id not in changed] + mine
        merged.sort(key=lambda s: (s.due, by_contact[s.contact_id].contact.name.casefold(),
                                   s.contact_id, s.importance, s.key))
        cache.update(key=(url, after, today, tz), value=(tuple(merged), by_contact))
