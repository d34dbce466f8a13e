"""Conferences and meetings, who is likely there, and their times."""

from datetime import datetime

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
    TimeField,
)

from crm.fields import LineField, NoteField, TimeZoneField, WebAddressField
from crm.models.base import BaseModel, DateField, DateTimeField, utcnow
from crm.models.people import Company, Contact
from crm.vocabulary import ATTENDANCE, ATTENDING, EVENT_STATUSES


class EventCalendar(BaseModel):
    """A calendar an association or conference publishes: subscribed to by URL, or a file.

    A subscription is fetched as feeds are (validators, backoff, pause after
    too many failures); a file imported once has no URL.
    """

    name = LineField(200, blank=False)
    url = WebAddressField(null=True, unique=True)
    etag = CharField(default="")
    last_modified = CharField(default="")
    last_checked_at = DateTimeField(null=True)
    last_success_at = DateTimeField(null=True)
    next_check_at = DateTimeField(null=True, index=True)
    error_count = IntegerField(default=0)
    last_error = TextField(default="")
    paused = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)


class Event(BaseModel):
    name = LineField(200, blank=False)
    start_on = DateField(index=True)
    end_on = DateField()
    start_time = TimeField(null=True)  # both times empty: an all-day event
    end_time = TimeField(null=True)
    timezone = TimeZoneField(default="UTC")
    place = LineField(200, default="")
    url = WebAddressField(default="")
    notes = NoteField(default="")
    sequence = IntegerField(default=0)  # goes up when the time changes (RFC 5545)
    calendar = ForeignKeyField(EventCalendar, null=True, backref="events", on_delete="SET NULL",
                               index=True)
    uid = CharField(null=True, unique=True)  # as its calendar names it: a refresh finds it again
    status = CharField(default="confirmed", choices=EVENT_STATUSES)
    attendance = CharField(default="going", choices=ATTENDANCE, index=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    @classmethod
    def attending(cls):
        """The events that count: going or interested, and not cancelled."""
        return cls.select().where(cls.attendance.in_(ATTENDING), cls.status != "cancelled")

    @staticmethod
    def timing_problems(start_on, end_on, start_time, end_time):
        """What is wrong with an event's days and times, as (field, message) pairs."""
        problems = []
        if end_on < start_on:
            problems.append(("end_on", "The last day cannot come before the first day."))
        if (start_time is None) != (end_time is None):
            problems.append(("end_time" if end_time is None else "start_time",
                             "Give both times, or neither for an all-day event."))
        elif start_time is not None and (datetime.combine(end_on, end_time)
                                         <= datetime.combine(start_on, start_time)):
            problems.append(("end_time", "The event must end after it starts."))
        return problems

    @classmethod
    def row_problem(cls, row):
        """An event's days and times must make sense, as the form requires."""
        problems = cls.timing_problems(row["start_on"], row["end_on"], row["start_time"],
                                       row["end_time"])
        return problems[0] if problems else None


class EventAttendee(BaseModel):
    event = ForeignKeyField(Event, backref="attendees", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="events", on_delete="CASCADE", index=True)

    class Meta:
        indexes = ((("event", "contact"), True),)


class EventCompany(BaseModel):
    """A company whose people are likely at the event."""

    event = ForeignKeyField(Event, backref="companies", on_delete="CASCADE")
    company = ForeignKeyField(Company, backref="events", on_delete="CASCADE", index=True)

    class Meta:
        indexes = ((("event", "company"), True),)


def people_at(event_ids):
    """Map each event id to the contacts likely there (by hand or by company), in name order."""
    event_ids = list(event_ids)
    pairs = list(EventAttendee.select(EventAttendee.event, EventAttendee.contact)
                 .where(EventAttendee.event.in_(event_ids)).tuples())
    # Archived people stay off the list unless linked by hand.
    pairs.extend(EventCompany.select(EventCompany.event, Contact.id)
                 .join(Contact, on=(EventCompany.company == Contact.company))
                 .where(EventCompany.event.in_(event_ids), Contact.archived_at.is_null())
                 .tuples())
    contacts = {c.id: c for c in Contact.select(Contact, Company).join(Company, JOIN.LEFT_OUTER)
                .where(Contact.id.in_(list({contact_id for _, contact_id in pairs})))}
    result = {}
    for event_id, contact_id in pairs:
        result.setdefault(event_id, {})[contact_id] = contacts[contact_id]
    return {event_id: sorted(people.values(), key=lambda c: (c.name.casefold(), c.id))
            for event_id, people in result.items()}


def companies_at(event):
    """The companies linked to an event, by name."""
    return list(Company.select().join(EventCompany).where(EventCompany.event == event)
                .order_by(Company.name))


def upcoming_for(contact_id, today):
    """The events still ahead that a contact is likely at."""
    company = Contact.select(Contact.company).where(Contact.id == contact_id)
    linked = (EventAttendee.select(EventAttendee.event).where(EventAttendee.contact == contact_id)
              | EventCompany.select(EventCompany.event).where(EventCompany.company.in_(company)))
    return list(Event.attending().where(Event.id.in_(linked), Event.end_on >= today)
                .order_by(Event.start_on, Event.id))


def starts_at(event):
    """The event's start as a naive local datetime, or its first day when all-day."""
    if event.start_time is None:
        return event.start_on
    return datetime.combine(event.start_on, event.start_time)


def ends_at(event):
    """The event's end as a naive local datetime, or its last day when all-day."""
    if event.end_time is None:
        return event.end_on
    return datetime.combine(event.end_on, event.end_time)
