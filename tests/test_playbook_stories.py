"""The playbook's edges told day by day through the pages and `crm digest`, as a job seeker
lives them: a panel with a point of contact, one call, a morning email, a rejection the
day after, an ignored check-in, and a date the contact asked for."""

import html
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from support import (
    TODAY,
    add_application,
    add_interview,
    contact_form,
    counting_queries,
    page,
    shown,
)

from crm.models import Application, Contact, Touch

DAY = TODAY - timedelta(days=1)  # the interview was yesterday, at 10:00 (the tests run in UTC)


def digest(runner, as_of, days=0):
    """`crm digest --format json` as of a day: the suggestions, by contact and kind."""
    result = runner.invoke(args=["digest", "--format", "json", "--as-of", as_of.isoformat(),
                                 "--days", str(days)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["suggestions"]


def local(url):
    """The path and query of a link in the digest, to follow with the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def kinds(found, name):
    return sorted(s["kind"] for s in found if s["contact"] == name)


def find(found, name, kind):
    [one] = [s for s in found if s["contact"] == name and s["kind"] == kind]
    return one


def log(client, name, on, channel="email", direction="out", at="", note="Sent", **fields):
    contact = Contact.get(Contact.name == name)
    response = client.submit(f"/contacts/{contact.id}/touches/new", {
        "happened_on": on.isoformat(), "happened_at": at, "channel": channel,
        "direction": direction, "note": note, "article_id": "", "log_anyway": "y", **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[-600:]


def done(client, url):
    """Follow a Done link as the Today page gives it, and log the touch as prefilled."""
    form = page(client, html.unescape(url))
    fields = dict(re.findall(r'name="(happened_on|happened_at|suggestion_key|channel|next)"'
                             r'[^>]*value="([^"]*)"', form))
    fields.update(note="Sent", direction="out", article_id="", log_anyway="y",
                  channel=fields.get("channel", "email"))
    response = client.submit(html.unescape(url).split("?")[0], {**fields})
    assert response.status_code == 302
    return fields


def card(today_html, title):
    """The HTML of the row on the Today page whose action has this title (its Done button's)."""
    start = today_html.rindex('<li class="row', 0, today_html.index(f'title="{title}'))
    return today_html[start:today_html.index("</li>", start)]


def done_link(today_html, title):
    return re.search(r'href="([^"]*/touches/new\?[^"]*)"', card(today_html, title)).group(1)


@pytest.fixture
def panel(client, database):
    """Friday's interview: Bob and Dana on the panel, Maria at the door, Priya named as the
    point of contact; each value typed with its own proof."""
    application = add_application(client, company="Meridian", next_contact="Priya Shah")
    response = add_interview(
        client, application,
        ("Bob Hale", "Integrity\nOutwork everyone", "Little hardware experience",
         "Built an asset tracker for ABC Bank\nRecruited the largest class in ten years"),
        ("Dana Whitfield", "Customer empathy", "", "Ran forty customer interviews."),
        on_date=DAY.isoformat(), timezone="UTC", assistant="Maria Lopez",
        discussed="The autonomy roadmap and the field-test programme.\nhow the team ships")
    assert response.status_code == 302
    bob = Contact.get(Contact.name == "Bob Hale")
    client.submit(f"/contacts/{bob.id}/edit", contact_form(
        name="Bob Hale", company="Meridian", role="interviewer", email="bob@meridian.example",
        notes="Loves cycling"))
    return application


def test_the_panel_gets_letters_and_only_the_point_of_contact_is_chased(client, runner, panel):
    priya = Contact.get(Contact.name == "Priya Shah")
    assert (priya.role, Application.get().next_contact_id) == ("recruiter", priya.id)
    assert ("Application: Partnership Strategy Manager at Meridian (interviewing, your point "
            "of contact)") in page(client, f"/contacts/{priya.id}")
    # Day of the interview, 08:15: an email confirming the time. It is not the letter.
    log(client, "Bob Hale", DAY, at="08:15", note="Confirming 10:00")
    bob = Contact.get(Contact.name == "Bob Hale")
    assert f"{shown(DAY.isoformat())}, 08:15" in page(client, f"/contacts/{bob.id}")

    # The day after: a letter to each interviewer and thanks to Maria, nothing for Priya.
    today = page(client, "/")
    for title in ("Send Bob Hale a follow-through letter",
                  "Send Dana Whitfield a follow-through letter",
                  "Thank Maria Lopez for their hospitality"):
        assert title in today
    assert kinds(digest(runner, TODAY), "Priya Shah") == []
    bob_draft = card(today, "Send Bob Hale")
    text = html.unescape(bob_draft)
    assert "  - Integrity: Built an asset tracker for ABC Bank\n" in text
    assert "  - Outwork everyone: Recruited the largest class in ten years\n" in text
    assert "  - The autonomy roadmap and the field-test programme.\n  - How the team ships\n" \
        in text
    assert "  - Little hardware experience. [How your experience answers it.]" in text
    assert "I will stay in touch with Priya Shah regarding the hiring process." in text
    # Bob's notes are beside the draft for the user, never in the draft or the mail link.
    draft = text[text.index('<pre class="draft"'):text.index("</pre>")]
    mail_link = re.search(r'href="(mailto:[^"]*)"', bob_draft).group(1)
    assert "Loves cycling" not in draft and "cycling" not in mail_link
    assert "Loves cycling" in text[text.index('class="private-notes"'):]
    dana_text = html.unescape(card(today, "Send Dana Whitfield"))
    assert "  - Customer empathy: Ran forty customer interviews.\n" in dana_text
    assert "asset tracker" not in dana_text

    # The letters go out; "Done" logs each at the time it was made.
    for name in ("Bob Hale", "Dana Whitfield"):
        fields = done(client, done_link(page(client, "/"), f"Send {name} a follow-through"))
        assert re.fullmatch(r"\d\d:\d\d", fields["happened_at"])
    assert Touch.select().where(Touch.suggestion_key.is_null(False),
                                Touch.happened_at.is_null(False)).count() == 2

    # A week on: only Priya is chased, by phone, as the article's second try.
    week = digest(runner, TODAY + timedelta(days=7))
    assert kinds(week, "Bob Hale") == kinds(week, "Dana Whitfield") == ["linkedin"]
    call = find(week, "Priya Shah", "checkin")
    assert (call["title"], call["channel"], call["due"]) == (
        "Call Priya Shah to check in", "phone", (DAY + timedelta(days=8)).isoformat())
    assert "(try 2 of 3)" in call["reason"]
    # The JSON says what the page says, links included.
    assert call["subject"] == "" and "this is [Your name], calling about" in call["draft"]
    assert {"kind", "channel", "due", "late", "is_late", "waits_for", "subject", "draft",
            "private_notes", "done_url", "snooze_url", "skip_url"} <= set(call)
    assert call["done_url"].startswith("http") and "/touches/new?" in call["done_url"]
    letter = find(digest(runner, TODAY), "Maria Lopez", "assistant_thanks")
    assert (letter["late"], letter["channel"]) == ((DAY + timedelta(days=2)).isoformat(), "email")
    assert letter["subject"] == "Thank you for your hospitality"

    # The snooze link asks first, then puts the call off.
    path = local(call["snooze_url"])
    assert "Snooze “Call Priya Shah to check in”?" in html.unescape(page(client, path))
    until = TODAY + timedelta(days=10)
    client.submit(path.split("?")[0], {"key": call["key"], "until": until.isoformat()},
                  form_page=path)
    later = find(digest(runner, TODAY + timedelta(days=10)), "Priya Shah", "checkin")
    assert later["due"] == until.isoformat()


def test_a_new_point_of_contact_after_the_second_interview_takes_over(client, runner, panel):
    second = add_interview(client, panel, ("Bob Hale", "", ""), on_date=DAY.isoformat(),
                           at_time="15:00", timezone="UTC", next_contact="Bob Hale")
    assert second.status_code == 302
    log(client, "Bob Hale", TODAY, note="Follow-through letter")
    week = digest(runner, TODAY + timedelta(days=7), days=7)
    assert "checkin" not in kinds(week, "Priya Shah")
    assert find(week, "Bob Hale", "checkin")["channel"] == "phone"


def test_one_phone_call_per_process_even_after_a_reply(client, runner, database):
    application = add_application(client, company="Meridian")
    start = TODAY - timedelta(days=30)
    add_interview(client, application, ("Bob Hale", "", ""), on_date=start.isoformat(),
                  timezone="UTC")
    log(client, "Bob Hale", start + timedelta(days=1), note="Follow-through letter")
    call = find(digest(runner, start + timedelta(days=8)), "Bob Hale", "checkin")
    assert call["channel"] == "phone"
    log(client, "Bob Hale", start + timedelta(days=8), channel="voicemail")
    log(client, "Bob Hale", start + timedelta(days=10), direction="in", note="Still deciding")
    check = find(digest(runner, TODAY), "Bob Hale", "checkin")
    assert (check["title"], check["channel"]) == ("Check in with Bob Hale", "email")
    assert "(try 1 of 3)" in check["reason"]


def test_a_rejection_the_day_after_brings_keep_in_mind_and_keeps_the_thanks(client, database):
    application = add_application(client, company="Meridian")
    add_interview(client, application, ("Bob Hale", "", ""), on_date=DAY.isoformat(),
                  timezone="UTC", assistant="Maria Lopez")
    # Morning: the letter goes out from its suggestion.
    done(client, done_link(page(client, "/"), "Send Bob Hale a follow-through"))
    # Afternoon: the rejection arrives and is recorded.
    response = client.submit(f"/applications/{application.id}/status",
                             {"status": "rejected", "closed_on": ""},
                             form_page=f"/applications/{application.id}")
    assert response.status_code == 302
    today = page(client, "/")
    assert "Ask Bob Hale to keep you in mind" in today
    assert "Thank Maria Lopez for their hospitality" in today  # due before the news came
    done(client, done_link(today, "Ask Bob Hale to keep you in mind"))
    assert "Ask Bob Hale to keep you in mind" not in page(client, "/")


def test_an_ignored_check_in_holds_the_resume_back_without_pushing_it_away(client, runner,
                                                                           database):
    application = add_application(client, company="Meridian")
    start = TODAY - timedelta(days=30)
    add_interview(client, application, ("Bob Hale", "", ""), on_date=start.isoformat(),
                  timezone="UTC")
    log(client, "Bob Hale", start + timedelta(days=1), note="Follow-through letter")
    client.submit("/settings/resume", {}, form_page="/settings")
    seen = [digest(runner, TODAY + timedelta(days=n)) for n in (0, 7, 14)]
    checkins = [find(found, "Bob Hale", "checkin") for found in seen]
    resumes = [find(found, "Bob Hale", "send_resume") for found in seen]
    assert {c["due"] for c in checkins} == {(start + timedelta(days=8)).isoformat()}
    assert {r["due"] for r in resumes} == {TODAY.isoformat()}
    assert {r["waits_for"] for r in resumes} == {checkins[0]["key"]}
    assert "It waits for “Call Bob Hale to check in”" in resumes[0]["reason"]
    assert "Waiting behind an overdue one" in page(client, "/")
    # Skipping the check-in lets the resume come due at once.
    skip = local(checkins[0]["skip_url"])
    assert "Skip “Call Bob Hale to check in”?" in html.unescape(page(client, skip))
    response = client.submit(skip.split("?")[0], {"key": checkins[0]["key"]}, form_page=skip)
    assert response.status_code == 302
    resume = find(digest(runner, TODAY), "Bob Hale", "send_resume")
    assert (resume["due"], resume["waits_for"], resume["overdue"]) == (
        TODAY.isoformat(), None, False)


def test_a_date_they_asked_for_stands_after_three_unanswered_tries(client, runner, database):
    application = add_application(client, company="Meridian")
    start = TODAY - timedelta(days=30)
    add_interview(client, application, ("Bob Hale", "", ""), on_date=start.isoformat(),
                  timezone="UTC")
    for days_after, channel in ((1, "email"), (8, "voicemail"), (15, "email")):
        log(client, "Bob Hale", start + timedelta(days=days_after), channel=channel)
    assert "checkin" not in kinds(digest(runner, TODAY, days=30), "Bob Hale")
    agreed = TODAY + timedelta(days=5)
    client.submit(f"/applications/{application.id}/edit", {
        "company": "Meridian", "position": "Partnership Strategy Manager",
        "status": "interviewing", "applied_on": "", "decision_expected_on": "",
        "check_in_on": agreed.isoformat(), "closed_on": "", "next_contact": "", "people": "",
        "next_steps": "", "notes": ""})
    check = find(digest(runner, agreed), "Bob Hale", "checkin")
    assert check["due"] == agreed.isoformat()
    assert "They chose the date, so it stands" in check["reason"]


def test_a_bad_time_of_day_is_refused_and_keeps_what_was_typed(client, database):
    contact_id = Contact.create(name="Bob Hale").id
    response = client.submit(f"/contacts/{contact_id}/touches/new", {
        "happened_on": TODAY.isoformat(), "happened_at": "25:99", "channel": "email",
        "direction": "out", "note": "Typed with care", "article_id": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a time like 14:30, or leave it empty." in body
    assert 'value="25:99"' in body and "Typed with care" in body
    assert Touch.select().count() == 0


def test_histories_take_the_same_queries_however_many_processes_and_points_of_contact(
        app, database):
    """The point of contact, interview hand-overs and touch times are read in the same
    fixed number of queries: one per table, never one per person or process."""
    from datetime import datetime, time

    from crm import followups
    from crm.models import Company, Interview, Interviewer

    def add_processes(count, offset):
        for n in range(offset, offset + count):
            company = Company.create(name=f"Company {n}")
            people = [Contact.create(name=f"Person {n}.{k}", company=company) for k in range(3)]
            application = Application.create(company=company, position="Analyst",
                                             status="interviewing", next_contact=people[2])
            interview = Interview.create(application=application, timezone="UTC",
                                         starts_at=datetime.combine(DAY, time(10)),
                                         next_contact=people[1] if n % 2 else None)
            for person in people[:2]:
                Interviewer.create(interview=interview, contact=person, values="Grit",
                                   accomplishments="Finished a marathon")
                person.record_touch(happened_on=TODAY, happened_at=time(9, 30))

    def queries():
        with counting_queries() as sent, app.test_request_context():
            found = followups.histories(TODAY)
        return len(sent), found

    add_processes(1, 0)
    few, found = queries()
    add_processes(30, 1)
    many, found = queries()
    assert many == few
    named = {h.contact.name: h.applications[0].check_in_with for h in found}
    assert len(named) == 31 * 3


def test_an_old_digest_link_to_an_answered_suggestion_leads_to_today(client, database):
    contact_id = Contact.create(name="Bob Hale").id
    for verb in ("snooze", "skip"):
        response = client.get(f"/suggestions/{contact_id}/{verb}?key=checkin:gone")
        assert response.status_code == 302 and response.location.endswith("/")
        assert "That suggestion is no longer open" in page(client, "/")
