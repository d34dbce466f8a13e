"""Tables of the whole product, and the named queries the pages use.

The schema itself is created and changed only by the numbered scripts in
`crm/migrations/`; these classes must describe the schema they leave behind.
"""

import operator
from datetime import UTC, date, datetime
from functools import reduce

import peewee
from peewee import (
    JOIN,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    TimeField,
    fn,
)

from crm.db import among, db
from crm.fields import (
    EmailField,
    LineField,
    NoteField,
    RangeField,
    TimeZoneField,
    WebAddressField,
)
from crm.vocabulary import (
    APPLICATION_STATUSES,
    ARTICLE_KINDS,
    CHANNELS,
    CONTACT_STATUSES,
    DIRECTIONS,
    INTERVIEW_KINDS,
    OPEN_STATUSES,
    PREFERRED_CHANNELS,
    ROLES,
    SUGGESTION_STATES,
)


def utcnow():
    """Return the current UTC time as a naive datetime, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


class DateField(peewee.DateField):
    """A date column read with `date.fromisoformat`.

    peewee tries strptime formats one by one on SQLite's text, which made
    reading dates a large share of computing the suggestions.
    """

    def python_value(self, value):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                pass
        return super().python_value(value)


class DateTimeField(peewee.DateTimeField):
    """A date-and-time column read with `datetime.fromisoformat` (see DateField)."""

    def python_value(self, value):
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        return super().python_value(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def row_problem(cls, row):
        """What is wrong across a row's fields (name -> value), as (field, message), or None."""
        return None


