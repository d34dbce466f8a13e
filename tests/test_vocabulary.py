"""Each word of the domain is defined once: the columns, the forms and the playbook agree."""

import pytest

from crm import followups, vocabulary
from crm.models import Application, ArticleMatch, Contact, Interview, SuggestionState, Touch
from crm.pages.forms import ApplicationForm, ContactForm, InterviewForm, TouchForm
from crm.settings import today_for_user, user_timezone

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


# Rows written from outside the app, each with a word the vocabulary does not know (or a
# cadence the forms refuse).
BAD_WORDS = {
    "role": ("UPDATE contact SET role = 'boss'", "Role must be one of .*, not 'boss'"),
    "status": ("UPDATE contact SET status = 'lurking'", "Status must be one of"),
    "preferred channel": ("UPDATE contact SET preferred_channel = 'fax'",
                          "Preferred channel must be one of"),
    "cadence": ("UPDATE contact SET cadence_days = 0", "Cadence must be at least one day"),
    "channel": ("UPDATE touch SET channel = 'pigeon'", "Channel must be one of .*, not 'pigeon'"),
    "direction": ("UPDATE touch SET direction = 'sideways'", "Direction must be one of"),
    "application status": ("UPDATE application SET status = 'ghosted'",
                           "Application status must be one of"),
    "suggestion state": ("INSERT INTO suggestion_state (key, contact_id, state, updated_at) "
                         "SELECT 'k' || id, id, 'maybe', '2026-01-01 00:00:00' FROM contact",
                         "Suggestion state must be one of .*, not 'maybe'"),
}


@pytest.mark.parametrize(("write", "message"), BAD_WORDS.values(), ids=BAD_WORDS.keys())
def test_suggestions_refuse_a_stored_word_the_vocabulary_does_not_know(seeded, write, message):
    # The playbook's records check nothing: the words are checked where the rows are read.
    today, tz = today_for_user(), user_timezone()
    assert followups.compute(today, tz).suggestions
    seeded.execute_sql(write)
    with pytest.raises(ValueError, match=message):
        followups.compute(today, tz)


def test_open_running_and_closed_statuses_split_the_statuses():
    statuses = set(vocabulary.values(vocabulary.APPLICATION_STATUSES))
    assert vocabulary.RUNNING_STATUSES < vocabulary.OPEN_STATUSES
    assert statuses == vocabulary.OPEN_STATUSES | vocabulary.CLOSED_STATUSES
    assert not vocabulary.OPEN_STATUSES & vocabulary.CLOSED_STATUSES
