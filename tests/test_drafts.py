"""Drafts: each suggestion comes with a letter worth sending, customised from the history."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jinja2
import pytest
from jinja2.sandbox import SecurityError

from crm.drafts import (
    LINKEDIN_NOTE_LIMIT,
    fit_note,
    letters_environment,
    render_draft,
    shipped_letters_dir,
)
from crm.playbook import (
    KINDS,
    ApplicationFacts,
    ArticleFacts,
    ContactFacts,
    EventFacts,
    History,
    InterviewFacts,
    JobChangeFacts,
    Rules,
    Suggestion,
    TouchFacts,
    suggest,
)

NEW_YORK = ZoneInfo("America/New_York")
FRI = date(2025, 11, 21)
SAT = FRI + timedelta(days=1)
POSITION = "Manager of Partnership Strategy and Service"
SHIPPED = letters_environment([shipped_letters_dir()])

BOB = ContactFacts(
    id=7,
    name="Bob Smith",
    company="Acme",
    role="hiring_manager",
    notes="Yankees fan; took his family to the game on Sunday\nPrefers email",
)


def ideal_interview(**fields):
    values = {
        "id": 12,
        "application_id": 3,
        "position": POSITION,
        "company": "Acme",
        "starts_at": datetime(2025, 11, 21, 10, 0, tzinfo=NEW_YORK),
        "interviewer_ids": (7,),
        "discussed": "turning Partnerships into an internal agency",
        "values": "Committed to improve every day\nExude passion",
        "accomplishments": (
            "Selected for a 10-week training program for high-potential junior talent\n"
            "Secured positions with key players in sports sponsorship\n"
            "Promoted to Account Executive after one year at Acme Company"
        ),
        "concerns": "no agency experience",
        "next_contact": "HR",
    }
    return InterviewFacts.of(**{**values, **fields})


def history(contact=BOB, interview=None, **fields):
    fields.setdefault(
        "applications",
        [
            ApplicationFacts(
                id=3,
                company="Acme",
                position=POSITION,
                status="interviewing",
                contact_ids=(contact.id,),
            )
        ],
    )
    return History(contact=contact, interviews=[interview or ideal_interview()], **fields)


def suggestion_of(kind, found):
    return next(s for s in found if s.kind == kind)


def draft_for(kind, h, today=FRI, env=SHIPPED, **render):
    found = suggest(h, today, NEW_YORK, Rules())
    return render_draft(suggestion_of(kind, found), h, "John Doe", env, **render)


def test_follow_through_draft_reads_like_the_ideal_letter():
    agreed = ApplicationFacts(
        id=3,
        company="Acme",
        position=POSITION,
        status="interviewing",
        check_in_on=date(2025, 12, 2),
    )
    draft = draft_for("followthrough", history(applications=[agreed]))
    assert draft.subject == f"Thank you for our conversation about the {POSITION} position at Acme"
    assert draft.body.startswith("Dear Bob,\n\n[Open with a personal line")
    # The notes are the user's own: beside the draft, never inside what is sent.
    assert "Yankees" not in draft.body and "Prefers email" not in draft.body
    assert draft.private_notes == BOB.notes
    assert (
        f"Thank you for speaking with me on Friday about the {POSITION} position at Acme. "
        "I enjoyed our conversation and am looking forward to the possibility of joining "
        "the team.\n\nWhat stayed with me from our conversation:\n"
        "  - Turning Partnerships into an internal agency\n"
    ) in draft.body
    assert (
        "I believe my past experience shows the values you look for in this role:\n"
        "  - Committed to improve every day: Selected for a 10-week training program for "
        "high-potential junior talent\n"
        "  - Exude passion: Secured positions with key players in sports sponsorship\n"
        "  - Promoted to Account Executive after one year at Acme Company\n"
    ) in draft.body
    assert (
        "You raised a concern that I would like to answer:\n"
        "  - No agency experience. [How your experience answers it.]\n"
    ) in draft.body
    assert (
        "I will stay in touch with HR regarding the hiring process and will check in on "
        "Tue 2 Dec, as we agreed."
    ) in draft.body
    assert draft.body.endswith("Best regards,\nJohn Doe")
    assert "\n\n\n" not in draft.body


def test_each_interviewer_gets_a_letter_of_their_own():
    alice = ContactFacts(id=8, name="Alice Jones", company="Acme", role="interviewer")
    hers = ideal_interview(
        interviewer_ids=(7, 8),
        values="Integrity",
        accomplishments="Built an asset tracking process",
    )
    bobs = draft_for("followthrough", history())
    alices = draft_for("followthrough", history(contact=alice, interview=hers))
    assert alices.body.startswith("Dear Alice,\n\nThank you for speaking with me")
    assert "  - Integrity: Built an asset tracking process" in alices.body
    assert "Integrity" not in bobs.body


def test_letter_without_notes_still_reiterates_the_fit_and_names_the_next_contact():
    plain = ContactFacts(id=7, name="Bob Smith", company="Acme")
    bare = ideal_interview(
        discussed="", values=(), accomplishments=(), concerns=(), next_contact="Bob Smith"
    )
    body = draft_for("followthrough", history(contact=plain, interview=bare)).body
    assert "I enjoyed our conversation and am looking forward" in body
    assert "a strong match for this role: [the strengths they responded to" in body
    assert "concern" not in body
    assert "I will stay in touch with you regarding the hiring process." in body


def test_values_without_accomplishments_leave_a_prompt():
    unproven = ideal_interview(values="Outwork everyone", accomplishments=())
    body = draft_for("followthrough", history(interview=unproven)).body
    assert "  - Outwork everyone: [an accomplishment that proves it]" in body


def test_a_letter_written_late_names_the_full_date():
    h = history()
    found = suggest(h, FRI + timedelta(days=20), NEW_YORK, Rules())
    late = suggestion_of("followthrough", found)
    on_time = render_draft(late, h, "John Doe", SHIPPED)
    assert "speaking with me on Friday about" in on_time.body
    written_late = render_draft(late, h, "John Doe", SHIPPED, today=FRI + timedelta(days=20))
    assert "speaking with me on Friday 21 November about" in written_late.body


def test_linkedin_note_has_no_subject_and_stays_personal():
    draft = draft_for("linkedin", history())
    assert draft.subject == ""
    assert draft.body == (
        f"Hi Bob, thank you for meeting with me on Friday about the {POSITION} position at "
        "Acme. I would like to stay connected, whatever the outcome. I hope we speak again soon."
        "\nJohn Doe"
    )


def test_linkedin_note_is_shortened_to_fit_300_characters():
    long_title = "Senior Vice President of Global Strategic Partnerships and Sponsorship " * 2
    medium = draft_for("linkedin", history(interview=ideal_interview(position=long_title)))
    assert len(medium.body) <= LINKEDIN_NOTE_LIMIT
    assert "whatever the outcome." in medium.body
    assert "I hope we speak again soon." not in medium.body
    assert medium.body.endswith("\nJohn Doe")
    huge = draft_for("linkedin", history(interview=ideal_interview(position=long_title * 3)))
    assert len(huge.body) <= LINKEDIN_NOTE_LIMIT
    assert huge.body.startswith("Hi Bob, thank you for meeting with me on Friday")
    assert huge.body.endswith("…\nJohn Doe")


def test_linkedin_note_after_a_rejection_asks_to_stay_connected():
    rejected = ApplicationFacts(
        id=3, company="Acme", position="Analyst", status="rejected", rejected_on=SAT
    )
    draft = draft_for("linkedin", History(contact=BOB, applications=[rejected]), today=SAT)
    assert draft.body == (
        "Hi Bob, thank you again for considering me for the Analyst position at Acme. I enjoyed "
        "meeting you and would like to stay connected for future openings.\nJohn Doe"
    )


def test_fit_note_drops_closing_sentences_before_cutting_words():
    assert fit_note("Short. Note.\nAnn", 100) == "Short. Note.\nAnn"
    assert fit_note("One two. Three four. Five six.\nAnn", 25) == "One two. Three four.\nAnn"
    cut = fit_note("A sentence with far too many words in it\nAnn", 24)
    assert cut == "A sentence with far…\nAnn"
    assert len(cut) <= 24
    assert fit_note("word " * 100, 30).endswith("…")
    assert len(fit_note("x" * 500, 30)) == 30


def test_a_users_folder_overrides_the_shipped_letters(tmp_path):
    (tmp_path / "followthrough.txt").write_text("Subject: Mine\n\nHello {{ first_name }}!\n")
    env = letters_environment([tmp_path, shipped_letters_dir()])
    mine = draft_for("followthrough", history(), env=env)
    assert (mine.subject, mine.body) == ("Mine", "Hello Bob!")
    assert draft_for("linkedin", history(), env=env).body.startswith("Hi Bob, thank you")


def test_a_missing_user_folder_falls_back_to_the_shipped_letters(tmp_path):
    env = letters_environment([tmp_path / "not-there", shipped_letters_dir()])
    assert draft_for("followthrough", history(), env=env).body.startswith("Dear Bob,")


def test_user_text_is_never_run_as_template_code():
    sly = ContactFacts(id=7, name="Bob {{ 7 * 7 }}", company="Acme", notes="{% raw %}{{ config }}")
    tricky = ideal_interview(
        discussed="{{ sender_name.upper() }}", concerns="{% if 1 %}x{% endif %}"
    )
    body = draft_for("followthrough", history(contact=sly, interview=tricky)).body
    assert "Dear Bob,\n" in body
    assert "  - {{ sender_name.upper() }}" in body
    assert "  - {% if 1 %}x{% endif %}. [How" in body
    assert "49" not in body and "JOHN DOE" not in body


def test_templates_cannot_reach_into_python(tmp_path):
    (tmp_path / "followthrough.txt").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        draft_for("followthrough", history(), env=letters_environment([tmp_path]))


def test_a_typo_in_a_template_fails_loudly(tmp_path):
    (tmp_path / "followthrough.txt").write_text("Dear {{ frist_name }},")
    with pytest.raises(jinja2.UndefinedError):
        draft_for("followthrough", history(), env=letters_environment([tmp_path]))


def test_phone_check_in_is_a_voicemail_script():
    h = history(touches=[TouchFacts(id=1, contact_id=7, on=SAT)])
    draft = draft_for("checkin", h, today=SAT + timedelta(days=7))
    assert draft.subject == ""
    assert draft.body.startswith("[Phone message: leave only one")
    assert f"Hi Bob, this is John Doe, calling about the {POSITION} position at Acme." in draft.body
    assert "flexible" in draft.body


def test_email_check_in_says_still_interested_and_asks_about_the_process():
    by_email = ContactFacts(id=7, name="Bob Smith", company="Acme", preferred_channel="email")
    h = history(contact=by_email, touches=[TouchFacts(id=1, contact_id=7, on=SAT)])
    draft = draft_for("checkin", h, today=SAT + timedelta(days=7))
    assert draft.subject == f"Following up on the {POSITION} position at Acme"
    assert "still very interested" in draft.body
    assert "how the selection process is progressing" in draft.body


def test_keep_in_mind_letter_mentions_linkedin_only_when_not_connected():
    rejected = ApplicationFacts(
        id=3, company="Acme", position="Analyst", status="rejected", rejected_on=SAT
    )
    draft = draft_for("keep_in_mind", History(contact=BOB, applications=[rejected]), today=SAT)
    assert draft.subject == "Thank you, and please keep me in mind"
    assert "keep me in mind for any future positions" in draft.body
    assert "connect on LinkedIn" in draft.body
    connected = ContactFacts(id=7, name="Bob Smith", linkedin_connected=True)
    quiet = History(contact=connected, applications=[rejected])
    assert "LinkedIn" not in draft_for("keep_in_mind", quiet, today=SAT).body


LONG_TERM = ContactFacts(id=7, name="Bob Smith", company="Acme", status="long_term")
LAST = date(2025, 3, 1)


def test_forward_draft_carries_the_article_title_and_link():
    news = ArticleFacts(
        id=40,
        title="Acme opens a fund",
        published=LAST + timedelta(days=80),
        url="https://news.example/acme-fund",
        company="Acme",
    )
    h = History(
        contact=LONG_TERM, touches=[TouchFacts(id=1, contact_id=7, on=LAST)], articles=[news]
    )
    draft = draft_for("stay_in_touch_article", h, today=LAST + timedelta(days=90))
    assert draft.subject == "Thought of you: Acme opens a fund"
    assert "Acme opens a fund\nhttps://news.example/acme-fund" in draft.body


def test_congratulations_draft_names_the_news():
    award = ArticleFacts(
        id=50,
        title="Bob Smith named CFO",
        published=LAST + timedelta(days=20),
        kind="congratulate",
        mentions=7,
    )
    h = History(
        contact=LONG_TERM, touches=[TouchFacts(id=1, contact_id=7, on=LAST)], articles=[award]
    )
    draft = draft_for("congratulate", h, today=LAST + timedelta(days=20))
    assert draft.subject == "Congratulations!"
    assert 'I just read "Bob Smith named CFO". Congratulations' in draft.body


def test_event_draft_names_the_event_place_and_day():
    summit = EventFacts(
        id=5,
        name="Sponsorship Summit",
        starts_on=LAST + timedelta(days=60),
        place="Boston",
        attendee_ids=(7,),
    )
    h = History(
        contact=LONG_TERM, touches=[TouchFacts(id=1, contact_id=7, on=LAST)], events=[summit]
    )
    draft = draft_for("see_you_at_event", h, today=LAST + timedelta(days=50))
    assert "attend Sponsorship Summit in Boston on Wed 30 Apr and hope to see you there" in (
        draft.body
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_shipped_letter(kind):
    everything = History(
        contact=BOB,
        interviews=[ideal_interview(assistant_id=None)],
        applications=[ApplicationFacts(id=3, company="Acme", position="Analyst")],
        articles=[ArticleFacts(id=40, title="Acme news", published=SAT, kind="forward")],
        events=[EventFacts(id=5, name="Expo", starts_on=SAT + timedelta(days=20))],
        job_changes=[JobChangeFacts(id=9, changed_on=SAT, new_title="CRO", new_company="Acme")],
    )
    suggestion = Suggestion(
        key=f"test:{kind}",
        contact_id=7,
        kind=kind,
        title="",
        due=SAT,
        reason="",
        channel="email",
        interview_id=12,
        application_id=3,
        article_id=40,
        event_id=5,
        job_change_id=9,
    )
    draft = render_draft(suggestion, everything, "John Doe", SHIPPED)
    assert bool(draft.subject) == (kind != "linkedin")
    assert "Bob" in draft.body and "John Doe" in draft.body
    assert "{" not in draft.body and "\n\n\n" not in draft.body
    if kind != "linkedin":
        assert "\n\nBest" in draft.body  # the sign-off stands apart
