"""Ready-to-edit drafts for suggestions, rendered from plain-text letter templates.

Templates live in `templates/letters/<kind>.txt`; a user's own folder can
override any of them. A template may start with a `Subject:` line. User text
(notes, interview details, article titles) only ever enters as values, never
as template source, and the sandbox keeps a user's template from reaching
into Python.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .playbook import History, InterviewFacts, Suggestion, format_day, position_phrase
from .vocabulary import LINKEDIN_NOTE_LIMIT


@dataclass(frozen=True)
class Draft:
    """A message to edit and send; `subject` is empty for notes and phone messages.

    `private_notes` are the user's own notes about the person ("Loves cycling"),
    shown beside the draft to write the personal line from, never inside it.
    """

    subject: str
    body: str
    private_notes: str = ""


def mailto(address: str, draft: Draft | None = None) -> str:
    """A mailto: link to the address that opens the draft, if any, in the user's mail program."""
    # Quoted whole: an address holding "?bcc=..." must not add a header to the message.
    link = f"mailto:{quote(address, safe='@')}"
    if draft is None:
        return link
    return f"{link}?{urlencode({'subject': draft.subject, 'body': draft.body}, quote_via=quote)}"


def shipped_letters_dir() -> Path:
    """The folder of letter templates that ships with the app."""
    here = Path(__file__).resolve().parent
    # An installed wheel carries the templates inside the package; a checkout has them beside it.
    inside = here / "templates" / "letters"
    return inside if inside.is_dir() else here.parent / "templates" / "letters"


def letters_environment(paths: Sequence[str | os.PathLike[str]]) -> jinja2.Environment:
    """A plain-text template environment searching `paths` in order, so the first folder wins."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([os.fspath(path) for path in paths]),
        autoescape=False,  # the output is the text of an email, not HTML
        undefined=jinja2.StrictUndefined,  # a typo in a template fails loudly, not as a blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # For text typed elsewhere (an article's title) that a template places itself.
    env.filters.update(item=as_item, label=as_label, sentence=as_sentence)
    return env


def render_draft(
    suggestion: Suggestion,
    history: History,
    sender_name: str,
    env: jinja2.Environment,
    today: date | None = None,
) -> Draft:
    """Fill the template for the suggestion's kind with what the contact's history knows.

    `today` (default: the due date) is when the message is written, which decides
    whether "on Friday" is still clear enough.
    """
    template = env.get_template(f"{suggestion.kind}.txt")
    written_on = max(suggestion.due, today) if today else suggestion.due
    text = template.render(_letter_values(suggestion, history, sender_name, written_on))
    subject, body = _split_subject(_tidy(text))
    if suggestion.kind == "linkedin":
        body = fit_note(body)
    return Draft(subject=subject, body=body, private_notes=history.contact.notes.strip())


def fit_note(text: str, limit: int = LINKEDIN_NOTE_LIMIT) -> str:
    """Shorten a note to `limit` characters: drop closing sentences, then cut between words.

    The last line is the sign-off and stays.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    message, _, sign_off = text.rpartition("\n")
    tail = f"\n{sign_off}" if message and len(sign_off) < limit // 2 else ""
    if not tail:
        message = text
    room = limit - len(tail)
    # Split after sentence ends, keeping the spacing with the sentence that follows.
    sentences = re.split(r"(?<=[.!?])(?=\s)", message.strip())
    while len(sentences) > 1 and len("".join(sentences)) > room:
        sentences.pop()
    note = "".join(sentences)
    if len(note) > room:
        cut = note[: room - 1]
        if not note[room - 1].isspace() and " " in cut:
            cut = cut.rsplit(None, 1)[0]  # do not leave half a word
        note = cut.rstrip(" ,;:-") + "…"
    return note + tail


def _letter_values(
    suggestion: Suggestion, history: History, sender_name: str, written_on: date
) -> dict[str, Any]:
    """Everything a letter template may use; each name is always defined."""
    contact = history.contact
    interview = _find(history.interviews, suggestion.interview_id)
    application = _find((*history.applications, *history.referrals), suggestion.application_id)
    job = interview or application
    position = job.position if job else ""
    company = (job.company if job else "") or contact.company
    values = interview.values if interview else ()
    accomplishments = interview.accomplishments if interview else ()
    strengths = interview.strengths if interview else ()
    next_contact = interview.next_contact if interview else ""
    if interview and interview.next_contact_id == contact.id:
        next_contact = ""  # the letter goes to the point of contact: "with you"
    agreed = application.check_in_on if application else None
    event = _find(history.events, suggestion.event_id)
    return {
        "suggestion": suggestion,
        "contact": contact,
        "first_name": contact.first_name,
        "sender_name": sender_name,
        "position": position,
        "company": company,
        "the_position": position_phrase(position, company) or "the position",
        "interview": interview,
        "interview_when": _interview_when(interview, written_on),
        # Typed notes enter as list items and labels, never mid-sentence, so a
        # capitalised fragment, a sentence with its full stop or several lines all read well.
        "discussed": [as_item(line) for line in interview.discussed] if interview else [],
        # Each of this interviewer's values is answered by their own accomplishment.
        "value_pairs": [
            (as_label(value), as_item(accomplishments[i]) if i < len(accomplishments) else "")
            for i, value in enumerate(values)
        ],
        "extra_accomplishments": [
            as_item(a) for a in (*accomplishments[len(values) :], *strengths)
        ],
        "concerns": [as_sentence(concern) for concern in interview.concerns]
        if interview
        else [],
        "next_contact": "" if next_contact == contact.name else next_contact,
        "check_in_on": format_day(agreed, written_on) if agreed and agreed > written_on else "",
        "application": application,
        # Only whether there are notes: what they say stays beside the draft.
        "has_notes": bool(contact.notes.strip()),
        "article": _find(history.articles, suggestion.article_id),
        "event": event,
        "event_day": format_day(event.starts_on, written_on) if event else "",
        "job_change": _find(history.job_changes, suggestion.job_change_id),
    }


def as_item(text: str) -> str:
    """A typed note as a list item: spaces tidied, a capital first letter, its ending as typed."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def as_label(text: str) -> str:
    """A typed note as the label before a colon: a list item without closing punctuation."""
    return as_item(text).rstrip(" .,;:!?")


def as_sentence(text: str) -> str:
    """A typed note as a sentence: a list item that ends with its full stop."""
    item = as_item(text).rstrip(" ,;:")
    return item if item.endswith((".", "!", "?")) else f"{item}."


def _interview_when(interview: InterviewFacts | None, written_on: date) -> str:
    """ "on Friday" within the week, with the full date once that could be ambiguous."""
    if interview is None:
        return ""
    # The interviewer's own calendar day: the time zone the interview was set in.
    held = interview.starts_at
    if written_on - held.date() < timedelta(days=6):
        return f"on {held:%A}"
    return f"on {held:%A} {held.day} {held:%B}"


def _find(records: Iterable[Any], record_id: int | None) -> Any:
    if record_id is None:
        return None
    return next((r for r in records if r.id == record_id), None)


def _tidy(text: str) -> str:
    """Drop trailing spaces and the blank lines that skipped template sections leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _split_subject(text: str) -> tuple[str, str]:
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        return first.partition(":")[2].strip(), rest.strip()
    return "", text
