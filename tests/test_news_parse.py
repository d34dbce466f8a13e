"""Feed bytes to records: the shapes real publishers produce."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crm.news.parse import FeedError, balanced_html, parse_feed, plain_text
from crm.news.urls import unwrap_redirect
from tests.feedserver import generated_feed

FEEDS = Path(__file__).parent / "feeds"
RSS = {"content-type": "application/rss+xml"}


def parse_fixture(name, url="https://feeds.example/feed", headers=RSS):
    return parse_feed((FEEDS / name).read_bytes(), headers, url)


def test_rss_entries_keep_guid_as_identity_and_dates_in_utc():
    feed = parse_fixture("rss_guid.xml")
    assert feed.title == "Acme Corp Newsroom"
    assert feed.site_url == "https://www.acme.example/newsroom"
    first, second = feed.entries
    assert first.identity == first.guid == "acme-press-2024-0305"
    assert first.title == "Acme Corp Names Jane Doe Chief Revenue Officer"
    assert first.link == "https://www.acme.example/newsroom/2024/03/jane-doe-cro?utm_source=rss"
    assert first.published == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    assert first.author == "Acme Communications"
    assert "<strong>Jane Doe</strong>" in first.summary_html
    assert second.published == datetime(2024, 2, 20, 13, 0, tzinfo=UTC)


def test_only_the_newest_entries_are_kept_in_the_order_of_the_feed():
    day = datetime(2024, 3, 5, tzinfo=UTC)
    body = generated_feed([("old", day.replace(day=1)), ("newest", day), ("undated", None),
                           ("older", day.replace(day=2)), ("newer", day.replace(day=4))])
    keep = {limit: [entry.title.removeprefix("Story ") for entry in
                    parse_feed(body, RSS, "https://f.example/", limit).entries]
            for limit in (None, 3, 0)}
    assert keep[None] == ["old", "newest", "undated", "older", "newer"]
    # Undated counts as newest: it is stored as first seen today.
    assert keep[3] == ["newest", "undated", "newer"]
    assert keep[0] == []


def test_atom_relative_links_resolve_against_xml_base():
    feed = parse_fixture("atom_relative.xml", url="https://blog.acme.example/engineering/feed.atom")
    assert feed.site_url == "https://blog.acme.example/engineering/"
    builds, roles = feed.entries
    assert builds.link == "https://blog.acme.example/engineering/2024/03/build-times"
    assert 'href="https://blog.acme.example/diagrams/ci.png"' in builds.summary_html
    assert roles.link == "https://blog.acme.example/careers/open-roles"
    assert builds.author == "Sam Lee"
    # published wins over updated; +02:00 becomes UTC
    assert builds.published == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def test_relative_links_resolve_against_the_fetched_url_without_xml_base():
    body = (
        b'<rss version="2.0"><channel><title>t</title><link>/</link>'
        b"<item><title>a</title><link>/news/a</link></item></channel></rss>"
    )
    feed = parse_feed(body, RSS, "https://globex.example/press/rss.xml")
    assert feed.site_url == "https://globex.example/"
    assert feed.entries[0].link == "https://globex.example/news/a"


def test_content_location_header_overrides_the_fetched_url_as_base():
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><link>a</link></item></channel></rss>'
    )
    headers = {"Content-Type": "application/rss+xml", "Content-Location": "/mirror/"}
    feed = parse_feed(body, headers, "https://globex.example/feed")
    assert feed.entries[0].link == "https://globex.example/mirror/a"


def test_titles_come_out_as_plain_text_and_plain_summaries_escaped():
    feed = parse_fixture("atom_relative.xml")
    assert feed.title == "Acme & Friends Engineering"
    roles = feed.entries[1]
    assert roles.title == "Hiring: use <table> layouts? Never"
    assert roles.summary_html == "We are hiring. Tags like &lt;b&gt; stay literal &amp; escaped."


def test_entries_without_guid_fall_back_to_link_then_to_a_title_hash():
    feed = parse_fixture("rss_no_dates.xml")
    linked, bare = feed.entries
    assert linked.guid is None
    assert linked.identity == "https://globex.example/press/denver"
    assert linked.published is None
    assert bare.link is None
    assert bare.identity.startswith("sha1:")
    assert parse_fixture("rss_no_dates.xml").entries[1].identity == bare.identity


def test_hostile_html_comes_out_sanitized():
    feed = parse_fixture("rss_hostile.xml", url="https://initech.example/blog/feed")
    entry = feed.entries[0]
    html = entry.summary_html.lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "cookie"):
        assert bad not in html
    assert "Revenue grew." in entry.summary_html
    assert 'href="https://initech.example/results/q1"' in entry.summary_html
    # The entry's own link and the site link would go straight into an href.
    assert entry.link is None
    assert entry.identity == "initech-q1"
    assert feed.site_url is None
    assert "alert" not in feed.title


def test_latin1_feed_is_decoded_from_its_xml_declaration():
    feed = parse_fixture("rss_latin1.xml", headers={"Content-Type": "text/xml"})
    assert feed.title == "Société Générale des Cafés"
    assert feed.entries[0].title == "José Núñez nommé directeur général"
    assert feed.entries[0].summary_html == "Une équipe élargie à Montréal."


def test_charset_in_content_type_decodes_a_feed_without_declaration():
    body = '<rss version="2.0"><channel><title>Café Über</title></channel></rss>'.encode("cp1252")
    feed = parse_feed(body, {"Content-Type": "application/rss+xml; charset=windows-1252"}, "x")
    assert feed.title == "Café Über"


def test_malformed_feed_with_entries_is_recovered_not_an_error():
    feed = parse_fixture("rss_malformed.xml")
    assert feed.title == "Umbrella & Sons News"
    # &nbsp; is not an XML entity; the loose parser keeps it as a plain space
    assert [entry.title for entry in feed.entries] == [
        "Umbrella wins regional award",
        "Second story",
    ]
    assert feed.entries[0].link == "https://umbrella.example/news?id=7&ref=rss"
    # the unclosed tags are closed so the summary cannot swallow the page
    assert feed.entries[0].summary_html == "<p>Unclosed paragraph <b>bold</b></p>"


def test_news_search_redirect_links_are_unwrapped_to_the_article():
    feed = parse_fixture("bing_news.xml")
    assert [entry.link for entry in feed.entries] == [
        "https://www.sportsbiz.example/2024/03/acme-sponsorships",
        "https://markets.example/acme-shares",
    ]
    assert feed.entries[0].identity == feed.entries[0].link


def test_a_feed_with_no_items_is_still_a_feed():
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', RSS, "u")
    assert feed.title == "Quiet"
    assert feed.entries == []


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ((FEEDS / "page_plain.html").read_bytes(), "text/html", "web page"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "application/octet-stream", "web page"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "application/json", "not an RSS"),
        (b"", "application/rss+xml", "empty"),
    ],
)
def test_a_body_that_is_no_feed_raises_a_clear_error(body, content_type, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body, {"Content-Type": content_type}, "https://globex.example/")


def test_plain_text_drops_tags_scripts_and_entities():
    html = "<p>Jane</p><p>Doe &amp; co</p><script>var x = 'Jane';</script>"
    assert plain_text(html) == "Jane Doe & co"


def test_balanced_html_drops_stray_end_tags_and_closes_open_ones():
    assert balanced_html("</div><p>x <b><i>y</b>") == "<p>x <b><i>y</i></b></p>"
    assert balanced_html('a<br />b<img src="c">') == 'a<br />b<img src="c">'


@pytest.mark.parametrize(
    ("link", "article"),
    [
        (
            "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&url=https%3a%2f%2fwww.example.com%2fa&c=1",
            "https://www.example.com/a",
        ),
        (
            "https://www.google.com/url?q=https://example.com/story?id%3D3&sa=U",
            "https://example.com/story?id=3",
        ),
        (
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2Fb&h=x",
            "https://example.com/b",
        ),
    ],
)
def test_redirect_links_give_the_article_they_carry(link, article):
    assert unwrap_redirect(link) == article


@pytest.mark.parametrize(
    "link",
    [
        "https://www.acme.example/search?q=awards",
        "https://news.example/r?url=javascript:alert(1)",
        "https://news.google.com/rss/articles/CBMiQ2h0dHBzOi8vZXhhbXBsZS5jb20?oc=5",
        None,
    ],
)
def test_links_without_a_carried_url_stay_as_they_are(link):
    assert unwrap_redirect(link) == link
