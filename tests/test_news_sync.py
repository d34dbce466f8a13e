"""Refreshing feeds against a real HTTP server on 127.0.0.1: storing, failing, locking, pruning."""

import random
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from support import ON_POSTGRES

from crm import scheduler
from crm.db import db
from crm.models import Article, ArticleMatch, Company, Contact, Feed, Touch
from crm.news.store import contact_index, prune
from crm.news.sync import claim, refresh
from crm.news.urls import canonical_link
from tests.feedserver import DribbleServer, FeedServer, Reply, generated_feed

# The fixtures' articles are from early March 2024; refreshing "then" keeps
# them younger than the pruning age.
NOW = datetime(2024, 3, 10, 12, 0)
UTC_NOW = NOW.replace(tzinfo=UTC)
ETAG = '"v1"'


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture(autouse=True)
def local_feeds(app):
    app.config.update(FEEDS_ALLOW_PRIVATE=True, FEEDS_TIMEOUT=2)


def follow(server, path, reply=None, company=None, **fields):
    if reply is not None:
        server.routes[path] = reply
    return Feed.create(url=server.url(path), company=company, **fields)


def reload(feed):
    return Feed.get_by_id(feed.id)


def requests_to(server, path):
    return [seen for seen, _ in server.seen if seen == path]


def test_rss_and_atom_feeds_are_stored_with_their_articles(database, server):
    acme = Company.create(name="Acme Corp")
    rss = follow(server, "/rss", Reply.file("rss_guid.xml"), acme)
    atom = follow(server, "/atom", Reply.file("atom_relative.xml", "application/atom+xml"), acme)

    summary = refresh(now=NOW)

    assert (summary.fetched, summary.not_modified, summary.failed) == (2, 0, 0)
    assert summary.new_articles == Article.select().count() == 4
    assert reload(rss).title == "Acme Corp Newsroom"
    assert reload(atom).last_success_at == NOW and reload(atom).error_count == 0
    build = Article.get(Article.title == "How we cut build times in half")
    assert build.link == "https://blog.acme.example/engineering/2024/03/build-times"
    assert build.published_at == datetime(2024, 3, 1, 8, 0)
    assert build.first_seen_at == NOW
    # The tracking parameter is gone from the stored link.
    jane = Article.get(Article.identity == "acme-press-2024-0305")
    assert jane.link == "https://www.acme.example/newsroom/2024/03/jane-doe-cro"
    assert reload(rss).next_check_at == NOW + timedelta(minutes=60)


def test_second_refresh_answered_304_keeps_everything_and_counts_as_not_modified(database,
                                                                                 server):
    def conditional(headers):
        if headers.get("If-None-Match") == ETAG:
            return Reply(304, headers={"ETag": ETAG})
        return Reply.file("rss_guid.xml", headers={"ETag": ETAG})

    feed = follow(server, "/feed", conditional)
    refresh(now=NOW)
    later = NOW + timedelta(hours=2)

    summary = refresh(now=later)

    assert (summary.fetched, summary.not_modified, summary.new_articles) == (0, 1, 0)
    assert server.seen[-1][1]["If-None-Match"] == ETAG
    assert Article.select().count() == 2
    feed = reload(feed)
    assert feed.etag == ETAG and feed.title == "Acme Corp Newsroom"
    assert feed.last_success_at == later


def test_unchanged_entries_are_not_stored_twice_and_changed_ones_are_updated(database, server):
    body = Reply.file("rss_guid.xml").body
    answers = iter([body, body.replace(b"Sports Sponsorship Fund", b"Sports Fund, Renamed")])
    follow(server, "/feed", lambda headers: Reply(body=next(answers)))

    refresh(now=NOW)
    summary = refresh(now=NOW, due_only=False)

    assert summary.fetched == 1 and summary.new_articles == 0
    assert sorted(a.title for a in Article.select()) == [
        "Acme Corp Names Jane Doe Chief Revenue Officer", "Acme Launches $50M Sports Fund, Renamed"]


def test_a_server_slower_than_the_timeout_fails_while_the_others_are_fetched(app, database,
                                                                             server):
    app.config["FEEDS_TIMEOUT"] = 0.3
    slow = follow(server, "/slow", Reply.file("rss_guid.xml", delay=3))
    follow(server, "/quick", Reply.file("rss_latin1.xml"))

    summary = refresh(now=NOW)

    assert (summary.fetched, summary.failed) == (1, 1)
    assert reload(slow).last_error == "timed out waiting for the server to answer"
    assert reload(slow).error_count == 1


