"""The Mail page: settings kept as typed, Test connection that says what failed, Sync now,
switching off and forgetting; the password never reaching the database, a backup or a page."""

import os
import stat

import pytest
from imapserver import free_port
from support import export, letter

from crm.models import Contact, MailAccount, MailCandidate, MailMessage, Touch


def mail_form(**fields):
    data = {"host": "127.0.0.1", "port": "993", "security": "imaps", "username": "jo",
            "password": "", "address": "", "first_days": "365", "enabled": "y",
            "action": "save"}
    data.update(fields)
    return data


def page_of(response):
    return response.get_data(as_text=True)


def test_saving_keeps_the_password_in_the_instance_folder_only(app, client, runner, database):
    secret = "s3cret-app-pass-xyz"
    response = client.submit("/mail", mail_form(host="imap.example.com", username="jo@example.com",
                                                password=secret))
    assert response.status_code == 302
    account = MailAccount.current()
    assert (account.host, account.username) == ("imap.example.com", "jo@example.com")
    path = os.path.join(app.instance_path, "imap_password")
    with open(path) as saved:
        assert saved.read() == secret
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    page = page_of(client.get("/mail"))
    assert "A password is saved" in page and secret not in page
    database_file = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    for suffix in ("", "-wal"):
        if os.path.exists(database_file + suffix):
            with open(database_file + suffix, "rb") as stored:
                assert secret.encode() not in stored.read()
    assert secret.encode() not in export(runner)


def test_a_form_with_errors_keeps_what_was_typed_and_saves_nothing(client, database):
    response = client.submit("/mail", mail_form(host="https://imap.example.com", port="99999",
                                                username="jo@example.com"))
    page = page_of(response)
    assert response.status_code == 200 and "nothing was saved" in page
    assert "no https:// and no spaces" in page and "A port is between 1 and 65535" in page
    assert 'value="https://imap.example.com"' in page and 'value="jo@example.com"' in page
    assert MailAccount.current() is None


def test_plain_imap_is_refused_beyond_this_computer(client, database):
    page = page_of(client.submit("/mail", mail_form(host="imap.example.com", security="plain")))
    assert "the password would cross the network in the clear" in page
    assert MailAccount.current() is None


@pytest.mark.parametrize("fields, message", [
    ({"host": "no-such-host.invalid", "security": "starttls"},
     "The server name no-such-host.invalid was not found"),
    ({"port": "closed"}, "refused the connection: check the port"),
    ({"security": "imaps", "port": "plain"}, "TLS failed with 127.0.0.1"),
    ({"password": "wrong"}, "refused the login of"),
])
def test_test_connection_says_exactly_what_failed(client, dovecot, mailbox, fields, message):
    ports = {"closed": str(free_port()), "plain": str(dovecot.port)}
    fields = {k: ports.get(v, v) for k, v in fields.items()}
    typed = mail_form(**{**mailbox.settings(), "port": str(dovecot.port), "security": "plain",
                         "action": "test", "password": mailbox.password, **fields})
    page = page_of(client.submit("/mail", typed))
    assert "Test failed: " in page and message in page
    assert mailbox.password not in page
    assert f'value="{typed["host"]}"' in page  # kept as typed


def test_test_connection_names_the_folders_it_reads(client, dovecot, mailbox):
    typed = mail_form(**{**mailbox.settings(), "port": str(dovecot.port), "action": "test",
                         "security": "plain"})
    page = page_of(client.submit("/mail", typed))
    assert f"Connected to 127.0.0.1 as {mailbox.user}: it reads INBOX and Sent" in page


def test_sync_now_shows_the_result_and_logs_the_touch(client, mailbox, database):
    bob = Contact.create(name="Bob", email="bob@acme.example")
    mailbox.append("INBOX", letter("bob@acme.example", mailbox.user, "Hello again"))
    client.submit("/mail/sync", {}, form_page="/mail")
    page = page_of(client.get("/mail"))
    assert page.count("1 new message read: 1 touch logged") == 2  # the flash, the last sync
    assert "Last sync" in page
    assert Touch.get().contact_id == bob.id


def test_a_failing_sync_shows_its_error_on_the_page(app, client, mailbox):
    app.config["IMAP_PASSWORD"] = "wrong"
    client.submit("/mail/sync", {}, form_page="/mail")
    page = page_of(client.get("/mail"))
    assert "refused the login" in page and "the next try is at" in page


def test_switch_off_and_forget_deletes_messages_people_and_password(app, client, mailbox,
                                                                    database):
    bob = Contact.create(name="Bob", email="bob@acme.example")
    client.submit("/mail", mail_form(**{**mailbox.settings(), "security": "plain",
                                        "port": str(mailbox.server.port), "password": "typed"}))
    mailbox.append("Sent", letter(f"me <{mailbox.user}>", "bob@acme.example", "Hi",
                                  message_id="<f@x>"))
    mailbox.append("INBOX", letter("kim@acme.example", mailbox.user, "Re: Hi",
                                   in_reply_to="<f@x>"))
    client.submit("/mail/sync", {}, form_page="/mail")
    assert MailMessage.select().count() == 2 and MailCandidate.select().count() == 1
    assert "2 stored messages and the people to review" in page_of(client.get("/mail/forget"))
    client.submit("/mail/forget", {})
    page = page_of(client.get("/mail"))
    assert "Mail switched off: 2 stored messages deleted" in page
    assert "IMAP_PASSWORD is still set" in page  # the test's config.py stand-in
    assert MailMessage.select().count() == MailCandidate.select().count() == 0
    assert MailAccount.current() is None
    assert not os.path.exists(os.path.join(app.instance_path, "imap_password"))
    notes = [(t.note, t.mail_message)
             for t in Touch.select().where(Touch.contact == bob).order_by(Touch.id)]
    assert notes == [("Hi", None), ("Re: Hi", None)]


def test_every_mail_form_needs_its_csrf_token(app, client, database):
    app.config["WTF_CSRF_ENABLED"] = True
    for url in ("/mail", "/mail/sync", "/mail/forget"):
        client.post(url, data=mail_form())
    assert MailAccount.current() is None


def test_a_contacts_other_address_cannot_be_someone_elses(client, database):
    Contact.create(name="Ann", email="ann@acme.example")
    bob = Contact.create(name="Bob", email="bob@acme.example")
    page = page_of(client.submit(f"/contacts/{bob.id}/edit", {
        "name": "Bob", "email": "bob@acme.example", "other_emails": "ANN@acme.example",
        "role": "other", "preferred_channel": "", "status": "active"}))
    assert "ann@acme.example already belongs to another contact." in page
    assert "ANN@acme.example" in page
