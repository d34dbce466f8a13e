"""What the news pages show: articles listed once, and who each might interest."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import JOIN

from crm.db import unindexed
from crm.models import Article, ArticleMatch, Company, Contact, Feed, Touch
from crm.news.match import CONGRATULATE
from crm.news.store import is_original
from crm.pagination import paginate


def listed(company_id=None):
    """Articles newest first, each story once: under its first copy, or its company's own."""
    query = Article.select()
    if company_id is None:
        query = query.where(is_original())
    else:
        own = Article.select(Article.id).join(Feed).where(Feed.company == company_id)
        query = query.join(Feed).where(
            Feed.company == company_id,
            is_original() | Article.duplicate_of.not_in(own))
    return query.order_by(Article.published_at.desc(), Article.id.desc())


def page_of_articles(company_id, number, per_page):
    """One page of `listed` articles, each with its feed and company loaded."""
    page = paginate(listed(company_id), number, per_page)
    with_feeds(page.items)
    return page


def with_feeds(articles):
    """Attach each article's feed and company in one query, not one per article."""
    feeds = {feed.id: feed for feed in
             Feed.select(Feed, Company).join(Company, JOIN.LEFT_OUTER)
             .where(Feed.id.in_({article.feed_id for article in articles}))}
    for article in articles:
        article.feed = feeds[article.feed_id]
    return articles


@dataclass(frozen=True)
class Reader:
    """A contact an article might interest: forward it to them, or congratulate them."""

    contact_id: int
    name: str
    article_id: int
    kind: str
    reason: str
    sent: bool


def readers(article_ids):
    """Map each listed article id to the contacts its copies were matched to, best first."""
    listed_as = {article_id: article_id for article_id in article_ids}
    if not listed_as:
        return {}
    listed_as.update(Article.select(Article.id, Article.duplicate_of)
                     .where(Article.duplicate_of.in_(list(listed_as))).tuples())
    # Starting from the matches of these few articles, not from the contacts:
    # the unary + keeps SQLite off the archived_at index, which would scan them all.
    rows = list(ArticleMatch.select(
        ArticleMatch.article, ArticleMatch.kind, ArticleMatch.reason, Contact.id.alias("cid"),
        Contact.name).join(Contact)
        .where(ArticleMatch.article.in_(list(listed_as)),
               unindexed(Contact.archived_at).is_null(),
               Contact.status != "do_not_contact")
        .namedtuples())
    sent = set(Touch.select(Touch.contact, Touch.article)
               .where(Touch.article.in_({row.article for row in rows})).tuples())
    found = defaultdict(list)
    for row in rows:
        found[listed_as[row.article]].append(Reader(
            row.cid, row.name, row.article, row.kind, row.reason,
            (row.cid, row.article) in sent))
    for people in found.values():
        people.sort(key=lambda r: (r.sent, r.kind != CONGRATULATE, r.name.casefold()))
    return found


def company_feeds(company):
    """The company's feeds, in the order they were added."""
    return list(Feed.select().where(Feed.company == company).order_by(Feed.id))


def company_articles(company, limit=10):
    """The company's latest articles, each story once."""
    return with_feeds(list(listed(company.id).limit(limit)))


def worth_sending(contact, since, limit=10):
    """Articles matched to a contact since a day, not sent to them yet, newest first."""
    sent = Touch.select(Touch.article).where(Touch.contact == contact,
                                             Touch.article.is_null(False))
    query = (ArticleMatch.select(ArticleMatch, Article)
             .join(Article)
             .where(ArticleMatch.contact == contact,
                    Article.published_at >= datetime.combine(since, datetime.min.time()),
                    Article.id.not_in(sent))
             .order_by(Article.published_at.desc()).limit(limit))
    matches = list(query)
    with_feeds([match.article for match in matches])
    return matches


def news_window(today, days):
    """The first day whose news is still worth sending."""
    return today - timedelta(days=days)


def companies_with_feeds():
    """(id, name) of every company that has a feed, by name, for the News filter."""
    return list(Company.select(Company.id, Company.name).join(Feed).distinct()
                .order_by(Company.name).tuples())
