"""Sending a letter from Today: SMTP from the user's address, a copy in Sent, the touch logged."""

import pytest
from support import load

from crm.mail.sync import sync
from crm.models import Contact, MailMessage, Touch


@pytest.fixture
def sending(app, mailbox, smtp):
    """SMTP and the mailbox both set, as a user who sends from the app has them."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False)
    return mailbox


def test_send_from_today_delivers_keeps_a_copy_and_logs_the_suggestion_done(
        app, client, sending, smtp):
    load(app)
    sam = Contact.get(Contact.name == "Sam Okafor")
    today = client.get("/").get_data(as_text=True)
    assert f"/mail/send/{sam.id}?key=followthrough" in today
    key = today.split(f"/mail/send/{sam.id}?key=")[1].split('"')[0].replace("&amp;", "&")
    form_page = f"/mail/send/{sam.id}?key={key}"
    draft = client.get(form_page).get_data(as_text=True)
    assert "Dear Sam," in draft
    response = client.submit(f"/mail/send/{sam.id}", {
        "subject": "Thank you, Sam", "body": "Dear Sam,\n\nThank you.\n\nJo", "key": key},
        form_page=form_page)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Sent “Thank you, Sam” to Sam Okafor and logged it. A copy is in your Sent folder." \
        in page
    assert "Send Sam Okafor a follow-through letter" not in page
    (recipients, message), = smtp.messages
    assert recipients == ["sam.okafor@example.com"]
    assert message["From"].addresses[0].addr_spec == sending.user
    touch = Touch.get(Touch.contact == sam, Touch.mail_message.is_null(False))
    assert touch.suggestion_key == key and touch.note == "Thank you, Sam"
    imap = sending.client()
    imap.select("Sent", readonly=True)
    assert imap.search(None, "SEEN")[1] == [b"1"]
    imap.logout()
    assert sync().touches == 0  # the Sent copy is the message already logged
    assert MailMessage.select().count() == 1


def test_a_letter_that_cannot_be_sent_logs_nothing_and_keeps_what_was_typed(
        app, client, sending, database):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1)  # nothing listens there
    bob = Contact.create(name="Bob", email="bob@acme.example")
    page = client.submit(f"/mail/send/{bob.id}", {"subject": "Hello", "body": "Typed text",
                                                  "key": ""}).get_data(as_text=True)
    assert "The letter was not sent" in page and "Typed text" in page
    assert Touch.select().count() == 0


def test_without_smtp_today_offers_done_only(app, client, mailbox):
    load(app)
    page = client.get("/").get_data(as_text=True)
    assert "Done, but I changed it…" in page and "/mail/send/" not in page
