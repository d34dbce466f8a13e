"""Find the feeds behind a website address, and build news-search feed URLs."""

from html.parser import HTMLParser
from urllib.parse import quote_plus, urljoin

from crm.news.parse import FeedError, parse_feed
from crm.news.urls import UnsafeURL, connection_host

FEED_TYPES = {"application/rss+xml", "application/atom+xml"}
COMMON_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/rss", "/index.xml")
NEWS_SEARCH_TEMPLATE = "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en"


class DiscoveryError(ValueError):
    """The page to look for feeds on could not be fetched; `answered` tells an HTTP error from
    no answer at all (offline, refused, timed out)."""

    def __init__(self, message, answered=True):
        super().__init__(message)
        self.answered = answered


class _FeedLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.base = None
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value or "") for name, value in attrs}
        if tag == "base" and attrs.get("href") and self.base is None:
            self.base = attrs["href"]
        # rel is a space-separated list ("alternate home"); type may carry
        # parameters or odd case ("application/RSS+XML; charset=utf-8").
        rels = attrs.get("rel", "").lower().split()
        kind = attrs.get("type", "").split(";")[0].strip().lower()
        if tag == "link" and "alternate" in rels and kind in FEED_TYPES and attrs.get("href"):
            self.hrefs.append(attrs["href"].strip())


def feed_links(page, page_url):
    """Return the feed URLs a page announces with <link rel="alternate">, made absolute."""
    parser = _FeedLinks()
    parser.feed(page.decode("utf-8", "replace"))
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found = []
    for href in parser.hrefs:
        url = urljoin(base, href)
        if _fetchable(url) and url not in found:
            found.append(url)
    return found


def _fetchable(url):
    # A page may announce anything, a backslash trick or a javascript: link included.
    try:
        connection_host(url)
    except UnsafeURL:
        return False
    return True


def _is_feed(result):
    if not result.ok or result.body is None:
        return False
    try:
        parse_feed(result.body, result.headers, result.final_url, limit=0)  # no entry needed
    except FeedError:
        return False
    return True


def discover(url, fetcher):
    """Return the feed URLs for a website or feed address, using `fetcher(url)`."""
    page = fetcher(url)
    if not page.ok:
        raise DiscoveryError(f"could not open {url}: {page.error}", page.status is not None)
    if _is_feed(page):
        return [page.final_url]
    announced = feed_links(page.body or b"", page.final_url)
    if announced:
        return announced
    # The usual paths often answer with the same feed under several names, so
    # the first one that parses is enough.
    for path in COMMON_PATHS:
        candidate = fetcher(urljoin(page.final_url, path))
        if _is_feed(candidate):
            return [candidate.final_url]
    return []


def news_search_url(company_name, template=NEWS_SEARCH_TEMPLATE):
    """Return a news-search feed URL for a company, from a template with {query}."""
    if "{query}" not in template:
        raise ValueError("the news search template needs a {query} placeholder")
    name = " ".join(company_name.split())
    if not name:
        raise ValueError("a company name is needed to search the news")
    # Quoted, so "General Mills" finds the company rather than any mill.
    return template.replace("{query}", quote_plus(f'"{name}"'))
