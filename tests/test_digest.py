"""`crm digest`: the follow-ups for a period as text, JSON or HTML, and emailed with --send."""

import json
import re
from datetime import timedelta

from support import load

from crm import digest
from crm.models import Contact
from crm.settings import today_for_user


def use_smtp(app, smtp):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False,
                      DIGEST_TO="me@example.com", MAIL_FROM="crm@example.com")


def test_text_digest_lists_what_to_do_with_reasons_and_drafts(app, runner):
    load(app)
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    assert "   • Sam Okafor, Head of Brand Partnerships\n   Send Sam Okafor a follow-through " \
        "letter · email\n" in result.output
    assert "Why: Interview on" in result.output and "Dear Sam," in result.output


def test_text_digest_groups_by_occasion_and_person_as_today_does(app, runner):
    # One rejection, three people: the occasion and its reason said once, then each
    # person with their letter and their LinkedIn invitation together.
    load(app)
    output = runner.invoke(args=["digest"]).output
    rejection = output[output.index("1. "):output.index("\n2. ")]
    assert rejection.startswith("1. Meridian Sports & Entertainment said no (")
    assert "): ask 3 people to keep you in mind\n   Due " in rejection
    assert rejection.count("say you enjoyed meeting them and ask them to keep you in mind") == 1
    people = rejection.split("\n   • ")[1:]
    assert [person.split(",")[0] for person in people] == ["Bob Hale", "Dana Whitfield",
                                                          "Priya Shah"]
    for person in people:
        name = person.split(",")[0]
        assert f"Ask {name} to keep you in mind · email\n" in person
        assert f"Invite {name} to connect on LinkedIn · LinkedIn invitation\n" in person
        assert person.count("Your notes (not in the draft)") == 1
        assert person.count("Invited? http://") == 1 and person.count("Done? http://") == 1
    assert "\n\n\n" not in output
    html = runner.invoke(args=["digest", "--format", "html"]).output
    assert html.count("say you enjoyed meeting them and ask them to keep you in mind") == 1
    assert html.count("<h2") == len(re.findall(r"^\d+\. ", output, re.MULTILINE)) == 2


def test_json_digest_covers_the_chosen_period(app, runner, database):
    load(app)
    as_of = today_for_user()
    week = json.loads(runner.invoke(args=["digest", "--format", "json"]).output)
    assert week["as_of"] == as_of.isoformat()
    assert all(s["due"] <= (as_of + timedelta(days=7)).isoformat() for s in week["suggestions"])
    month = json.loads(runner.invoke(args=["digest", "--format", "json", "--days", "30"]).output)
    assert len(month["suggestions"]) > len(week["suggestions"])
    assert any("Sports Sponsorship Summit" in s["title"] for s in month["suggestions"])
    assert month["suggestions"][0]["done_url"].startswith("http://127.0.0.1:5000/contacts/")


def test_as_of_plans_from_another_day(app, runner, database):
    load(app)
    later = (today_for_user() + timedelta(days=60)).isoformat()
    result = json.loads(runner.invoke(args=["digest", "--as-of", later, "--format", "json"])
                        .output)
    assert result["as_of"] == later


def test_html_digest_escapes_user_text(app, runner, database):
    load(app)
    Contact.update(name="<b>Sam</b> Okafor").where(Contact.name == "Sam Okafor").execute()
    html = runner.invoke(args=["digest", "--format", "html"]).output
    assert "<b>Sam</b>" not in html and "&lt;b&gt;Sam&lt;/b&gt; Okafor" in html


def test_send_emails_the_html_digest_to_a_real_smtp_server(app, runner, smtp):
    load(app)
    use_smtp(app, smtp)
    result = runner.invoke(args=["digest", "--send"])
    assert result.exit_code == 0, result.output
    assert "Sent the digest" in result.output
    [(recipients, message)] = smtp.messages
    assert recipients == ["me@example.com"] and message["From"] == "crm@example.com"
    assert message["Subject"].startswith("Followthrough: ")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Sam Okafor" in html and "Dear Sam," in text


def test_send_without_smtp_says_how_to_set_it_up(app, runner):
    result = runner.invoke(args=["digest", "--send"])
    assert result.exit_code == 1 and "CRM_SMTP_HOST" in result.output


def test_send_to_a_server_that_is_not_there_fails_cleanly(app, runner):
    load(app)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_STARTTLS=False,
                      DIGEST_TO="me@example.com")
    result = runner.invoke(args=["digest", "--send"])
    assert result.exit_code == 1 and "Could not send the digest" in result.output


def test_scheduled_digest_goes_out_once_a_week(app, smtp, database):
    load(app)
    use_smtp(app, smtp)
    digest.scheduled(app)
    digest.scheduled(app)
    assert len(smtp.messages) == 1
    from crm.settings import set_setting
    set_setting("digest.last_sent", (today_for_user() - timedelta(days=7)).isoformat())
    digest.scheduled(app)
    assert len(smtp.messages) == 2
    html = smtp.messages[1][1].get_body(("html",)).get_content()
    assert "http://127.0.0.1:5000/contacts/" in html


def test_text_digest_says_the_channel_the_links_and_keeps_notes_apart(app, runner):
    load(app)
    output = runner.invoke(args=["digest"]).output
    sam = output[output.index("Send Sam Okafor a follow-through letter"):]
    sam = sam[:sam.index("\n\n", sam.index("Skip: "))]
    assert " · email\n" in sam
    draft, notes = sam.split("\n\n   Your notes (not in the draft): ")
    assert "marathons" not in draft.split("Dear Sam,")[1]
    assert notes.startswith("Runs marathons")
    assert "Snooze: http://127.0.0.1:5000/suggestions/" in sam
    assert "Skip: http://127.0.0.1:5000/suggestions/" in sam
