"""The follow-up playbook: every row of the table, and the edges users will hit."""

import gc
import itertools
from datetime import UTC, date, datetime, time

import pytest
from support import (
    BERLIN,
    BOB,
    FILLED_ON,
    FRI,
    LAST,
    NEW_YORK,
    SAT,
    application,
    days,
    fill_every_table,
    interview,
    interviewing,
    long_term,
    of_kind,
    one,
    out,
    reply,
    run,
    state,
)

from crm import followups
from crm.models import Contact, Touch
from crm.playbook import (
    DEFAULT_RULES,
    SEAT_ANSWERS,
    ArticleFacts,
    ContactFacts,
    EventFacts,
    History,
    InterviewFacts,
    Rules,
    format_day,
    suggest_all,
)
from crm.playbook.context import Context
from crm.playbook.engine import NEEDS, PLAYBOOK, rows_for
from crm.playbook.long_term import stay_in_touch
from crm.settings import set_setting

# --- after the interview -------------------------------------------------


def test_followthrough_letter_is_due_the_day_after_and_late_after_48_hours():
    letter = one("followthrough", run(interviewing(), FRI))
    assert FRI.weekday() == 4
    assert letter.key == "followthrough:interview:12:contact:7"
    assert letter.title == "Send Bob Smith a follow-through letter"
    assert (letter.due, letter.late) == (SAT, FRI + days(2))
    assert letter.reason == (
        "Interview on Fri 21 Nov for the Analyst position at Acme; the follow-through "
        "letter is due the day after and late after Sun 23 Nov."
    )
    assert (letter.channel, letter.interview_id, letter.application_id) == ("email", 12, 3)
    assert not letter.is_late(FRI + days(2))
    assert letter.is_late(FRI + days(3))


def test_each_interviewer_gets_their_own_letter():
    panel = interview(interviewers=(7, 8))
    alice = ContactFacts(id=8, name="Alice Jones", company="Acme", role="interviewer")
    both = suggest_all(
        [interviewing(interviews=[panel]), interviewing(contact=alice, interviews=[panel])],
        FRI,
        NEW_YORK,
        Rules(),
    )
    letters = of_kind("followthrough", both)
    assert [s.key for s in letters] == [
        "followthrough:interview:12:contact:8",
        "followthrough:interview:12:contact:7",
    ]
    assert [s.title for s in letters] == [
        "Send Alice Jones a follow-through letter",
        "Send Bob Smith a follow-through letter",
    ]


def test_late_evening_interview_counts_on_the_users_local_day():
    # 23:30 on Friday in New York is already Saturday 04:30 in UTC.
    evening = interview(hour=23, minute=30)
    letter = one("followthrough", run(interviewing(interviews=[evening]), FRI))
    assert letter.due == SAT
    assert letter.reason.startswith("Interview on Fri 21 Nov")
    stored_in_utc = interview(day=SAT, hour=4, minute=30, tz=UTC)
    assert one("followthrough", run(interviewing(interviews=[stored_in_utc]), SAT)).due == SAT


def test_interview_just_after_midnight_local_is_due_the_next_day():
    # 23:30 on Friday in UTC is 00:30 on Saturday in Berlin.
    late_utc = interview(hour=23, minute=30, tz=UTC)
    in_berlin = one("followthrough", run(interviewing(interviews=[late_utc]), SAT, tz=BERLIN))
    assert in_berlin.due == SAT + days(1)
    assert in_berlin.reason.startswith("Interview on Sat 22 Nov")
    in_utc = one("followthrough", run(interviewing(interviews=[late_utc]), SAT, tz=UTC))
    assert in_utc.due == SAT


def test_interview_logged_late_still_suggests_the_letter_once():
    today = FRI + days(20)
    letter = one("followthrough", run(interviewing(), today))
    assert letter.due == SAT
    assert letter.is_late(today)
    done = interviewing(states={letter.key: state(letter.key, "done")})
    assert of_kind("followthrough", run(done, today)) == []
    skipped = interviewing(states=[state(letter.key, "skipped")])
    assert of_kind("followthrough", run(skipped, today + days(30))) == []


def test_an_email_after_the_interview_counts_as_the_letter():
    assert of_kind("followthrough", run(interviewing(out(FRI, at=time(15, 30))), SAT)) == []
    assert of_kind("followthrough", run(interviewing(out(SAT)), SAT)) == []


def test_a_morning_email_before_the_interview_is_not_the_letter():
    confirming = out(FRI, at=time(8, 15))  # "confirming 10:00"
    letter = one("followthrough", run(interviewing(confirming), SAT))
    assert letter.due == SAT
    # Without a time it may have been either: the letter stays until Done or Skip says.
    assert of_kind("followthrough", run(interviewing(out(FRI)), SAT)) != []
    call = out(SAT, "phone")
    assert of_kind("followthrough", run(interviewing(call), SAT))


def test_a_later_interview_replaces_the_unsent_letter():
    rounds = [interview(id=12), interview(id=13, day=FRI + days(4))]
    letters = of_kind("followthrough", run(interviewing(interviews=rounds), FRI + days(5)))
    assert [s.key for s in letters] == ["followthrough:interview:13:contact:7"]


