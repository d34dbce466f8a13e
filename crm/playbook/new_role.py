"""A contact's new role: congratulate them, the touch of value that needs no article."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from .context import Context
from .facts import JobChangeFacts
from .suggestion import Suggestion


def congratulate_new_role(ctx: Context) -> Iterator[Suggestion]:
    """Soon after someone moves to a new company or position, congratulate them on it.

    Only the latest move counts, only while it is news (the age limit of news
    articles), and not when the user has written to them since it was noted.
    """
    if not ctx.history.job_changes:
        return
    change = max(ctx.history.job_changes, key=lambda c: (c.changed_on, c.id))
    if change.changed_on < ctx.today - timedelta(
            days=ctx.rules.news_max_age_days):
        return
    if ctx.last_outbound_on is not None and ctx.last_outbound_on >= change.changed_on:
        return  # they heard from the user since: the news is no longer fresh between them
    contact = ctx.contact
    due = max(change.changed_on, ctx.not_before(ctx.last_touch_on) or change.changed_on)
    yield Suggestion(
        key=f"newrole:{change.id}:contact:{contact.id}",
        contact_id=contact.id,
        kind="congratulate_new_role",
        title=f"Congratulate {contact.name} on the new role",
        due=due,
        reason=(
            f"The contact file you imported on {ctx.day(change.changed_on)} shows them as "
            f"{_job(change.new_title, change.new_company) or 'moved on'}{_was(change)}; "
            "a note of congratulations is a touch of value."
        ),
        channel="congratulations",
        job_change_id=change.id,
    )


def _job(title: str, company: str) -> str:
    return " at ".join(part for part in (title, company) if part)


def _was(change: JobChangeFacts) -> str:
    """ " (was VP Partnerships at Meridian)", or "" when nothing was known before."""
    old = _job(change.old_title, change.old_company)
    return f" (was {old})" if old else ""
