"""What the playbook hands back: one suggested action with its timing and reason."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import NamedTuple

# In order of importance: when two suggestions for one person fall in the
# same week, the earlier kind here keeps its date and the other moves.
KINDS = (
    "followthrough",
    "keep_in_mind",
    "referral_outcome",
    "checkin",
    "send_resume",
    "assistant_thanks",
    "referral_thanks",
    "linkedin",
    "congratulate",
    "congratulate_new_role",
    "see_you_at_event",
    "stay_in_touch_article",
    "stay_in_touch",
)
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


class Suggestion(NamedTuple):
    """One thing to do for one contact, when, and why.

    `key` is stable: the same situation always yields the same key, so a done,
    snoozed or skipped state sticks to it; something new yields a new key.
    `late` is the last day the action is on time (None when it has no deadline).
    `fixed` marks dates the advice or the contact set, which are never moved
    to keep a week between notes. `waits_for` is the key of an overdue
    suggestion this one waits behind (it comes due once that one is answered).
    `kind` is one of KINDS: its rank is looked up whenever suggestions are ordered.
    """

    key: str
    contact_id: int
    kind: str
    title: str
    due: date
    reason: str
    channel: str
    late: date | None = None
    fixed: bool = False
    article_id: int | None = None
    event_id: int | None = None
    interview_id: int | None = None
    application_id: int | None = None
    waits_for: str | None = None
    job_change_id: int | None = None

    @property
    def importance(self) -> int:
        """Rank among kinds, 0 being the most important."""
        return _RANK[self.kind]

    def is_late(self, today: date) -> bool:
        """Tell whether the action's deadline has passed."""
        return self.late is not None and today > self.late


def position_phrase(position: str, company: str) -> str:
    """Name a job in words ("the Analyst position at Acme"), or "" when nothing is known."""
    if not (position or company):
        return ""
    job = f"the {position} position" if position else "the position"
    return f"{job} at {company}" if company else job


@lru_cache(maxsize=4096)  # the same few dates come up for thousands of contacts
def format_day(day: date, today: date) -> str:
    """Write a date the short human way ("Fri 20 Nov"), adding the year when it differs."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"