def test_a_body_over_the_size_cap_is_refused(app, database, server):
    app.config["FEEDS_MAX_BYTES"] = 2048
    feed = follow(server, "/big", Reply(body=b"<rss>" + b"x" * 10_000 + b"</rss>",
                                        announce_length=False))

    assert refresh(now=NOW).failed == 1
    assert reload(feed).last_error == "the response is larger than 2 KB"
    assert Article.select().count() == 0


def test_a_redirect_is_followed_and_the_final_address_kept(database, server):
    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    feed = follow(server, "/old", None)
    server.routes["/new"] = Reply.file("rss_guid.xml")

    assert refresh(now=NOW).fetched == 1
    assert reload(feed).url == server.url("/new")
    assert Article.select().count() == 2


def test_a_redirect_to_an_address_another_feed_has_keeps_both_feeds_as_they_are(database,
                                                                                server):
    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    moved = follow(server, "/old", None)
    follow(server, "/new", Reply.file("rss_guid.xml"))

    assert refresh(now=NOW).fetched == 2
    assert reload(moved).url == server.url("/old")


def test_a_500_is_recorded_backs_off_and_the_other_feeds_are_still_fetched(database, server):
    broken = follow(server, "/broken", Reply(500, b"oops"))
    follow(server, "/fine", Reply.file("rss_guid.xml"))

    summary = refresh(now=NOW)

    assert (summary.fetched, summary.failed, summary.new_articles) == (1, 1, 2)
    broken = reload(broken)
    assert broken.last_error == "HTTP 500 Internal Server Error"
    assert broken.error_count == 1 and broken.last_success_at is None
    # One error doubles the hourly interval.
    assert broken.next_check_at == NOW + timedelta(hours=2)
    refresh(now=NOW + timedelta(hours=1))
    assert len(requests_to(server, "/broken")) == 1
    refresh(now=NOW + timedelta(hours=2))
    assert len(requests_to(server, "/broken")) == 2
    assert reload(broken).next_check_at == NOW + timedelta(hours=2 + 4)


def test_a_feed_failing_again_and_again_is_paused_until_retried(database, server):
    feed = follow(server, "/broken", Reply(500), error_count=9)

    refresh(now=NOW)

    assert reload(feed).paused and reload(feed).error_count == 10
    refresh(now=NOW + timedelta(days=30), due_only=False)
    assert len(requests_to(server, "/broken")) == 1
    server.routes["/broken"] = Reply.file("rss_guid.xml")
    summary = refresh(now=NOW, feed_ids=[feed.id])  # what the Retry button does
    assert summary.fetched == 1
    assert not reload(feed).paused and reload(feed).error_count == 0


def test_a_429_waits_as_long_as_retry_after_asks(database, server):
    feed = follow(server, "/busy", Reply(429, headers={"Retry-After": "36000"}))

    refresh(now=NOW)

    feed = reload(feed)
    assert feed.last_error == "HTTP 429 Too Many Requests"
    assert feed.next_check_at == NOW + timedelta(hours=10)


def test_malformed_xml_with_entries_is_stored_and_a_web_page_is_an_error(database, server):
    follow(server, "/malformed", Reply.file("rss_malformed.xml"))
    page = follow(server, "/page", Reply.file("page_plain.html", "text/html"))

    summary = refresh(now=NOW)

    assert (summary.fetched, summary.failed) == (1, 1)
    assert {a.title for a in Article.select()} == {"Umbrella wins regional award", "Second story"}
    assert reload(page).last_error == "this address is a web page, not an RSS or Atom feed"


def test_a_latin1_feed_is_stored_with_its_accents(database, server):
    follow(server, "/latin1", Reply.file("rss_latin1.xml", "application/rss+xml"))

    refresh(now=NOW)

    article = Article.get()
    assert article.title == "José Núñez nommé directeur général"
    assert article.summary_html == "Une équipe élargie à Montréal."


