"""The edge between the database and the playbook: facts in, suggestions out, answers back.

Everything is read in a fixed number of queries, whatever the number of
contacts: one per table, never one per contact.
"""

import threading
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from peewee import JOIN

from crm import playbook
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
from crm.settings import get_setting, rules, today_for_user, user_timezone

# Touches older than this only matter as "the last contact": every rule that
# counts tries or spaces notes looks at weeks, not years.
HORIZON_DAYS = 400
_cache_lock = threading.Lock()



def histories(today, contact_ids=None):
    """Build the playbook History of every contact that can get a suggestion."""
    horizon = today - timedelta(days=HORIZON_DAYS)
    applications, interviews = _process_facts(horizon, contact_ids)
    # Only long-term contacts and people in a process can get a suggestion:
    # skipping the rest keeps a 10,000-contact address book cheap.
    contacts = (Contact.select(Contact, Company).join(Company, JOIN.LEFT_OUTER)
                .where(Contact.archived_at.is_null(), Contact.status != "do_not_contact",
                       (Contact.status == "long_term") | Contact.id.in_(list(applications))))
    if contact_ids is not None:
        contacts = contacts.where(Contact.id.in_(contact_ids))
    contacts = list(contacts)
    wanted = {c.id for c in contacts}
    tags = _tags(wanted)
    touches = _touches(horizon, wanted)
    articles = _articles(today, wanted)
    events = _events(today, wanted)
    states = _states(wanted)
    resume_updated_on = _date(get_setting("resume_updated_on"))
    return [
        playbook.History(
            contact=_contact_facts(contact, tags.get(contact.id, ())),
            interviews=interviews.get(contact.id, ()),
            applications=applications.get(contact.id, ()),
            touches=touches.get(contact.id, ()),
            articles=articles.get(contact.id, ()),
            events=events.get(contact.id, ()),
            resume_updated_on=resume_updated_on,
            states=states.get(contact.id, {}),
        )
        for contact in contacts
    ]


def current(today=None):
    """Every open suggestion as of today, with the histories they came from.

    The answer is cached until the data or the day changes: the Today page,
    the calendar feed and the digest all ask for it, and computing it for a
    big address book takes a large fraction of a second.
    """
    today = today or today_for_user()
    tz = user_timezone()
    key = (current_app.config["DATABASE_URL"], data_version(), today, str(tz))
    cache = current_app.extensions.setdefault("crm.suggestions", {})
    with _cache_lock:
        if cache.get("key") != key or key[1] is None:
            found = histories(today)
            suggestions = tuple(playbook.suggest_all(found, today, tz, rules()))
            cache.update(key=key, value=(suggestions, {h.contact.id: h for h in found}))
        return cache["value"]


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


def _contact_facts(contact, tags):
    return playbook.ContactFacts(
        id=contact.id, name=contact.name, company=contact.company.name if contact.company else "",
        title=contact.title, role=contact.role, status=contact.status,
        may_follow_up=contact.may_follow_up, cadence_days=contact.cadence_days,
        linkedin_connected=contact.linkedin_connected, tags=tuple(tags), notes=contact.notes,
        email=contact.email, preferred_channel=contact.preferred_channel)


def _tags(wanted):
    result = defaultdict(list)
    query = (ContactTag.select(ContactTag.contact, Tag.name).join(Tag)
             .where(_in(ContactTag.contact, wanted)).tuples())
    for contact_id, name in query:
        result[contact_id].append(name)
    return result