def test_scheduled_interview_puts_its_letter_on_the_calendar_ahead():
    found = run(interviewing(), FRI - days(5))
    assert one("followthrough", found).due == SAT
    assert of_kind("checkin", found) == []


def test_rejection_replaces_the_unsent_follow_through_letter():
    rejected = application(status="rejected", rejected_on=SAT)
    found = run(interviewing(applications=[rejected]), SAT + days(1))
    assert of_kind("followthrough", found) == []
    assert one("keep_in_mind", found).due == SAT + days(1)


@pytest.mark.parametrize("status", ["withdrawn", "hired"])
def test_no_follow_through_letter_once_the_process_is_decided(status):
    found = run(interviewing(applications=[application(status=status)]), SAT)
    assert found == []


def test_linkedin_invitation_goes_with_the_letter_within_two_days():
    invite = one("linkedin", run(interviewing(), FRI))
    assert invite.key == "linkedin:interview:12:contact:7"
    assert invite.title == "Invite Bob Smith to connect on LinkedIn"
    assert (invite.due, invite.late, invite.channel) == (SAT, FRI + days(2), "linkedin_invitation")
    assert "whatever the outcome" in invite.reason


def test_no_linkedin_invitation_when_connected_or_already_invited():
    connected = ContactFacts(id=7, name="Bob Smith", linkedin_connected=True)
    assert of_kind("linkedin", run(interviewing(contact=connected), FRI)) == []
    assert of_kind("linkedin", run(interviewing(out(FRI, "linkedin_invitation")), SAT)) == []


def test_assistant_gets_a_thank_you_and_nothing_else():
    carol = ContactFacts(id=9, name="Carol Diaz", company="Acme", role="assistant")
    hosted = interview(assistant_id=9)
    history = interviewing(contact=carol, interviews=[hosted], applications=[application()])
    thanks = one("assistant_thanks", run(history, FRI))
    assert [s.kind for s in run(history, FRI)] == ["assistant_thanks"]
    assert thanks.key == "assistant_thanks:interview:12:contact:9"
    assert thanks.title == "Thank Carol Diaz for their hospitality"
    assert (thanks.due, thanks.late) == (SAT, FRI + days(2))
    thanked = interviewing(out(SAT, contact_id=9), contact=carol, interviews=[hosted])
    assert run(thanked, SAT + days(30)) == []
    rejected = application(status="rejected", rejected_on=SAT + days(3))
    after = interviewing(
        out(SAT, contact_id=9), contact=carol, interviews=[hosted], applications=[rejected]
    )
    assert run(after, SAT + days(200)) == []


# --- checking in ---------------------------------------------------------


def test_first_check_in_is_a_phone_message_a_week_after_the_letter():
    check = one("checkin", run(interviewing(out(SAT)), SAT + days(7)))
    assert check.key == "checkin:contact:7:run:2025-11-21:try:2"
    assert (check.due, check.channel) == (SAT + days(7), "phone")
    assert check.title == "Call Bob Smith to check in"
    assert check.reason.startswith("No answer since your email on Sat 22 Nov")
    assert "(try 2 of 3)" in check.reason
    assert check.application_id == 3


def test_after_the_phone_message_the_next_check_in_is_an_email():
    history = interviewing(out(SAT), out(SAT + days(7), "voicemail"))
    check = one("checkin", run(history, SAT + days(14)))
    assert (check.due, check.channel, check.title) == (
        SAT + days(14),
        "email",
        "Check in with Bob Smith",
    )
    assert "(try 3 of 3)" in check.reason


def test_third_unanswered_try_stops_suggestions():
    history = interviewing(out(SAT), out(SAT + days(7), "voicemail"), out(SAT + days(14)))
    for later in (14, 21, 60, 365):
        assert of_kind("checkin", run(history, SAT + days(later))) == []


def test_a_reply_resets_the_three_tries():
    history = interviewing(
        out(SAT), out(SAT + days(7), "voicemail"), out(SAT + days(14)), reply(SAT + days(16))
    )
    check = one("checkin", run(history, SAT + days(23)))
    assert check.due == SAT + days(23)
    assert check.key == "checkin:contact:7:run:2025-12-08:try:1"
    assert "(try 1 of 3)" in check.reason


def test_a_reply_on_the_day_of_a_check_in_moves_it_a_week_on():
    history = interviewing(out(SAT), reply(SAT + days(7)))
    check = one("checkin", run(history, SAT + days(7)))
    assert check.due == SAT + days(14)
    assert check.reason.startswith("Last heard from them on Sat 29 Nov")


def test_a_new_interview_starts_a_new_run_of_tries():
    unanswered = [out(SAT), out(SAT + days(7), "voicemail"), out(SAT + days(14))]
    second_round = FRI + days(20)
    rounds = [interview(id=12), interview(id=13, day=second_round)]
    history = interviewing(*unanswered, out(second_round + days(1)), interviews=rounds)
    check = one("checkin", run(history, second_round + days(8)))
    # The voicemail of the first round was the process's one call: this try is an email.
    assert (check.due, check.channel) == (second_round + days(8), "email")
    assert "(try 2 of 3)" in check.reason


def test_a_meeting_counts_as_an_answer():
    history = interviewing(out(SAT), out(SAT + days(7), "voicemail"), out(SAT + days(9), "meeting"))
    check = one("checkin", run(history, SAT + days(16)))
    assert "(try 1 of 3)" in check.reason


