"""Following feeds: add one by address or news search, OPML in and out, retry, status."""

import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from peewee import JOIN

from crm.db import db
from crm.models import Company, Feed, utcnow
from crm.news.discover import DiscoveryError, discover, news_search_url
from crm.news.fetch import fetch
from crm.news.opml import OpmlFeed, parse_opml, write_opml
from crm.news.sync import fetch_options, plural, refresh
from crm.news.urls import PrivateAddress, Unresolvable, UnsafeURL, check_public_url

PRIVATE_HINT = ("Set CRM_FEEDS_ALLOW_PRIVATE=1 to follow feeds on this machine or your own "
                "network.")


class FeedProblem(ValueError):
    """A feed could not be added; the message is for the user."""


def with_scheme(url):
    """The address as typed, with https:// in front when it has no scheme."""
    url = url.strip()
    return url if "://" in url else f"https://{url}"


def add_feed(url, company=None):
    """Follow the feed at `url`, or the one its page announces; return (Feed, other feeds,
    a warning when nothing answered: the address is then saved as typed, as an OPML import
    saves its feeds, and the next refresh tries it)."""
    url = with_scheme(url)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FeedProblem(f"Only http and https addresses can be followed, not {url}.")
    options = fetch_options()
    _refuse_known(url)
    # One deadline for the whole search, however many addresses it tries.
    ends = time.monotonic() + options["deadline"]
    try:
        _refuse_unsafe(url, options["allow_private"])
        found = discover(url, lambda address: fetch(
            address, **{**options, "deadline": ends - time.monotonic()}))
        if found:
            _refuse_unsafe(found[0], options["allow_private"])
    except (Unresolvable, DiscoveryError) as error:
        if getattr(error, "answered", False):
            raise FeedProblem(f"{str(error)[0].upper()}{str(error)[1:]}.") from None
        return _create(url, company, "feed"), [], (
            f"Could not fetch {url} yet ({error}): it is saved as typed and will be tried "
            "again at the next refresh.")
    if not found:
        raise FeedProblem(f"No RSS or Atom feed found at {url}: neither the page itself, nor a "
                          "feed it announces, nor the usual addresses such as /feed.")
    _refuse_known(found[0])
    return _create(found[0], company, "feed"), found[1:], ""


def _refuse_unsafe(url, allow_private):
    # Said before anything is stored; each fetch checks again the address it connects to.
    try:
        check_public_url(url, allow_private)
    except PrivateAddress as error:
        raise FeedProblem(f"Cannot follow {url}: {error}. {PRIVATE_HINT}") from None
    except Unresolvable:
        raise  # add_feed saves the address as typed: offline, nothing more can be told
    except UnsafeURL as error:
        raise FeedProblem(f"Cannot follow {url}: {error}.") from None


def add_news_search(company):
    """Follow a news search for the company's name, with the configured provider."""
    url = news_search_url(company.name, current_app.config["NEWS_SEARCH_TEMPLATE"])
    _refuse_known(url)
    return _create(url, company, "news_search", title=f"News search: {company.name}")


def _refuse_known(url):
    feed = Feed.get_or_none(Feed.url == url)
    if feed is not None:
        where = f" for {feed.company.name}" if feed.company else ""
        raise FeedProblem(f"{url} is already followed{where}.")


def _create(url, company, kind, title=""):
    with db.atomic():
        return Feed.create(url=url, company=company, kind=kind, title=title)


def fetch_now(feed):
    """Refresh one feed at once (added or retried) and say how it went, in a sentence."""
    summary = refresh(feed_ids=[feed.id])
    feed = Feed.get_by_id(feed.id)
    name = feed.title or feed.url
    if not summary.outcomes:
        return f"{name} is being refreshed by another process right now."
    outcome = summary.outcomes[0]
    if outcome.error:
        return f"Could not fetch {name}: {outcome.error}. It will be tried again later."
    count = outcome.new_articles
    return f"Fetched {name}: {plural(count, 'new article')}."


def retry(feed):
    """Unpause a feed, forget its failures, and fetch it now; return what happened."""
    with db.atomic():
        Feed.update(paused=False, error_count=0, next_check_at=None).where(
            Feed.id == feed.id).execute()
    return fetch_now(feed)


def delete(feed):
    """Stop following a feed; its articles go with it. Return how many articles."""
    with db.atomic():
        count = feed.articles.count()
        feed.delete_instance()
    return count


@dataclass(frozen=True)
class ImportReport:
    """What an OPML import did."""

    added: int
    known: int
    companies: int

    def line(self):
        """The report in one sentence."""
        text = f"Imported {plural(self.added, 'feed')}"
        if self.companies:
            text += f" ({plural(self.companies, 'new company', 'new companies')})"
        if self.known:
            text += f"; {self.known} already followed"
        return text + "."


def import_opml(data):
    """Follow every feed in OPML bytes, under the company its outline names; all or nothing."""
    feeds = parse_opml(data)  # raises OpmlError before anything is written
    added = known = companies = 0
    with db.atomic():
        for item in feeds:
            if Feed.select().where(Feed.url == item.url).exists():
                known += 1
                continue
            company = None
            if item.company:
                companies += not Company.select().where(
                    Company.name == " ".join(item.company.split())).exists()
                company = Company.named(item.company)
            title = "" if item.title == item.url else item.title
            Feed.create(url=item.url, title=title, company=company)
            added += 1
    return ImportReport(added, known, companies)


def export_opml():
    """Every feed as OPML bytes, grouped under its company."""
    query = (Feed.select(Feed.url, Feed.title, Company.name.alias("company"))
             .join(Company, JOIN.LEFT_OUTER)
             .order_by(Company.name.asc(nulls="first"), Feed.url).namedtuples())
    return write_opml([OpmlFeed(url=row.url, title=row.title or row.url, company=row.company)
                       for row in query])


@dataclass(frozen=True)
class FeedStatus:
    """A feed's state ("new", "ok", "failing", "paused") and the same in words."""

    state: str
    words: str


def status(feed, now=None):
    """Describe how a feed is doing: when it last worked, its last error, whether paused."""
    now = now or utcnow()
    last = f"last worked {ago(feed.last_success_at, now)}" if feed.last_success_at \
        else "it never worked"
    tries = plural(feed.error_count, "failed try", "failed tries") + " in a row"
    if feed.paused:
        return FeedStatus("paused", f"Paused after {tries} ({last}). Last error: "
                                    f"{feed.last_error}. Retry it once the address works.")
    if feed.error_count:
        when = f"; next try {until(feed.next_check_at, now)}" if feed.next_check_at else ""
        return FeedStatus("failing", f"{tries} ({last}{when}). Last error: {feed.last_error}.")
    if feed.last_success_at:
        return FeedStatus("ok", f"Updated {ago(feed.last_success_at, now)}.")
    return FeedStatus("new", "Not fetched yet.")


def ago(when, now):
    """How long ago, in words: "just now", "5 minutes ago", "3 days ago"."""
    return f"{_span(now - when)} ago" if now - when >= timedelta(minutes=1) else "just now"


def until(when, now):
    """How long from now, in words: "in 2 hours"; a time already past is "now"."""
    return f"in {_span(when - now)}" if when - now >= timedelta(minutes=1) else "now"


def _span(delta):
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return plural(seconds // size, unit)
    return "a moment"
