"""Rules for whoever referred you: thank them once you have applied, and tell them the outcome.

A referral is a favour: the person put their name behind yours. The letters
thank them, and close the loop when the process ends, whatever the ending,
so they hear it from you. They are never chased about the process itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from crm.vocabulary import CLOSED_STATUSES, OPEN_STATUSES

from .context import Context
from .suggestion import Suggestion, position_phrase

OUTCOMES = {"hired": "you got the job", "rejected": "they went with someone else",
            "withdrawn": "you withdrew"}


def thank_referrer(ctx: Context) -> Iterator[Suggestion]:
    """Thank the referrer the day after you apply, unless you have written to them since."""
    contact, days = ctx.contact, ctx.rules.referral_thanks_days
    for app in ctx.history.referrals:
        if app.status not in OPEN_STATUSES:
            continue  # the outcome letter thanks them too
        applied = app.applied_on or ctx.today
        if ctx.wrote_since(applied):
            continue
        job = position_phrase(app.position, app.company) or "the position"
        yield Suggestion(
            key=f"referral_thanks:application:{app.id}:contact:{contact.id}",
            contact_id=contact.id,
            kind="referral_thanks",
            title=f"Thank {contact.name} for referring you",
            due=applied + timedelta(days=days),
            fixed=True,
            reason=(
                f"They referred you for {job}"
                + (f", which you applied for on {ctx.day(app.applied_on)}" if app.applied_on
                   else "")
                + "; thank them, and say you will let them know how it goes."
            ),
            channel="email",
            application_id=app.id,
        )


def tell_referrer_the_outcome(ctx: Context) -> Iterator[Suggestion]:
    """Once the process closes, tell the referrer how it ended, whatever the ending."""
    contact, days = ctx.contact, ctx.rules.referral_outcome_days
    for app in ctx.history.referrals:
        if app.status not in CLOSED_STATUSES or app.closed_on is None:
            continue
        if ctx.wrote_since(app.closed_on):
            continue
        job = position_phrase(app.position, app.company) or "the position"
        yield Suggestion(
            key=f"referral_outcome:application:{app.id}:contact:{contact.id}",
            contact_id=contact.id,
            kind="referral_outcome",
            title=f"Tell {contact.name} how it ended at {app.company or 'the company'}",
            due=app.closed_on + timedelta(days=days),
            fixed=True,
            reason=(
                f"They referred you for {job}, which closed on {ctx.day(app.closed_on)} "
                f"({OUTCOMES.get(app.status, app.status)}); a referrer should hear the "
                "outcome from you, with your thanks."
            ),
            channel="email",
            application_id=app.id,
        )
