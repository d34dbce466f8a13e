"""Reading a real mailbox (Dovecot on 127.0.0.1): letters and replies become touches, once."""

import os
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime

import pytest
from imapserver import Dovecot
from support import letter, load

from crm.mail.sync import sync
from crm.models import (
    Application,
    Company,
    Contact,
    Interview,
    Interviewer,
    MailAccount,
    MailCandidate,
    MailFolder,
    MailMessage,
    Touch,
)

ME = "Jo Doe <{}>"


@pytest.fixture
def bob(database):
    return Contact.create(name="Bob Häle", email="bob@acme.example")


def me(mailbox):
    return ME.format(mailbox.user)


def touches_of(contact):
    return list(Touch.select().where(Touch.contact == contact).order_by(Touch.id))


def test_a_letter_and_its_reply_become_touches_once_however_often_it_syncs(
        client, mailbox, bob):
    mailbox.append("Sent", letter(me(mailbox), ["Bob Häle <Bob@Acme.example>"],
                                  "Merci — thank you for Tuesday", message_id="<l1@example.com>"))
    mailbox.append("INBOX", letter("=?utf-8?q?Bob_H=C3=A4le?= <bob@acme.example>", mailbox.user,
                                   "Re: Merci — thank you for Tuesday",
                                   in_reply_to="<l1@example.com>",
                                   body="Glad you came.\n> Thank you for your time\n-- \nBob"))
    first = sync()
    assert first.line() == ("2 new messages read: 2 touches logged, 0 joined to touches "
                            "already logged, 0 people to review.")
    assert sync().line().startswith("0 new messages read: 0 touches logged")
    letter_touch, reply = touches_of(bob)
    assert (letter_touch.direction, reply.direction) == ("out", "in")
    assert reply.mail_message.snippet == "Glad you came."
    page = client.get(f"/contacts/{bob.id}").get_data(as_text=True)
    assert "Merci — thank you for Tuesday" in page and "Re: Merci" in page
    assert "Read from your mailbox" in page and "Glad you came." in page
    assert Contact.get_by_id(bob.id).last_touch_on == datetime.now(UTC).date()


def test_a_reply_from_an_unknown_address_is_found_through_its_thread(client, mailbox, bob):
    mailbox.append("Sent", letter(me(mailbox), "bob@acme.example", "Next steps",
                                  message_id="<l2@example.com>"))
    mailbox.append("INBOX", letter("Bob on his phone <bobby@gmail.com>", mailbox.user,
                                   "Re: Next steps", references=["<l2@example.com>"]))
    summary = sync()
    assert (summary.touches, summary.people) == (2, 1)
    assert [t.direction for t in touches_of(bob)] == ["out", "in"]
    review = client.get("/mail/people").get_data(as_text=True)
    assert "bobby@gmail.com" in review and "Wrote in a thread with Bob Häle" in review


def test_several_recipients_and_cc_each_get_the_letter(mailbox, database):
    people = [Contact.create(name=f"Person {n}", email=f"p{n}@acme.example") for n in range(3)]
    strangers = [f"Stranger {n} <s{n}@elsewhere.example>" for n in range(40)]
    mailbox.append("Sent", letter(me(mailbox), [*strangers, "p0@acme.example"],
                                  cc=["P1 <P1@acme.example>", "p2@acme.example"]))
    assert sync().touches == 3
    assert all(len(touches_of(p)) == 1 for p in people)
    assert MailMessage.select().count() == 1


def test_a_contact_with_a_second_address_is_matched_by_it(client, mailbox, bob):
    client.submit(f"/contacts/{bob.id}/edit", {
        "name": "Bob Häle", "email": "bob@acme.example", "other_emails": "Bob@Home.example\n",
        "role": "other", "preferred_channel": "", "status": "active", "may_follow_up": "y"})
    mailbox.append("INBOX", letter("bob@home.example", mailbox.user, "From home"))
    assert sync().touches == 1
    assert touches_of(bob)[0].note == "From home"


def test_a_touch_logged_by_hand_that_day_is_joined_not_doubled(client, mailbox, bob):
    today = datetime.now(UTC).date()
    client.submit(f"/contacts/{bob.id}/touches/new", {
        "happened_on": today.isoformat(), "channel": "email", "direction": "out", "note": "",
        "article_id": ""})
    mailbox.append("Sent", letter(me(mailbox), "bob@acme.example", "The letter itself"))
    summary = sync()
    assert (summary.touches, summary.merged) == (0, 1)
    (touch,) = touches_of(bob)
    assert touch.note == "The letter itself" and touch.mail_message is not None


