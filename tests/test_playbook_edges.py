"""The playbook at the edges real job searches hit: who gets chased, the one call, what
counts as the letter, overdue work, and what the contact asked for."""

from datetime import time

from support import (
    BOB,
    FRI,
    LAST,
    SAT,
    application,
    days,
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

from crm.playbook import ArticleFacts, ContactFacts, History

PRIYA = ContactFacts(id=9, name="Priya Shah", company="Acme", role="recruiter")
DANA = ContactFacts(id=8, name="Dana Whitfield", company="Acme", role="interviewer")
MARIA = ContactFacts(id=11, name="Maria Lopez", company="Acme", role="assistant")
PANEL = interview(interviewers=(7, 8), assistant_id=11)


def named(**fields):
    """The running application, with Priya named as the point of contact."""
    fields.setdefault("check_in_with", 9)
    fields.setdefault("interviews_at", (PANEL.starts_at,))
    return application(contacts=(7, 8, 9, 11), **fields)


def story(contact, *touches, app=None):
    interviews = [] if contact is PRIYA else [PANEL]
    return History(contact=contact, interviews=interviews, applications=[app or named()],
                   touches=touches)


# --- 1. the next point of contact is a person -----------------------------------


def test_each_interviewer_gets_a_letter_and_nothing_more_until_the_outcome():
    for person in (BOB, DANA):
        letter_sent = out(SAT, contact_id=person.id)
        for day in (SAT, SAT + days(7), SAT + days(14), SAT + days(30)):
            found = run(story(person, letter_sent), day)
            assert of_kind("checkin", found) == [], (person.name, day)
        assert one("followthrough", run(story(person), FRI)).due == SAT


def test_the_point_of_contact_gets_the_call_a_week_after_the_letters_then_one_email():
    first = one("checkin", run(story(PRIYA), SAT))
    assert (first.due, first.channel, first.title) == (
        SAT + days(7), "phone", "Call Priya Shah to check in")
    assert first.reason.startswith(
        "You named them as the point of contact after the interview on Fri 21 Nov, and the "
        "follow-through letters were the first try; say you are still interested and ask how "
        "the process is going (try 2 of 3).")
    called = out(SAT + days(7), "voicemail", contact_id=9)
    second = one("checkin", run(story(PRIYA, called), SAT + days(7)))
    assert (second.due, second.channel) == (SAT + days(14), "email")
    assert "(try 3 of 3)" in second.reason
    emailed = out(SAT + days(14), contact_id=9)
    assert of_kind("checkin", run(story(PRIYA, called, emailed), SAT + days(30))) == []


def test_no_chasing_the_point_of_contact_while_the_next_round_is_ahead():
    second_round = interview(id=13, day=SAT + days(10), interviewers=(7,))
    app = named(interviews_at=(PANEL.starts_at, second_round.starts_at))
    assert of_kind("checkin", run(story(PRIYA, app=app), SAT + days(8))) == []
    check = one("checkin", run(story(PRIYA, app=app), SAT + days(11)))
    assert check.due == SAT + days(10) + days(8)


def test_the_decision_date_check_in_goes_to_the_point_of_contact_only():
    app = named(decision_expected_on=SAT + days(3))
    assert one("checkin", run(story(PRIYA, app=app), SAT)).due == SAT + days(3)
    assert of_kind("checkin", run(story(BOB, out(SAT), app=app), SAT)) == []


def test_without_a_point_of_contact_every_interviewer_is_followed_up():
    app = named(check_in_with=None)
    assert one("checkin", run(story(BOB, out(SAT), app=app), SAT)).due == SAT + days(7)
    assert of_kind("checkin", run(story(PRIYA, app=app), SAT + days(7))) == []


def test_an_interviewer_named_as_point_of_contact_is_chased_as_before():
    app = named(check_in_with=7)
    check = one("checkin", run(story(BOB, out(SAT), app=app), SAT))
    assert (check.due, check.channel) == (SAT + days(7), "phone")
    assert of_kind("checkin", run(story(DANA, out(SAT, contact_id=8), app=app), SAT)) == []


# --- 2. one phone call per process ---------------------------------------------


def test_a_reply_resets_the_tries_but_not_the_call():
    called = out(SAT + days(7), "voicemail")
    answered = reply(SAT + days(9))
    check = one("checkin", run(interviewing(out(SAT), called, answered), SAT + days(16)))
    assert (check.due, check.channel, check.title) == (
        SAT + days(16), "email", "Check in with Bob Smith")
    assert "(try 1 of 3)" in check.reason


def test_a_call_in_an_earlier_process_leaves_this_one_its_call():
    old_call = out(FRI - days(60), "phone")
    app = application(applied_on=FRI - days(10))
    check = one("checkin", run(interviewing(old_call, out(SAT), applications=[app]),
                               SAT + days(7)))
    assert check.channel == "phone"


# --- 3. the letter is what you send after the interview -------------------------


def test_a_morning_email_cancels_neither_the_letter_nor_the_assistants_thanks():
    confirming = out(FRI, at=time(8, 15))
    assert one("followthrough", run(interviewing(confirming), SAT)).due == SAT
    maria = History(contact=MARIA, interviews=[PANEL], applications=[named()],
                    touches=[out(FRI, contact_id=11, at=time(8, 20))])
    assert one("assistant_thanks", run(maria, SAT)).due == SAT


def test_an_interview_in_another_time_zone_is_compared_in_the_users_time():
    # 10:00 in New York is 16:00 in Berlin: a 15:00 Berlin email came before it.
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    before, after = out(FRI, at=time(15)), out(FRI, at=time(16, 30))
    assert of_kind("followthrough", run(interviewing(before), SAT, tz=berlin))
    assert of_kind("followthrough", run(interviewing(after), SAT, tz=berlin)) == []


def test_a_note_written_the_morning_of_a_rejection_is_not_the_keep_in_mind_letter():
    rejected = application(status="rejected", rejected_on=SAT + days(5), rejected_at=time(15))
    morning = out(SAT + days(5), at=time(9), suggestion_key="checkin:whatever")
    letter = one("keep_in_mind", run(interviewing(out(SAT), morning, applications=[rejected]),
                                     SAT + days(5)))
    assert letter.due == SAT + days(6)
    evening = out(SAT + days(5), at=time(18))
    assert of_kind("keep_in_mind", run(
        interviewing(out(SAT), morning, evening, applications=[rejected]), SAT + days(5))) == []


# --- 4. an ignored overdue suggestion does not push the others away for ever -----


def monthly(*touches, **fields):
    contact = ContactFacts(id=7, name="Bob Smith", status="long_term", cadence_days=30)
    award = ArticleFacts(id=50, title="Bob wins award", published=LAST + days(20),
                         kind="congratulate", mentions=7)
    return long_term(*touches, contact=contact, articles=[award], **fields)


def test_what_waits_behind_an_overdue_suggestion_keeps_its_date_day_after_day():
    seen = [one("stay_in_touch", run(monthly(), LAST + days(n))) for n in (31, 38, 45)]
    assert {s.due for s in seen} == {LAST + days(30)}
    assert {s.waits_for for s in seen} == {"congratulate:article:50:contact:7"}


def test_what_waited_comes_due_once_the_overdue_one_is_skipped_or_snoozed():
    key = "congratulate:article:50:contact:7"
    today = LAST + days(45)
    skipped = one("stay_in_touch", run(monthly(states=[state(key, "skipped")]), today))
    assert (skipped.due, skipped.waits_for) == (LAST + days(30), None)
    snoozed = run(monthly(states=[state(key, "snoozed", today + days(20))]), today)
    assert one("stay_in_touch", snoozed).waits_for is None
    assert one("stay_in_touch", snoozed).due == LAST + days(30)  # due now, weeks before it


def test_what_waited_is_spaced_from_the_note_that_answered_the_overdue_one():
    key = "congratulate:article:50:contact:7"
    today = LAST + days(45)
    done = out(today, suggestion_key=key)
    found = run(monthly(done), today)
    assert of_kind("congratulate", found) == []
    assert one("stay_in_touch", found).due == today + days(30)


# --- 5. what they asked for stands ----------------------------------------------


def test_an_agreed_check_in_stands_after_three_unanswered_tries():
    tries = [out(SAT), out(SAT + days(7), "voicemail"), out(SAT + days(14))]
    agreed = application(check_in_on=SAT + days(30))
    found = run(interviewing(*tries, applications=[agreed]), SAT + days(20))
    check = one("checkin", found)
    assert check.due == SAT + days(30)
    assert check.reason == (
        "You agreed to check in on Mon 22 Dec for the Analyst position at Acme. They chose "
        "the date, so it stands although your tries went unanswered.")
    decision_only = application(decision_expected_on=SAT + days(30))
    assert of_kind("checkin", run(interviewing(*tries, applications=[decision_only]),
                                  SAT + days(20))) == []


def test_a_rejection_keeps_the_assistants_thank_you_already_due():
    def maria(rejected_on):
        app = named(status="rejected", rejected_on=rejected_on)
        return History(contact=MARIA, interviews=[PANEL], applications=[app])

    assert one("assistant_thanks", run(maria(SAT), SAT)).due == SAT
    assert one("assistant_thanks", run(maria(SAT + days(1)), SAT + days(1))).late == FRI + days(2)
    assert of_kind("assistant_thanks", run(maria(FRI), SAT)) == []  # turned down that same day
