"""OPML import and export of company feeds."""

from pathlib import Path

import pytest

from crm.news.opml import OpmlError, OpmlFeed, parse_opml, write_opml

FEEDS = Path(__file__).parent / "feeds"


def test_feeds_are_read_with_the_company_of_their_parent_outline():
    assert parse_opml((FEEDS / "feeds.opml").read_bytes()) == [
        OpmlFeed("https://www.acme.example/newsroom/feed", "Acme Newsroom", "Acme Corp"),
        OpmlFeed(
            "https://blog.acme.example/engineering/feed.atom", "Acme Engineering", "Acme Corp"
        ),
        OpmlFeed("https://globex.example/press/rss.xml", "Globex press", "Globex & Partners"),
        OpmlFeed("https://news.example/industry.rss", "Industry news", None),
    ]


def test_written_opml_groups_by_company_and_reads_back_the_same():
    feeds = [
        OpmlFeed("https://globex.example/press/rss.xml", "Globex <press>", "Globex & Partners"),
        OpmlFeed("https://news.example/industry.rss", "Industry news"),
        OpmlFeed("https://www.acme.example/newsroom/feed", "Acme Newsroom", "Acme Corp"),
        OpmlFeed("https://globex.example/blog.atom", "Globex blog", "Globex & Partners"),
    ]
    data = write_opml(feeds)
    assert data.startswith(b"<?xml")
    assert data.count(b'<outline text="Globex &amp; Partners">') == 1
    back = parse_opml(data)
    assert sorted(back, key=lambda feed: feed.url) == sorted(feeds, key=lambda feed: feed.url)
    assert [feed.company for feed in back] == [
        "Globex & Partners",
        "Globex & Partners",
        None,
        "Acme Corp",
    ]


def test_a_feed_without_title_is_named_by_its_url():
    data = b'<opml version="2.0"><body><outline xmlUrl="https://x.example/rss"/></body></opml>'
    assert parse_opml(data) == [OpmlFeed("https://x.example/rss", "https://x.example/rss")]


def test_entity_declarations_are_refused_before_they_expand():
    with pytest.raises(OpmlError, match="DOCTYPE and ENTITY are not allowed"):
        parse_opml((FEEDS / "billion_laughs.opml").read_bytes())


def test_an_external_entity_is_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml/>'
    with pytest.raises(OpmlError, match="DOCTYPE"):
        parse_opml(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not valid XML"),
        (b"<opml><body><outline text='x'></body></opml>", "not valid XML: mismatched tag: line 1"),
        (b'<rss version="2.0"><channel/></rss>', "not an OPML file"),
        (
            b'<opml>\n<body>\n<outline xmlUrl="javascript:alert(1)"/></body></opml>',
            "line 3: 'javascript:alert\\(1\\)' is not an http\\(s\\) address",
        ),
    ],
)
def test_broken_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(OpmlError, match=message):
        parse_opml(data)
