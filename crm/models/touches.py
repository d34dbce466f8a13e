"""Touches: every letter, call, reply and meeting with a contact."""

from peewee import CharField, ForeignKeyField, TimeField

from crm.fields import NoteField
from crm.models.base import BaseModel, DateField, DateTimeField, utcnow
from crm.models.mail import MailMessage
from crm.models.news import Article
from crm.models.people import Contact
from crm.vocabulary import CHANNELS, DIRECTIONS


class Touch(BaseModel):
    # Looked up through the (contact, day, ...) index below, which starts with it (0021).
    contact = ForeignKeyField(Contact, backref="touches", on_delete="CASCADE", index=False)
    happened_on = DateField()
    # Local time of day, when known: what counts as "after the interview" compares times.
    happened_at = TimeField(null=True)
    channel = CharField(default="email", choices=CHANNELS)
    direction = CharField(default="out", choices=DIRECTIONS)  # "in" is a reply
    note = NoteField(default="")
    article = ForeignKeyField(Article, null=True, backref="touches", on_delete="SET NULL")
    suggestion_key = CharField(null=True)
    # The message it was read from; a forgotten mailbox leaves the touch, unlinked.
    mail_message = ForeignKeyField(MailMessage, null=True, backref="touches",
                                   on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        # After the contact and the day, every column the suggestions read: they read a
        # contact's touches from the index alone, never from the rows (migration 0015).
        indexes = (((
            "contact", "happened_on", "happened_at", "channel", "direction", "article",
            "suggestion_key"), False),)
