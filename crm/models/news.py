"""Company news: the feeds followed, their articles, and who each article suits."""

from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from crm.models.base import BaseModel, DateTimeField, utcnow
from crm.models.people import Company, Contact
from crm.vocabulary import ARTICLE_KINDS


class Feed(BaseModel):
    company = ForeignKeyField(Company, null=True, backref="feeds", on_delete="CASCADE")
    url = CharField(unique=True)
    title = CharField(default="")
    site_url = CharField(default="")
    kind = CharField(default="feed")  # "feed" or "news_search"
    etag = CharField(default="")
    last_modified = CharField(default="")
    last_checked_at = DateTimeField(null=True)
    last_success_at = DateTimeField(null=True)
    next_check_at = DateTimeField(null=True, index=True)
    error_count = IntegerField(default=0)
    last_error = TextField(default="")
    paused = BooleanField(default=False)
    locked_until = DateTimeField(null=True)  # a refresh holds the feed until then
    created_at = DateTimeField(default=utcnow)


class Article(BaseModel):
    feed = ForeignKeyField(Feed, backref="articles", on_delete="CASCADE")
    identity = CharField()  # guid, else link, else a hash of title and date
    link = CharField(default="", index=True)
    title = CharField(default="")
    summary_html = TextField(default="")  # sanitized by feedparser on the way in
    published_at = DateTimeField(index=True)
    first_seen_at = DateTimeField(default=utcnow)
    # The first stored copy of the same link from another feed: listed once, under that copy.
    duplicate_of = ForeignKeyField("self", null=True, backref="duplicates", on_delete="SET NULL")

    class Meta:
        indexes = ((("feed", "identity"), True),)


class ArticleMatch(BaseModel):
    """An article worth sending to a contact: news of their company, their interests, or them."""

    article = ForeignKeyField(Article, backref="matches", on_delete="CASCADE")
    contact = ForeignKeyField(Contact, backref="article_matches", on_delete="CASCADE",
                              index=True)
    kind = CharField(default="forward", choices=ARTICLE_KINDS)
    reason = CharField(default="")

    class Meta:
        indexes = ((("article", "contact"), True),)