class Company(BaseModel):
    name = LineField(200, blank=False, unique=True, collation="NOCASE")
    website = WebAddressField(default="")
    notes = NoteField(default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    @classmethod
    def named(cls, name):
        """Return the company with this name (any case), creating it if new."""
        name = " ".join(name.split())
        company = cls.get_or_none(cls.name == name)
        return company or cls.create(name=name)


class Contact(BaseModel):
    name = LineField(200, blank=False, collation="NOCASE", index=True)
    title = LineField(200, default="")
    company = ForeignKeyField(Company, null=True, backref="contacts", on_delete="SET NULL")
    email = EmailField(default="", index=True)
    phone = LineField(50, default="")
    linkedin_url = WebAddressField(default="", index=True)
    role = CharField(default="other", index=True, choices=ROLES)
    preferred_channel = CharField(default="", choices=PREFERRED_CHANNELS)
    may_follow_up = BooleanField(default=True)
    linkedin_connected_on = DateField(null=True)
    linkedin_connected = BooleanField(default=False)
    cadence_days = RangeField(7, 3650, "days", null=True)
    status = CharField(default="active", index=True, choices=CONTACT_STATUSES)
    notes = NoteField(default="")
    # Casefolded name, title, email, company, tags and notes: one column to
    # search makes the list page a single scan instead of six LIKEs and joins.
    search_text = TextField(default="")
    last_touch_on = DateField(null=True, index=True)
    archived_at = DateTimeField(null=True, index=True)
    created_at = DateTimeField(default=utcnow, index=True)
    updated_at = DateTimeField(default=utcnow)

    SORTS = {
        "name": "Name",
        "company": "Company",
        "last_contact": "Last contact",
        "added": "Date added",
    }

    @property
    def archived(self):
        """Whether the contact is archived (hidden from the default list)."""
        return self.archived_at is not None

    @classmethod
    def browse(cls, q="", status="", role="", company="", tag="", sort="name",
               archived=False):
        """Contacts matching a search and filters, in the chosen order, with their company."""
        query = (cls.select(cls, Company)
                 .join(Company, JOIN.LEFT_OUTER)
                 .where(cls.archived_at.is_null(not archived)))
        for word in q.casefold().split():
            query = query.where(fn.instr(cls.search_text, word) > 0)
        if status:
            query = query.where(cls.status == status)
        if role:
            query = query.where(cls.role == role)
        if company:
            query = query.where(Company.name == company)
        if tag:
            tagged = ContactTag.select(ContactTag.contact).join(Tag).where(Tag.name == tag)
            query = query.where(cls.id.in_(tagged))
        order = {
            "company": (Company.name.asc(nulls="LAST"), cls.name),
            "last_contact": (cls.last_touch_on.desc(nulls="LAST"), cls.name),
            "added": (cls.created_at.desc(), cls.id.desc()),
        }.get(sort, (cls.name, cls.id))
        return query.order_by(*order)

    @classmethod
    def possible_duplicates(cls, email="", linkedin_url="", name="", company=None,
                            exclude_id=None):
        """Contacts with the same email, the same LinkedIn URL, or the same name at the company."""
        same = []
        if email:
            same.append(cls.email == normal_email(email))
        if linkedin_url:
            same.append(cls.linkedin_url == normal_linkedin(linkedin_url))
        if name and company is not None:
            same.append((cls.name == name.strip()) & (cls.company == company))
        if not same:
            return []
        query = cls.select().where(reduce(operator.or_, same))
        if exclude_id is not None:
            query = query.where(cls.id != exclude_id)
        return list(query.limit(5))

    def tag_names(self):
        """The contact's tags, sorted."""
        return sorted((t.name for t in Tag.select().join(ContactTag)
                       .where(ContactTag.contact == self)), key=str.casefold)

    def set_tags(self, names):
        """Replace the contact's tags by these names, creating new tags as needed."""
        ContactTag.delete().where(ContactTag.contact == self).execute()
        for name in dict.fromkeys(n.strip() for n in names if n.strip()):
            tag = Tag.get_or_none(Tag.name == name) or Tag.create(name=name)
            ContactTag.create(contact=self, tag=tag)

    @classmethod
    def reindex(cls, query):
        """Rebuild search_text for the contacts in the query (after a rename or new tags)."""
        rows = (query.select(cls.id, cls.name, cls.title, cls.email, Company.name, cls.notes)
                .join(Company, JOIN.LEFT_OUTER).tuples())
        tags = tags_by_contact(query.select(cls.id))
        texts = [("\n".join([name, title, email, company or "", " ".join(tags.get(pk, [])),
                              notes]).casefold(), pk)
                 for pk, name, title, email, company, notes in rows]
        # One prepared statement for every row: an import reindexes thousands at once.
        db.cursor().executemany(
            f'UPDATE "contact" SET "search_text" = {db.param} WHERE "id" = {db.param}', texts)

    def record_touch(self, **fields):
        """Log a touch with this contact and keep its last-contact date current."""
        touch = Touch.create(contact=self, **fields)
        self.refresh_last_touch()
        return touch

    def refresh_last_touch(self):
        """Recompute the date of the latest touch, for sorting by last contact."""
        latest = (Touch.select(fn.MAX(Touch.happened_on))
                  .where(Touch.contact == self).scalar())
        Contact.update(last_touch_on=latest).where(Contact.id == self.id).execute()
        self.last_touch_on = latest


class Tag(BaseModel):
    name = LineField(100, blank=False, unique=True, collation="NOCASE")


class ContactTag(BaseModel):
    contact = ForeignKeyField(Contact, backref="contact_tags", on_delete="CASCADE")
    tag = ForeignKeyField(Tag, backref="contact_tags", on_delete="CASCADE", index=True)

    class Meta:
        indexes = ((("contact", "tag"), True),)


class Application(BaseModel):
    company = ForeignKeyField(Company, backref="applications", on_delete="CASCADE")
    position = LineField(200, blank=False)
    status = CharField(default="applied", index=True, choices=APPLICATION_STATUSES)
    applied_on = DateField(null=True)
    decision_expected_on = DateField(null=True)
    check_in_on = DateField(null=True)
    closed_on = DateField(null=True)
    next_steps = NoteField(default="")
    next_contact = LineField(200, default="")  # "HR (Priya Shah)", named in the letters
    notes = NoteField(default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class ApplicationContact(BaseModel):
    """A person involved in an application without (yet) an interview: a recruiter."""

    application = ForeignKeyField(Application, backref="people", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="application_links", on_delete="CASCADE",
                              index=True)

    class Meta:
        indexes = ((("application", "contact"), True),)


class Interview(BaseModel):
    application = ForeignKeyField(Application, backref="interviews", on_delete="CASCADE")
    starts_at = DateTimeField()  # local wall time in `timezone`
    timezone = TimeZoneField(default="UTC")
    kind = CharField(default="onsite", choices=INTERVIEW_KINDS)
    location = LineField(255, default="")
    assistant = ForeignKeyField(Contact, null=True, backref="hosted_interviews",
                                on_delete="SET NULL")
    discussed = NoteField(default="")
    accomplishments = NoteField(default="")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class Interviewer(BaseModel):
    interview = ForeignKeyField(Interview, backref="interviewers", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="interviews_taken", on_delete="CASCADE",
                              index=True)
    values = NoteField(5000, default="")  # what this interviewer said they care about
    concerns = NoteField(5000, default="")

    class Meta:
        indexes = ((("interview", "contact"), True),)


def application_people(applications):
    """(application id, contact id) for everyone in the applications: people added to
    them, interviewers and assistants. `applications` is a list or a query of ids."""
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
    return linked | seated | hosts


def recent_applications(closed_since):
    """The ids of applications still open, or closed on or after `closed_since`."""
    return Application.select(Application.id).where(
        Application.status.in_(OPEN_STATUSES) | (Application.closed_on >= closed_since))


class Feed(BaseModel):
    company = ForeignKeyField(Company, null=True, backref="feeds", on_delete="CASCADE")
    url = CharField(unique=True)
    title = CharField(default="")
    site_url = CharField(default="")
    kind = CharField(default="feed")  # "feed" or "news_search"
    etag = CharField(default="")
    last_modified = CharField(default="")
    last_checked_at = DateTimeField(null=True)
    last_success_at = DateTimeField(null=True)
    next_check_at = DateTimeField(null=True, index=True)
    error_count = IntegerField(default=0)
    last_error = TextField(default="")
    paused = BooleanField(default=False)
    locked_until = DateTimeField(null=True)  # a refresh holds the feed until then
    created_at = DateTimeField(default=utcnow)


class Article(BaseModel):
    feed = ForeignKeyField(Feed, backref="articles", on_delete="CASCADE")
    identity = CharField()  # guid, else link, else a hash of title and date
    link = CharField(default="", index=True)
    title = CharField(default="")
    summary_html = TextField(default="")  # sanitized by feedparser on the way in
    published_at = DateTimeField(index=True)
    first_seen_at = DateTimeField(default=utcnow)
    # The first stored copy of the same link from another feed: listed once, under that copy.
    duplicate_of = ForeignKeyField("self", null=True, backref="duplicates", on_delete="SET NULL")

    class Meta:
        indexes = ((("feed", "identity"), True),)


class ArticleMatch(BaseModel):
    """An article worth sending to a contact: news of their company, their interests, or them."""

    article = ForeignKeyField(Article, backref="matches", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="article_matches", on_delete="CASCADE",
                              index=True)
    kind = CharField(default="forward", choices=ARTICLE_KINDS)
    reason = CharField(default="")

    class Meta:
        indexes = ((("article", "contact"), True),)


class Touch(BaseModel):
    contact = ForeignKeyField(Contact, backref="touches", on_delete="CASCADE")
    happened_on = DateField()
    channel = CharField(default="email", choices=CHANNELS)
    direction = CharField(default="out", choices=DIRECTIONS)  # "in" is a reply
    note = NoteField(default="")
    article = ForeignKeyField(Article, null=True, backref="touches", on_delete="SET NULL")
    suggestion_key = CharField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("contact", "happened_on"), False),)


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
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

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


