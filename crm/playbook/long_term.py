"""Rules for long-term contacts: gentle reminders of value that keep you in front of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from .context import Context, days
from .facts import ArticleFacts
from .suggestion import Suggestion


def stay_in_touch(ctx: Context) -> Iterator[Suggestion]:
    """Every cadence, a touch: forward fresh news about them, or simply say hello."""
    if not ctx.is_long_term:
        return
    anchor = _last_contact(ctx)
    if anchor is None:
        return  # with nothing ever exchanged, there is no cadence to keep yet
    contact = ctx.contact
    every = contact.cadence_days or ctx.rules.long_term_cadence_days
    cadence = days(every)
    since, slot = anchor, anchor + cadence
    key = _slot_key(ctx, slot)
    # A round done or skipped without a new touch is over; the next comes a cadence later.
    while ctx.finished(key):
        since, slot = slot, slot + cadence
        key = _slot_key(ctx, slot)
    reason = f"You keep in touch every {every} days; last contact on {ctx.day(anchor)}."
    pick = _article_to_forward(ctx, since)
    if pick is None:
        article, kind, channel = None, "stay_in_touch", "email"
        title = f"Say hello to {contact.name}"
        reason += " A short note keeps you in front of them."
    else:
        article, why = pick
        kind, channel = "stay_in_touch_article", "article"
        title = f"Forward {contact.name} an article"
        reason += f" Forward “{article.title}”: {why}."
    yield Suggestion(
        key=key,
        contact_id=contact.id,
        kind=kind,
        title=title,
        due=max(slot, ctx.not_before(ctx.last_touch_on) or slot),
        reason=reason,
        channel=channel,
        article_id=article.id if article else None,
    )


def congratulate(ctx: Context) -> Iterator[Suggestion]:
    """Congratulate them promptly on news that names them: an award, a promotion, a new role."""
    contact = ctx.contact
    news = [a for a in _fresh_unsent(ctx, "congratulate") if a.mentions == contact.id]
    if not (news and ctx.is_long_term):
        return
    # One congratulation per piece of news: reports older than the last one are the same story.
    congratulated = {a.id for a in ctx.history.articles if a.kind == "congratulate"}
    last = max(
        (
            t.on
            for t in ctx.touches
            if t.direction == "out"
            and (t.channel == "congratulations" or t.article_id in congratulated)
        ),
        default=None,
    )
    news = [a for a in news if last is None or a.published > last]
    article = max(news, key=lambda a: (a.published, a.id), default=None)
    if article is None:
        return
    yield Suggestion(
        key=f"congratulate:article:{article.id}:contact:{contact.id}",
        contact_id=contact.id,
        kind="congratulate",
        title=f"Congratulate {contact.name}",
        due=max(article.published, ctx.not_before(ctx.last_touch_on) or article.published),
        reason=(
            f"“{article.title}” ({ctx.day(article.published)}) names them; "
            "send your congratulations."
        ),
        channel="congratulations",
        article_id=article.id,
    )


def see_you_at_event(ctx: Context) -> Iterator[Suggestion]:
    """Before a conference they are likely to attend, say you hope to see them there."""
    if not (ctx.history.events and ctx.is_long_term):
        return
    contact = ctx.contact
    for event in ctx.history.events:
        if contact.id not in event.attendee_ids or event.starts_on <= ctx.today:
            continue
        due = event.starts_on - timedelta(days=ctx.rules.event_lead_days)
        due = max(due, ctx.not_before(ctx.last_touch_on) or due)
        if due >= event.starts_on:
            continue  # too close to your last note to write again before it starts
        place = f" in {event.place}" if event.place else ""
        yield Suggestion(
            key=f"event:{event.id}:contact:{contact.id}",
            contact_id=contact.id,
            kind="see_you_at_event",
            title=f"Tell {contact.name} you hope to see them at {event.name}",
            due=due,
            late=event.starts_on - timedelta(days=1),
            reason=(
                f"{event.name} starts on {ctx.day(event.starts_on)}{place} and they are "
                "likely to be there."
            ),
            channel="email",
            event_id=event.id,
        )


def _last_contact(ctx: Context) -> date | None:
    """The latest of the last touch, the last interview held, and the last rejection."""
    if not (ctx.history.interviews or ctx.history.applications):
        return ctx.last_touch_on  # most people: no process, so touches alone
    dates = [day for i in ctx.taken_part if (day := ctx.interview_day(i)) <= ctx.today]
    if ctx.last_touch_on:
        dates.append(ctx.last_touch_on)
    if ctx.latest_rejection:
        dates.append(ctx.latest_rejection.rejected_on)
    return max(dates, default=None)


def _slot_key(ctx: Context, slot: date) -> str:
    return f"longterm:contact:{ctx.contact.id}:{slot.isoformat()}"


def _fresh_unsent(ctx: Context, kind: str) -> list[ArticleFacts]:
    """Articles of this kind not yet sent to them and not yet stale."""
    if not ctx.history.articles:
        return []  # most contacts: no news matched to them
    oldest = ctx.today - timedelta(days=ctx.rules.news_max_age_days)
    return [
        a
        for a in ctx.history.articles
        if a.kind == kind and a.id not in ctx.sent_article_ids and oldest <= a.published
    ]


def _article_to_forward(ctx: Context, since: date) -> tuple[ArticleFacts, str] | None:
    """The newest unsent news since the last contact, best if about their company and interests."""
    contact = ctx.contact
    best: tuple[tuple[int, date, int], ArticleFacts, str] | None = None
    for article in _fresh_unsent(ctx, "forward"):
        if article.published <= since:
            continue
        about_company = bool(contact.company) and (
            article.company.casefold() == contact.company.casefold()
        )
        text = f"{article.title} {article.summary}"
        interests = [tag for tag in contact.tags if _mentions(text, tag)]
        if not (about_company or interests):
            continue
        why = " and ".join(
            ([f"it is about {article.company}"] if about_company else [])
            + ([f"it fits their interest in {', '.join(interests)}"] if interests else [])
        )
        rank = (about_company + bool(interests), article.published, article.id)
        if best is None or rank > best[0]:
            best = (rank, article, why)
    return (best[1], best[2]) if best else None


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE) is not None
