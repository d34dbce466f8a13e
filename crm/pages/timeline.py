"""A contact's story in order: applications and how they ended, interviews, touches and job
changes."""

from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN

from crm.models import (
    Application,
    ApplicationContact,
    Article,
    Company,
    Interview,
    Interviewer,
    JobChange,
    MailMessage,
    Touch,
)
from crm.settings import local_time, user_timezone
from crm.vocabulary import APPLICATION_STATUSES, CHANNELS

CHANNEL_LABELS = dict(CHANNELS)
STATUS_LABELS = dict(APPLICATION_STATUSES)


@dataclass
class Entry:
    when: date | datetime
    kind: str  # "touch", "reply", "interview", "application", "status", "job"
    title: str
    text: str = ""
    link: str = ""  # the article sent, outside the app
    touch_id: int | None = None  # a touch can be edited from the timeline
    mail: str = ""  # the message it was read from: its time and first words
    application_id: int | None = None


def _from_mailbox(message, zone):
    """"Read from your mailbox, 10:04: first words", the time where the user is."""
    moment = local_time(message.sent_at, zone)
    return (f"Read from your mailbox, {moment:%H:%M}"
            + (f": {message.snippet}" if message.snippet else ""))


def timeline_for(contact):
    """Everything that happened with this contact, newest first, in a fixed number of queries
    (and the time zone, for the times of messages read from the mailbox)."""
    entries = []
    touches = (Touch.select(Touch, Article, MailMessage).join(Article, JOIN.LEFT_OUTER)
               .switch(Touch).join(MailMessage, JOIN.LEFT_OUTER)
               .where(Touch.contact == contact))
    zone = user_timezone()
    for touch in touches:
        label = CHANNEL_LABELS.get(touch.channel, touch.channel)
        when = datetime.combine(touch.happened_on, touch.happened_at) \
            if touch.happened_at else touch.happened_on
        mail = _from_mailbox(touch.mail_message, zone) if touch.mail_message_id else ""
        if touch.direction == "in":
            entries.append(Entry(when, "reply", f"They replied ({label})",
                                 touch.note, touch_id=touch.id, mail=mail))
        else:
            article = touch.article
            entries.append(Entry(when, "touch",
                                 f"{label}: {article.title}" if article else label, touch.note,
                                 article.link if article else "", touch_id=touch.id, mail=mail))
    interviews = (Interview.select(Interview, Application, Company)
                  .join(Application).join(Company)
                  .where(Interview.id.in_(Interviewer.select(Interviewer.interview)
                                          .where(Interviewer.contact == contact))
                         | (Interview.assistant == contact)))
    sat_in = {}  # the processes this contact took part in: how each ended belongs here too
    for interview in interviews:
        application = sat_in[interview.application_id] = interview.application
        role = ("Hosted your interview" if interview.assistant_id == contact.id
                else "Interviewed you")
        when = interview.starts_at if interview.time_given else interview.starts_at.date()
        entries.append(Entry(when, "interview",
                             f"{role} for {application.position} at "
                             f"{application.company.name}", interview.discussed,
                             application_id=application.id))
    named_after = Interview.select(Interview.application).where(Interview.next_contact == contact)
    applications = (Application.select(Application, Company).join(Company)
                    .where(Application.id.in_(ApplicationContact.select(
                        ApplicationContact.application)
                        .where(ApplicationContact.contact == contact))
                        | (Application.referrer == contact)
                        | (Application.next_contact == contact)
                        | Application.id.in_(named_after)))
    for application in applications:
        status = STATUS_LABELS.get(application.status, application.status).lower()
        what = "Referred you for" if application.referrer_id == contact.id else "Application:"
        role = ", your point of contact" if application.next_contact_id == contact.id else ""
        entries.append(Entry(application.applied_on or application.created_at.date(),
                             "application",
                             f"{what} {application.position} at "
                             f"{application.company.name} ({status}{role})",
                             application.next_steps, application_id=application.id))
        sat_in.pop(application.id, None)
        entries += milestones(application)
    for application in sat_in.values():
        entries += milestones(application)
    for change in JobChange.with_companies().where(JobChange.contact == contact):
        source = f"From {change.source}." if change.source else ""
        entries.append(Entry(change.changed_on, "job",
                             f"New role: {change.new_job() or 'left'} (was {change.old_job()})",
                             source))
    return sorted(entries, key=sort_key, reverse=True)


# How the story of an application moves on, by the dates it keeps.
CLOSINGS = {"rejected": "{company} said no: {position}",
            "withdrawn": "You withdrew: {position} at {company}",
            "hired": "Hired: {position} at {company}"}


def milestones(application):
    """The employer's first answer, an offer and the end of the process, on the days they
    came."""
    words = {"company": application.company.name, "position": application.position}
    found = []
    if application.answered_on and application.answered_on not in (application.closed_on,
                                                                    application.offered_on):
        found.append(Entry(application.answered_on, "status",
                           "Heard back from {company}: {position}".format(**words),
                           application_id=application.id))
    if application.offered_on:
        found.append(Entry(application.offered_on, "status",
                           "Offer from {company}: {position}".format(**words),
                           application_id=application.id))
    if application.closed_on and application.status in CLOSINGS:
        found.append(Entry(application.closed_on, "status",
                           CLOSINGS[application.status].format(**words),
                           application_id=application.id))
    return found


def sort_key(entry):
    """Dates and datetimes sort together: a date counts as its midnight."""
    when = entry.when
    return when if isinstance(when, datetime) else datetime(when.year, when.month, when.day)
