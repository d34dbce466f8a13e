"""Refresh one huge feed: `python -m benchmarks.huge_feed [--items N]`.

Serves a generated RSS feed of N tiny items (180,000 make about 9.5 MB) from
127.0.0.1, refreshes it into a scratch database, and prints how long that
took, the process's peak memory, how many articles were stored, and the
longest another connection writing to the same file every 50 ms had to wait
for the lock. Run it in a process of its own: the peak is the process's.
"""

import argparse
import resource
import sqlite3
import tempfile
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crm import create_app, schema
from crm.db import db
from crm.models import Article, Feed, utcnow


def huge_feed(items, now):
    """RSS bytes with `items` entries, one a minute back from `now`, newest first."""
    parts = [f'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
             f"<lastBuildDate>{format_datetime(now)}</lastBuildDate>"]
    parts.extend(f"<item><guid>g{n}</guid><title>t{n}</title></item>" for n in range(items))
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def serve(body):
    """Serve `body` at every path on a free local port; return the server."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Writer(threading.Thread):
    """Another connection writing to the database every 50 ms; keeps its longest wait."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.longest, self.stop = path, 0.0, threading.Event()

    def run(self):
        """Write until stopped, timing each write from its BEGIN to its COMMIT."""
        connection = sqlite3.connect(self.path, timeout=120, isolation_level=None)
        connection.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
        while not self.stop.wait(0.05):
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO probe VALUES (1)")
            connection.execute("COMMIT")
            self.longest = max(self.longest, time.perf_counter() - started)
        connection.close()


def main():
    """Command line: time one refresh of a huge feed and print its peak memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=180_000)
    args = parser.parse_args()
    body = huge_feed(args.items, utcnow())
    server = serve(body)
    with tempfile.TemporaryDirectory() as workdir:
        app = create_app({"DATABASE_URL": f"sqlite:///{workdir}/crm.db", "SECRET_KEY": "bench",
                          "FEEDS_ALLOW_PRIVATE": True})
        from crm.news.sync import refresh

        with app.app_context(), db.connection_context():
            schema.migrate()
            Feed.create(url=f"http://127.0.0.1:{server.server_address[1]}/huge.xml")
            writer = Writer(f"{workdir}/crm.db")
            writer.start()
            started = time.perf_counter()
            summary = refresh(due_only=False)
            seconds = time.perf_counter() - started
            writer.stop.set()
            writer.join()
            stored = Article.select().count()
    server.shutdown()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.items} items, {len(body) / 1e6:.1f} MB: refresh {seconds:.1f} s, "
          f"peak memory {peak_mb:.0f} MB, {stored} articles stored ({summary.line()}); "
          f"another writer waited at most {writer.longest:.2f} s")


if __name__ == "__main__":
    main()