def test_only_one_phone_call_per_unanswered_run():
    called_first = interviewing(out(SAT, "phone"))
    assert one("checkin", run(called_first, SAT + days(7))).channel == "email"
    no_calls = Rules(max_phone_calls=0)
    assert one("checkin", run(interviewing(out(SAT)), SAT + days(7), no_calls)).channel == "email"
    two_emails = interviewing(out(SAT), out(SAT + days(7)))
    assert one("checkin", run(two_emails, SAT + days(14))).channel == "phone"


def test_never_two_notes_within_seven_days():
    hurried = Rules(checkin_interval_days=3)
    assert one("checkin", run(interviewing(out(SAT)), SAT, hurried)).due == SAT + days(7)
    extra_note = interviewing(out(SAT), out(SAT + days(3)))
    assert one("checkin", run(extra_note, SAT + days(3))).due == SAT + days(10)


def test_agreed_check_in_date_stands_even_soon_after_the_letter():
    agreed = application(check_in_on=SAT + days(3))
    found = run(interviewing(out(SAT), applications=[agreed]), SAT)
    check = one("checkin", found)
    assert check.key == "checkin:application:3:contact:7:on:2025-11-25"
    assert (check.due, check.fixed) == (SAT + days(3), True)
    assert check.reason.startswith(
        "You agreed to check in on Tue 25 Nov for the Analyst position at Acme."
    )


def test_decision_date_check_in_keeps_a_week_after_the_last_note():
    expected = application(decision_expected_on=SAT + days(3))
    check = one("checkin", run(interviewing(out(SAT), applications=[expected]), SAT))
    assert (check.due, check.fixed) == (SAT + days(7), False)
    assert "was expected on Tue 25 Nov" in check.reason
    assert "Wait until Sat 29 Nov" in check.reason


def test_agreed_check_in_is_over_once_you_have_talked_since():
    agreed = application(check_in_on=SAT + days(3))
    history = interviewing(out(SAT), out(SAT + days(3)), applications=[agreed])
    check = one("checkin", run(history, SAT + days(3)))
    assert check.key == "checkin:contact:7:run:2025-11-21:try:3"
    assert check.due == SAT + days(10)


def test_a_far_decision_date_holds_back_weekly_check_ins():
    later = application(decision_expected_on=FRI + days(40))
    check = one("checkin", run(interviewing(out(SAT), applications=[later]), SAT + days(7)))
    assert check.due == FRI + days(40)


def test_no_check_in_while_another_interview_is_ahead():
    rounds = [interview(id=12), interview(id=13, day=FRI + days(10))]
    assert of_kind("checkin", run(interviewing(out(SAT), interviews=rounds), SAT + days(7))) == []


@pytest.mark.parametrize("status", ["offer", "hired", "withdrawn"])
def test_no_check_ins_once_the_decision_is_made(status):
    history = interviewing(out(SAT), applications=[application(status=status)])
    assert of_kind("checkin", run(history, SAT + days(7))) == []


def test_no_permission_to_follow_up_silences_check_ins_not_the_letters():
    shy = ContactFacts(id=7, name="Bob Smith", company="Acme", may_follow_up=False)
    assert {s.kind for s in run(interviewing(contact=shy), FRI)} == {"followthrough", "linkedin"}
    history = interviewing(out(SAT), contact=shy, resume_updated_on=SAT + days(2))
    assert of_kind("checkin", run(history, SAT + days(7))) == []
    assert of_kind("send_resume", run(history, SAT + days(7))) == []


def test_check_ins_go_only_to_the_named_point_of_contact():
    via_recruiter = application(contacts=(7, 8), check_in_with=8)
    bob = interviewing(out(SAT), applications=[via_recruiter], resume_updated_on=SAT + days(1))
    assert of_kind("checkin", run(bob, SAT + days(7))) == []
    assert of_kind("send_resume", run(bob, SAT + days(7))) == []
    rita = ContactFacts(id=8, name="Rita Lopez", company="Acme", role="recruiter")
    rita_history = History(
        contact=rita, applications=[via_recruiter], touches=[out(SAT, contact_id=8)]
    )
    assert one("checkin", run(rita_history, SAT + days(7))).contact_id == 8


def test_preferred_channel_is_used_for_check_ins():
    by_email = ContactFacts(id=7, name="Bob Smith", preferred_channel="email")
    assert one("checkin", run(interviewing(out(SAT), contact=by_email), SAT)).channel == "email"
    by_phone = ContactFacts(id=7, name="Bob Smith", preferred_channel="phone")
    called = interviewing(out(SAT, "phone"), contact=by_phone)
    assert one("checkin", run(called, SAT)).channel == "email"


def test_no_check_in_before_the_follow_through_letter_is_sent():
    assert of_kind("checkin", run(interviewing(), SAT + days(10))) == []


# --- rejection -------------------------------------------------------------


