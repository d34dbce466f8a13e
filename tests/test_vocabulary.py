"""Each word of the domain is defined once: the columns, the forms and the playbook agree."""

import pytest

from crm import playbook, vocabulary
from crm.models import Application, ArticleMatch, Contact, Interview, SuggestionState, Touch
from crm.pages.forms import ApplicationForm, ContactForm, InterviewForm, TouchForm

COLUMNS = [
    (Contact.role, vocabulary.ROLES),
    (Contact.status, vocabulary.CONTACT_STATUSES),
    (Contact.preferred_channel, vocabulary.PREFERRED_CHANNELS),
    (Application.status, vocabulary.APPLICATION_STATUSES),
    (Interview.kind, vocabulary.INTERVIEW_KINDS),
    (Touch.channel, vocabulary.CHANNELS),
    (Touch.direction, vocabulary.DIRECTIONS),
    (ArticleMatch.kind, vocabulary.ARTICLE_KINDS),
    (SuggestionState.state, vocabulary.SUGGESTION_STATES),
]


@pytest.mark.parametrize(("column", "choices"), COLUMNS, ids=lambda c: getattr(c, "name", ""))
def test_every_column_with_choices_takes_them_from_the_vocabulary(column, choices):
    assert column.choices is choices


def test_the_forms_offer_the_columns_choices():
    pairs = [(ContactForm.role, vocabulary.ROLES),
             (ContactForm.status, vocabulary.CONTACT_STATUSES),
             (ContactForm.preferred_channel, vocabulary.PREFERRED_CHANNELS),
             (ApplicationForm.status, vocabulary.APPLICATION_STATUSES),
             (InterviewForm.kind, vocabulary.INTERVIEW_KINDS),
             (TouchForm.channel, vocabulary.CHANNELS), (TouchForm.direction, vocabulary.DIRECTIONS)]
    for field, choices in pairs:
        offered = [option.value for option in field.kwargs["choices"]]
        assert offered == list(vocabulary.values(choices))


def test_the_playbook_accepts_every_stored_value_and_refuses_others():
    for role in vocabulary.values(vocabulary.ROLES):
        for status in vocabulary.values(vocabulary.CONTACT_STATUSES):
            playbook.ContactFacts(id=1, name="A", role=role, status=status)
    for channel in vocabulary.values(vocabulary.CHANNELS):
        for direction in vocabulary.values(vocabulary.DIRECTIONS):
            playbook.TouchFacts(id=1, contact_id=1, on=None, channel=channel, direction=direction)
    for status in vocabulary.values(vocabulary.APPLICATION_STATUSES):
        playbook.ApplicationFacts(id=1, status=status)
    for state in vocabulary.values(vocabulary.SUGGESTION_STATES):
        playbook.SuggestionState(key="k", state=state)
    with pytest.raises(ValueError, match="Channel must be one of"):
        playbook.TouchFacts(id=1, contact_id=1, on=None, channel="pigeon")


def test_open_running_and_closed_statuses_split_the_statuses():
    statuses = set(vocabulary.values(vocabulary.APPLICATION_STATUSES))
    assert vocabulary.RUNNING_STATUSES < vocabulary.OPEN_STATUSES
    assert statuses == vocabulary.OPEN_STATUSES | vocabulary.CLOSED_STATUSES
    assert not vocabulary.OPEN_STATUSES & vocabulary.CLOSED_STATUSES
