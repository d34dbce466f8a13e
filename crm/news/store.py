"""One feed's fetch into the database: its status, its new articles, who they suit."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, timedelta

from crm.db import db, unindexed
from crm.models import Article, ArticleMatch, Contact, ContactTag, Feed, Tag, Touch
from crm.news.fetch import note_failure, note_success
from crm.news.match import CONGRATULATE, ArticleInfo, ContactIndex, ContactInfo
from crm.news.parse import FeedError, parse_feed
from crm.news.urls import canonical_link

FETCHED, NOT_MODIFIED, FAILED = "fetched", "not modified", "failed"
# SQLite accepts many more variables, but a feed of ten thousand entries should
# not build one enormous statement.
BATCH = 500
# Entries written in one transaction: short enough that a writer waiting on
# the lock (a page being saved) waits only a moment.
ENTRIES_PER_TRANSACTION = 100
REASON_LENGTH = 255


def is_original():
    """The condition "this article is no repeat of one stored earlier"."""
    # The unary + keeps SQLite off the duplicate_of index, which holds nearly
    # every article under NULL: the link or published_at index is far better.
    return unindexed(Article.duplicate_of).is_null()


@dataclass
class Outcome:
    """What one feed's refresh came to, for the progress display and the summary."""

    url: str
    state: str
    new_articles: int = 0
    error: str = ""


def contact_index():
    """Index every contact who may hear from the user, to match a run's articles against."""
    tags = defaultdict(list)
    for contact_id, name in ContactTag.select(ContactTag.contact, Tag.name).join(Tag).tuples():
        tags[contact_id].append(name)
    rows = (Contact.select(Contact.id, Contact.name, Contact.company)
            .where(Contact.archived_at.is_null(), Contact.status != "do_not_contact").tuples())
    return ContactIndex(ContactInfo(id=contact_id, name=name, company_id=company_id,
                                    tags=tuple(tags.get(contact_id, ())))
                        for contact_id, name, company_id in rows)


def store_result(feed_id, result, now, interval_minutes, oldest, index, max_entries=None):
    """Write one FetchResult for a feed, its `max_entries` newest entries, in short transactions.

    `index()` gives the ContactIndex to match new articles against.
    """
    # Parsing, and building the index on the run's first entries, happen before
    # any transaction: each holds SQLite's write lock, which every other
    # writer (the web app, another refresh) waits on.
    error, parsed = result.error, None
    if not error and not result.not_modified:
        try:
            parsed = parse_feed(result.body, result.headers, result.final_url, max_entries)
        except FeedError as problem:
            error = str(problem)
    new = []
    if parsed and parsed.entries:
        contacts = index()
        for start in range(0, len(parsed.entries), ENTRIES_PER_TRANSACTION):
            with db.atomic():
                feed = Feed.get_or_none(Feed.id == feed_id)
                if feed is None:
                    return None  # deleted while it was being fetched
                batch = store_entries(
                    feed, parsed.entries[start:start + ENTRIES_PER_TRANSACTION], now, oldest)
                store_matches(batch, contacts, feed.company_id)
                new.extend(batch)
    with db.atomic():
        feed = Feed.get_or_none(Feed.id == feed_id)
        if feed is None:
            return None
        if error:
            return record_failure(feed, error, now, interval_minutes, result.retry_after)
        if parsed:
            feed.title = feed.title or parsed.title  # a name given on import or search stays
            feed.site_url = parsed.site_url or feed.site_url
        _keep_final_url(feed, result.final_url)
        note_success(feed, result, now, interval_minutes)
        feed.locked_until = None
        feed.save()
        return Outcome(feed.url, NOT_MODIFIED if result.not_modified else FETCHED, len(new))


def record_failure(feed, error, now, interval_minutes, retry_after=None):
    """Count a failed fetch and let the feed go (see `note_failure`)."""
    note_failure(feed, error, now, interval_minutes, retry_after)
    feed.locked_until = None
    feed.save()
    return Outcome(feed.url, FAILED, error=error)


def _keep_final_url(feed, final_url):
    # A feed that moved is fetched at its new address from now on, unless
    # another feed already lives there (then both stay as they are).
    if final_url and final_url != feed.url and not Feed.select().where(
            Feed.url == final_url).exists():
        feed.url = final_url


