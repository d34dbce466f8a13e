"""Syncing the mailbox: the one function behind `crm mail sync`, the schedule and Sync now.

Each folder is read from the UID after the last one seen (all of its last
MAIL_FIRST_DAYS the first time, or after its UIDVALIDITY changed), a batch at a
time, each batch stored in one transaction with the folder's new last UID: a
connection lost half way keeps what was stored, and the next sync goes on
from there. A message that cannot be read is counted and skipped.
"""

import logging
import ssl
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from imapclient.exceptions import IMAPClientError

from crm import scheduler
from crm.db import db
from crm.mail import secret
from crm.mail.connect import MailError, close, connect
from crm.mail.parse import Unreadable, parse
from crm.mail.read import fetch, find_folders, new_uids
from crm.mail.store import Stored, company_domains, store_batch
from crm.models import MailAccount, MailFolder, utcnow
from crm.settings import today_for_user, user_timezone

log = logging.getLogger(__name__)

DEFAULTS = {"IMAP_PASSWORD": "", "IMAP_CA_FILE": "", "IMAP_TIMEOUT": 30,
            "MAIL_SYNC_MINUTES": 15}
MAX_WAIT = timedelta(days=1)  # the longest a failing mailbox waits between tries


def init_app(app):
    """Set the mail defaults and let `crm serve` sync the mailbox on schedule."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    scheduler.register(app, "mail", int(app.config["MAIL_SYNC_MINUTES"]) * 60, scheduled)


def scheduled(app):
    """The job `crm serve` runs: sync when mail is set up and not backing off."""
    account = MailAccount.current()
    if account is None or not account.enabled or not account.host:
        return
    if account.next_try_at and account.next_try_at > utcnow():
        return
    log.info("Mail sync: %s", sync().line())


@dataclass
class Summary(Stored):
    """How a sync or an import went; `error` says why it stopped early, if it did."""

    error: str = ""

    def line(self):
        """The one-line summary `crm mail sync` ends with and the Mail page shows."""
        if self.error and not self.messages:
            return f"Not synced: {self.error}"
        text = (f"{plural(self.messages, 'new message')} read: "
                f"{plural(self.touches, 'touch', 'touches')} logged, "
                f"{self.merged} joined to touches already logged, "
                f"{plural(self.people, 'person', 'people')} to review")
        if self.unreadable:
            text += f", {self.unreadable} could not be read"
        text += "."
        if self.error:
            text += f" Stopped: {self.error}"
        return text


def plural(count, noun, nouns=None):
    """"1 message", "2 messages"."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def sync(progress=None):
    """Read what is new in the mailbox and log its touches; never raises for a mailbox error.

    `progress(done, total)` is called once the new messages are counted, then
    after each batch.
    """
    account = MailAccount.current()
    summary = Summary()
    if account is None or not account.host:
        summary.error = "Mail is not set up: fill in the Mail settings first."
        return summary
    config = current_app.config
    try:
        client = connect(account, secret.password(), config["IMAP_CA_FILE"],
                         float(config["IMAP_TIMEOUT"]))
    except MailError as error:
        summary.error = str(error)
    else:
        try:
            _read(client, account, summary, progress)
        except (IMAPClientError, OSError, ssl.SSLError) as error:
            summary.error = (f"the connection to {account.host} broke off ({error}); what was "
                             "read before is kept, and the next sync goes on from there.")
        finally:
            close(client)
    _record(account, summary)
    return summary


def _read(client, account, summary, progress):
    since = today_for_user() - timedelta(days=account.first_days)
    plans = []
    for role, name in find_folders(client).items():
        folder = MailFolder.get_or_none(MailFolder.role == role) or MailFolder(role=role)
        if folder.name != name:  # another folder now: read it as new
            folder.name, folder.uid_validity, folder.last_uid = name, None, 0
        validity, uids, uid_next = new_uids(client, name, folder.uid_validity, folder.last_uid,
                                            since)
        plans.append((folder, validity, uids, uid_next))
    total, done = sum(len(uids) for _, _, uids, _ in plans), 0
    if progress:
        progress(0, total)
    zone, domains = user_timezone(), company_domains()
    own = account.own_addresses()
    for folder, validity, uids, uid_next in plans:
        if validity != folder.uid_validity:
            folder.uid_validity, folder.last_uid = validity, 0
        client.select_folder(folder.name, readonly=True)
        for batch in fetch(client, uids):
            records = parse_batch(batch, folder.name, summary)
            with db.atomic():
                summary.add(store_batch(records, own, domains, zone, folder.role == "sent"))
                folder.last_uid = max(uid for uid, _, _ in batch)
                folder.save()
            done += len(batch)
            if progress:
                progress(done, total)
        # Everything below UIDNEXT was seen, also the messages older than the first window.
        folder.last_uid = max(folder.last_uid, (uid_next or 1) - 1)
        with db.atomic():
            folder.save()


def parse_batch(batch, folder_name, summary):
    """The batch's messages as Records; the unreadable ones are counted and named."""
    records = []
    for uid, raw, received_at in batch:
        try:
            records.append(parse(raw, received_at))
        except Exception as error:  # one broken message must not stop the sync
            reason = str(error) if isinstance(error, Unreadable) else f"{error!r}"
            summary.unreadable += 1
            summary.messages += 1
            if len(summary.problems) < 10:
                summary.problems.append(f"{folder_name} message {uid}: {reason}")
            log.warning("Mail: skipped %s message %s: %s", folder_name, uid, reason)
    return records


def _record(account, summary):
    """Keep the result on the account; a failure waits longer each time (like feeds)."""
    now = utcnow()
    failures = account.failures + 1 if summary.error else 0
    wait = min(MAX_WAIT, timedelta(minutes=15 * 2 ** max(0, failures - 1)))
    with db.atomic():
        MailAccount.update(last_sync_at=now, last_result=summary.line(),
                           last_error=summary.error, failures=failures,
                           next_try_at=now + wait if failures else None).where(
            MailAccount.id == account.id).execute()