def test_rejection_brings_a_keep_in_mind_letter_and_invitation_the_next_day():
    no_on = date(2025, 12, 1)
    history = interviewing(
        out(SAT), applications=[application(status="rejected", rejected_on=no_on)]
    )
    found = run(history, no_on)
    letter = one("keep_in_mind", found)
    assert letter.key == "keepinmind:application:3:contact:7"
    assert letter.title == "Ask Bob Smith to keep you in mind"
    assert (letter.due, letter.fixed) == (no_on + days(1), True)
    assert "keep you in mind for future positions" in letter.reason
    invite = one("linkedin", found)
    assert (invite.key, invite.due) == ("linkedin:application:3:contact:7", no_on + days(1))
    assert of_kind("checkin", found) == []


def test_rejection_without_an_interview_still_gets_the_letter_and_makes_them_long_term():
    rita = ContactFacts(id=8, name="Rita Lopez", company="Acme", role="recruiter")
    no_on = date(2025, 6, 2)
    rejected = application(status="rejected", rejected_on=no_on, contacts=(8,))
    found = run(History(contact=rita, applications=[rejected]), no_on)
    assert {s.kind for s in found} == {"keep_in_mind", "linkedin", "stay_in_touch"}
    assert one("keep_in_mind", found).due == no_on + days(1)
    sent = out(no_on + days(1), contact_id=8, suggestion_key="keepinmind:application:3:contact:8")
    later = run(History(contact=rita, applications=[rejected], touches=[sent]), no_on + days(100))
    assert one("stay_in_touch", later).due == no_on + days(91)
    assert of_kind("keep_in_mind", later) == []


def test_no_keep_in_mind_letter_once_you_wrote_after_the_rejection():
    rejected = application(status="rejected", rejected_on=SAT + days(5), rejected_at=time(14))
    that_evening = out(SAT + days(5), at=time(18))
    history = interviewing(out(SAT), that_evening, applications=[rejected])
    assert of_kind("keep_in_mind", run(history, SAT + days(6))) == []
    history = interviewing(out(SAT), out(SAT + days(6)), applications=[rejected])
    assert of_kind("keep_in_mind", run(history, SAT + days(7))) == []


def test_rejection_needs_no_invitation_when_connected():
    connected = ContactFacts(id=7, name="Bob Smith", linkedin_connected=True)
    rejected = application(status="rejected", rejected_on=SAT + days(5))
    found = run(interviewing(out(SAT), contact=connected, applications=[rejected]), SAT)
    assert of_kind("linkedin", found) == []
    assert of_kind("keep_in_mind", found)


# --- long-term contacts ------------------------------------------------------


def test_long_term_contact_hears_from_you_every_cadence():
    hello = one("stay_in_touch", run(long_term(), LAST + days(90)))
    assert hello.key == "longterm:contact:7:2025-05-30"
    assert (hello.due, hello.channel) == (LAST + days(90), "email")
    assert hello.title == "Say hello to Bob Smith"
    assert hello.reason.startswith("You keep in touch every 90 days; last contact on Sat 1 Mar.")


def test_per_contact_cadence_overrides_the_default():
    monthly = ContactFacts(id=7, name="Bob Smith", status="long_term", cadence_days=30)
    assert one("stay_in_touch", run(long_term(contact=monthly), LAST)).due == LAST + days(30)


def test_long_term_touch_never_within_seven_days_of_the_last_touch():
    eager = ContactFacts(id=7, name="Bob Smith", status="long_term", cadence_days=3)
    assert one("stay_in_touch", run(long_term(contact=eager), LAST)).due == LAST + days(7)


def test_their_message_restarts_the_cadence():
    history = long_term(out(LAST), reply(LAST + days(80)))
    assert one("stay_in_touch", run(history, LAST + days(90))).due == LAST + days(170)


def test_long_term_contact_with_no_history_waits_for_a_first_touch():
    quiet = ContactFacts(id=7, name="Bob Smith", status="long_term")
    assert run(History(contact=quiet), LAST) == []


def test_active_contact_outside_any_process_gets_nothing():
    assert run(History(contact=BOB, touches=[out(LAST)]), LAST + days(365)) == []


def test_long_term_touch_forwards_fresh_news_about_their_company():
    news = ArticleFacts(id=40, title="Acme opens a fund", published=LAST + days(80), company="Acme")
    found = run(long_term(articles=[news]), LAST + days(90))
    forward = one("stay_in_touch_article", found)
    assert forward.key == "longterm:contact:7:2025-05-30"
    assert (forward.article_id, forward.channel) == (40, "article")
    assert forward.title == "Forward Bob Smith an article"
    assert "Forward “Acme opens a fund”: it is about Acme." in forward.reason
    assert of_kind("stay_in_touch", found) == []


def test_news_matching_their_interests_is_preferred():
    fan = ContactFacts(
        id=7, name="Bob Smith", company="Acme", status="long_term",
        tags=("sports sponsorship", "golf"),
    )
    company_only = ArticleFacts(
        id=40, title="Acme results", published=LAST + days(85), company="Acme"
    )
    both = ArticleFacts(
        id=41,
        title="Acme bets on sports sponsorship",
        published=LAST + days(70),
        company="Acme",
    )
    unrelated = ArticleFacts(id=42, title="Weather", published=LAST + days(89), company="Other")
    found = run(long_term(contact=fan, articles=[company_only, both, unrelated]), LAST + days(90))
    forward = one("stay_in_touch_article", found)
    assert forward.article_id == 41
    assert "it is about Acme and it fits their interest in sports sponsorship" in forward.reason
    only_unrelated = run(long_term(contact=fan, articles=[unrelated]), LAST + days(90))
    assert one("stay_in_touch", only_unrelated)