@dataclass(frozen=True)
class NewArticle:
    """An article just stored, as matching needs it."""

    id: int
    title: str
    summary_html: str
    duplicate_of: int | None


def store_entries(feed, entries, now, oldest):
    """Insert the entries this feed has not stored yet, update changed ones; return the new."""
    unique = {}
    for entry in entries:  # a feed may list one guid twice: the first one counts
        unique.setdefault(entry.identity, entry)
    entries = list(unique.values())
    stored = {}
    for chunk in _batches([entry.identity for entry in entries]):
        for row in Article.select().where(Article.feed == feed, Article.identity.in_(chunk)):
            stored[row.identity] = row
    fresh = []
    for entry in entries:
        link = canonical_link(entry.link) or ""
        row = stored.get(entry.identity)
        if row is not None:
            _update_if_changed(row, entry, link)
            continue
        # A missing date is the day it was first seen; a date in the future would
        # pin the article to the top of the News page, so it is capped at now.
        published = min(entry.published.astimezone(UTC).replace(tzinfo=None), now) \
            if entry.published else now
        if published >= oldest:
            fresh.append((entry, link, published))
    originals = _originals([link for _, link, _ in fresh if link])
    new = []
    for entry, link, published in fresh:
        article = Article.create(feed=feed, identity=entry.identity, link=link,
                                 title=entry.title, summary_html=entry.summary_html,
                                 published_at=published, first_seen_at=now,
                                 duplicate_of=originals.get(link))
        if link:
            originals.setdefault(link, article.id)
        new.append(NewArticle(article.id, article.title, article.summary_html,
                              article.duplicate_of_id))
    return new


def _update_if_changed(row, entry, link):
    changes = {name: value for name, value in (
        ("title", entry.title), ("summary_html", entry.summary_html), ("link", link))
        if getattr(row, name) != value}
    if changes:
        Article.update(**changes).where(Article.id == row.id).execute()


def _originals(links):
    """Map each link to the first listed article that has it, from any feed."""
    found = {}
    for chunk in _batches(sorted(set(links))):
        query = (Article.select(Article.link, Article.id)
                 .where(Article.link.in_(chunk), is_original())
                 .order_by(Article.id).tuples())
        for link, article_id in query:
            found.setdefault(link, article_id)
    return found


def store_matches(articles, index, company_id):
    """Store who each new article suits: one row per contact, congratulate before forward."""
    already = _matched_originals([a.duplicate_of for a in articles if a.duplicate_of])
    rows = []
    for article in articles:
        kinds, reasons = {}, defaultdict(list)
        for match in index.matches(ArticleInfo(article.title, article.summary_html, company_id)):
            if match.kind == CONGRATULATE or match.contact_id not in kinds:
                kinds[match.contact_id] = match.kind
            reasons[match.contact_id].append(match.reason)
        # A second copy adds only the people the first did not already reach
        # (the second feed's company's people), so nobody gets one story twice.
        skip = already.get(article.duplicate_of, set())
        rows.extend({"article": article.id, "contact": contact_id, "kind": kind,
                     "reason": "; ".join(reasons[contact_id])[:REASON_LENGTH]}
                    for contact_id, kind in kinds.items() if contact_id not in skip)
    for n in range(0, len(rows), BATCH):
        ArticleMatch.insert_many(rows[n:n + BATCH]).on_conflict_ignore().execute()


def _matched_originals(original_ids):
    found = defaultdict(set)
    for chunk in _batches(sorted(set(original_ids))):
        for article_id, contact_id in (ArticleMatch.select(ArticleMatch.article,
                                                           ArticleMatch.contact)
                                       .where(ArticleMatch.article.in_(chunk)).tuples()):
            found[article_id].add(contact_id)
    return found


def prune(now, days):
    """Delete articles older than `days` unless one was sent to someone; return how many."""
    sent = Touch.select(Touch.article).where(Touch.article.is_null(False))
    with db.atomic():
        return (Article.delete()
                .where(Article.published_at < now - timedelta(days=days),
                       Article.id.not_in(sent))
                .execute())


def _batches(values):
    for n in range(0, len(values), BATCH):
        yield values[n:n + BATCH]