def _process_facts(horizon, wanted):
    """Applications and interviews still open or recent, keyed by each contact in them."""
    recent = Application.status.in_(OPEN_APPLICATION_STATUSES) | (Application.closed_on >= horizon)
    apps = {a.id: a for a in Application.select(Application, Company).join(Company)
            .where(recent)}
    people = defaultdict(set)
    for app_id, contact_id in (ApplicationContact
                               .select(ApplicationContact.application, ApplicationContact.contact)
                               .where(ApplicationContact.application.in_(list(apps))).tuples()):
        people[app_id].add(contact_id)
    interviews = {i.id: i for i in Interview.select()
                  .where(Interview.application.in_(list(apps)))}
    seats = list(Interviewer.select().where(Interviewer.interview.in_(list(interviews))))
    interviewer_ids = defaultdict(list)
    for seat in seats:
        interviewer_ids[seat.interview_id].append(seat.contact_id)
        people[interviews[seat.interview_id].application_id].add(seat.contact_id)
    for interview in interviews.values():
        if interview.assistant_id:
            people[interview.application_id].add(interview.assistant_id)

    app_facts = {app_id: playbook.ApplicationFacts(
        id=app_id, company=app.company.name, position=app.position, status=app.status,
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
        app = apps[interview.application_id]
        return playbook.InterviewFacts(
            id=interview.id, application_id=app.id, position=app.position,
            company=app.company.name,
            starts_at=interview.starts_at.replace(tzinfo=ZoneInfo(interview.timezone)),
            interviewer_ids=tuple(interviewer_ids[interview.id]),
            assistant_id=interview.assistant_id, discussed=interview.discussed,
            values=seat.values if seat else "", concerns=seat.concerns if seat else "",
            accomplishments=interview.accomplishments, next_contact=app.next_contact)

    by_contact = defaultdict(list)
    for seat in seats:
        by_contact[seat.contact_id].append(interview_facts(interviews[seat.interview_id], seat))
    for interview in interviews.values():
        if interview.assistant_id:
            by_contact[interview.assistant_id].append(interview_facts(interview))
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
    for row in (recent.select(*columns) | older.select(*columns)).tuples():
        touch_id, contact_id, on, channel, direction, article_id, key = row
        result[contact_id].append(playbook.TouchFacts(
            id=touch_id, contact_id=contact_id, on=on, channel=channel, direction=direction,
            article_id=article_id, suggestion_key=key))
    return result


def _articles(today, wanted):
    """Recent articles matched to each contact, and every article already sent to them."""
    since = datetime.combine(today - timedelta(days=rules().news_max_age_days), datetime.min.time())
    query = (ArticleMatch.select(ArticleMatch, Article, Feed, Company)
             .join(Article).join(Feed).join(Company, JOIN.LEFT_OUTER)
             .where(Article.published_at >= since, _in(ArticleMatch.contact, wanted)))
    result = defaultdict(list)
    for match in query:
        article = match.article
        result[match.contact_id].append(playbook.ArticleFacts(
            id=article.id, title=article.title, published=article.published_at.date(),
            url=article.link, company=article.feed.company.name if article.feed.company else "",
            kind=match.kind, mentions=match.contact_id if match.kind == "congratulate" else None))
    return result


def _events(today, wanted):
    """Upcoming events, for the contacts linked to them by hand or by company."""
    upcoming = {e.id: e for e in Event.select().where(Event.start_on >= today)}
    facts = {}
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
        facts[event_id] = playbook.EventFacts(
            id=event.id, name=event.name, starts_on=event.start_on, place=event.place,
            url=event.url, attendee_ids=tuple(sorted(contact_ids)))
        for contact_id in contact_ids:
            if wanted is None or contact_id in wanted:
                result[contact_id].append(facts[event_id])
    return result


def _states(wanted):
    result = defaultdict(dict)
    for row in SuggestionState.select().where(_in(SuggestionState.contact, wanted)):
        result[row.contact_id][row.key] = playbook.SuggestionState(
            key=row.key, state=row.state, until=row.until, updated_on=row.updated_at.date())
    return result


def _date(value):
    return date.fromisoformat(value) if value else None


def answer(key, contact_id, state, until=None):
    """Record what the user did with a suggestion: done, snoozed until a date, or skipped."""
    with db.atomic():
        SuggestionState.replace(key=key, contact=contact_id, state=state, until=until,
                                updated_at=utcnow()).execute()
