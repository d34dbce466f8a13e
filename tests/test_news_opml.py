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


def test_every_feed_of_a_deep_nesting_gets_the_nearest_company_above_it():
    # Twenty thousand outlines, each inside the one before: a company every
    # thousand levels, an outline without a name halfway, feeds between.
    depth, opened = 20_000, []
    for level in range(depth):
        if level % 1000 == 0:
            opened.append(f'<outline text="Company {level // 1000}">')
        elif level % 1000 == 500:
            opened.append('<outline text="">')
        else:
            opened.append(f'<outline xmlUrl="https://f.example/{level}">')
    data = f"<opml><body>{''.join(opened)}{'</outline>' * depth}</body></opml>".encode()

    feeds = parse_opml(data)

    assert len(feeds) == depth - 40
    assert all(feed.company == f"Company {int(feed.url.rsplit('/', 1)[1]) // 1000}"
               for feed in feeds)


def test_a_large_flat_file_is_read_whole_and_in_order():
    outlines = "".join(
        f'<outline text="Company {n}">'
        + "".join(f'<outline text="Feed {n}.{k}" xmlUrl="https://f.example/{n}/{k}"/>'
                  for k in range(10_000))
        + "</outline>"
        for n in range(5)
    )
    feeds = parse_opml(f"<opml><body>{outlines}</body></opml>".encode())
    assert len(feeds) == 50_000
    assert feeds[0] == OpmlFeed("https://f.example/0/0", "Feed 0.0", "Company 0")
    assert feeds[-1] == OpmlFeed("https://f.example/4/9999", "Feed 4.9999", "Company 4")
