"""Every letter template against the usual ways of typing notes: each reads as correct English,
pairs each value with that interviewer's own proof, and keeps private notes out of the draft."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from crm.drafts import letters_environment, mailto, render_draft, shipped_letters_dir
from crm.playbook import (
    KINDS,
    ApplicationFacts,
    ArticleFacts,
    ContactFacts,
    EventFacts,
    History,
    InterviewFacts,
    JobChangeFacts,
    Suggestion,
)

SHIPPED = letters_environment([shipped_letters_dir()])
ON = date(2025, 11, 22)
PRIVATE = "Loves cycling\nDivorced last year, do not mention"

# How people type notes: (name, the text typed in every note field of the interview).
TYPED = [
    ("capitalised fragment", "The autonomy roadmap and the field-test programme"),
    ("full sentence", "We talked about the autonomy roadmap and the field-test programme."),
    ("lower-case fragment", "little hardware experience"),
    ("several lines", "The autonomy roadmap.\nField tests in Norway\n  how the team ships  "),
    ("ragged punctuation", "Customer empathy; "),
    ("a question", "Can you lead a team of five?"),
]


def interview_with(text, interviewer_ids=(7,)):
    return InterviewFacts.of(
        id=12, application_id=3, position="Analyst", company="Acme",
        starts_at=datetime(2025, 11, 21, 10, tzinfo=ZoneInfo("America/New_York")),
        interviewer_ids=interviewer_ids, discussed=text, values=text, concerns=text,
        accomplishments=text, strengths=text, next_contact="Priya Shah", next_contact_id=9)


def history_with(text):
    contact = ContactFacts(id=7, name="Bob Smith", company="Acme", notes=PRIVATE,
                           email="bob@acme.example")
    return History(
        contact=contact, interviews=[interview_with(text)],
        applications=[ApplicationFacts(id=3, company="Acme", position="Analyst",
                                       status="interviewing", contact_ids=(7,))],
        articles=[ArticleFacts(id=50, title=text.splitlines()[0], published=ON,
                               url="https://acme.example/a", kind="forward")],
        events=[EventFacts(id=5, name="Sponsorship Summit", starts_on=date(2025, 12, 10),
                           place="New York", attendee_ids=(7,))],
        job_changes=[JobChangeFacts(id=8, changed_on=ON, old_title="Analyst", old_company="Acme",
                                    new_title=text.splitlines()[0], new_company="Globex")])


def suggestion(kind):
    channel = {"linkedin": "linkedin_invitation"}.get(kind, "email")
    return Suggestion(key=f"{kind}:test", contact_id=7, kind=kind, title="t", due=ON,
                      reason="r", channel=channel, interview_id=12, application_id=3,
                      article_id=50, event_id=5, job_change_id=8)


def english_problems(body):
    """What a careful reader would stumble on in a letter."""
    problems = []
    for pattern, what in [
        (r"[.!?;,:]\s*[\"”]?[.:;,]", "punctuation twice"),
        (r"[.!?] +and\b", "a sentence running on after its full stop"),
        (r"(?<![.])[.!?] +[a-z]", "a small letter after a full stop"),
        (r"\S  +\S", "two spaces"),
        (r" [.,;:!?]", "a space before punctuation"),
        (r"\n\n\n", "an empty gap"),
        (r"about [A-Z][a-z]+ [a-z]", "a capitalised fragment in mid-sentence"),
    ]:
        if re.search(pattern, body):
            problems.append(what)
    for line in body.splitlines():
        item = line.strip().removeprefix("- ")
        if item.startswith("https://"):
            continue
        if item[:1].islower():
            problems.append(f"a line starting with a small letter: {line!r}")
    return problems


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("style", "text"), TYPED, ids=[name for name, _ in TYPED])
def test_every_letter_reads_as_correct_english_however_the_notes_were_typed(kind, style, text):
    draft = render_draft(suggestion(kind), history_with(text), "John Doe", SHIPPED, today=ON)
    assert english_problems(draft.body) == [], draft.body
    assert english_problems(draft.subject) == [], draft.subject


@pytest.mark.parametrize("kind", KINDS)
def test_private_notes_stay_beside_the_draft_never_in_what_is_sent(kind):
    draft = render_draft(suggestion(kind), history_with("Teamwork"), "John Doe", SHIPPED)
    sent = mailto("bob@acme.example", draft)
    for line in PRIVATE.splitlines():
        assert line not in draft.body and line not in draft.subject
        assert line.replace(" ", "%20") not in sent
    assert draft.private_notes == PRIVATE


def test_each_line_of_notes_becomes_its_own_point():
    text = "The autonomy roadmap.\nField tests in Norway\n  how the team ships  "
    body = render_draft(suggestion("followthrough"), history_with(text), "Jo", SHIPPED).body
    assert (
        "What stayed with me from our conversation:\n"
        "  - The autonomy roadmap.\n"
        "  - Field tests in Norway\n"
        "  - How the team ships\n"
    ) in body
    assert (
        "  - The autonomy roadmap: The autonomy roadmap.\n"
        "  - Field tests in Norway: Field tests in Norway\n"
        "  - How the team ships: How the team ships\n"
    ) in body
    assert (
        "You raised some concerns that I would like to answer:\n"
        "  - The autonomy roadmap. [How your experience answers it.]\n"
        "  - Field tests in Norway. [How your experience answers it.]\n"
    ) in body
    assert "I will stay in touch with Priya Shah regarding the hiring process." in body


def test_each_interviewer_hears_the_proof_of_their_own_values():
    def letter(contact, values, accomplishments):
        interview = InterviewFacts.of(
            id=12, application_id=3, position="Analyst", company="Acme",
            starts_at=datetime(2025, 11, 21, 10, tzinfo=ZoneInfo("America/New_York")),
            interviewer_ids=(7, 8), values=values, accomplishments=accomplishments,
            strengths="Promoted to Account Executive after one year")
        history = History(contact=contact, interviews=[interview])
        return render_draft(suggestion("followthrough"), history, "Jo", SHIPPED).body

    bob = letter(ContactFacts(id=7, name="Bob Smith"), "Integrity", "Built an asset tracker")
    dana = letter(ContactFacts(id=8, name="Dana White"), "Customer empathy",
                  "Ran forty customer interviews.")
    assert "  - Integrity: Built an asset tracker\n" in bob
    assert "  - Customer empathy: Ran forty customer interviews.\n" in dana
    assert "asset tracker" not in dana
    # Strengths for everyone follow each interviewer's own pairs.
    assert "  - Promoted to Account Executive after one year" in bob
    assert "  - Promoted to Account Executive after one year" in dana


def test_the_point_of_contact_reads_with_you_in_their_own_letter():
    interview = interview_with("Teamwork")
    priya = ContactFacts(id=9, name="Priya Shah")
    history = History(contact=priya, interviews=[interview])
    body = render_draft(suggestion("followthrough"), history, "Jo", SHIPPED).body
    assert "I will stay in touch with you regarding the hiring process." in body
