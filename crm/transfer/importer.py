"""Bringing contact files in: match the people already here, say what would change, then write.

A person in the file is the same as a contact already here (or as an earlier row of the same
file) when they share an email, a LinkedIn URL, or a name at the same company: the rules of
`Contact.possible_duplicates`, applied through lookup dicts built once per import. Failing
those, a name that only one contact here bears means that contact, unless an email or a
LinkedIn URL on both sides says otherwise: that is how someone who changed jobs is found.

An import fills empty fields and never overwrites what the user typed, with one exception:
a newer company or position for someone already here is a job change. It moves them, and
the old one stays in their history (`JobChange`), which the playbook congratulates on.
"""

from dataclasses import dataclass, field

from peewee import JOIN

from crm import fields
from crm.db import db
from crm.models import (
    Company,
    Contact,
    ContactTag,
    JobChange,
    Tag,
    job_words,
    normal_email,
    normal_linkedin,
    utcnow,
)
from crm.settings import today_for_user
from crm.transfer.csvfile import parse_contacts_csv, sniff_format
from crm.transfer.linkedin import parse_connections
from crm.transfer.records import FormatError, PersonRecord
from crm.transfer.vcard import parse_vcards

PARSERS = {"linkedin": parse_connections, "csv": parse_contacts_csv, "vcard": parse_vcards}
FORMAT_NAMES = {"linkedin": "LinkedIn connections", "csv": "contacts CSV", "vcard": "vCard"}
# What an import may fill in, and how the preview names it. It only fills empty fields:
# what the user typed always wins over what a file says.
FIELD_LABELS = {"title": "title", "company": "company", "email": "email", "phone": "phone",
                "linkedin_url": "LinkedIn URL", "notes": "notes",
                "linkedin_connected": "connected on LinkedIn",
                "linkedin_connected_on": "connection date"}
BATCH = 500  # rows per statement: far below SQLite's limit on bound variables
# What an import may store, by the name its messages give it: checked as the forms check it,
# each field's rules looked up once.
CHECKS = {label: fields.checker(model_field) for label, model_field in (
    ("name", Contact.name), ("title", Contact.title), ("company", Company.name),
    ("email", Contact.email), ("phone", Contact.phone), ("LinkedIn URL", Contact.linkedin_url),
    ("notes", Contact.notes), ("tag", Tag.name))}


@dataclass
class Upload:
    """A parsed contact file: its name, its format and its people."""

    filename: str
    fmt: str
    records: list[PersonRecord]


def read_upload(filename, data):
    """Tell an upload's format from its content and parse it, or raise FormatError."""
    fmt = sniff_format(filename, data)
    records = PARSERS[fmt](data)
    if not records:
        raise FormatError(f"{filename} has no contacts in it.")
    for record in records:
        check(record, fmt)
    return Upload(filename, fmt, records)


@dataclass(eq=False)
class Person:
    """One person an import touches: a contact already here (contact_id set) or a new one."""

    name: str
    contact_id: int | None = None
    current: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    tags: set = field(default_factory=set)  # casefolded, to add each tag once
    new_tags: list = field(default_factory=list)
    moved: bool = False  # a new company or position: a job change, not a filled-in field

    def value(self, name):
        """The field's value once the import is written."""
        return self.changes.get(name, self.current.get(name))

    def added(self):
        """What the import adds to this contact, in words for the preview."""
        moved = ("company", "title") if self.moved else ()
        words = [FIELD_LABELS[name] for name in self.changes if name not in moved]
        return (["new role"] if self.moved else []) + words + [
            f"tag {tag}" for tag in self.new_tags]

    def old_job(self):
        """The position they held here before the import, in words."""
        return job_words(self.current.get("title", ""), self.current.get("company", ""))

    def new_job(self):
        """The position the import moves them to, in words."""
        return job_words(self.value("title") or "", self.value("company") or "")


@dataclass
class Plan:
    """What an import does: people new, updated, and already up to date (skipped)."""

    upload: Upload
    new: list[Person]
    updated: list[Person]
    skipped: list[Person]

    @property
    def moved(self):
        """The people already here whose company or position changed."""
        return [p for p in self.updated if p.moved]

    @property
    def merged_rows(self):
        """Rows that named a person an earlier row of the same file had named."""
        return len(self.upload.records) - len(self.new) - len(self.updated) - len(self.skipped)


