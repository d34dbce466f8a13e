"""The News page, the company page's feeds, the contact page's articles, and the Today page."""

import html
import io
import re
import time
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from support import rss

from crm.models import Article, ArticleMatch, Company, Contact, Feed, Touch, utcnow
from crm.news.opml import parse_opml
from crm.news.sync import refresh
from tests import pretend_dns
from tests.feedserver import DribbleServer, FeedServer, Reply

NOW = datetime(2024, 3, 10, 12, 0)


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture(autouse=True)
def local_feeds(app):
    # The fixtures' articles are from 2024: a refresh today must not prune them.
    app.config.update(FEEDS_ALLOW_PRIVATE=True, FEEDS_TIMEOUT=2, NEWS_PRUNE_DAYS=100_000)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def link_named(text, label):
    """The query of the first link whose text is `label`, as a dict of single values."""
    href = re.search(rf'href="([^"]+)">{re.escape(label)}</a>', text).group(1)
    parts = urlsplit(html.unescape(href))
    return parts.path, {name: values[0] for name, values in parse_qs(parts.query).items()}


def acme_with_people():
    acme = Company.create(name="Acme Corp")
    jane = Contact.create(name="Jane Doe", company=acme, status="long_term")
    bob = Contact.create(name="Bob Stone", company=acme, status="long_term")
    return acme, jane, bob


def test_news_lists_articles_newest_first_with_company_and_who_they_might_interest(
        client, database, server):
    acme, jane, bob = acme_with_people()
    server.routes["/feed"] = Reply.file("rss_guid.xml")
    Feed.create(url=server.url("/feed"), company=acme)
    refresh(now=NOW)

    text = page(client, "/news")

    assert text.index("Names Jane Doe Chief Revenue Officer") < text.index("Sports Sponsorship")
    assert f'<a href="/companies/{acme.id}">Acme Corp</a>' in text
    assert "<strong>Jane Doe</strong> has been appointed" in text  # the sanitized summary
    jane_cro = Article.get(Article.identity == "acme-press-2024-0305")
    path, query = link_named(text, "Congratulate Jane Doe")
    assert path == f"/contacts/{jane.id}/touches/new"
    assert query["channel"] == "congratulations" and query["article_id"] == str(jane_cro.id)
    path, query = link_named(text, "Forward to Bob Stone")
    assert (path, query["channel"], query["article_id"]) == (
        f"/contacts/{bob.id}/touches/new", "article", str(jane_cro.id))
    assert query["note"].startswith("Forwarded “Acme Corp Names Jane Doe Chief Revenue Officer”")
    assert 'rel="noopener noreferrer"' in text


def test_forwarding_from_the_news_page_logs_a_touch_with_the_article(client, database, server):
    acme, _, bob = acme_with_people()
    server.routes["/feed"] = Reply.file("rss_guid.xml")
    Feed.create(url=server.url("/feed"), company=acme)
    refresh(now=NOW)
    path, query = link_named(page(client, "/news"), "Forward to Bob Stone")
    form_page = client.get(path, query_string=query).get_data(as_text=True)
    assert "Forwarded “Acme Corp Names Jane Doe" in form_page

    client.submit(path, {**query, "happened_on": date.today().isoformat(), "direction": "out"},
                  form_page=f"{path}?article_id={query['article_id']}")

    touch = Touch.get(Touch.contact == bob)
    assert (touch.channel, touch.article_id) == ("article", int(query["article_id"]))
    assert "Forward to Bob Stone" not in page(client, "/news").split("Sports Sponsorship")[0]


def test_news_filters_by_company_and_pages_through_the_articles(client, database):
    acme, globex = Company.create(name="Acme Corp"), Company.create(name="Globex")
    acme_feed = Feed.create(url="http://127.0.0.1:9/acme", company=acme)
    globex_feed = Feed.create(url="http://127.0.0.1:9/globex", company=globex)
    for n in range(25):
        Article.create(feed=acme_feed, identity=f"a{n}", title=f"Acme story {n:02}",
                       published_at=NOW - timedelta(days=n))
    Article.create(feed=globex_feed, identity="g", title="Globex story", published_at=NOW)

    third = page(client, "/news?page=3")
    only_globex = page(client, f"/news?company={globex.id}")

    assert "Page 3 of 3" in third
    assert re.findall(r"Acme story (\d\d)", third) == [f"{n:02}" for n in range(19, 25)]
    assert "Globex story" in only_globex and "Acme story" not in only_globex
    assert "News about Globex" in only_globex


