"""Time feed refreshes on a generated data set: `python -m benchmarks.refresh URL`.

It repoints every feed of the data set at a local server (so use a scratch
copy), which answers each request after --delay seconds with a feed of new
articles naming the company and some of its people; then it times a first
refresh, a second one where every feed answers 304 Not Modified, and the
News page server-side with all those articles.
"""

import argparse
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks.measure import measure
from crm import create_app
from crm.db import db
from crm.models import Article, ArticleMatch, Company, Contact, Feed, utcnow
from crm.news.store import prune

ETAG = '"bench-1"'
ITEMS = 20


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        if self.headers.get("If-None-Match") == ETAG:
            time.sleep(server.delay_304)
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        time.sleep(server.delay)
        body = server.bodies[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", ETAG)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def feed_body(n, company, people, now):
    """An RSS feed of ITEMS new articles about a company, some naming its people."""
    items = []
    for i in range(ITEMS):
        person = people[i % len(people)] if people and i % 4 == 0 else None
        title = (f"{company} names {person} head of partnerships" if person
                 else f"{company} announces quarterly update {n}-{i}")
        items.append(
            f"<item><guid>bench:{n}:{i}</guid><title>{title}</title>"
            f"<link>https://news.example/bench/{n}/{i}</link>"
            f"<description>&lt;p&gt;{title}, with a new partnership.&lt;/p&gt;</description>"
            f"<pubDate>{format_datetime(now - timedelta(hours=i))}</pubDate></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{company}</title>'
            f"{''.join(items)}</channel></rss>").encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections when 8 arrive at once, and a
    # dropped SYN costs a second before the client tries again.
    request_queue_size = 64


def serve(delay, delay_304):
    """Start the slow local feed server; return it (its bodies are filled in later)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.delay, server.delay_304, server.bodies = delay, delay_304, {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def repoint(server):
    """Point every feed at the local server and make each due, without validators."""
    now = datetime.now(UTC)
    people = defaultdict(list)
    for company_id, name in Contact.select(Contact.company, Contact.name).tuples():
        people[company_id].append(name)
    port = server.server_address[1]
    with db.atomic():
        for feed in Feed.select(Feed, Company).join(Company):
            path = f"/feed/{feed.id}.xml"
            server.bodies[path] = feed_body(feed.id, feed.company.name,
                                            people[feed.company_id], now)
            Feed.update(url=f"http://127.0.0.1:{port}{path}", etag="", last_modified="",
                        next_check_at=None, locked_until=None, error_count=0,
                        paused=False).where(Feed.id == feed.id).execute()


TARGETS_MS = {"refresh, 200 ms per answer": 10_000, "refresh, every feed 304": 3_000}


def refreshes(app, delay=0.2, delay_304=0.0, workers=8):
    """Time a first refresh of every feed, then a second answered 304: {name: (ms, summary)}."""
    from crm.news.sync import refresh

    server = serve(delay, delay_304)
    times = {}
    try:
        with app.app_context(), db.connection_context():
            repoint(server)
            for name, due_only in (("refresh, 200 ms per answer", True),
                                   ("refresh, every feed 304", False)):
                started = time.perf_counter()
                summary = refresh(due_only=due_only, workers=workers)
                times[name] = ((time.perf_counter() - started) * 1000, summary)
    finally:
        server.shutdown()
        server.server_close()
    return times


def bench_app(url):
    """The app on a data set, its feeds allowed on 127.0.0.1, nothing pruned while timing."""
    # Nothing is pruned during the refreshes, so the News page is timed with
    # every generated article; the one-off prune of five years is timed apart.
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PER_PAGE": 50,
                       "FEEDS_ALLOW_PRIVATE": True, "NEWS_PRUNE_DAYS": 100_000})


def figures(url):
    """For `make bench`: the two refreshes against a data set, {name: (ms, target ms)}."""
    return {name: (ms, TARGETS_MS[name]) for name, (ms, _) in refreshes(bench_app(url)).items()}


def main():
    """Command line: time two refreshes, the News page, and a prune against a data set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="peewee URL of a scratch copy of a generated data set")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per answer")
    parser.add_argument("--delay-304", type=float, default=0.0,
                        help="seconds per 304 answer (default: answered at once)")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    app = bench_app(args.url)
    with app.app_context(), db.connection_context():
        matches = ArticleMatch.select().count()
        print(f"{Feed.select().count()} feeds, {Article.select().count()} articles, "
              f"{args.delay * 1000:.0f} ms per answer ({args.delay_304 * 1000:.0f} ms for a "
              f"304), {args.workers} at once")
    for name, (ms, summary) in refreshes(app, args.delay, args.delay_304, args.workers).items():
        print(f"{name:44} {ms / 1000:6.2f} s   {summary.line()}")
    with app.app_context(), db.connection_context():
        print(f"{'':44} {ArticleMatch.select().count() - matches} matches stored")
        client = app.test_client()
        company = Feed.select(Feed.company).order_by(Feed.id).limit(1).scalar()
        print(f"{'page (' + str(Article.select().count()) + ' articles)':44} "
              f"{'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for name, url in {"News": "/news", "News, page 500": "/news?page=500",
                          "News, one company": f"/news?company={company}"}.items():
            median, p95, queries = measure(client, url)
            print(f"{name:44} {median:10.1f} {p95:8.1f} {queries:8}")
        started = time.perf_counter()
        removed = prune(utcnow(), 180)
        print(f"{'prune to 180 days (one-off)':44} {time.perf_counter() - started:6.2f} s   "
              f"{removed} articles removed")


if __name__ == "__main__":
    main()
