"""Mail: the mailbox settings, how far each folder was read, the messages that became
touches, the other addresses of contacts, and the people offered for review."""

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from crm.fields import EmailField, LineField, NoteField, RangeField
from crm.models.base import BaseModel, DateTimeField, utcnow
from crm.models.people import Company, Contact, normal_email
from crm.vocabulary import DIRECTIONS, MAIL_SECURITY


class MailAccount(BaseModel):
    """The one mailbox read (id 1): where it is and how the last sync went; never the password."""

    host = LineField(255, default="")
    port = RangeField(1, 65535, "port", default=993)
    security = CharField(default="imaps", choices=MAIL_SECURITY)
    username = LineField(254, default="")
    address = EmailField(default="")  # the user's own address: their letters are outbound
    first_days = RangeField(1, 3650, "days", default=365)
    enabled = BooleanField(default=True)
    last_sync_at = DateTimeField(null=True)
    last_result = NoteField(default="")
    last_error = NoteField(default="")
    failures = IntegerField(default=0)
    next_try_at = DateTimeField(null=True)

    @classmethod
    def current(cls):
        """The mailbox settings, or None before they are first saved."""
        return cls.get_or_none(cls.id == 1)

    def own_addresses(self):
        """The addresses that are the user's: their address, and their login when it is one."""
        return {normal_email(a) for a in (self.address, self.username) if "@" in a}


class MailFolder(BaseModel):
    """How far a folder was read: its UIDVALIDITY and the last UID seen."""

    role = CharField(unique=True)  # "inbox" or "sent"
    name = LineField(255, default="")
    uid_validity = IntegerField(null=True)
    last_uid = IntegerField(default=0)


class MailMessage(BaseModel):
    """A message that became one touch or more: its headers and a short snippet, no body."""

    message_id = CharField(unique=True)
    direction = CharField(choices=DIRECTIONS)
    sent_at = DateTimeField(index=True)  # UTC
    sender = LineField(254, default="")
    sender_name = LineField(200, default="")
    recipients = NoteField(default="")  # To and Cc addresses, one a line
    subject = NoteField(default="")
    snippet = NoteField(default="")
    in_reply_to = TextField(default="")
    created_at = DateTimeField(default=utcnow)


class ContactAddress(BaseModel):
    """Another email address of a contact (their first one is on the contact)."""

    contact = ForeignKeyField(Contact, backref="addresses", on_delete="CASCADE")
    email = EmailField(blank=False, unique=True)

    @classmethod
    def of(cls, contact):
        """The contact's other addresses, in the order given."""
        return [a.email for a in cls.select().where(cls.contact == contact).order_by(cls.id)]

    @classmethod
    def set_for(cls, contact, emails):
        """Make these the contact's other addresses."""
        cls.delete().where(cls.contact == contact).execute()
        if emails:
            cls.insert_many([{"contact": contact.id, "email": e} for e in emails]).execute()


def addresses_taken(emails, contact_id=None):
    """Those of the addresses that already belong to another contact, first or other."""
    if not emails:
        return []
    other = contact_id or 0
    first = Contact.select(Contact.email).where(Contact.email.in_(emails), Contact.id != other)
    second = ContactAddress.select(ContactAddress.email).where(
        ContactAddress.email.in_(emails), ContactAddress.contact != other)
    return sorted({email for (email,) in first.union_all(second).tuples()})


class MailCandidate(BaseModel):
    """Someone who wrote in a thread with a contact or from a company here, offered for review."""

    email = EmailField(blank=False, unique=True)
    name = LineField(200, default="")
    company = ForeignKeyField(Company, null=True, backref="mail_candidates",
                              on_delete="SET NULL")
    reason = NoteField(default="")
    last_subject = NoteField(default="")
    seen_at = DateTimeField(default=utcnow)
    ignored = BooleanField(default=False)

    @classmethod
    def to_review(cls):
        """The people not yet added nor ignored, latest first."""
        return cls.select().where(~cls.ignored).order_by(cls.seen_at.desc(), cls.id.desc())
