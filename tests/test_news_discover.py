"""Finding a company's feed from its website address, over a local server."""

from functools import partial

import pytest

from crm.news.discover import (
    NEWS_SEARCH_TEMPLATE,
    DiscoveryError,
    discover,
    feed_links,
    news_search_url,
)
from crm.news.fetch import fetch
from tests.feedserver import FEEDS, FeedServer, Reply

HTML = "text/html; charset=utf-8"


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture
def fetcher():
    return partial(fetch, allow_private=True, timeout=(1, 1))


def test_a_feed_address_is_its_own_feed(server, fetcher):
    server.routes["/newsroom/feed"] = Reply.file("rss_guid.xml")
    assert discover(server.url("/newsroom/feed"), fetcher) == [server.url("/newsroom/feed")]


def test_a_feed_reached_through_a_redirect_is_given_by_its_final_address(server, fetcher):
    server.routes["/rss"] = Reply(301, headers={"Location": "/newsroom/feed"})
    server.routes["/newsroom/feed"] = Reply.file("atom_relative.xml", "application/atom+xml")
    assert discover(server.url("/rss"), fetcher) == [server.url("/newsroom/feed")]


def test_a_page_gives_its_announced_feeds_resolved_against_its_url(server, fetcher):
    server.routes["/about/"] = Reply.file("page_alternate.html", HTML)
    assert discover(server.url("/about/"), fetcher) == [
        server.url("/newsroom/feed"),
        server.url("/about/blog/atom.xml"),
    ]
    # Announced links are trusted without fetching each one.
    assert [path for path, _ in server.seen] == ["/about/"]


def test_a_base_element_changes_where_relative_feed_links_point():
    page = (
        b'<head><base href="https://cdn.acme.example/site/">'
        b'<link rel=alternate type="application/rss+xml" href="feed.xml"></head>'
    )
    assert feed_links(page, "https://acme.example/") == ["https://cdn.acme.example/site/feed.xml"]


def test_without_announced_feeds_the_usual_paths_are_tried(server, fetcher):
    server.routes["/"] = Reply.file("page_plain.html", HTML)
    server.routes["/rss.xml"] = Reply.file("rss_no_dates.xml")
    server.routes["/atom.xml"] = Reply.file("atom_relative.xml")
    assert discover(server.url("/"), fetcher) == [server.url("/rss.xml")]
    assert [path for path, _ in server.seen] == ["/", "/feed", "/rss.xml"]


def test_a_usual_path_answering_with_html_is_not_a_feed(server, fetcher):
    server.routes["/"] = Reply.file("page_plain.html", HTML)
    # Many sites answer every path with their home page.
    server.routes["/feed"] = Reply.file("page_plain.html", HTML)
    assert discover(server.url("/"), fetcher) == []


def test_a_page_that_cannot_be_opened_says_why(server, fetcher):
    server.routes["/"] = Reply(500)
    with pytest.raises(DiscoveryError, match="HTTP 500 Internal Server Error"):
        discover(server.url("/"), fetcher)


def test_news_search_url_quotes_and_encodes_the_company_name():
    url = news_search_url("  Procter & Gamble ")
    assert url == (
        "https://news.google.com/rss/search?q=%22Procter+%26+Gamble%22&hl=en-US&gl=US&ceid=US:en"
    )
    assert NEWS_SEARCH_TEMPLATE.startswith("https://news.google.com/rss/search?q={query}")


def test_news_search_url_follows_another_provider_template():
    template = "https://www.bing.com/news/search?q={query}&format=rss"
    assert (
        news_search_url("Acme", template)
        == "https://www.bing.com/news/search?q=%22Acme%22&format=rss"
    )


@pytest.mark.parametrize(
    ("name", "template", "message"),
    [("", NEWS_SEARCH_TEMPLATE, "company name"), ("Acme", "https://x.example/rss", "{query}")],
)
def test_news_search_url_refuses_what_it_cannot_build(name, template, message):
    with pytest.raises(ValueError, match=message):
        news_search_url(name, template)


def test_fixture_page_announces_exactly_two_distinct_feeds():
    page = (FEEDS / "page_alternate.html").read_bytes()
    assert feed_links(page, "https://www.acme.example/") == [
        "https://www.acme.example/newsroom/feed",
        "https://www.acme.example/blog/atom.xml",
    ]
