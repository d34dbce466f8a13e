"""A raw message (headers and the start of its body) to a plain record. Pure: no I/O.

Only what a touch needs is kept: who wrote to whom, when, the subject, the
thread it answers and a short plain-text snippet. Mail in the wild is often
broken (undecodable words, bad dates, no Message-ID), so each header is read
on its own and a bad one falls back to its raw text instead of losing the
message; only a message with no sender at all cannot be used.
"""

import contextlib
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import Header, decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime

SNIPPET_LENGTH = 300
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TAG = re.compile(r"<[^>]*>")


class Unreadable(ValueError):
    """A message that cannot become a record; the message says why."""


@dataclass(frozen=True)
class Record:
    """One message, as much of it as the app keeps. Addresses are lower case."""

    message_id: str
    sent_at: datetime  # naive UTC
    sender: str
    sender_name: str
    to: tuple  # (name, address) pairs
    cc: tuple
    subject: str
    in_reply_to: str
    references: tuple
    snippet: str
    labels: tuple = ()  # Gmail's X-Gmail-Labels, in a Takeout mbox

    @property
    def recipients(self):
        """The To and Cc addresses, in order, once each."""
        return tuple(dict.fromkeys(address for _, address in self.to + self.cc))

    @property
    def thread_ids(self):
        """The Message-IDs this one answers: In-Reply-To and References."""
        return tuple(dict.fromkeys((*MESSAGE_ID.findall(self.in_reply_to), *self.references)))


def parse(raw, received_at=None):
    """Read a message's bytes (the body may be cut short) into a Record, or raise Unreadable."""
    try:
        message = message_from_bytes(raw, policy=policy.compat32)
    except Exception as error:  # the parser is lenient; anything it raises means garbage
        raise Unreadable(f"not a mail message ({error})") from None
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    if not senders:
        raise Unreadable("it has no sender address")
    sender_name, sender = senders[0]
    subject = one_line(_header(message, "Subject"))
    sent_at = _date(_text(message.get("Date", ""))) or received_at
    if sent_at is None:
        raise Unreadable("it has no date")
    return Record(
        message_id=_message_id(message, sender, sent_at, subject),
        sent_at=sent_at,
        sender=sender,
        sender_name=sender_name,
        to=tuple(_addresses(message, "To")),
        cc=tuple(_addresses(message, "Cc")),
        subject=subject,
        in_reply_to=" ".join(MESSAGE_ID.findall(_text(message.get("In-Reply-To", "")))),
        references=tuple(MESSAGE_ID.findall(_text(message.get("References", "")))),
        snippet=snippet(message),
        labels=tuple(label.strip() for label in _header(message, "X-Gmail-Labels").split(",")
                     if label.strip()),
    )


def one_line(text, limit=None):
    """Text on one line without control characters, cut at a limit."""
    # Undeclared 8-bit headers reach here as surrogates; most are UTF-8.
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = " ".join(CONTROL.sub(" ", text).split())
    return text[:limit] if limit else text


def _text(value):
    """A header's text; raw 8-bit bytes (no RFC 2047) are read as UTF-8, as most are."""
    if isinstance(value, Header):  # what compat32 returns for undeclared 8-bit bytes
        return "".join(
            part.decode("utf-8" if charset in (None, "unknown-8bit") else charset, "replace")
            if isinstance(part, bytes) else part
            for part, charset in decode_header(value))
    return str(value)


def _header(message, name):
    """A header decoded from RFC 2047 words; undecodable words are kept as they came."""
    value = message.get(name)
    if value is None:
        return ""
    text = _text(value)
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (LookupError, UnicodeError, ValueError):
        return text


def _addresses(message, name):
    """(name, address) pairs of an address header, names decoded, addresses lower case."""
    found = []
    for display, address in getaddresses([_text(v) for v in message.get_all(name, [])]):
        address = one_line(address).lower()
        if "@" not in address:
            continue
        if "=?" in display:  # an RFC 2047 word; most names have none
            with contextlib.suppress(LookupError, UnicodeError, ValueError):
                display = str(make_header(decode_header(display)))
        found.append((one_line(display, 200).strip("\"' "), address[:254]))
    return found


def _date(value):
    """The Date header as naive UTC, or None when it cannot be read."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": the sender did not know its zone; take UTC
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _message_id(message, sender, sent_at, subject):
    """The Message-ID, or one made from what identifies the message, stable across syncs."""
    found = MESSAGE_ID.findall(_text(message.get("Message-ID", "")))
    if found:
        return found[0][:250]
    digest = hashlib.sha256(f"{sender}\n{sent_at.isoformat()}\n{subject}".encode()).hexdigest()
    return f"<{digest[:32]}@followthrough.invalid>"


def snippet(message):
    """The first words of the first text part, quoted lines and signatures left out."""
    part = _first_text(message)
    if part is None:
        return ""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        text = html.unescape(TAG.sub(" ", text))
    lines = []
    for line in text.splitlines():
        if line.strip() == "--" or line.startswith("-- "):
            break  # a signature follows
        if not line.lstrip().startswith(">"):
            lines.append(line)
    return one_line(" ".join(lines), SNIPPET_LENGTH)


def _first_text(message):
    """The first plain-text part, else the first HTML part, else None (never an attachment)."""
    parts = [p for p in message.walk() if not p.is_multipart()
             and p.get_content_maintype() == "text"
             and (p.get("Content-Disposition") or "").split(";")[0].strip().lower()
             != "attachment"]
    for wanted in ("text/plain", "text/html"):
        for part in parts:
            if part.get_content_type() == wanted:
                return part
    return None