def test_the_same_article_through_two_feeds_shows_once(client, database, server):
    acme, globex = Company.create(name="Acme Corp"), Company.create(name="Globex")
    server.routes["/acme"] = Reply.file("rss_guid.xml")
    server.routes["/search"] = Reply.file("rss_same_story.xml")
    Feed.create(url=server.url("/acme"), company=acme)
    Feed.create(url=server.url("/search"), company=globex)
    refresh(now=NOW)

    for url in ("/news", f"/news?company={acme.id}", f"/news?company={globex.id}"):
        assert page(client, url).count("Names Jane Doe Chief Revenue Officer</a>") == 1, url


def test_nothing_from_a_hostile_feed_can_run_on_any_page(client, database, server):
    initech = Company.create(name="Initech")
    ian = Contact.create(name="Ian Vance", company=initech, status="long_term")
    server.routes["/feed"] = Reply.file("rss_hostile.xml")
    Feed.create(url=server.url("/feed"), company=initech)
    refresh(now=NOW)
    Article.update(published_at=utcnow()).execute()  # recent enough for the contact page

    news = client.get("/news")
    pages = [news.get_data(as_text=True), page(client, f"/companies/{initech.id}"),
             page(client, f"/contacts/{ian.id}")]

    assert "Revenue grew." in pages[0] and "Quarterly results" in pages[2]
    for text in pages:
        lowered = text.lower()
        for bad in ("<script>", "javascript:", "onerror", "onclick", "<iframe", "<style>"):
            assert bad not in lowered
    assert "script-src 'self'" in news.headers["Content-Security-Policy"]


def test_a_website_address_finds_the_feed_it_announces(client, database, server):
    acme = Company.create(name="Acme Corp", website=server.url("/"))
    server.routes["/"] = Reply.file("page_alternate.html", "text/html")
    server.routes["/newsroom/feed"] = Reply.file("rss_guid.xml")

    company_page = page(client, f"/companies/{acme.id}")
    assert f'value="{server.url("/")}"' in company_page  # the website, ready to submit
    response = client.submit(f"/companies/{acme.id}/feeds", {"url": server.url("/")},
                             form_page=f"/companies/{acme.id}")
    text = page(client, response.location)

    assert Feed.get().url == server.url("/newsroom/feed")
    assert "Fetched Acme Corp Newsroom: 2 new articles." in text
    assert "also announces " + server.url("/blog/atom.xml") in text
    assert "Names Jane Doe Chief Revenue Officer" in text


def test_a_private_address_is_refused_without_the_setting(app, client, database, server):
    app.config["FEEDS_ALLOW_PRIVATE"] = False
    acme = Company.create(name="Acme Corp")
    server.routes["/feed"] = Reply.file("rss_guid.xml")

    response = client.submit(f"/companies/{acme.id}/feeds", {"url": server.url("/feed")},
                             form_page=f"/companies/{acme.id}")
    text = html.unescape(page(client, response.location))

    assert "it points to a private or local address (127.0.0.1)" in text
    assert "CRM_FEEDS_ALLOW_PRIVATE=1" in text
    assert f'value="{server.url("/feed")}"' in text  # kept in the field to correct
    assert Feed.select().count() == 0 and server.seen == []


def announcing(href):
    """A web page whose only feed link is `href`."""
    return Reply(body=f'<link rel="alternate" type="application/rss+xml" href="{href}">'.encode(),
                 headers={"Content-Type": "text/html"})


def test_a_feed_link_with_a_backslash_trick_is_never_followed(app, client, database, server,
                                                              monkeypatch):
    app.config["FEEDS_ALLOW_PRIVATE"] = False
    dns = pretend_dns.install(monkeypatch)
    dns.add("acme.test")
    acme = Company.create(name="Acme Corp")
    with FeedServer() as inside:
        inside.routes["/feed"] = Reply.file("rss_guid.xml")
        port = inside.httpd.server_address[1]
        server.routes["/"] = announcing(f"http://127.0.0.1:{port}\\@{pretend_dns.PUBLIC}/feed")
        site = f"http://acme.test:{server.httpd.server_address[1]}/"
        response = client.submit(f"/companies/{acme.id}/feeds", {"url": site},
                                 form_page=f"/companies/{acme.id}")
        text = html.unescape(page(client, response.location))
    assert "No RSS or Atom feed found at" in text
    assert inside.seen == [] and Feed.select().count() == 0


def test_a_feed_link_to_this_machine_is_refused_without_the_setting(app, client, database,
                                                                     server, monkeypatch):
    app.config["FEEDS_ALLOW_PRIVATE"] = False
    pretend_dns.install(monkeypatch).add("acme.test")
    acme = Company.create(name="Acme Corp")
    server.routes["/"] = announcing(f"http://localhost:{server.httpd.server_address[1]}/feed")
    site = f"http://acme.test:{server.httpd.server_address[1]}/"
    response = client.submit(f"/companies/{acme.id}/feeds", {"url": site},
                             form_page=f"/companies/{acme.id}")
    text = html.unescape(page(client, response.location))
    assert "refusing localhost: it points to a private or local address" in text
    assert [path for path, _ in server.seen] == ["/"] and Feed.select().count() == 0


