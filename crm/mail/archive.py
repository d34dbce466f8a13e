"""Mail exported to files: an mbox (Gmail's Takeout) or a folder of .eml files, for users who
would rather not give an app password. The same parsing and matching as a sync."""

import mailbox
import os

from crm.db import db
from crm.mail.store import company_domains, store_batch
from crm.mail.sync import Summary, parse_batch
from crm.settings import user_timezone

BATCH = 500
HEAD_BYTES = 4096  # of the body, as a sync fetches: enough for a snippet, never attachments


class ArchiveError(ValueError):
    """A file that is neither an mbox nor .eml messages."""


def messages(path):
    """The raw messages of an mbox file, a folder of .eml files or one .eml file, and a count."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.lower().endswith(".eml"))
        if not names:
            raise ArchiveError(f"{path} holds no .eml files.")
        return len(names), (_read(os.path.join(path, n)) for n in names)
    with open(path, "rb") as f:
        start = f.read(5)
    if start == b"From ":
        box = mailbox.mbox(path, create=False)
        return len(box), (box.get_bytes(key) for key in box.iterkeys())
    if b":" in _read(path)[:1000]:
        return 1, iter([_read(path)])
    raise ArchiveError(f"{path} is neither an mbox file nor an .eml message.")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def head(raw):
    """The headers and the start of the body, as a sync would fetch them."""
    for end in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(end)
        if at >= 0:
            return raw[:at + len(end) + HEAD_BYTES]
    return raw


def import_messages(path, own, progress=None):
    """Log the touches of an exported mailbox; `own` are the user's addresses."""
    total, raws = messages(path)
    summary, zone, domains, batch, done = Summary(), user_timezone(), company_domains(), [], 0
    if progress:
        progress(0, total)
    for number, raw in enumerate(raws, start=1):
        batch.append((number, head(raw), None))
        if len(batch) == BATCH or number == total:
            records = parse_batch(batch, os.path.basename(path), summary)
            with db.atomic():
                summary.add(store_batch(records, own, domains, zone))
            done, batch = done + len(batch), []
            if progress:
                progress(done, total)
    return summary
