"""Which messages are touches, with whom, and who else is worth keeping. Pure: no I/O.

A message is a touch when it goes between the user and a contact: from the
user (or found in the Sent folder) to contacts among its To and Cc, it is an
outbound letter to each; from a contact, it is their reply. A reply from an
address the app does not know still counts when it answers a letter already
stored (In-Reply-To / References): it is that contact's reply, and the address
is offered for review, as is anyone writing from the domain of a company here.
"""

from dataclasses import dataclass

from crm.mail.parse import Record

# Free-mail domains say nothing about an employer.
PERSONAL_DOMAINS = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com icloud.com "
    "me.com mac.com aol.com proton.me protonmail.com gmx.com gmx.de fastmail.com "
    "hey.com zoho.com yandex.com mail.com".split())


@dataclass(frozen=True)
class Book:
    """What matching needs to know about the address book, loaded once per batch."""

    own: frozenset  # the user's addresses
    contacts: dict  # address -> contact id
    threads: dict  # Message-ID -> contact ids of the touches it made
    names: dict  # contact id -> name
    domains: dict  # e-mail domain -> (company id, company name)


@dataclass(frozen=True)
class Match:
    """A message that is a touch: its direction and the contacts it touches."""

    record: Record
    direction: str  # "out" or "in"
    contact_ids: tuple


@dataclass(frozen=True)
class Candidate:
    """Someone worth adding as a contact, and why."""

    email: str
    name: str
    reason: str
    company_id: int | None
    subject: str


def is_outbound(record, own, sent_folder):
    """Whether the user sent the message: it is in Sent, comes from them, or Gmail says Sent."""
    return sent_folder or record.sender in own or "Sent" in record.labels


def match(record, book, sent_folder=False):
    """The touch a message makes, or None when it goes between the user and no contact."""
    if is_outbound(record, book.own, sent_folder):
        ids = tuple(dict.fromkeys(book.contacts[a] for a in record.recipients
                                  if a in book.contacts))
        return Match(record, "out", ids) if ids else None
    if record.sender in book.contacts:
        return Match(record, "in", (book.contacts[record.sender],))
    ids = thread_contacts(record, book)
    return Match(record, "in", ids[:1]) if ids else None


def thread_contacts(record, book):
    """The contacts of the stored letters this message answers, in thread order."""
    return tuple(dict.fromkeys(c for m in record.thread_ids for c in book.threads.get(m, ())))


def candidate(record, book, sent_folder=False):
    """The sender, when they are unknown and wrote in a thread with a contact or from a company."""
    sender = record.sender
    if (is_outbound(record, book.own, sent_folder) or sender in book.contacts
            or "@" not in sender):
        return None
    together = thread_contacts(record, book) + tuple(
        book.contacts[a] for a in record.recipients if a in book.contacts)
    domain = sender.rsplit("@", 1)[1]
    company_id, company = book.domains.get(domain, (None, None))
    if together:
        reason = f"Wrote in a thread with {book.names.get(together[0], 'a contact')}"
    elif company_id is not None:
        reason = f"Writes from {domain}, the domain of {company}"
    else:
        return None
    return Candidate(sender, record.sender_name, reason, company_id, record.subject)