def test_adding_and_retrying_a_stalling_feed_answer_by_the_deadline(app, client, database):
    # A read timeout longer than the deadline: on a busy machine the dribbling server's
    # thread may wait over 2 s between bytes, and only the deadline is under test here.
    app.config.update(FEEDS_DEADLINE=2, FEEDS_TIMEOUT=10)
    acme = Company.create(name="Acme Corp")
    with DribbleServer() as stalling:
        started = time.monotonic()
        response = client.submit(f"/companies/{acme.id}/feeds", {"url": stalling.url("/feed")},
                                 form_page=f"/companies/{acme.id}")
        # Far from the never-ending answer; loose, so a busy machine cannot fail it.
        assert time.monotonic() - started < 20
        shown = page(client, response.location)
        # No answer in time counts as offline: the address is kept, with the reason.
        assert "took more than 2 seconds to send the feed" in shown, re.findall(
            r'class="flash[^"]*"[^>]*>([^<]*)<', shown)
        assert "it is saved as typed and will be tried again at the next refresh" in shown
        Feed.delete().execute()

        feed = Feed.create(url=stalling.url("/feed"), company=acme, paused=True, error_count=10)
        started = time.monotonic()
        response = client.submit(f"/feeds/{feed.id}/retry", {}, form_page=f"/companies/{acme.id}")
        assert time.monotonic() - started < 20
    assert "the server took more than 2 seconds to send the feed" in page(client, response.location)


def test_a_page_without_any_feed_says_so(client, database, server):
    acme = Company.create(name="Acme Corp")
    server.routes["/"] = Reply.file("page_plain.html", "text/html")

    response = client.submit(f"/companies/{acme.id}/feeds", {"url": server.url("/")},
                             form_page=f"/companies/{acme.id}")

    assert "No RSS or Atom feed found at" in page(client, response.location)
    assert Feed.select().count() == 0


def test_one_click_follows_a_news_search_for_the_company_name(app, client, database, server):
    app.config["NEWS_SEARCH_TEMPLATE"] = server.url("/search?q={query}&format=rss")
    acme = Company.create(name="Acme Corp")
    server.routes["/search?q=%22Acme+Corp%22&format=rss"] = Reply.file("bing_news.xml")

    response = client.submit(f"/companies/{acme.id}/feeds/news-search", {},
                             form_page=f"/companies/{acme.id}")
    text = page(client, response.location)

    feed = Feed.get()
    assert (feed.kind, feed.title, feed.company_id) == ("news_search", "News search: Acme Corp",
                                                        acme.id)
    assert "news search" in text and "Fetched News search: Acme Corp" in text
    assert Article.select().where(
        Article.link == "https://www.sportsbiz.example/2024/03/acme-sponsorships").exists()


def test_the_company_page_shows_a_paused_feed_and_retry_fetches_it(client, database, server):
    acme = Company.create(name="Acme Corp")
    feed = Feed.create(url=server.url("/feed"), company=acme, paused=True, error_count=10,
                       last_error="HTTP 500 Internal Server Error",
                       last_success_at=utcnow() - timedelta(days=3))
    text = page(client, f"/companies/{acme.id}")
    assert "Paused after 10 failed tries in a row (last worked 3 days ago)" in text
    assert "Last error: HTTP 500 Internal Server Error." in text

    server.routes["/feed"] = Reply.file("rss_guid.xml")
    response = client.submit(f"/feeds/{feed.id}/retry", {}, form_page=f"/companies/{acme.id}")
    text = page(client, response.location)

    feed = Feed.get_by_id(feed.id)
    assert not feed.paused and feed.error_count == 0 and feed.last_error == ""
    assert "Fetched Acme Corp Newsroom: 2 new articles." in text
    assert "Updated just now." in text


def test_a_failing_feed_shows_its_error_and_next_try(client, database):
    acme = Company.create(name="Acme Corp")
    Feed.create(url="http://127.0.0.1:9/feed", company=acme, error_count=2,
                last_error="could not connect: Connection refused",
                next_check_at=utcnow() + timedelta(hours=3, minutes=1))

    text = page(client, f"/companies/{acme.id}")

    assert "2 failed tries in a row (it never worked; next try in 3 hours)" in text
    assert "Last error: could not connect: Connection refused." in text
    assert "Retry now" in text


def test_stop_following_removes_the_feed_and_its_articles(client, database):
    acme = Company.create(name="Acme Corp")
    feed = Feed.create(url="http://127.0.0.1:9/feed", company=acme, title="Acme press")
    Article.create(feed=feed, identity="1", title="Old news", published_at=NOW)

    response = client.submit(f"/feeds/{feed.id}/delete", {}, form_page=f"/companies/{acme.id}")

    assert "Stopped following Acme press and removed its 1 article." in page(
        client, response.location)
    assert Feed.select().count() == Article.select().count() == 0