def test_the_same_article_is_never_sent_twice():
    fan = ContactFacts(id=7, name="Bob Smith", company="Acme", status="long_term", cadence_days=7)
    news = ArticleFacts(id=40, title="Acme opens a fund", published=LAST, company="Acme")
    sent = out(LAST + days(1), "article", article_id=40)
    # A touch logged with an earlier date must not bring the article back either.
    backdated = out(LAST - days(3), "article", article_id=40)
    for touch in (sent, backdated):
        found = run(long_term(touch, contact=fan, articles=[news]), LAST + days(10))
        assert of_kind("stay_in_touch_article", found) == []


def test_stale_news_is_not_suggested():
    old = ArticleFacts(id=40, title="Acme opens a fund", published=LAST + days(59), company="Acme")
    assert one("stay_in_touch", run(long_term(articles=[old]), LAST + days(90)))


def test_a_skipped_or_done_round_comes_back_one_cadence_later():
    first = "longterm:contact:7:2025-05-30"
    for name in ("skipped", "done"):
        found = run(long_term(states=[state(first, name)]), LAST + days(90))
        hello = one("stay_in_touch", found)
        assert (hello.key, hello.due) == ("longterm:contact:7:2025-08-28", LAST + days(180))


def test_congratulate_promptly_on_news_that_names_them():
    award = ArticleFacts(
        id=50,
        title="Bob Smith wins award",
        published=LAST + days(20),
        kind="congratulate",
        mentions=7,
    )
    found = run(long_term(articles=[award]), LAST + days(21))
    cheers = one("congratulate", found)
    assert cheers.key == "congratulate:article:50:contact:7"
    assert (cheers.due, cheers.channel, cheers.article_id) == (
        LAST + days(20),
        "congratulations",
        50,
    )
    assert cheers.title == "Congratulate Bob Smith"
    assert one("stay_in_touch", found).due == LAST + days(90)


def test_congratulations_wait_a_week_after_the_last_touch():
    award = ArticleFacts(
        id=50,
        title="Bob Smith wins award",
        published=LAST + days(2),
        kind="congratulate",
        mentions=7,
    )
    assert one("congratulate", run(long_term(articles=[award]), LAST + days(2))).due == LAST + days(
        7
    )


def test_one_congratulation_per_piece_of_news():
    first = ArticleFacts(
        id=50, title="Bob wins award", published=LAST + days(20), kind="congratulate", mentions=7
    )
    second = ArticleFacts(
        id=51, title="Award for Bob", published=LAST + days(21), kind="congratulate", mentions=7
    )
    found = run(long_term(articles=[first, second]), LAST + days(22))
    assert [s.article_id for s in of_kind("congratulate", found)] == [51]
    congratulated = long_term(
        out(LAST), out(LAST + days(22), "congratulations", article_id=51), articles=[first, second]
    )
    assert of_kind("congratulate", run(congratulated, LAST + days(40))) == []


def test_news_about_someone_else_is_no_reason_to_congratulate():
    award = ArticleFacts(
        id=50, title="Ann wins award", published=LAST + days(20), kind="congratulate", mentions=8
    )
    assert of_kind("congratulate", run(long_term(articles=[award]), LAST + days(21))) == []


def test_hope_to_see_you_two_weeks_before_an_event_they_attend():
    summit = EventFacts(
        id=5,
        name="Sponsorship Summit",
        starts_on=LAST + days(60),
        place="Boston",
        attendee_ids=(7,),
    )
    note = one("see_you_at_event", run(long_term(events=[summit]), LAST + days(40)))
    assert note.key == "event:5:contact:7"
    assert (note.due, note.event_id) == (LAST + days(46), 5)
    assert note.title == "Tell Bob Smith you hope to see them at Sponsorship Summit"
    assert note.reason == (
        "Sponsorship Summit starts on Wed 30 Apr in Boston and they are likely to be there."
    )


def test_no_event_note_when_it_is_over_not_theirs_or_too_close_to_the_last_touch():
    elsewhere = EventFacts(id=5, name="Summit", starts_on=LAST + days(60), attendee_ids=(8,))
    over = EventFacts(id=6, name="Expo", starts_on=LAST + days(30), attendee_ids=(7,))
    imminent = EventFacts(id=7, name="Meetup", starts_on=LAST + days(5), attendee_ids=(7,))
    found = run(long_term(events=[elsewhere, over, imminent]), LAST + days(31))
    assert of_kind("see_you_at_event", found) == []
    assert of_kind("see_you_at_event", run(long_term(events=[imminent]), LAST + days(1))) == []


def test_long_term_contact_in_a_new_process_gets_check_ins_instead():
    old_friend = ContactFacts(id=7, name="Bob Smith", company="Acme", status="long_term")
    found = run(interviewing(out(SAT), contact=old_friend), SAT + days(7))
    assert one("checkin", found)
    assert of_kind("stay_in_touch", found) == []


# --- a new resume ------------------------------------------------------------