def test_missing_dates_fall_back_to_first_seen_and_future_ones_are_capped(database, server):
    follow(server, "/nodates", Reply.file("rss_no_dates.xml"))
    future = (Reply.file("rss_latin1.xml").body
              .replace(b"Mon, 04 Mar 2024", b"Mon, 04 Mar 2030"))
    follow(server, "/future", Reply(body=future))

    refresh(now=NOW)

    assert {a.published_at for a in Article.select()} == {NOW}


def test_the_same_article_through_two_feeds_is_listed_once_and_matched_once(database, server):
    acme, globex = Company.create(name="Acme Corp"), Company.create(name="Globex")
    jane = Contact.create(name="Jane Doe", company=acme, status="long_term")
    gus = Contact.create(name="Gus Grant", company=globex, status="long_term")
    follow(server, "/acme", Reply.file("rss_guid.xml"), acme)
    follow(server, "/search", Reply.file("rss_same_story.xml"), globex)

    refresh(now=NOW)

    link = "https://www.acme.example/newsroom/2024/03/jane-doe-cro"
    copies = list(Article.select().where(Article.link == link).order_by(Article.id))
    assert len(copies) == 2
    assert copies[0].duplicate_of is None and copies[1].duplicate_of_id == copies[0].id
    ids = [copy.id for copy in copies]
    for person in (jane, gus):
        matches = ArticleMatch.select().where(ArticleMatch.article.in_(ids),
                                              ArticleMatch.contact == person)
        assert matches.count() == 1, person.name
    assert ArticleMatch.get(ArticleMatch.contact == jane, ArticleMatch.article.in_(ids)).kind \
        == "congratulate"


def test_new_articles_are_matched_to_the_company_people_interests_and_named_contacts(database,
                                                                                      server):
    acme, globex = Company.create(name="Acme Corp"), Company.create(name="Globex")
    jane = Contact.create(name="Jane Doe", company=acme, status="long_term")
    bob = Contact.create(name="Bob Stone", company=acme, status="long_term")
    carla = Contact.create(name="Carla Ruiz", company=globex, status="long_term")
    carla.set_tags(["sports sponsorship"])
    Contact.create(name="Dan Archived", company=acme, archived_at=NOW)
    Contact.create(name="Erin Quiet", company=acme, status="do_not_contact")
    follow(server, "/acme", Reply.file("rss_guid.xml"), acme)

    refresh(now=NOW)

    found = {(m.contact.name, m.article.title[:14], m.kind) for m in ArticleMatch.select()}
    assert found == {
        ("Jane Doe", "Acme Corp Name", "congratulate"),
        ("Bob Stone", "Acme Corp Name", "forward"),
        ("Jane Doe", "Acme Launches ", "forward"),
        ("Bob Stone", "Acme Launches ", "forward"),
        ("Carla Ruiz", "Acme Launches ", "forward"),
    }
    assert 'interest in "sports sponsorship"' in ArticleMatch.get(
        ArticleMatch.contact == carla).reason
    assert {c.id for c in contact_index().by_company[acme.id]} == {jane.id, bob.id}


def test_a_feed_another_refresh_holds_is_left_alone_until_its_lease_ends(database, server):
    feed = follow(server, "/feed", Reply.file("rss_guid.xml"),
                  locked_until=NOW + timedelta(minutes=5))

    summary = refresh(now=NOW)

    assert summary.busy == 1 and server.seen == []
    summary = refresh(now=NOW + timedelta(minutes=6))
    assert summary.fetched == 1 and reload(feed).locked_until is None


def test_a_claimed_feed_cannot_be_claimed_again(database, server):
    feed = follow(server, "/feed")

    assert [f.id for f in claim([feed.id], NOW)] == [feed.id]
    assert claim([feed.id], NOW + timedelta(minutes=1)) == []
    assert reload(feed).locked_until > NOW


def test_two_refreshes_at_once_fetch_each_feed_once(app, database, server):
    follow(server, "/slow", Reply.file("rss_guid.xml", delay=0.5))
    results = []

    def other_process():
        with app.app_context(), db.connection_context():
            results.append(refresh(now=NOW))

    thread = threading.Thread(target=other_process)
    thread.start()
    while not server.seen:  # the other refresh holds the feed and is fetching it
        threading.Event().wait(0.01)
    mine = refresh(now=NOW)
    thread.join()

    assert mine.busy == 1 and results[0].fetched == 1
    assert len(requests_to(server, "/slow")) == 1


