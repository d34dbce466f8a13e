"""Sending a letter from the app: through SMTP from the user's own address, a copy APPENDed
to their Sent folder (the only write the app ever makes to the mailbox), and the touch logged
with its message, so that the next sync finds it already there."""

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app
from imapclient.exceptions import IMAPClientError

from crm.db import db
from crm.mail import secret
from crm.mail.connect import MailError, close, connect
from crm.mail.parse import parse
from crm.mail.read import find_folders
from crm.mail.store import store_batch
from crm.models import MailAccount, MailMessage, Touch
from crm.settings import sender_name, user_timezone
from crm.smtp import deliver


class SendProblem(Exception):
    """The letter was not sent; the message says why. Nothing was logged."""


def sender():
    """The mailbox whose address letters are sent from, or None when sending is not set up."""
    account = MailAccount.current()
    if current_app.config["SMTP_HOST"] and account and account.own_addresses():
        return account
    return None


def compose(account, contact, subject, body):
    """The letter as an email message, from the user's address to the contact's."""
    address = account.address or account.username
    message = EmailMessage()
    message["From"] = formataddr((sender_name(), address))
    message["To"] = formataddr((contact.name, contact.email))
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=address.rsplit("@", 1)[1])
    message.set_content(body)
    return message


def send_letter(contact, subject, body, suggestion_key=None):
    """Send, keep a copy in Sent, log the touch; return what became of the Sent copy, in words."""
    account = sender()
    if account is None:
        raise SendProblem("Sending needs the SMTP settings and your address on the Mail page.")
    message = compose(account, contact, subject, body)
    try:
        deliver(message)
    except (OSError, smtplib.SMTPException) as error:
        raise SendProblem(f"The letter was not sent: {error}") from None
    raw = bytes(message)
    copied = append_to_sent(account, raw)
    record = parse(raw)
    with db.atomic():
        store_batch([record], account.own_addresses(), {}, user_timezone(), sent_folder=True)
        if suggestion_key:
            Touch.update(suggestion_key=suggestion_key).where(
                Touch.contact == contact,
                Touch.mail_message == MailMessage.get(MailMessage.message_id ==
                                                      record.message_id)).execute()
    return copied


def append_to_sent(account, raw):
    """APPEND the letter to the Sent folder, marked as read; say how that went."""
    if not account.host:
        return "No IMAP mailbox is set, so no copy was put in a Sent folder."
    config = current_app.config
    try:
        client = connect(account, secret.password(), config["IMAP_CA_FILE"],
                         float(config["IMAP_TIMEOUT"]))
    except MailError as error:
        return f"The copy could not be put in your Sent folder: {error}"
    try:
        folder = find_folders(client).get("sent")
        if folder is None:
            return "Your mailbox has no Sent folder, so no copy was kept there."
        client.append(folder, raw, flags=[b"\\Seen"])
        return f"A copy is in your {folder} folder."
    except (IMAPClientError, OSError) as error:
        return f"The copy could not be put in your Sent folder: {error}"
    finally:
        close(client)