def test_updated_resume_goes_to_contacts_in_open_processes():
    updated = SAT + days(20)
    for status in ("applied", "interviewing", "offer"):
        history = History(
            contact=BOB, applications=[application(status=status)], resume_updated_on=updated
        )
        resume = one("send_resume", run(history, updated))
        assert resume.key == "resume:2025-12-12:contact:7"
        assert (resume.due, resume.application_id) == (updated, 3)
        assert resume.title == "Send Bob Smith your updated resume"
    closed = History(
        contact=BOB, applications=[application(status="hired")], resume_updated_on=updated
    )
    assert run(closed, updated) == []


def test_resume_skipped_for_applications_made_after_the_update():
    fresh = application(applied_on=SAT + days(1))
    history = History(contact=BOB, applications=[fresh], resume_updated_on=SAT)
    assert of_kind("send_resume", run(history, SAT + days(1))) == []


def test_resume_waits_a_week_after_the_last_note():
    history = History(
        contact=BOB,
        applications=[application(status="offer")],
        touches=[out(SAT)],
        resume_updated_on=SAT + days(2),
    )
    assert one("send_resume", run(history, SAT + days(2))).due == SAT + days(7)


def test_a_linkedin_invitation_is_not_a_note():
    invited = interviewing(out(SAT), out(SAT + days(3), "linkedin_invitation"))
    check = one("checkin", run(invited, SAT + days(7)))
    assert (check.due, check.key) == (SAT + days(7), "checkin:contact:7:run:2025-11-21:try:2")


def test_resume_suggestions_can_be_turned_off():
    history = History(contact=BOB, applications=[application()], resume_updated_on=SAT)
    assert run(history, SAT, Rules(suggest_resume_updates=False)) == []


# --- done, snoozed, skipped ----------------------------------------------------


def test_done_suggestion_does_not_come_back():
    key = "linkedin:interview:12:contact:7"
    found = run(interviewing(states=[state(key, "done")]), SAT + days(1))
    assert of_kind("linkedin", found) == []


def test_a_touch_carrying_the_key_marks_it_done():
    logged = out(SAT, "other", suggestion_key="followthrough:interview:12:contact:7")
    assert of_kind("followthrough", run(interviewing(logged), SAT)) == []


def test_snoozed_suggestion_returns_on_its_date():
    key = "followthrough:interview:12:contact:7"
    snoozed = interviewing(states=[state(key, "snoozed", SAT + days(3))])
    assert one("followthrough", run(snoozed, SAT)).due == SAT + days(3)
    # Snoozing never brings a suggestion forward.
    too_soon = interviewing(states=[state(key, "snoozed", FRI)])
    assert one("followthrough", run(too_soon, FRI)).due == SAT


def test_snooze_without_a_date_hides_it():
    key = "followthrough:interview:12:contact:7"
    assert of_kind("followthrough", run(interviewing(states=[state(key, "snoozed")]), SAT)) == []


def test_skipped_check_in_returns_only_when_something_new_happens():
    skip = state("checkin:contact:7:run:2025-11-21:try:2", "skipped")
    assert of_kind("checkin", run(interviewing(out(SAT), states=[skip]), SAT + days(30))) == []
    answered = interviewing(out(SAT), reply(SAT + days(10)), states=[skip])
    check = one("checkin", run(answered, SAT + days(30)))
    assert check.key == "checkin:contact:7:run:2025-12-02:try:1"


# --- never a pest -----------------------------------------------------------------


def test_do_not_contact_gets_no_suggestions_at_all():
    gone = ContactFacts(id=7, name="Bob Smith", company="Acme", status="do_not_contact")
    history = interviewing(
        contact=gone,
        applications=[application(status="rejected", rejected_on=SAT)],
        articles=[ArticleFacts(id=1, title="Acme news", published=SAT, company="Acme")],
        events=[EventFacts(id=2, name="Expo", starts_on=SAT + days(20), attendee_ids=(7,))],
        resume_updated_on=SAT,
    )
    for later in (0, 1, 7, 90, 400):
        assert run(history, FRI + days(later)) == []


def test_competing_suggestions_keep_the_most_important_and_move_the_rest():
    monthly = ContactFacts(id=7, name="Bob Smith", status="long_term", cadence_days=30)
    day = LAST + days(30)
    award = ArticleFacts(
        id=50, title="Bob wins award", published=day, kind="congratulate", mentions=7
    )
    summit = EventFacts(id=5, name="Summit", starts_on=day + days(14), attendee_ids=(7,))
    found = run(long_term(contact=monthly, articles=[award], events=[summit]), day)
    assert [(s.kind, s.due) for s in found] == [
        ("congratulate", day),
        ("see_you_at_event", day + days(7)),
        ("stay_in_touch", day + days(14)),
    ]
    assert "Moved to Mon 7 Apr so they do not hear from you twice within 7 days." in found[1].reason
    assert found[2].key == "longterm:contact:7:2025-03-31"


def test_event_note_is_dropped_rather_than_moved_past_the_event():
    monthly = ContactFacts(id=7, name="Bob Smith", status="long_term", cadence_days=30)
    award = ArticleFacts(
        id=50, title="Bob wins award", published=LAST + days(30), kind="congratulate", mentions=7
    )
    soon = EventFacts(id=5, name="Summit", starts_on=LAST + days(33), attendee_ids=(7,))
    alone = run(long_term(contact=monthly, events=[soon]), LAST + days(30))
    assert one("see_you_at_event", alone).late == LAST + days(32)
    found = run(long_term(contact=monthly, articles=[award], events=[soon]), LAST + days(30))
    assert of_kind("see_you_at_event", found) == []
    assert one("congratulate", found)