def test_a_huge_feed_stores_only_its_newest_entries(database, server):
    # Twenty thousand items, listed in no particular order, one a minute apart.
    minutes = list(range(20_000))
    random.Random(11).shuffle(minutes)
    body = generated_feed((f"g{m}", UTC_NOW - timedelta(minutes=m)) for m in minutes)
    feed = follow(server, "/huge", Reply(body=body))

    summary = refresh(now=NOW)

    assert summary.new_articles == 200 and reload(feed).last_error == ""
    kept = {title.removeprefix("Story ") for (title,) in Article.select(Article.title).tuples()}
    assert kept == {f"g{m}" for m in range(200)}


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's one writer at a time; PostgreSQL locks "
                    "rows, so a refresh never waits for a whole database")
def test_a_refresh_waits_for_another_process_writing_and_succeeds(database, server):
    holders = []

    def answer_while_locked(headers):
        holders.append(hold_write_lock(database.database, seconds=2))
        return Reply.file("rss_guid.xml")

    follow(server, "/feed", answer_while_locked)
    started = time.monotonic()

    summary = refresh(now=NOW)

    assert (summary.fetched, summary.failed, summary.new_articles) == (1, 0, 2)
    assert time.monotonic() - started >= 1.5  # it waited for the other writer
    assert holders[0].wait(5) == 0


def hold_write_lock(path, seconds):
    """Start a process that takes the database's write lock for `seconds`; return once it has."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "locked\n"
    return holder


HOLD_WRITE_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


def test_old_articles_are_pruned_unless_one_was_sent(database):
    feed = Feed.create(url="http://127.0.0.1:9/feed", paused=True)
    old = NOW - timedelta(days=181)
    kept, dropped, _ = (Article.create(feed=feed, identity=str(n), published_at=when)
                        for n, when in enumerate([old, old, NOW - timedelta(days=10)]))
    contact = Contact.create(name="Jane Doe")
    Touch.create(contact=contact, happened_on=date(2024, 1, 2), channel="article", article=kept)

    assert refresh(now=NOW).pruned == 1
    assert Article.get_or_none(Article.id == dropped.id) is None
    assert Article.select().count() == 2
    assert prune(NOW, 180) == 0


def test_serve_refreshes_the_feeds_on_schedule(app, server):
    app.config["NEWS_PRUNE_DAYS"] = 100_000  # the fixture's date is long past
    with app.app_context(), db.connection_context():
        follow(server, "/feed", Reply.file("rss_latin1.xml"))
    job = next(job for job in app.extensions["crm.jobs"] if job.name == "news")

    scheduler.run_job(app, job)

    assert job.every_seconds == 3600
    with app.app_context(), db.connection_context():
        assert Article.select().count() == 1


def wait_for(condition, seconds=2):
    ends = time.monotonic() + seconds
    while not condition() and time.monotonic() < ends:
        time.sleep(0.01)
    return condition()


def test_a_stuck_refresh_does_not_hold_up_the_other_jobs(app):
    app.config["FEEDS_DEADLINE"] = 2
    app.extensions["crm.jobs"] = [job for job in app.extensions["crm.jobs"] if job.name == "news"]
    digests = []
    scheduler.register(app, "digest", 0.1, lambda app: digests.append(time.monotonic()))
    with DribbleServer() as stalling:
        with app.app_context(), db.connection_context():
            feed = Feed.create(url=stalling.url("/feed"))
        stop = scheduler.start(app)
        try:
            assert wait_for(lambda: stalling.connections)
            stuck_since = time.monotonic()
            time.sleep(0.5)
            assert len([at for at in digests if at > stuck_since]) >= 3
            with app.app_context(), db.connection_context():
                assert reload(feed).last_checked_at is None  # the refresh is still stuck
        finally:
            stop.set()
            for thread in threading.enumerate():
                if thread.name.startswith("crm-job-"):
                    thread.join(5)  # the refresh ends at its deadline, before the next test
    with app.app_context(), db.connection_context():
        assert reload(feed).last_error == "the server took more than 2 seconds to send the feed"


def test_tracking_parameters_and_fragments_leave_stored_links():
    assert canonical_link("https://a.example/x?id=7&utm_source=rss&fbclid=1#top") \
        == "https://a.example/x?id=7"
    assert canonical_link("https://a.example/x?q=%20a") == "https://a.example/x?q=%20a"
