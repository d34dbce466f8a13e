"""Contacts out of the database as a CSV spreadsheet or vCard address-book file."""

from peewee import JOIN

from crm.models import Company, Contact, ContactTag, Tag
from crm.transfer.csvfile import CONTACT_COLUMNS, write_contacts_csv
from crm.transfer.records import PersonRecord
from crm.transfer.vcard import write_vcards
from crm.vocabulary import LABELS

# Our import reads the first eight columns back; the rest are for the spreadsheet.
CSV_COLUMNS = (*CONTACT_COLUMNS, "Role", "Status", "Connected on LinkedIn", "Last contact",
               "Added")


def contacts_csv(query=None):
    """The contacts (all of them by default) as CSV text for Excel, one row each."""
    rows = []
    for contact, tags in with_tags(query):
        rows.append({
            "Name": contact.name, "Title": contact.title,
            "Company": contact.company.name if contact.company else "",
            "Email": contact.email, "Phone": contact.phone, "LinkedIn": contact.linkedin_url,
            "Tags": tags, "Notes": contact.notes,
            "Role": LABELS["role"].get(contact.role, contact.role),
            "Status": LABELS["status"].get(contact.status, contact.status),
            "Connected on LinkedIn": (contact.linkedin_connected_on
                                      or ("yes" if contact.linkedin_connected else "")),
            "Last contact": contact.last_touch_on, "Added": contact.created_at.date()})
    return write_contacts_csv(rows, CSV_COLUMNS)


def contacts_vcard(query=None):
    """The contacts (all of them by default) as vCard 3.0 text."""
    return write_vcards(record_for(contact, tags) for contact, tags in with_tags(query))


def record_for(contact, tags):
    """A contact as the plain record the vCard writer takes."""
    first, _, last = contact.name.rpartition(" ")
    return PersonRecord(
        name=contact.name, first_name=first, last_name=last,
        emails=(contact.email,) if contact.email else (),
        phones=(contact.phone,) if contact.phone else (),
        company=contact.company.name if contact.company else "", title=contact.title,
        linkedin_url=contact.linkedin_url, note=contact.notes, tags=tuple(tags))


def with_tags(query=None):
    """(contact with company, sorted tag names) for the query's contacts, by name, in 2 queries."""
    query = query or Contact.select()
    contacts = (query.select(Contact, Company).join(Company, JOIN.LEFT_OUTER)
                .order_by(Contact.name, Contact.id))
    tags = {}
    for contact_id, name in (ContactTag.select(ContactTag.contact, Tag.name).join(Tag)
                             .where(ContactTag.contact.in_(query.select(Contact.id)))
                             .order_by(Tag.name).tuples()):
        tags.setdefault(contact_id, []).append(name)
    return [(contact, tags.get(contact.id, [])) for contact in contacts]