def test_an_ignored_invitation_does_not_hold_back_check_ins():
    found = run(interviewing(out(SAT)), SAT + days(20))
    assert one("linkedin", found).due == SAT
    assert one("checkin", found).due == SAT + days(7)


def test_letters_timed_by_the_advice_are_never_moved():
    found = run(interviewing(), FRI)
    assert [(s.kind, s.due) for s in found] == [("followthrough", SAT), ("linkedin", SAT)]


def test_flexible_suggestions_keep_a_week_from_a_pending_letter():
    found = run(interviewing(resume_updated_on=SAT), SAT)
    assert one("send_resume", found).due == SAT + days(7)


def test_check_in_keeps_its_day_and_the_resume_waits():
    found = run(interviewing(out(SAT), resume_updated_on=SAT + days(2)), SAT + days(7))
    assert one("checkin", found).due == SAT + days(7)
    assert one("send_resume", found).due == SAT + days(14)


def test_overdue_suggestions_do_not_pile_up_on_one_day():
    monthly = ContactFacts(id=7, name="Bob Smith", status="long_term", cadence_days=30)
    award = ArticleFacts(
        id=50, title="Bob wins award", published=LAST + days(20), kind="congratulate", mentions=7
    )
    today = LAST + days(40)
    found = run(long_term(contact=monthly, articles=[award]), today)
    congratulate = one("congratulate", found)
    assert congratulate.due == LAST + days(20)
    waiting = one("stay_in_touch", found)
    assert waiting.waits_for == congratulate.key
    assert waiting.reason.endswith(
        "It waits for “Congratulate Bob Smith”, overdue since Fri 21 Mar: once that is "
        "done, snoozed or skipped, this comes due."
    )


# --- stable keys ---------------------------------------------------------------


def test_keys_stay_the_same_from_day_to_day():
    history = interviewing(out(SAT), resume_updated_on=SAT + days(1))
    keys = [{s.key for s in run(history, SAT + days(n))} for n in (1, 2, 5, 9)]
    assert all(k == keys[0] for k in keys)
    assert len(keys[0]) == 3


def test_something_new_brings_a_new_key():
    waiting = one("checkin", run(interviewing(out(SAT)), SAT + days(7)))
    called = interviewing(out(SAT), out(SAT + days(7), "phone"))
    assert one("checkin", run(called, SAT + days(7))).key != waiting.key
    rounds = [interview(id=12), interview(id=13, day=FRI + days(9))]
    again = run(interviewing(out(SAT), interviews=rounds), FRI + days(9))
    assert one("followthrough", again).key == "followthrough:interview:13:contact:7"
    assert of_kind("checkin", again) == []


# --- settings and records --------------------------------------------------------


def test_rules_defaults_follow_the_seeds():
    rules = Rules()
    assert (rules.followthrough_due_days, rules.followthrough_late_hours) == (1, 48)
    assert (rules.linkedin_within_days, rules.assistant_thanks_within_days) == (2, 2)
    assert (rules.checkin_interval_days, rules.min_gap_days) == (7, 7)
    assert (rules.max_unanswered_tries, rules.max_phone_calls) == (3, 1)
    assert (rules.keep_in_mind_days, rules.long_term_cadence_days) == (1, 90)
    assert rules.event_lead_days == 14
    assert rules.suggest_resume_updates is True


def test_rules_from_mapping_reads_form_text_and_ignores_other_keys():
    rules = Rules.from_mapping(
        {"min_gap_days": "10", "suggest_resume_updates": "off", "theme": "dark", "csrf_token": "x"}
    )
    assert (rules.min_gap_days, rules.suggest_resume_updates) == (10, False)
    assert rules.long_term_cadence_days == 90


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"min_gap_days": "soon"}, "must be a whole number, not 'soon'"),
        ({"max_unanswered_tries": 0}, "must be between 1 and 10"),
        ({"long_term_cadence_days": 2.5}, "must be a whole number"),
        ({"max_phone_calls": True}, "must be a whole number"),
        ({"suggest_resume_updates": "maybe"}, "must be yes or no"),
        ({"followthrough_due_days": 3}, "cannot be late before it is due"),
    ],
)
def test_rules_reject_bad_values_with_a_plain_message(values, message):
    with pytest.raises(ValueError, match=message):
        Rules.from_mapping(values)


def test_every_rule_is_listed_for_the_settings_page():
    listed = Rules.fields_for_settings()
    assert {f.name for f in listed} == set(Rules.__dataclass_fields__)
    gap = next(f for f in listed if f.name == "min_gap_days")
    assert (gap.default, gap.minimum, gap.maximum) == (7, 0, 90)
    assert gap.label == "Never two notes to one person within (days)"
    assert all(f.label for f in listed)


def test_interview_needs_a_time_zone():
    with pytest.raises(ValueError, match="needs a time zone"):
        InterviewFacts.of(id=1, starts_at=datetime(2025, 11, 21, 10, 0))


