"""What the playbook knows about one contact: plain immutable records the caller builds.

The records check nothing as they are built (thousands are, per computation):
the caller reads them from columns whose words come from `crm.vocabulary`
and checks those words once per query where it reads them (`crm.followups`).
`InterviewFacts.of` is for interviews written by hand, as tests do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from types import MappingProxyType
from typing import NamedTuple


def lines(value: str | Iterable[str]) -> tuple[str, ...]:
    """The items of a text, one per line, or of a sequence of strings, stripped, without blanks."""
    if not value:
        return ()  # most texts are empty
    if isinstance(value, str):
        value = value.splitlines()
    return tuple(item.strip() for item in value if item.strip())


class ContactFacts(NamedTuple):
    """A person met along the way, with how the user wants to treat them.

    `tags` are their interests, which the playbook weighs news against; the caller may
    leave them out for a contact with no news to weigh.
    """

    id: int
    name: str
    company: str = ""
    title: str = ""
    role: str = "other"
    status: str = "active"
    may_follow_up: bool = True
    cadence_days: int | None = None
    linkedin_connected: bool = False
    notes: str = ""
    email: str = ""
    preferred_channel: str = ""
    tags: tuple[str, ...] = ()

    @property
    def first_name(self) -> str:
        """The name to greet them by: the first word that is not a title like "Dr."."""
        words = [word for word in self.name.split() if not word.endswith(".")]
        return words[0] if words else self.name.strip()


class InterviewFacts(NamedTuple):
    """One interview, seen from the contact whose history holds it.

    `values` and `concerns` are what this contact cares about and asked about;
    `values[i]` is answered by `accomplishments[i]` (this contact's own list) in
    the follow-through letter, and `strengths` go to every interviewer; these
    and `discussed` hold one item each (`lines` splits a text into them).
    `starts_at` carries its time zone. `next_contact` is the point of contact
    the letter names.
    """

    id: int
    starts_at: datetime
    application_id: int | None = None
    position: str = ""
    company: str = ""
    interviewer_ids: tuple[int, ...] = ()
    assistant_id: int | None = None
    discussed: tuple[str, ...] = ()
    strengths: tuple[str, ...] = ()
    next_contact: str = ""
    next_contact_id: int | None = None
    # What one seat of the panel answered, last: the fields above are the same for every seat.
    values: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    accomplishments: tuple[str, ...] = ()

    @classmethod
    def of(cls, **fields: object) -> InterviewFacts:
        """An interview written by hand: texts split into `lines`, the start's time zone checked."""
        record = cls(**fields)
        if record.starts_at.tzinfo is None or record.starts_at.utcoffset() is None:
            raise ValueError("An interview's start time needs a time zone.")
        return record._replace(
            interviewer_ids=tuple(record.interviewer_ids),
            **{name: lines(getattr(record, name)) for name in TEXTS},
        )


# The fields of an interview that hold a list of items, typed as lines of text.
TEXTS = ("discussed", "values", "concerns", "accomplishments", "strengths")
# The fields one seat of a panel answers, the last of an interview's.
SEAT_ANSWERS = ("values", "concerns", "accomplishments")


class ApplicationFacts(NamedTuple):
    """One application, with the dates agreed for hearing back.

    `check_in_with` names the point of contact for the process (often the
    recruiter): when set, only they get its check-ins, the call and the
    updated resume, so a panel of interviewers is not chased one by one.
    `rejected_at` is the local time the rejection was recorded on its day, if known.
    `interviews_at` are the start times of all its interviews, whoever sat on them.
    """

    id: int
    company: str = ""
    position: str = ""
    status: str = "applied"
    applied_on: date | None = None
    decision_expected_on: date | None = None
    check_in_on: date | None = None
    check_in_with: int | None = None
    rejected_on: date | None = None
    closed_on: date | None = None
    rejected_at: time | None = None
    contact_ids: tuple[int, ...] = ()
    referrer_id: int | None = None
    interviews_at: tuple[datetime, ...] = ()


class TouchFacts(NamedTuple):
    """One logged contact: a letter, a call, a reply, a meeting; `at` is the local time if known."""

    id: int
    contact_id: int
    on: date
    at: time | None = None
    channel: str = "email"
    direction: str = "out"
    article_id: int | None = None
    suggestion_key: str | None = None


class ArticleFacts(NamedTuple):
    """A news article worth sending: company news to forward, or news to congratulate on."""

    id: int
    title: str
    published: date
    url: str = ""
    company: str = ""
    summary: str = ""
    kind: str = "forward"
    mentions: int | None = None


class EventFacts(NamedTuple):
    """A conference or association meeting, with the contacts likely to be there."""

    id: int
    name: str
    starts_on: date
    place: str = ""
    url: str = ""
    attendee_ids: tuple[int, ...] = ()


class JobChangeFacts(NamedTuple):
    """A move to another company or position, as the user's own contact file told it."""

    id: int
    changed_on: date
    old_title: str = ""
    old_company: str = ""
    new_title: str = ""
    new_company: str = ""


class SuggestionState(NamedTuple):
    """What the user did with a suggestion: done, snoozed until a date, or skipped."""

    key: str
    state: str
    until: date | None = None
    updated_on: date | None = None


class History(NamedTuple):
    """Everything the playbook needs about one contact.

    `interviews` are those the contact took part in, `applications` those they
    are involved in, `referrals` those they referred the user to (kept apart: a referrer
    is thanked and told the outcome, never chased about the process), `articles` the
    candidates to send them (the playbook still checks relevance and freshness),
    `events` those they are linked to, `job_changes` their recent moves.
    `states` maps each answered suggestion's key to its `SuggestionState`.
    """

    contact: ContactFacts
    interviews: tuple[InterviewFacts, ...] = ()
    applications: tuple[ApplicationFacts, ...] = ()
    referrals: tuple[ApplicationFacts, ...] = ()
    touches: tuple[TouchFacts, ...] = ()
    articles: tuple[ArticleFacts, ...] = ()
    events: tuple[EventFacts, ...] = ()
    job_changes: tuple[JobChangeFacts, ...] = ()
    resume_updated_on: date | None = None
    states: Mapping[str, SuggestionState] = MappingProxyType({})
