"""The guard against pestering: whether a note typed by hand comes too soon after the last one.

Pure, like the rest of the playbook: the touch form asks it before saving,
and the user may log the note anyway.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from .context import NOT_A_NOTE

# A meeting is a conversation, like a reply: it is never chasing anyone.
CONVERSATIONS = frozenset({"meeting"})


class TooSoon(NamedTuple):
    """An outbound note that breaks the minimum gap: the last note and the first fair day."""

    last_note_on: date
    wait_until: date


def too_soon(others, on, channel, min_gap_days):
    """Tell whether an outbound note on `on` comes too soon after the last one.

    `others` are the contact's other touches as (date, direction, channel).
    Only notes the user sent count (a LinkedIn invitation is not a note), and
    answering a reply or a meeting since the last note is never too soon.
    Returns a TooSoon, or None when the note is fine.
    """
    if channel in NOT_A_NOTE | CONVERSATIONS:
        return None
    before = [(day, direction, kind) for day, direction, kind in others if day <= on]
    notes = [day for day, direction, kind in before
             if direction == "out" and kind not in NOT_A_NOTE | CONVERSATIONS]
    if not notes:
        return None
    last = max(notes)
    if any(day >= last and (direction == "in" or kind in CONVERSATIONS)
           for day, direction, kind in before):
        return None
    allowed = last + timedelta(days=min_gap_days)
    return TooSoon(last, allowed) if on < allowed else None