def test_the_contact_page_lists_news_worth_sending_until_it_is_sent(client, database):
    acme, jane, bob = acme_with_people()
    feed = Feed.create(url="http://127.0.0.1:9/feed", company=acme)
    article = Article.create(feed=feed, identity="1", title="Acme opens a Denver office",
                             link="https://acme.example/denver", published_at=utcnow())
    ArticleMatch.create(article=article, contact=bob, reason="news about their company")

    text = page(client, f"/contacts/{bob.id}")
    assert "News worth sending" in text and "news about their company" in text
    path, query = link_named(text, "Forward to Bob Stone")
    assert query["article_id"] == str(article.id)
    assert "News worth sending" not in page(client, f"/contacts/{jane.id}")

    bob.record_touch(happened_on=date.today(), channel="article", article=article)
    assert "News worth sending" not in page(client, f"/contacts/{bob.id}")


def test_today_suggests_forwarding_and_congratulating_long_term_contacts(client, database,
                                                                          server):
    acme = Company.create(name="Acme Corp")
    kim = Contact.create(name="Kim Lee", company=acme, status="long_term")
    lou = Contact.create(name="Lou Park", company=acme, status="long_term")
    for person in (kim, lou):
        person.record_touch(happened_on=date.today() - timedelta(days=100), channel="email")
    recent = datetime.now().astimezone() - timedelta(days=2)
    server.routes["/feed"] = Reply(body=rss([
        ("denver", "Acme opens a Denver office", recent),
        ("cfo", "Acme Corp appoints Lou Park as finance chief", recent)]))
    Feed.create(url=server.url("/feed"), company=acme)

    assert refresh().new_articles == 2
    text = page(client, "/?all=1")

    assert "Forward Kim Lee an article" in text
    assert "Congratulate Lou Park" in text


def test_news_fitting_a_contacts_interests_is_suggested_with_the_reason(client, database, server):
    # Tags are read for people with news to weigh: Kim's golf, not the other people's tags.
    acme = Company.create(name="Acme Corp")
    kim = Contact.create(name="Kim Lee", status="long_term")
    kim.set_tags(["golf", "fintech"])
    for n in range(30):
        other = Contact.create(name=f"Other Person {n}", status="long_term")
        other.set_tags(["golf"] if n % 2 else ["chess"])
        other.record_touch(happened_on=date.today() - timedelta(days=10), channel="email")
    kim.record_touch(happened_on=date.today() - timedelta(days=100), channel="email")
    recent = datetime.now().astimezone() - timedelta(days=2)
    server.routes["/feed"] = Reply(body=rss([("golf", "Acme hosts a golf day for sponsors",
                                              recent)]))
    Feed.create(url=server.url("/feed"), company=acme)

    assert refresh().new_articles == 1
    text = html.unescape(page(client, f"/contacts/{kim.id}"))

    assert "Forward Kim Lee an article" in text
    assert "Forward “Acme hosts a golf day for sponsors”: it fits their interest in golf." in text


def test_opml_export_and_import_round_trip_through_the_news_page(client, database):
    acme = Company.create(name="Acme Corp")
    Feed.create(url="https://acme.example/feed", title="Acme press", company=acme)
    Feed.create(url="https://news.example/industry.rss", title="Industry news")

    response = client.get("/news/feeds.opml")
    exported = response.data
    assert response.headers["Content-Disposition"] == 'attachment; filename="followthrough.opml"'
    Feed.delete().execute()
    Company.delete().execute()

    response = client.submit("/news/import", {"file": (io.BytesIO(exported), "feeds.opml")},
                             form_page="/news")
    text = page(client, response.location)

    assert "Imported 2 feeds (1 new company)." in text
    assert sorted((f.url, f.title, f.company.name if f.company else None)
                  for f in Feed.select()) == [
        ("https://acme.example/feed", "Acme press", "Acme Corp"),
        ("https://news.example/industry.rss", "Industry news", None)]
    assert {(f.url, f.company) for f in parse_opml(exported)} == {
        ("https://acme.example/feed", "Acme Corp"), ("https://news.example/industry.rss", None)}


def test_a_broken_opml_upload_imports_nothing_and_says_why(client, database):
    bad = b'<opml version="2.0"><body><outline text="Acme"><outline xmlUrl="https://a.example/f">'

    response = client.submit("/news/import", {"file": (io.BytesIO(bad), "broken.opml")},
                             form_page="/news")

    assert "Nothing imported: this is not valid XML" in page(client, response.location)
    assert Feed.select().count() == Company.select().count() == 0
