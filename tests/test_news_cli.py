"""`crm feeds` and `crm refresh` against a real HTTP server on 127.0.0.1."""

import socket
from pathlib import Path

import pytest

from crm.db import db
from crm.models import Company, Feed
from crm.news.opml import parse_opml
from tests.feedserver import FEEDS, FeedServer, Reply


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture(autouse=True)
def local_feeds(app):
    app.config.update(FEEDS_ALLOW_PRIVATE=True, FEEDS_TIMEOUT=2, NEWS_PRUNE_DAYS=100_000)


def feeds_in(app):
    with app.app_context(), db.connection_context():
        return sorted((f.url, f.company.name if f.company else None) for f in Feed.select())


def test_feeds_add_follows_a_feed_for_a_company_and_fetches_it(app, runner, server):
    server.routes["/feed"] = Reply.file("rss_guid.xml")

    result = runner.invoke(args=["feeds", "add", server.url("/feed"), "--company", "Acme Corp"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Added {server.url('/feed')} for Acme Corp.",
        "Fetched Acme Corp Newsroom: 2 new articles."]
    assert feeds_in(app) == [(server.url("/feed"), "Acme Corp")]


def test_feeds_add_refuses_a_private_address_without_the_setting(app, runner, server):
    app.config["FEEDS_ALLOW_PRIVATE"] = False

    result = runner.invoke(args=["feeds", "add", server.url("/feed")])

    assert result.exit_code == 1
    assert "private or local address" in result.output
    assert "CRM_FEEDS_ALLOW_PRIVATE=1" in result.output
    assert feeds_in(app) == []


def test_feeds_list_shows_one_feed_a_line_with_company_and_status(app, runner, server):
    server.routes["/feed"] = Reply.file("rss_guid.xml")
    runner.invoke(args=["feeds", "add", server.url("/feed"), "--company", "Acme Corp"])
    with app.app_context(), db.connection_context():
        Feed.create(url="https://news.example/industry.rss", error_count=1,
                    last_error="HTTP 503 Service Unavailable")

    lines = runner.invoke(args=["feeds", "list"]).output.splitlines()

    assert lines == [
        "https://news.example/industry.rss\t-\t1 failed try in a row (it never worked). "
        "Last error: HTTP 503 Service Unavailable.",
        f"{server.url('/feed')}\tAcme Corp\tUpdated just now.",
    ]


def test_feeds_import_files_feeds_under_the_companies_their_outlines_name(app, runner):
    result = runner.invoke(args=["feeds", "import", str(FEEDS / "feeds.opml")])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Imported 4 feeds (2 new companies).")
    assert feeds_in(app) == [
        ("https://blog.acme.example/engineering/feed.atom", "Acme Corp"),
        ("https://globex.example/press/rss.xml", "Globex & Partners"),
        ("https://news.example/industry.rss", None),
        ("https://www.acme.example/newsroom/feed", "Acme Corp"),
    ]
    again = runner.invoke(args=["feeds", "import", str(FEEDS / "feeds.opml")])
    assert again.output.startswith("Imported 0 feeds; 4 already followed.")


@pytest.mark.parametrize("name, why", [
    ("billion_laughs.opml", "DOCTYPE and ENTITY are not allowed"),
    ("rss_guid.xml", "this is not an OPML file"),
])
def test_a_broken_opml_file_imports_nothing_and_says_why(app, runner, name, why):
    result = runner.invoke(args=["feeds", "import", str(FEEDS / name)])

    assert result.exit_code == 1
    assert f"Nothing imported from {FEEDS / name}" in result.output and why in result.output
    assert feeds_in(app) == []
    with app.app_context(), db.connection_context():
        assert Company.select().count() == 0


def test_feeds_export_writes_opml_that_imports_back_the_same(app, runner, tmp_path):
    runner.invoke(args=["feeds", "import", str(FEEDS / "feeds.opml")])
    target = tmp_path / "out.opml"

    result = runner.invoke(args=["feeds", "export", str(target)])

    assert result.exit_code == 0
    original = {(f.url, f.company) for f in parse_opml((FEEDS / "feeds.opml").read_bytes())}
    assert {(f.url, f.company) for f in parse_opml(Path(target).read_bytes())} == original
    assert runner.invoke(args=["feeds", "export"]).output.startswith("<?xml")


def test_refresh_prints_a_line_per_feed_and_a_summary(app, runner, server):
    server.routes["/rss"] = Reply.file("rss_guid.xml", headers={"ETag": '"1"'})
    server.routes["/broken"] = Reply(500)
    with app.app_context(), db.connection_context():
        Feed.create(url=server.url("/rss"))
        Feed.create(url=server.url("/broken"))

    result = runner.invoke(args=["refresh"])

    lines = result.output.splitlines()
    assert result.exit_code == 0, result.output
    assert lines[0] == "Refreshing 2 feeds."
    assert f"fetched {server.url('/rss')} (2 new)" in result.output
    assert f"failed {server.url('/broken')}: HTTP 500 Internal Server Error" in result.output
    assert lines[-1] == "1 fetched, 0 not modified, 1 failed, 2 new articles."
    # Nothing is due an instant later; --all asks again, and the server has not changed.
    assert runner.invoke(args=["refresh"]).output.splitlines()[-1] == \
        "0 fetched, 0 not modified, 0 failed, 0 new articles."
    server.routes["/rss"] = lambda headers: Reply(304) if headers.get("If-None-Match") else None
    assert runner.invoke(args=["refresh", "--all"]).output.splitlines()[-1] == \
        "0 fetched, 1 not modified, 1 failed, 0 new articles."


def test_feeds_list_says_how_to_add_one_when_there_are_none(runner):
    result = runner.invoke(args=["feeds", "list"])
    assert result.exit_code == 0
    assert "No feeds yet" in result.output and "crm feeds add" in result.output


def test_refresh_exits_1_when_every_feed_failed_and_0_when_one_worked(app, runner, server):
    server.routes["/broken"] = Reply(500)
    with app.app_context(), db.connection_context():
        Feed.create(url=server.url("/broken"))
    result = runner.invoke(args=["refresh"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "0 fetched, 0 not modified, 1 failed, 0 new articles."
    server.routes["/rss"] = Reply.file("rss_guid.xml")
    with app.app_context(), db.connection_context():
        Feed.create(url=server.url("/rss"))
    assert runner.invoke(args=["refresh", "--all"]).exit_code == 0
    # Nothing due is no failure either.
    assert runner.invoke(args=["refresh"]).exit_code == 0


def test_feeds_add_offline_saves_the_feed_with_a_warning(app, runner, monkeypatch):
    """No name resolves, as on a train: the feed is kept, as an OPML import keeps its feeds."""
    app.config["FEEDS_ALLOW_PRIVATE"] = False

    def offline(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    result = runner.invoke(args=["feeds", "add", "acme.example/feed", "--company", "Acme"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Added https://acme.example/feed for Acme.",
        "Warning: Could not fetch https://acme.example/feed yet (cannot resolve the host "
        "acme.example): it is saved as typed and will be tried again at the next refresh."]
    assert feeds_in(app) == [("https://acme.example/feed", "Acme")]


def test_feeds_add_saves_a_feed_whose_server_does_not_answer(app, runner):
    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/feed"

    result = runner.invoke(args=["feeds", "add", url])

    assert result.exit_code == 0, result.output
    assert f"Warning: Could not fetch {url} yet" in result.output
    assert feeds_in(app) == [(url, None)]


def test_feeds_add_still_refuses_an_address_that_answers_with_an_error(app, runner, server):
    result = runner.invoke(args=["feeds", "add", server.url("/missing")])

    assert result.exit_code == 1
    assert "Could not open" in result.output and "404" in result.output
    assert feeds_in(app) == []
