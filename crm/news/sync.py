"""Refreshing feeds: the one function behind `crm refresh`, the schedule and the buttons."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from flask import current_app

from crm import scheduler
from crm.db import db
from crm.models import Feed, utcnow
from crm.news.discover import NEWS_SEARCH_TEMPLATE
from crm.news.fetch import FetchRequest, fetch_many
from crm.news.store import (
    FETCHED,
    NOT_MODIFIED,
    contact_index,
    prune,
    record_failure,
    store_result,
)

log = logging.getLogger(__name__)

DEFAULTS = {
    "FEEDS_ALLOW_PRIVATE": False,
    "FEEDS_TIMEOUT": 15,
    "FEEDS_DEADLINE": 60,
    "FEEDS_MAX_BYTES": 10 * 1024 * 1024,
    "FEEDS_MAX_ENTRIES": 200,
    "FEEDS_WORKERS": 8,
    "NEWS_REFRESH_MINUTES": 60,
    "NEWS_PRUNE_DAYS": 180,
    "NEWS_SEARCH_TEMPLATE": NEWS_SEARCH_TEMPLATE,
}
CONNECT_TIMEOUT = 5
# All of a run's feeds are claimed up front, so the lease must outlast the
# slowest run: 200 feeds that each time out, 8 at a time, take about 7 minutes.
# A crashed run leaves its feeds locked this long, which is harmless.
LEASE = timedelta(minutes=15)
# The schedule and the feeds share one interval; a feed checked a few seconds
# into the last run is still due at the start of the next one.
DUE_SLACK = timedelta(minutes=2)


def init_app(app):
    """Set the news defaults and let `crm serve` refresh the feeds on schedule."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    scheduler.register(app, "news", app.config["NEWS_REFRESH_MINUTES"] * 60, scheduled)


def scheduled(app):
    """The job `crm serve` runs: refresh the due feeds and log what came of it."""
    log.info("News refresh: %s", refresh(workers=app.config["FEEDS_WORKERS"]).line())


def fetch_options(config=None):
    """The fetch() keyword arguments the configuration asks for."""
    config = config or current_app.config
    timeout = float(config["FEEDS_TIMEOUT"])
    return {"timeout": (min(CONNECT_TIMEOUT, timeout), timeout),
            "deadline": float(config["FEEDS_DEADLINE"]),
            "max_bytes": int(config["FEEDS_MAX_BYTES"]),
            "allow_private": bool(config["FEEDS_ALLOW_PRIVATE"])}


@dataclass
class RefreshSummary:
    """How a refresh went: feeds fetched, not modified, failed, and new articles."""

    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    busy: int = 0  # held by another process
    pruned: int = 0
    outcomes: list = field(default_factory=list)

    def add(self, outcome):
        """Count one feed's Outcome."""
        self.outcomes.append(outcome)
        if outcome.state == FETCHED:
            self.fetched += 1
        elif outcome.state == NOT_MODIFIED:
            self.not_modified += 1
        else:
            self.failed += 1
        self.new_articles += outcome.new_articles

    def line(self):
        """The one-line summary `crm refresh` ends with."""
        text = (f"{self.fetched} fetched, {self.not_modified} not modified, "
                f"{self.failed} failed, {plural(self.new_articles, 'new article')}")
        if self.busy:
            text += f"; {self.busy} left to another refresh in progress"
        if self.pruned:
            text += f"; {plural(self.pruned, 'old article')} removed"
        return text + "."


def plural(count, noun, nouns=None):
    """"1 feed", "2 feeds": the count with its noun ("company", "companies" given both)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def refresh(due_only=True, now=None, workers=None, feed_ids=None, progress=None):
    """Fetch feeds at once, store their new articles and who they suit, prune old ones.

    Due feeds by default; every unpaused feed with `due_only=False`; exactly
    `feed_ids` (paused or not) when given. `progress(done, total, outcome)` is
    called once before the first fetch (outcome None) and after each feed.
    """
    config = current_app.config
    now = now or utcnow()
    workers = workers or config["FEEDS_WORKERS"]
    candidates = _candidates(due_only, now, feed_ids)
    held = claim(candidates, now)
    summary = RefreshSummary(busy=len(candidates) - len(held))
    if progress:
        progress(0, len(held), None)
    pending = {feed.id: feed for feed in held}
    interval = config["NEWS_REFRESH_MINUTES"]
    oldest = now - timedelta(days=config["NEWS_PRUNE_DAYS"])
    # Built for the first feed that brings entries: most runs are all 304s.
    index = cache(contact_index)
    max_entries = int(config["FEEDS_MAX_ENTRIES"])
    try:
        work = [FetchRequest(f.id, f.url, f.etag or None, f.last_modified or None) for f in held]
        for feed_id, result in fetch_many(work, workers=workers, **fetch_options(config)):
            feed = pending.pop(feed_id)
            outcome = _store(feed, result, now, interval, oldest, index, max_entries)
            if outcome is not None:
                summary.add(outcome)
                if progress:
                    progress(len(held) - len(pending), len(held), outcome)
    finally:
        if pending:  # interrupted: let the next run have them at once
            Feed.update(locked_until=None).where(Feed.id.in_(list(pending))).execute()
    summary.pruned = prune(now, config["NEWS_PRUNE_DAYS"])
    return summary


def _candidates(due_only, now, feed_ids):
    # Locked feeds are candidates too: `claim` leaves them out, and the
    # summary counts them as busy.
    query = Feed.select(Feed.id)
    if feed_ids is not None:
        query = query.where(Feed.id.in_(list(feed_ids)))
    else:
        query = query.where(~Feed.paused)
        if due_only:
            query = query.where(Feed.next_check_at.is_null()
                                | (Feed.next_check_at <= now + DUE_SLACK))
    return [feed_id for (feed_id,) in query.order_by(Feed.id).tuples()]


def claim(feed_ids, now):
    """Lock the feeds no other refresh holds; return those this one got, as Feed rows."""
    free = Feed.locked_until.is_null() | (Feed.locked_until < now)
    with db.atomic():  # BEGIN IMMEDIATE: no other process writes until the claim is made
        held = [feed_id for (feed_id,) in Feed.select(Feed.id).where(
            Feed.id.in_(list(feed_ids)), free).tuples()]
        # The condition is repeated in the UPDATE so that the claim stays safe
        # on a database whose transactions do not lock out other writers.
        Feed.update(locked_until=now + LEASE).where(Feed.id.in_(held), free).execute()
        return list(Feed.select().where(Feed.id.in_(held), Feed.locked_until == now + LEASE)
                    .order_by(Feed.id))


def _store(feed, result, now, interval, oldest, index, max_entries):
    try:
        return store_result(feed.id, result, now, interval, oldest, index, max_entries)
    except Exception as error:  # one feed's bad data must not stop the others
        log.exception("Could not store the feed %s", feed.url)
        with db.atomic():
            fresh = Feed.get_or_none(Feed.id == feed.id)
            if fresh is None:
                return None
            return record_failure(fresh, f"could not store it: {error}", now, interval)

