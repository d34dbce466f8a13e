"""Companies, contacts and their tags: the address book."""

import operator
from functools import reduce

from peewee import JOIN, BooleanField, Case, CharField, ForeignKeyField, TextField, fn

from crm.db import db
from crm.fields import EmailField, LineField, NoteField, RangeField, WebAddressField
from crm.models.base import BaseModel, DateField, DateTimeField, utcnow
from crm.vocabulary import CONTACT_STATUSES, PREFERRED_CHANNELS, ROLES


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

    def label(self):
        """The contact as typed in forms: "Name (Company)" when they have a company."""
        return f"{self.name} ({self.company.name})" if self.company else self.name

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
        if q:
            from crm.search import matching  # it imports this module: read at call time

            query = query.where(matching(cls, q))
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

    @classmethod
    def names_to_offer(cls, company_id):
        """Names to offer in the name fields: people at the company first, then everyone else."""
        here_first = Case(None, [(cls.company == company_id, 0)], 1)
        query = (cls.select(cls.name).where(cls.archived_at.is_null())
                 .order_by(here_first, cls.name).limit(500))
        return list(dict.fromkeys(name for (name,) in query.tuples()))

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
        from crm.models.touches import Touch  # touches name contacts: defined after them

        touch = Touch.create(contact=self, **fields)
        self.refresh_last_touch()
        return touch

    def refresh_last_touch(self):
        """Recompute the date of the latest touch, for sorting by last contact."""
        from crm.models.touches import Touch

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


def match_contacts(names, company):
    """Map each typed name to the contact it means (None: a new one), and ambiguous ones to why.

    A name means the contact of that name at the company, else the only
    contact of that name anywhere; several of them cannot be told apart.
    """
    found, errors = {}, {}
    if not names:
        return found, errors
    candidates = {}
    for contact in Contact.select().where(Contact.name.in_(names)):
        candidates.setdefault(contact.name.casefold(), []).append(contact)
    for name in names:
        same = candidates.get(name.casefold(), [])
        here = [c for c in same if company is not None and c.company_id == company.id]
        choice = here if here else same
        if len(choice) > 1:
            errors[name] = (f"{len(choice)} contacts are called {name}; give them "
                            "different names on their pages first.")
        found[name] = choice[0] if choice else None
    return found, errors


def contacts_for(found, company, role):
    """The matched contacts, creating the new names as contacts at the company."""
    contacts, new_ids = [], []
    for name, contact in found.items():
        if contact is None:
            contact = Contact.create(name=name, company=company, role=role)
            new_ids.append(contact.id)
        contacts.append(contact)
    if new_ids:
        Contact.reindex(Contact.select().where(Contact.id.in_(new_ids)))
    return contacts


def split_label(line):
    """ "Name (Company)", as forms show a contact with a company, as (name, company name); a
    plain name as (name, "")."""
    if line.endswith(")") and " (" in line:
        name, _, company = line[:-1].rpartition(" (")
        return " ".join(name.split()), " ".join(company.split())
    return line, ""


def match_labels(lines):
    """Map lines like "Name" or "Name (Company)" to (name, company name, contact or None: a new
    one), and ambiguous ones to why; a contact named as the whole line is that contact."""
    found, errors = {}, {}
    exact, ambiguous = match_contacts(lines, None)
    for line in lines:
        name, company_name = split_label(line)
        if (exact[line] is not None and line not in ambiguous) or not company_name:
            if line in ambiguous:
                errors[line] = (f"Several contacts are called “{line}”: add their company in "
                                f"brackets, like “{line} (Meridian)”.")
            found[line] = (line, "", exact[line])
            continue
        company = Company.get_or_none(Company.name == company_name)
        here = list(Contact.select().where(Contact.name == name, Contact.company == company)
                    .limit(2)) if company else []
        if len(here) > 1:
            errors[line] = (f"Several contacts at {company.name} are called “{name}”: give them "
                            "different names on their pages first.")
        found[line] = (name, company_name, here[0] if here else None)
    return found, errors


def contacts_for_labels(found, role):
    """The contacts matched by `match_labels`, creating the new ones (and a company named
    for them) as `contacts_for` does."""
    return [contact or contacts_for({name: None}, Company.named(company_name)
                                    if company_name else None, role)[0]
            for name, company_name, contact in found.values()]
