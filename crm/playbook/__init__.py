"""The follow-up playbook: pure functions from a contact's history and a date to suggestions.

No database, request or clock inside: the caller builds the plain records in
`facts`, passes today's date and the user's time zone, and gets back
`Suggestion`s with stable keys, due dates and reasons in plain words.
"""

from .engine import PLAYBOOK, suggest, suggest_all
from .facts import (
    SEAT_ANSWERS,
    ApplicationFacts,
    ArticleFacts,
    ContactFacts,
    EventFacts,
    History,
    InterviewFacts,
    JobChangeFacts,
    SuggestionState,
    TouchFacts,
    lines,
)
from .guard import TooSoon, too_soon
from .rules import DEFAULT_RULES, RuleField, Rules
from .suggestion import KINDS, Suggestion, format_day, position_phrase

__all__ = [
    "DEFAULT_RULES",
    "KINDS",
    "PLAYBOOK",
    "SEAT_ANSWERS",
    "ApplicationFacts",
    "ArticleFacts",
    "ContactFacts",
    "EventFacts",
    "History",
    "InterviewFacts",
    "JobChangeFacts",
    "RuleField",
    "Rules",
    "Suggestion",
    "SuggestionState",
    "TooSoon",
    "TouchFacts",
    "format_day",
    "lines",
    "position_phrase",
    "suggest",
    "suggest_all",
    "too_soon",
]
