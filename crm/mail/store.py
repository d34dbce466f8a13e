"""Storing a batch of parsed messages: the touches they make, once, and people to review.

A fixed number of queries per batch, however many contacts or messages: the
addresses, the letters answered and the touches to merge with are each looked
up in one query for the whole batch. A batch is one transaction, so a sync
cut off half way keeps every batch before the cut and nothing half-written.
"""

from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urlsplit

from peewee import fn

from crm.db import db
from crm.fields import InvalidValue, check
from crm.mail.match import PERSONAL_DOMAINS, Book, candidate, match
from crm.models import (
    Company,
    Contact,
    ContactAddress,
    MailCandidate,
    MailMessage,
    Touch,
    utcnow,
)

CHUNK = 300  # values in one IN (...) or INSERT: SQLite allows 32,766 parameters


@dataclass
class Stored:
    """What a batch (or a whole sync) did."""

    messages: int = 0  # read
    touches: int = 0  # new touches logged
    merged: int = 0  # messages joined to a touch already logged that day
    people: int = 0  # new people to review
    unreadable: int = 0
    problems: list = field(default_factory=list)  # the first few unreadable ones, in words

    def add(self, other):
        """Add another count to this one."""
        self.messages += other.messages
        self.touches += other.touches
        self.merged += other.merged
        self.people += other.people
        self.unreadable += other.unreadable
        self.problems = (self.problems + other.problems)[:10]


def company_domains():
    """E-mail domain -> (company id, name): from companies' websites and their people's emails."""
    domains = {}
    for company_id, name, website in Company.select(Company.id, Company.name, Company.website
                                                    ).where(Company.website != "").tuples():
        host = (urlsplit(website).hostname or "").removeprefix("www.")
        if host:
            domains[host] = (company_id, name)
    people = (Contact.select(Contact.email, Company.id, Company.name).join(Company)
              .where(Contact.email.contains("@")).tuples())
    for email, company_id, name in people:
        domains.setdefault(email.rsplit("@", 1)[1], (company_id, name))
    return {d: c for d, c in domains.items() if d not in PERSONAL_DOMAINS}


def store_batch(records, own, domains, zone, sent_folder=False):
    """Log the touches a batch of Records makes, merge same-day ones, note people to review."""
    done = Stored(messages=len(records))
    with db.atomic():
        known = _existing_ids([r.message_id for r in records])
        fresh = list({r.message_id: r for r in records if r.message_id not in known}.values())
        if not fresh:
            return done
        book = _book(fresh, own, domains)
        matches = [m for m in (match(r, book, sent_folder) for r in fresh) if m]
        done.people = _note_people(fresh, book, sent_folder)
        if not matches:
            return done
        ids = _insert_messages(matches)
        touches, merged = _touches(matches, ids, zone)
        done.touches, done.merged = touches, merged
        _refresh_last_touch({c for m in matches for c in m.contact_ids})
    return done


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _existing_ids(message_ids):
    found = set()
    for chunk in _chunks(message_ids):
        found.update(i for (i,) in MailMessage.select(MailMessage.message_id)
                     .where(MailMessage.message_id.in_(chunk)).tuples())
    return found


def _book(records, own, domains):
    """The address book as far as this batch needs it: its addresses and threads only."""
    addresses = {a for r in records for a in (r.sender, *r.recipients)}
    contacts = {}
    for chunk in _chunks(addresses):
        contacts.update(ContactAddress.select(ContactAddress.email, ContactAddress.contact)
                        .where(ContactAddress.email.in_(chunk)).tuples())
        # A contact's first address wins over another's second one.
        contacts.update(Contact.select(fn.lower(Contact.email), Contact.id)
                        .where(fn.lower(Contact.email).in_(chunk)).tuples())
    threads = {}
    for chunk in _chunks({m for r in records for m in r.thread_ids}):
        rows = (MailMessage.select(MailMessage.message_id, Touch.contact).join(Touch)
                .where(MailMessage.message_id.in_(chunk)).tuples())
        for message_id, contact_id in rows:
            threads.setdefault(message_id, []).append(contact_id)
    # Letters in this same batch answer each other too (a thread read at once).
    for r in records:
        if r.sender in own:
            threads.setdefault(r.message_id, []).extend(
                contacts[a] for a in r.recipients if a in contacts)
    names = {}
    for chunk in _chunks({*contacts.values(), *(c for cs in threads.values() for c in cs)}):
        names.update(Contact.select(Contact.id, Contact.name).where(Contact.id.in_(chunk))
                     .tuples())
    return Book(frozenset(own), contacts, threads, names, domains)