def test_a_letter_after_the_interview_fulfils_the_follow_through(app, client, mailbox):
    load(app)
    assert "Send Sam Okafor a follow-through letter" in client.get("/").get_data(as_text=True)
    mailbox.append("Sent", letter(me(mailbox), "sam.okafor@example.com", "Thank you, Sam"))
    sync()
    assert "Send Sam Okafor a follow-through" not in client.get("/").get_data(as_text=True)


def test_a_reply_read_from_the_mailbox_resets_the_three_tries(client, mailbox, bob):
    held = datetime.now(UTC).date() - timedelta(days=40)
    application = Application.create(company=Company.create(name="Acme"), position="Analyst",
                                     status="interviewing", applied_on=held)
    interview = Interview.create(application=application,
                                 starts_at=datetime.combine(held, time(10)))
    Interviewer.create(interview=interview, contact=bob)
    for days, channel in ((1, "email"), (8, "voicemail"), (15, "email")):
        bob.record_touch(happened_on=held + timedelta(days=days), channel=channel)
    assert "Check in with Bob" not in client.get("/").get_data(as_text=True)
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Re: Still interested",
                                   sent=datetime.now(UTC) - timedelta(days=8)))
    sync()
    page = client.get("/").get_data(as_text=True)
    assert "Check in with Bob Häle" in page and "Last heard from them on" in page


def test_a_five_megabyte_message_is_read_by_its_headers_and_first_lines(mailbox, bob):
    big = letter("bob@acme.example", mailbox.user, "My portfolio", body="Here it is.",
                 attachment=os.urandom(5 * 2**20))
    assert len(big) > 5 * 2**20
    mailbox.append("INBOX", big)
    assert sync().touches == 1
    stored = MailMessage.get()
    assert stored.snippet == "Here it is." and stored.subject == "My portfolio"


def test_a_message_that_cannot_be_read_is_counted_and_the_rest_is_kept(runner, mailbox, bob):
    mailbox.append("INBOX", b"This is not a mail message at all\r\n\r\n\x00\xff\xfe")
    mailbox.append("INBOX", b"From: =?bogus?q?=FF?= <bob@acme.example>\r\nDate: yesterday\r\n"
                            b"Subject: =?utf-8?b?!!!?=\r\n\r\n\xff broken")
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Still here"))
    result = runner.invoke(args=["mail", "sync"])
    assert result.exit_code == 0, result.output
    assert "skipped INBOX message 1: it has no sender address" in result.output
    assert "1 could not be read" in result.output
    assert sorted(t.note for t in touches_of(bob)) == ["(no subject)", "Still here"]


def test_a_changed_uidvalidity_reads_the_folder_again_without_duplicates(mailbox, bob):
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "One"))
    sync()
    mailbox.renumber("INBOX", 4242)
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Two"))
    summary = sync()
    assert (summary.messages, summary.touches) == (2, 1)
    assert sorted(t.note for t in touches_of(bob)) == ["One", "Two"]
    assert MailFolder.get(MailFolder.role == "inbox").uid_validity == 4242


def test_the_first_sync_reads_only_the_last_days_set(mailbox, bob):
    MailAccount.update(first_days=30).execute()
    old = datetime.now(UTC) - timedelta(days=90)
    mailbox.fill("INBOX", [letter("bob@acme.example", mailbox.user, "Old news", sent=old)],
                 received=old)
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Recent"))
    sync()
    assert [t.note for t in touches_of(bob)] == ["Recent"]


def test_a_folder_of_ten_thousand_messages_is_read_in_one_sync(mailbox, database):
    people = [Contact.create(name=f"Person {n}", email=f"p{n}@acme.example") for n in range(100)]
    sent = format_datetime(datetime.now(UTC) - timedelta(days=1))
    # Written as plain text: building 10,000 EmailMessage objects would take most of the test.
    mailbox.fill("Sent", [(f"From: {me(mailbox)}\r\nTo: p{n % 100}@acme.example\r\n"
                           f"Subject: Letter {n}\r\nDate: {sent}\r\nMessage-ID: <{n}@bulk>\r\n"
                           "\r\nHello\r\n").encode() for n in range(10_000)])
    summary = sync()
    assert (summary.messages, summary.touches, summary.unreadable) == (10_000, 10_000, 0)
    assert len(touches_of(people[7])) == 100
    assert sync().messages == 0


