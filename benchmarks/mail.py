"""Time the mail sync against a real IMAP server: `python -m benchmarks.mail URL`.

A throwaway Dovecot on 127.0.0.1 (tests/imapserver.py; needs Dovecot and, as
root, the vmail user: `make mailserver`) gets 10,000 messages: letters to
contacts in Sent, their replies and mail from strangers in INBOX. On a copy of
the database (made by `python -m benchmarks.generate`), it times the first
sync, a sync with nothing new, and counts the SQL statements per batch, which
must not grow with the number of contacts.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from benchmarks import databases
from crm import create_app, schema
from crm.db import db
from crm.mail import read
from crm.mail.sync import sync
from crm.models import Contact, MailAccount

TARGETS_MS = {"mail: first sync of 10,000 messages": 15_000,
              "mail: sync with nothing new": 500}
MESSAGES = 10_000


def mailbox_contents(emails, count=MESSAGES, seed=11):
    """(Sent, INBOX) raw messages: 40% letters to contacts, 30% their replies, 30% strangers."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from support import letter

    rng = random.Random(seed)
    now = datetime.now(UTC)
    sent, inbox = [], []
    for n in range(count):
        when = now - timedelta(minutes=50 * n)
        person = rng.choice(emails)
        kind = n % 10
        if kind < 4:
            sent.append(letter("me@example.com", [person, "someone@elsewhere.example"],
                               f"Letter {n}", sent=when, message_id=f"<l{n}@bench>"))
        elif kind < 7:
            inbox.append(letter(person, "me@example.com", f"Re: Letter {n - 4}", sent=when,
                                in_reply_to=f"<l{n - 4}@bench>"))
        else:
            inbox.append(letter(f"stranger{n}@shop{n % 50}.example", "me@example.com",
                                f"Offer {n}", sent=when))
    return sent, inbox


def figures(url):
    """Time the syncs against a copy of the database: {name: (ms, target ms, queries)}."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from imapserver import Dovecot, available

    if not available():
        print("  mail: Dovecot is missing (make mailserver): skipped", file=sys.stderr)
        return {}
    with tempfile.TemporaryDirectory() as folder, Dovecot() as server:
        copy = databases.copy(url, "mail", folder)
        box = server.mailbox()
        app = create_app({"DATABASE_URL": copy, "SECRET_KEY": "bench",
                          "IMAP_PASSWORD": box.password})
        with app.app_context(), db.connection_context():
            schema.migrate()
            emails = [e for (e,) in Contact.select(Contact.email).where(Contact.email != "")
                      .order_by(Contact.id).limit(2000).tuples()]
            sent, inbox = mailbox_contents(emails)
            box.fill("Sent", sent)
            box.fill("INBOX", inbox)
            MailAccount.delete().execute()
            MailAccount.create(id=1, **box.settings(address="me@example.com"))
            with databases.counting_queries() as queries:
                started = time.perf_counter()
                first = sync()
                first_ms = (time.perf_counter() - started) * 1000
            assert not first.error and first.messages == MESSAGES, first.line()
            started = time.perf_counter()
            again = sync()
            again_ms = (time.perf_counter() - started) * 1000
            assert again.messages == 0, again.line()
        batches = -(-len(sent) // read.BATCH) + -(-len(inbox) // read.BATCH)
        print(f"  mail: {first.line()}", file=sys.stderr)
        return {"mail: first sync of 10,000 messages": (first_ms, TARGETS_MS[
                    "mail: first sync of 10,000 messages"], round(len(queries) / batches)),
                "mail: sync with nothing new": (again_ms, TARGETS_MS[
                    "mail: sync with nothing new"], None)}


def main():
    """Command line: print the figures for one database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="a database made by benchmarks.generate")
    args = parser.parse_args()
    for name, (ms, target, queries) in figures(args.url).items():
        per_batch = f", {queries} SQL statements per batch" if queries else ""
        print(f"{name}: {ms:.0f} ms (target {target} ms){per_batch}")


if __name__ == "__main__":
    main()