def test_text_fields_accept_one_item_per_line():
    notes = interview(values="Outwork everyone\n\n Integrity ", concerns="")
    assert notes.values == ("Outwork everyone", "Integrity")
    assert notes.concerns == ()


def test_first_name_skips_titles():
    assert ContactFacts(id=1, name="Dr. Jane Q. Doe").first_name == "Jane"
    assert BOB.first_name == "Bob"


def test_dates_in_another_year_show_the_year():
    assert format_day(date(2025, 11, 21), date(2025, 1, 1)) == "Fri 21 Nov"
    assert format_day(date(2024, 11, 22), date(2025, 1, 1)) == "Fri 22 Nov 2024"


def test_suggest_all_sorts_by_due_date_then_contact_name():
    alice = ContactFacts(id=8, name="alice Jones", role="interviewer")
    zoe = ContactFacts(id=9, name="Zoe Park", role="interviewer")
    panel = interview(interviewers=(7, 8, 9))
    early = interview(id=11, day=FRI - days(3), interviewers=(9,))
    histories = [
        interviewing(contact=zoe, interviews=[early]),
        interviewing(interviews=[panel]),
        interviewing(contact=alice, interviews=[panel]),
    ]
    found = suggest_all(histories, FRI, NEW_YORK, Rules())
    letters = [(s.due, s.contact_id) for s in of_kind("followthrough", found)]
    assert letters == [(FRI - days(2), 9), (SAT, 8), (SAT, 7)]
    assert [s.due for s in found] == sorted(s.due for s in found)


def test_the_rows_skipped_for_a_contact_with_only_touches_suggest_nothing_to_them():
    # Most of the address book has nothing but touches and answers; the engine sends them
    # through stay_in_touch only, which must lose nothing the whole table would give.
    contacts = [BOB, ContactFacts(id=7, name="Bob Smith", status="long_term"),
                ContactFacts(id=7, name="Bob Smith", status="long_term", cadence_days=7,
                             preferred_channel="phone", may_follow_up=False)]
    stories = [(), (out(LAST),), (out(LAST), reply(LAST + days(2))),
               (out(LAST, channel="phone"), out(LAST + days(8)), out(LAST + days(16)),
                out(LAST + days(17), channel="linkedin_invitation"))]
    answers = [{}, {"longterm:contact:7:2025-05-30": state("longterm:contact:7:2025-05-30",
                                                           "skipped")}]
    suggested = 0
    for contact, touches, states in itertools.product(contacts, stories, answers):
        history = History(contact=contact, touches=touches, states=states,
                          resume_updated_on=LAST + days(1))
        assert rows_for(history) == (stay_in_touch,)
        for today in (LAST, LAST + days(3), LAST + days(95), LAST + days(400)):
            ctx = Context(history, today, NEW_YORK, DEFAULT_RULES)
            skipped = [rule.__name__ for rule in PLAYBOOK if rule is not stay_in_touch
                       if list(rule(ctx))]
            assert skipped == [], (contact, touches, states, today)
            suggested += len(run(history, today))
    assert suggested  # the rows kept do suggest something to these people


def test_each_row_suggests_nothing_without_the_facts_it_needs(database):
    # The engine runs a row only for histories holding one of the parts NEEDS names for it.
    # Every history a filled database gives, on several days, with those parts taken out,
    # must get nothing from the row; with them, the rows between them suggest every kind.
    fill_every_table()
    maria = Contact.get(Contact.name == "Maria Lopez")  # the assistant: her thanks are a row too
    Contact.update(archived_at=None).where(Contact.id == maria.id).execute()
    Touch.delete().where(Touch.contact == maria.id).execute()
    set_setting("resume_updated_on", (FILLED_ON - days(2)).isoformat())
    fired, checked = set(), 0
    for today in (FILLED_ON + days(n) for n in (-30, -12, -6, -3, -1, 0, 1, 3, 10, 40)):
        for history in followups.histories(today):
            for rule in PLAYBOOK:
                if list(rule(Context(history, today, NEW_YORK, DEFAULT_RULES))):
                    fired.add(rule.__name__)
                    assert rule in rows_for(history)
                if NEEDS[rule]:
                    without = history._replace(**dict.fromkeys(NEEDS[rule], ()))
                    found = list(rule(Context(without, today, NEW_YORK, DEFAULT_RULES)))
                    assert found == [], (rule.__name__, history.contact.name, today)
                    checked += 1
    assert fired == {rule.__name__ for rule in PLAYBOOK}
    assert checked > 100


def test_a_recompute_leaves_the_collector_as_it_was_and_its_records_out_of_the_young(database):
    # The snapshot's thousands of records go straight to the oldest generation, so the
    # collections after a recompute do not walk them all as new objects.
    fill_every_table()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            snapshot = followups.compute(FILLED_ON, NEW_YORK)
            assert gc.isenabled() == enabled
            young = {id(o) for generation in (0, 1) for o in gc.get_objects(generation)}
            records = [*snapshot.suggestions, *snapshot.histories.values()]
            assert records and not any(id(record) in young for record in records)
        finally:
            gc.enable()


def test_a_seats_own_answers_are_an_interviews_last_fields():
    # The edge makes each interview once and adds each seat's answers at its end.
    assert InterviewFacts._fields[-len(SEAT_ANSWERS):] == SEAT_ANSWERS