class SuggestionState(BaseModel):
    """What the user did with a playbook suggestion: done, snoozed or skipped."""

    key = CharField(unique=True)
    contact = ForeignKeyField(Contact, null=True, backref="suggestion_states",
                              on_delete="CASCADE")
    state = CharField(choices=SUGGESTION_STATES)
    until = DateField(null=True)  # snoozed until
    updated_at = DateTimeField(default=utcnow)


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()  # JSON


def normal_email(email):
    """Emails compare without case or surrounding space."""
    return email.strip().lower()


def normal_linkedin(url):
    """LinkedIn profile URLs compare without scheme, www, case, query or trailing slash."""
    url = url.strip().lower().split("?")[0].split("#")[0].rstrip("/")
    url = url.removeprefix("https://").removeprefix("http://")
    if url.startswith("linkedin.com"):
        url = "www." + url
    return "https://" + url if url else ""


def tags_by_contact(contact_ids):
    """Map each contact id to its sorted tag names, in one query."""
    result = {}
    query = (ContactTag.select(ContactTag.contact, Tag.name).join(Tag)
             .where(ContactTag.contact.in_(contact_ids)).order_by(Tag.name).tuples())
    for contact_id, name in query:
        result.setdefault(contact_id, []).append(name)
    return result


MODELS = [Company, Contact, Tag, ContactTag, Application, ApplicationContact, Interview,
          Interviewer, Feed, Article, ArticleMatch, Touch, Event, EventAttendee, EventCompany,
          SuggestionState, Setting]
