"""Run every rule of the playbook over a contact's history, then space the results out."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date, timedelta, tzinfo
from operator import attrgetter, itemgetter

from .context import Context
from .facts import History
from .long_term import congratulate, see_you_at_event, stay_in_touch
from .new_role import congratulate_new_role
from .process import (
    assistant_thanks,
    check_in,
    followthrough_letters,
    keep_in_mind,
    linkedin_invitation,
    send_resume,
)
from .referral import tell_referrer_the_outcome, thank_referrer
from .rules import DEFAULT_RULES, Rules
from .suggestion import Suggestion, format_day

# The rows of the playbook table, each a small function of the context.
PLAYBOOK = (
    followthrough_letters,
    linkedin_invitation,
    assistant_thanks,
    check_in,
    keep_in_mind,
    stay_in_touch,
    congratulate,
    congratulate_new_role,
    see_you_at_event,
    send_resume,
    thank_referrer,
    tell_referrer_the_outcome,
)
# What each row reads besides the contact, their touches and their answers. A row suggests
# nothing to a history with none of these, so it is not run for one: most of the address
# book has touches alone and goes through stay_in_touch only (a test holds every row to this).
NEEDS = {
    followthrough_letters: ("interviews",),
    linkedin_invitation: ("interviews", "applications"),
    assistant_thanks: ("interviews",),
    check_in: ("applications",),
    keep_in_mind: ("applications",),
    stay_in_touch: (),
    congratulate: ("articles",),
    congratulate_new_role: ("job_changes",),
    see_you_at_event: ("events",),
    send_resume: ("applications",),
    thank_referrer: ("referrals",),
    tell_referrer_the_outcome: ("referrals",),
}
PARTS = ("interviews", "applications", "referrals", "articles", "events", "job_changes")
_parts_of = attrgetter(*PARTS)
# The rows to run for each combination of parts present, made once.
_ROWS = {
    present: tuple(
        rule for rule in PLAYBOOK
        if not NEEDS[rule] or any(present[PARTS.index(part)] for part in NEEDS[rule])
    )
    for present in itertools.product((False, True), repeat=len(PARTS))
}
_TOUCHES_ALONE = _ROWS[(False,) * len(PARTS)]


def suggest(
    history: History, today: date, tz: tzinfo, rules: Rules = DEFAULT_RULES
) -> list[Suggestion]:
    """List what to do for one contact as of `today` (dates in `tz`), soonest first."""
    if history.contact.status == "do_not_contact":
        return []
    ctx = Context(history, today, tz, rules)
    pending = [s for rule in rows_for(history) for s in rule(ctx)]
    if ctx.finished_keys or history.states:  # most people have answered nothing
        pending = list(_apply_states(pending, ctx))
    if len(pending) < 2:
        return pending  # most people: nothing to space out or to order
    spaced = _space_out(pending, today, rules.min_gap_days)
    return sorted(spaced, key=lambda s: (s.due, s.importance, s.key))


def suggest_all(
    histories: Iterable[History], today: date, tz: tzinfo, rules: Rules = DEFAULT_RULES
) -> list[Suggestion]:
    """List what to do for many contacts, by due date, then contact name."""
    rows = []
    for history in histories:
        found = suggest(history, today, tz, rules)
        if found:
            name = history.contact.name.casefold()  # once a contact, not once a suggestion
            rows += [((s.due, name, s.contact_id, s.importance, s.key), s) for s in found]
    rows.sort(key=itemgetter(0))
    return [s for _, s in rows]


def rows_for(history: History) -> tuple:
    """The rows of the playbook that can suggest something to this history (see NEEDS)."""
    if not any(_parts_of(history)):
        return _TOUCHES_ALONE  # most of the address book
    return _ROWS[tuple(map(bool, _parts_of(history)))]


def _apply_states(suggestions: Iterable[Suggestion], ctx: Context) -> Iterator[Suggestion]:
    """Hide what was done or skipped; a snoozed suggestion comes back on its date."""
    for suggestion in suggestions:
        if ctx.finished(suggestion.key):
            continue
        state = ctx.history.states.get(suggestion.key)
        if state is not None and state.state == "snoozed":
            if state.until is None:
                continue  # snoozed with no date: until the user brings it back
            suggestion = suggestion._replace(due=max(suggestion.due, state.until))
        yield suggestion


def _space_out(suggestions: Iterable[Suggestion], today: date, gap: int) -> list[Suggestion]:
    """Keep `gap` days between notes to one person: the most important keeps its day.

    Fixed dates (set by the advice or agreed with the contact) never move; the
    others yield to any more important note. An overdue suggestion keeps its
    place, and what would come within `gap` of it waits behind it, saying so,
    until it is done, snoozed or skipped: it does not slide a day further on
    every day the overdue one is left alone.
    """
    placed: list[Suggestion] = []
    for suggestion in sorted(suggestions, key=lambda s: (s.importance, s.due, s.key)):
        if not suggestion.fixed:
            suggestion = _clear_of(suggestion, placed, today, gap)
        if suggestion is not None:
            placed.append(suggestion)
    return placed


def _clear_of(
    suggestion: Suggestion, placed: list[Suggestion], today: date, gap: int
) -> Suggestion | None:
    """Move a suggestion past the ones placed before it, or let it wait behind an overdue
    one; None once moving makes it pointless."""
    # An invitation to connect is not a note, so it holds nothing back; nor does a
    # note that is itself waiting.
    notes = [p for p in placed if p.kind != "linkedin" and p.waits_for is None]
    # Whatever is already due happens today at the soonest.
    start = _when(suggestion.due, today)
    overdue = [p for p in notes if p.due < today and (start - today).days < gap]
    if overdue:
        first = min(overdue, key=lambda p: (p.due, p.importance))
        return suggestion._replace(
            waits_for=first.key,
            reason=f"{suggestion.reason} It waits for “{first.title}”, overdue since "
            f"{format_day(first.due, today)}: once that is done, snoozed or skipped, "
            "this comes due.",
        )
    due = suggestion.due
    while clashes := [
        p for p in notes if abs((_when(p.due, today) - _when(due, today)).days) < gap
    ]:
        due = max(_when(p.due, today) for p in clashes) + timedelta(days=gap)
    if due == suggestion.due:
        return suggestion
    if suggestion.late is not None and due > suggestion.late:
        return None  # e.g. a "see you there" note that would arrive after the event
    return suggestion._replace(
        due=due,
        reason=f"{suggestion.reason} Moved to {format_day(due, today)} so they do not "
        f"hear from you twice within {gap} days.",
    )


def _when(due: date, today: date) -> date:
    return max(due, today)