def _insert_messages(matches):
    """Insert the messages; return Message-ID -> row id."""
    rows = [{"message_id": m.record.message_id, "direction": m.direction,
             "sent_at": m.record.sent_at, "sender": m.record.sender,
             "sender_name": m.record.sender_name[:200],
             "recipients": "\n".join(m.record.recipients)[:20000],
             "subject": m.record.subject[:20000], "snippet": m.record.snippet,
             "in_reply_to": " ".join(m.record.thread_ids)[:20000], "created_at": utcnow()}
            for m in matches]
    ids = {}
    for chunk in _chunks(rows):
        MailMessage.insert_many(chunk).on_conflict_ignore().execute()
        ids.update(MailMessage.select(MailMessage.message_id, MailMessage.id).where(
            MailMessage.message_id.in_([r["message_id"] for r in chunk])).tuples())
    return ids


def _touches(matches, ids, zone):
    """Link each message to a touch with each of its contacts: one typed that day, or a new one."""
    pairs = [(m, c, _local_day(m.record.sent_at, zone)) for m in matches for c in m.contact_ids]
    waiting = {}  # (contact, day, direction) -> touches typed or made by Done, not yet linked
    for chunk in _chunks({c for _, c, _ in pairs}):
        rows = Touch.select(Touch.id, Touch.contact, Touch.happened_on, Touch.direction,
                            Touch.note).where(
            Touch.contact.in_(chunk), Touch.happened_on.in_(list({d for *_, d in pairs})),
            Touch.channel == "email", Touch.mail_message.is_null()).order_by(Touch.id)
        for touch in rows:
            waiting.setdefault((touch.contact_id, touch.happened_on, touch.direction),
                               []).append(touch)
    new, merged = [], 0
    for m, contact_id, day in pairs:
        same_day = waiting.get((contact_id, day, m.direction))
        if same_day:
            touch = same_day.pop(0)
            touch.mail_message = ids[m.record.message_id]
            touch.note = touch.note or _note(m.record.subject)
            touch.save(only=[Touch.mail_message, Touch.note])
            merged += 1
        else:
            new.append({"contact": contact_id, "happened_on": day, "channel": "email",
                        "direction": m.direction, "note": _note(m.record.subject),
                        "mail_message": ids[m.record.message_id], "created_at": utcnow()})
    for chunk in _chunks(new):
        Touch.insert_many(chunk).execute()
    return len(new), merged


def _note(subject):
    return subject or "(no subject)"


def _local_day(moment, zone):
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def _refresh_last_touch(contact_ids):
    """Every touched contact's last-contact date, in one statement per chunk."""
    latest = Touch.select(fn.MAX(Touch.happened_on)).where(Touch.contact == Contact.id)
    for chunk in _chunks(contact_ids):
        # Only the rows that change: each update writes the change log twice.
        Contact.update(last_touch_on=latest).where(
            Contact.id.in_(chunk),
            Contact.last_touch_on.is_null() | (Contact.last_touch_on < latest)).execute()


def _note_people(records, book, sent_folder):
    """Offer the unknown people worth keeping for review; return how many are new."""
    found = {}
    for record in records:
        person = candidate(record, book, sent_folder)
        if person and _valid_email(person.email):
            found[person.email] = person
    if not found:
        return 0
    known = {e for chunk in _chunks(found) for (e,) in MailCandidate.select(MailCandidate.email)
             .where(MailCandidate.email.in_(chunk)).tuples()}
    rows = [{"email": p.email, "name": p.name, "company": p.company_id, "reason": p.reason,
             "last_subject": p.subject[:20000], "seen_at": utcnow()}
            for p in found.values() if p.email not in known]
    for chunk in _chunks(rows):
        MailCandidate.insert_many(chunk).execute()
    return len(rows)


def _valid_email(email):
    # Only an address a contact could be given is offered.
    try:
        check(MailCandidate.email, email)
    except InvalidValue:
        return False
    return True