class Index:
    """Everyone an import can match, by email, LinkedIn URL and name at a company."""

    def __init__(self):
        self.people = {}
        self.by_name = {}  # casefolded name -> the contacts here bearing it

    @classmethod
    def load(cls):
        """Index the contacts in the database in two queries."""
        index, tags = cls(), {}
        for contact_id, tag in ContactTag.select(ContactTag.contact, Tag.name).join(Tag).tuples():
            tags.setdefault(contact_id, set()).add(tag.casefold())
        columns = {name: getattr(Contact, name) for name in FIELD_LABELS}
        columns["company"] = Company.name
        query = (Contact.select(Contact.id, Contact.name, *columns.values())
                 .join(Company, JOIN.LEFT_OUTER).order_by(Contact.id).tuples())
        for contact_id, name, *values in query:
            current = dict(zip(columns, values, strict=True))
            current["company"] = current["company"] or ""
            person = Person(name, contact_id, current, tags=tags.get(contact_id, set()))
            index.add(person, keys(name, [current["email"]], current["linkedin_url"],
                                   current["company"]))
            index.by_name.setdefault(plain_name(name), []).append(person)
        return index

    def named(self, record):
        """The only contact here with the record's name, unless their email or URL differ."""
        found = self.by_name.get(plain_name(record.name), [])
        if len(found) != 1:
            return None
        person, linkedin = found[0], normal_linkedin(record.linkedin_url)
        emails = {normal_email(email) for email in record.emails}
        if (linkedin and person.current["linkedin_url"] not in ("", linkedin)) or (
                emails and person.current["email"] and person.current["email"] not in emails):
            return None
        return person

    def find(self, person_keys):
        """The person the first of these keys belongs to, or None."""
        return next((self.people[key] for key in person_keys if key in self.people), None)

    def add(self, person, person_keys):
        """Let these keys find the person, unless they already find someone else."""
        for key in person_keys:
            self.people.setdefault(key, person)


def keys(name, emails, linkedin_url, company):
    """The lookup keys of a person, strongest first: emails, LinkedIn URL, name at company."""
    found = [("email", normal_email(email)) for email in emails if email.strip()]
    if linkedin_url:
        found.append(("linkedin", normal_linkedin(linkedin_url)))
    if company:
        found.append(("name", plain_name(name), " ".join(company.split()).casefold()))
    return found


def plain_name(name):
    """A name as names compare: spaces collapsed, case ignored."""
    return " ".join(name.split()).casefold()


def plan(upload, index=None):
    """Match every record of the upload and work out what importing it would change."""
    index = index or Index.load()
    touched = {}
    for record in upload.records:
        record_keys = keys(record.name, record.emails, record.linkedin_url, record.company)
        person = index.find(record_keys) or index.named(record) or Person(record.name)
        merge(person, record, connected=upload.fmt == "linkedin")
        index.add(person, record_keys)
        touched[person] = None  # a dict keeps the order of first appearance
    new = [p for p in touched if p.contact_id is None]
    updated = [p for p in touched if p.contact_id is not None and p.added()]
    skipped = [p for p in touched if p.contact_id is not None and not p.added()]
    return Plan(upload, new, updated, skipped)


def check(record, fmt):
    """Refuse a record holding a value the forms would refuse, naming its row and field.

    The whole file is refused rather than the value cleaned up: a name with a line break or
    a megabyte of title is a sign the columns were misread, which the user should see.
    """
    where = f"{'Card' if fmt == 'vcard' else 'Row'} {record.row}"
    for label, value, written in stored_values(record):
        if not value:
            continue  # nothing to store; the parsers refuse a row without a name
        try:
            CHECKS[label](value)
        except fields.InvalidValue as error:
            raise FormatError(fields.refusal(where, label, written, error)) from None


def stored_values(record):
    """What importing a record may store, as (label, value, value as the file wrote it)."""
    values = [("name", record.name), ("title", record.title), ("company", record.company),
              *(("email", email) for email in record.emails),
              *(("phone", phone) for phone in record.phones),
              ("notes", notes_for(record)), *(("tag", tag) for tag in record.tags)]
    return [(label, value, value) for label, value in values] + [
        ("LinkedIn URL", normal_linkedin(record.linkedin_url), record.linkedin_url)]


def merge(person, record, connected):
    """Fill the person's empty fields and add tags from a record; mark LinkedIn connections."""
    values = {"title": record.title, "company": " ".join(record.company.split()),
              "email": normal_email(record.emails[0]) if record.emails else "",
              "phone": record.phones[0] if record.phones else "",
              "linkedin_url": normal_linkedin(record.linkedin_url), "notes": notes_for(record)}
    if connected:
        values.update(linkedin_connected=True, linkedin_connected_on=record.connected_on)
    if person.contact_id is not None and changed_job(person.current, values):
        person.moved = True
        person.changes.update(company=values["company"], title=values["title"])
    for name, value in values.items():
        if value and not person.value(name):
            person.changes[name] = value
    for tag in record.tags:
        if tag.casefold() not in person.tags:
            person.tags.add(tag.casefold())
            person.new_tags.append(tag)


