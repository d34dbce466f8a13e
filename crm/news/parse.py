"""Feed bytes to plain records: a pure function around feedparser."""

import calendar
import hashlib
import heapq
import html
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import feedparser

from crm.news.urls import ALLOWED_SCHEMES, unwrap_redirect


class FeedError(ValueError):
    """The body is not an RSS or Atom feed."""


@dataclass(frozen=True)
class EntryRecord:
    """One article as the rest of the app stores it."""

    identity: str
    guid: str | None
    link: str | None
    title: str
    summary_html: str
    published: datetime | None
    author: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's own title and site, and its entries."""

    title: str
    site_url: str | None
    entries: list[EntryRecord] = field(default_factory=list)


def parse_feed(body, headers, url, limit=None):
    """Parse feed bytes fetched from `url`, its `limit` newest entries; FeedError if no feed."""
    response_headers = {name.lower(): value for name, value in headers.items()}
    # Relative links resolve against Content-Location, so it must be absolute
    # and default to the address the body came from.
    response_headers["content-location"] = urljoin(
        url, response_headers.get("content-location", "")
    )
    # A BytesIO, never the bare bytes: feedparser treats a string as a URL or
    # file name to open.
    parsed = feedparser.parse(io.BytesIO(body or b""), response_headers=response_headers)
    # feedparser sets "bozo" for any flaw, even a wrong Content-Type; only a
    # body with neither a recognised format nor entries is a failure.
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(_not_a_feed_message(body, response_headers, parsed))
    return ParsedFeed(
        title=_text(parsed.feed.get("title_detail")),
        site_url=_safe_link(parsed.feed.get("link")),
        entries=[_entry(entry) for entry in _newest(parsed.entries, limit)],
    )


def _newest(entries, limit):
    # A feed need not list its newest entries first. An undated entry counts as
    # the newest, as it is stored with the day it was first seen. The chosen
    # keep their order in the feed.
    if limit is None or len(entries) <= limit:
        return entries
    chosen = set(heapq.nlargest(limit, range(len(entries)), key=lambda n: _recency(entries[n])))
    return [entry for n, entry in enumerate(entries) if n in chosen]


def _recency(entry):
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return (stamp is None, tuple(stamp or ()))


def _not_a_feed_message(body, headers, parsed):
    if not body or not body.strip():
        return "the response was empty, not an RSS or Atom feed"
    start = body.lstrip()[:200].lower()
    if "html" in headers.get("content-type", "") or start.startswith((b"<!doctype html", b"<html")):
        return "this address is a web page, not an RSS or Atom feed"
    if parsed.get("bozo_exception"):
        return f"not an RSS or Atom feed ({parsed.bozo_exception})"
    return "not an RSS or Atom feed"


def _entry(entry):
    guid = entry.get("id") or None
    link = _safe_link(unwrap_redirect(entry.get("link")))
    title = _text(entry.get("title_detail"))
    published = _utc(entry.get("published_parsed") or entry.get("updated_parsed"))
    return EntryRecord(
        identity=guid or link or _fingerprint(title, published),
        guid=guid,
        link=link,
        title=title,
        summary_html=_summary_html(entry),
        published=published,
        author=entry.get("author") or None,
    )


def _summary_html(entry):
    detail = entry.get("summary_detail") or next(iter(entry.get("content") or []), None)
    if not detail:
        return ""
    if detail.get("type") == "text/plain":
        return html.escape(detail["value"])
    # feedparser has already sanitized HTML content: scripts, event handlers
    # and javascript: links are gone.
    return balanced_html(detail["value"])


def _text(detail):
    if not detail:
        return ""
    value = detail.get("value", "")
    if "html" in detail.get("type", ""):
        return plain_text(value)
    return " ".join(value.split())


def _safe_link(link):
    # feedparser sanitizes HTML bodies but passes an entry's own link through,
    # and a template would put it straight into an href.
    if link and urlsplit(link).scheme.lower() in ALLOWED_SCHEMES:
        return link
    return None


def _utc(struct_time):
    # feedparser normalises dates to UTC struct_time; timegm reads them as UTC.
    if not struct_time:
        return None
    return datetime.fromtimestamp(calendar.timegm(struct_time), tz=UTC)


def _fingerprint(title, published):
    stamp = published.isoformat() if published else ""
    return "sha1:" + hashlib.sha1(f"{title}\n{stamp}".encode()).hexdigest()


class _TextExtractor(HTMLParser):
    SKIPPED = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        # A tag separates words: "<p>Jane</p><p>Doe</p>" is not "JaneDoe".
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(markup):
    """Return the readable text of an HTML fragment, whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(markup or "")
    extractor.close()
    return " ".join("".join(extractor.parts).split())


class _Balancer(HTMLParser):
    VOID = {"area", "br", "col", "hr", "img", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out = []
        self.open = []

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        # An end tag nobody opened is dropped: on a page it would close the
        # page's own elements around the summary.
        if tag not in self.open:
            return
        while (closed := self.open.pop()) != tag:
            self.out.append(f"</{closed}>")
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")


def balanced_html(fragment):
    """Close the tags a fragment leaves open and drop the end tags it never opened."""
    balancer = _Balancer()
    balancer.feed(fragment)
    balancer.close()
    return "".join(balancer.out) + "".join(f"</{tag}>" for tag in reversed(balancer.open))