def test_a_wrong_password_says_so_fails_the_command_and_keeps_what_was_stored(
        app, runner, mailbox, bob):
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Kept"))
    sync()
    app.config["IMAP_PASSWORD"] = "not-the-password"
    result = runner.invoke(args=["mail", "sync"])
    assert result.exit_code == 1
    assert f"Not synced: 127.0.0.1 refused the login of '{mailbox.user}'" in result.output
    assert "not-the-password" not in result.output
    assert [t.note for t in touches_of(bob)] == ["Kept"]
    account = MailAccount.current()
    assert account.failures == 1 and account.next_try_at > account.last_sync_at


def test_a_server_gone_mid_sync_keeps_every_batch_read_before(app, database, bob):
    with Dovecot() as server:
        box = server.mailbox()
        app.config.update(IMAP_PASSWORD=box.password)
        MailAccount.create(id=1, **box.settings())
        box.fill("INBOX", [letter("bob@acme.example", box.user, f"Note {n}") for n in range(1200)])

        def stop_after_first_batch(done, total):
            if done:
                server.stop()

        summary = sync(progress=stop_after_first_batch)
    assert "the connection to 127.0.0.1 broke off" in summary.error
    assert len(touches_of(bob)) == 500
    assert MailFolder.get(MailFolder.role == "inbox").last_uid == 500
    assert "Stopped: the connection" in MailAccount.current().last_result


def test_imaps_checks_the_certificate(app, dovecot, mailbox, bob):
    MailAccount.update(host="localhost", port=dovecot.tls_port, security="imaps").execute()
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Over TLS"))
    assert sync().touches == 1
    app.config["IMAP_CA_FILE"] = ""
    assert "certificate of localhost could not be trusted" in sync().error


def test_starttls_upgrades_the_plain_port(dovecot, mailbox, bob):
    MailAccount.update(host="localhost", security="starttls").execute()
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Upgraded"))
    summary = sync()
    assert summary.error == "" and summary.touches == 1


def test_the_mailbox_is_never_changed(mailbox, bob):
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Unread"))
    sync()
    imap = mailbox.client()
    imap.select("INBOX")
    assert imap.search(None, "UNSEEN")[1] == [b"1"]
    imap.logout()


def test_people_writing_from_a_company_domain_are_offered_and_added_only_on_yes(
        client, mailbox, database):
    from crm.models import Company

    acme = Company.create(name="Acme", website="https://www.acme.example")
    mailbox.append("INBOX", letter("Kim Lee <kim@acme.example>", mailbox.user, "Hello"),
                   letter("Spam <offers@shop.example>", mailbox.user, "Buy now"))
    sync()
    assert Contact.select().count() == 0
    page = client.get("/mail/people").get_data(as_text=True)
    assert "Writes from acme.example, the domain of Acme" in page and "shop.example" not in page
    kim = MailCandidate.get()
    client.submit(f"/mail/people/{kim.id}/add", {}, form_page="/mail/people")
    added = Contact.get(Contact.email == "kim@acme.example")
    assert (added.name, added.company_id) == ("Kim Lee", acme.id)
    assert "Nobody to review" in client.get("/mail/people").get_data(as_text=True)


def test_an_ignored_person_is_not_offered_again(client, mailbox, bob):
    mailbox.append("Sent", letter(me(mailbox), "bob@acme.example", "Hi", message_id="<t@x>"))
    mailbox.append("INBOX", letter("assistant@acme.example", mailbox.user, "Re: Hi",
                                   in_reply_to="<t@x>"))
    sync()
    person = MailCandidate.get()
    client.submit(f"/mail/people/{person.id}/ignore", {}, form_page="/mail/people")
    mailbox.append("INBOX", letter("assistant@acme.example", mailbox.user, "Re: Hi again",
                                   in_reply_to="<t@x>"))
    assert sync().people == 0
    assert "Nobody to review" in client.get("/mail/people").get_data(as_text=True)


def test_the_schedule_backs_off_from_a_failing_mailbox_and_tries_again_when_due(
        app, mailbox, bob):
    from crm.mail.sync import scheduled

    app.config["IMAP_PASSWORD"] = "wrong"
    scheduled(app)
    failed = MailAccount.current()
    assert failed.failures == 1 and failed.next_try_at > failed.last_sync_at
    app.config["IMAP_PASSWORD"] = mailbox.password
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "While waiting"))
    scheduled(app)  # still waiting: nothing read
    assert MailAccount.current().last_sync_at == failed.last_sync_at and not touches_of(bob)
    MailAccount.update(next_try_at=failed.last_sync_at).execute()
    scheduled(app)
    assert MailAccount.current().failures == 0 and len(touches_of(bob)) == 1
    MailAccount.update(enabled=False).execute()
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Switched off"))
    scheduled(app)
    assert len(touches_of(bob)) == 1