def changed_job(current, values):
    """Whether a file names another company, or another position there, than the one here.

    Only a file that names a company can say someone moved; a contact here with neither a
    company nor a title has nothing to move from, so the file just fills them in.
    """
    if not values["company"] or not (current["company"] or current["title"]):
        return False
    if plain_name(values["company"]) != plain_name(current["company"] or ""):
        return True
    # The same company and a first title for them is only a field filled in.
    return bool(values["title"] and current["title"]) and (
        plain_name(values["title"]) != plain_name(current["title"]))


def notes_for(record):
    """The record's note, plus the emails, phones and websites a contact has no field for."""
    extra = [("Other emails", record.emails[1:]), ("Other phones", record.phones[1:]),
             ("Websites", record.urls)]
    lines = "\n".join(f"{label}: {', '.join(values)}" for label, values in extra if values)
    return "\n\n".join(part for part in (record.note, lines) if part)


def write(upload, on_progress=None):
    """Import the upload in one transaction; return the plan carried out."""
    progress = on_progress or (lambda count: None)
    with db.atomic():
        done = plan(upload)
        now = utcnow()
        people = done.new + done.updated
        companies = ids_by_name(Company, {p.changes["company"] for p in people
                                          if "company" in p.changes}
                                | {p.current["company"] for p in done.moved
                                   if p.current["company"]})
        tags = ids_by_name(Tag, {tag for p in people for tag in p.new_tags})
        for batch in batches(done.new):
            rows = [contact_row(p, companies, now) for p in batch]
            inserted = Contact.insert_many(rows).returning(Contact.id).tuples().execute()
            for person, (contact_id,) in zip(batch, inserted, strict=True):
                person.contact_id = contact_id
            finish(batch, tags, progress)
        for batch in batches(done.updated):
            for person in batch:
                fields = {**contact_fields(person.changes, companies), "updated_at": now}
                Contact.update(fields).where(Contact.id == person.contact_id).execute()
            finish(batch, tags, progress)
        record_moves(done.moved, companies, upload.filename)
    return done


def record_moves(people, companies, source):
    """Keep the position each person left in their history, dated today."""
    today = today_for_user()
    rows = [{"contact": p.contact_id, "changed_on": today, "source": source[-200:],
             "old_company": companies.get((p.current["company"] or "").casefold()),
             "old_title": p.current["title"] or "", "new_title": p.value("title") or "",
             "new_company": companies.get((p.value("company") or "").casefold())}
            for p in people]
    for batch in batches(rows):
        JobChange.insert_many(batch).execute()


def finish(batch, tags, progress):
    """Tag a batch of written contacts and rebuild their search text."""
    links = [{"contact": p.contact_id, "tag": tags[t.casefold()]} for p in batch
             for t in p.new_tags]
    if links:
        ContactTag.insert_many(links).on_conflict_ignore().execute()
    Contact.reindex(Contact.select().where(Contact.id.in_([p.contact_id for p in batch])))
    progress(len(batch))


def contact_fields(changes, companies):
    """Column values for the changed fields, the company as its id."""
    fields = dict(changes)
    if "company" in fields:
        fields["company"] = companies[fields["company"].casefold()]
    return fields


def contact_row(person, companies, now):
    """A new contact's row; every row has the same columns, as insert_many needs."""
    row = {"title": "", "email": "", "phone": "", "linkedin_url": "", "notes": "",
           "linkedin_connected": False, "linkedin_connected_on": None, "company": None,
           **contact_fields(person.changes, companies)}
    return {**row, "name": person.name, "created_at": now, "updated_at": now}


def ids_by_name(model, names):
    """Map casefolded names to row ids (companies, tags), inserting the names not there yet."""
    def known():
        return {name.casefold(): row_id for row_id, name in
                model.select(model.id, model.name).tuples()}

    ids = known()
    missing = list({name.casefold(): name for name in names if name.casefold() not in ids}
                   .values())
    for batch in batches(missing):
        model.insert_many([{"name": name} for name in batch]).on_conflict_ignore().execute()
    return known() if missing else ids


def batches(items):
    """Split a list into lists of at most BATCH items."""
    return [items[n:n + BATCH] for n in range(0, len(items), BATCH)]


def move_words(person):
    """A job change in words: "Bob Hale: VP Partnerships at Meridian → CRO at Acme"."""
    return f"{person.name}: {person.old_job()} → {person.new_job()}"


def summary(done):
    """A plan's counts in words, for the flash message and the command's last line."""
    moved = f" ({len(done.moved)} with a new role)" if done.moved else ""
    parts = [f"{len(done.new)} new", f"{len(done.updated)} updated{moved}",
             f"{len(done.skipped)} skipped (already up to date)"]
    if done.merged_rows:
        parts.append(f"{done.merged_rows} repeated row{'s' if done.merged_rows > 1 else ''}"
                     " counted once")
    return ", ".join(parts)
