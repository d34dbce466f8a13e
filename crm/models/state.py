"""What the app remembers for the user: answers to suggestions, and settings."""

from peewee import CharField, ForeignKeyField, TextField

from crm.models.base import BaseModel, DateField, DateTimeField, utcnow
from crm.models.people import Contact
from crm.vocabulary import SUGGESTION_STATES


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
