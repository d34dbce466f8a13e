"""Applications and interviews: the hiring processes and who takes part in them."""

import datetime

import peewee
from peewee import CharField, ForeignKeyField, TimeField

from crm.db import among
from crm.fields import LineField, NoteField, RangeField, TimeZoneField, WebAddressField
from crm.models.base import BaseModel, DateField, DateTimeField, utcnow
from crm.models.people import Company, Contact
from crm.vocabulary import (
    ANSWERED_STATUSES,
    APPLICATION_STATUSES,
    CLOSED_STATUSES,
    CURRENCIES,
    INTERVIEW_KINDS,
    OPEN_STATUSES,
    SOURCES,
    WORK_MODES,
)

# A yearly salary in any currency fits below this (a billion yen is a lot, but not this).
SALARY_LIMIT = 10**10


class Application(BaseModel):
    company = ForeignKeyField(Company, backref="applications", on_delete="CASCADE")
    position = LineField(200, blank=False)
    status = CharField(default="applied", index=True, choices=APPLICATION_STATUSES)
    applied_on = DateField(null=True)
    decision_expected_on = DateField(null=True)
    check_in_on = DateField(null=True)
    closed_on = DateField(null=True)
    # The local time the closing was recorded, when it was recorded on its day: a note
    # written that morning came before the rejection, one that evening after it.
    closed_at = TimeField(null=True)
    next_steps = NoteField(default="")
    # The one person the check-ins go to, named in the letters; an interview may name another.
    next_contact = ForeignKeyField(Contact, null=True, backref="next_contact_of",
                                   on_delete="SET NULL")
    notes = NoteField(default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # What job trackers record about a posting (migration 0013).
    posting_url = WebAddressField(default="")
    location = LineField(200, default="")
    work_mode = CharField(default="", choices=WORK_MODES)
    salary_min = RangeField(0, SALARY_LIMIT, null=True)
    salary_max = RangeField(0, SALARY_LIMIT, null=True)
    currency = CharField(default="", choices=CURRENCIES)
    source = CharField(default="", index=True, choices=SOURCES)
    referrer = ForeignKeyField(Contact, null=True, backref="referrals", on_delete="SET NULL")
    answered_on = DateField(null=True)  # the employer's first answer, of any kind
    offered_on = DateField(null=True)  # the day it moved to "offer"
    resume_version = LineField(100, default="")
    cover_letter_version = LineField(100, default="")
    # The files sent: a random name in the instance folder, and the name they were uploaded as.
    resume_file = LineField(64, default="")
    resume_filename = LineField(200, default="")
    cover_letter_file = LineField(64, default="")
    cover_letter_filename = LineField(200, default="")
    job_description = NoteField(100_000, default="")

    @classmethod
    def row_problem(cls, row):
        """A salary range must not end below where it starts."""
        low, high = row.get("salary_min"), row.get("salary_max")
        if low is not None and high is not None and high < low:
            return "salary_max", "The top of the salary range is below its bottom."
        return None

    def salary_range(self):
        """The salary as written on a posting ("60,000–80,000 EUR"), or "" when not recorded."""
        amounts = [f"{n:,}" for n in (self.salary_min, self.salary_max) if n is not None]
        if not amounts:
            return ""
        return " ".join(filter(None, ["–".join(dict.fromkeys(amounts)), self.currency]))

    def set_status(self, status, closed_on, now):
        """Set the status and its closing date (today unless given); tell whether it has
        just become rejected. `now` is the user's local date and time. The caller saves."""
        became_rejected = status == "rejected" and self.status != "rejected"
        if (status in ANSWERED_STATUSES and self.status == "applied"
                and self.answered_on is None):
            # Moving on from "applied" is hearing back: the stats count days to this answer.
            self.answered_on = (closed_on if status in CLOSED_STATUSES and closed_on
                                else now.date())
        changed = status != self.status or closed_on != self.closed_on
        if status == "offer" and self.status != "offer":
            self.offered_on = now.date()
        self.status = status
        if status not in CLOSED_STATUSES:
            self.closed_on = self.closed_at = None  # a reopened process has no closing date
        elif changed:
            self.closed_on = closed_on or now.date()
            # Only a closing recorded on its own day has a known time of day.
            self.closed_at = now.time().replace(microsecond=0) \
                if self.closed_on == now.date() else None
        return became_rejected

    def change_status(self, status, closed_on, now):
        """Move the application to a status and save it; after a rejection its people become
        long-term contacts. Returns those people (the caller holds the transaction)."""
        rejected = self.set_status(status, closed_on, now)
        self.updated_at = utcnow()
        self.save()
        return self.keep_people_in_touch() if rejected else []

    def keep_people_in_touch(self):
        """Make every active person in the process long-term, except a mere assistant."""
        seats = (Interviewer.select(Interviewer.contact).join(Interview)
                 .where(Interview.application == self))
        linked = (ApplicationContact.select(ApplicationContact.contact)
                  .where(ApplicationContact.application == self))
        people = list(Contact.select().where(Contact.id.in_(seats) | Contact.id.in_(linked),
                                             Contact.status == "active").order_by(Contact.name))
        (Contact.update(status="long_term", updated_at=utcnow())
         .where(Contact.id.in_([c.id for c in people])).execute())
        return people


class ApplicationContact(BaseModel):
    """A person involved in an application without (yet) an interview: a recruiter."""

    application = ForeignKeyField(Application, backref="people", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="application_links", on_delete="CASCADE",
                              index=True)

    class Meta:
        indexes = ((("application", "contact"), True),)


class Interview(BaseModel):
    application = ForeignKeyField(Application, backref="interviews", on_delete="CASCADE")
    # Local wall time in `timezone`. An interview whose time was not given is held at the
    # last second of its day: no letter that day counts as sent after it (the playbook
    # treats a touch without a time the same way), and the pages show its date alone.
    starts_at = DateTimeField()
    timezone = TimeZoneField(default="UTC")
    kind = CharField(default="onsite", choices=INTERVIEW_KINDS)
    location = LineField(255, default="")
    assistant = ForeignKeyField(Contact, null=True, backref="hosted_interviews",
                                on_delete="SET NULL")
    discussed = NoteField(default="")
    accomplishments = NoteField(default="")  # strengths for every interviewer's letter
    # Who the user stays in touch with after this interview, if not the application's person.
    next_contact = ForeignKeyField(Contact, null=True, backref="next_contact_after",
                                   on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    DAY_END = datetime.time(23, 59, 59)

    @classmethod
    def start(cls, day, at=None):
        """When an interview on `day` starts: at `at`, or the end of the day without a time."""
        return datetime.datetime.combine(day, at or cls.DAY_END)

    @property
    def time_given(self):
        """Whether the interview was given a time, not only a date."""
        return self.starts_at.time() != self.DAY_END


class Interviewer(BaseModel):
    interview = ForeignKeyField(Interview, backref="interviewers", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="interviews_taken", on_delete="CASCADE",
                              index=True)
    values = NoteField(5000, default="")  # what this interviewer said they care about
    concerns = NoteField(5000, default="")
    # Line i answers values line i: each interviewer hears the proof of what they care about.
    accomplishments = NoteField(5000, default="")

    class Meta:
        indexes = ((("interview", "contact"), True),)


def application_people(applications):
    """(application id, contact id) for everyone in the applications: people added to
    them, interviewers, assistants and the named points of contact. `applications` is a
    list or a query of ids."""
    def among_them(field):
        return field.in_(applications) if isinstance(applications, peewee.Query) \
            else among(field, applications)

    linked = (ApplicationContact.select(ApplicationContact.application.alias("application"),
                                        ApplicationContact.contact.alias("contact"))
              .where(among_them(ApplicationContact.application)))
    seated = (Interviewer.select(Interview.application, Interviewer.contact).join(Interview)
              .where(among_them(Interview.application)))
    hosts = Interview.select(Interview.application, Interview.assistant).where(
        among_them(Interview.application), Interview.assistant.is_null(False))
    # The point of contact gets the check-ins even if they never sat on a panel.
    named = Application.select(Application.id, Application.next_contact).where(
        among_them(Application.id), Application.next_contact.is_null(False))
    named_after = Interview.select(Interview.application, Interview.next_contact).where(
        among_them(Interview.application), Interview.next_contact.is_null(False))
    return linked | seated | hosts | named | named_after


def recent_applications(closed_since, contact_ids=None):
    """The ids of applications still open, or closed on or after `closed_since`; with
    `contact_ids`, only those these contacts take part in or referred the user to."""
    query = Application.select(Application.id).where(
        Application.status.in_(OPEN_STATUSES) | (Application.closed_on >= closed_since))
    if contact_ids is None:
        return query
    # Who takes part is application_people's to say; the referrer is kept out of it.
    people = application_people(query)
    theirs = people.select_from(people.c.application).where(among(people.c.contact, contact_ids))
    return query.where(Application.id.in_(theirs)
                       | among(Application.referrer, contact_ids))
