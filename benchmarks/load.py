"""Load test: `crm serve` under concurrent clients while another process writes.

`python -m benchmarks.load` builds a fresh data set, serves it with `crm serve` on
127.0.0.1, and sends 2,000 requests from 20 threads to the contact list, contact pages,
Today and the calendar feed, while a second process logs touches and stores articles,
each in its own transaction, as `crm refresh` and the web app do. Every request must
answer 200 (or 304 for the feed) and every row written must be there afterwards.

With `--servers 2` two `crm serve` processes on different ports share the database
and the clients take turns between them, as behind a proxy; with CRM_DATABASE_URL
naming a PostgreSQL server the data set is built there (see benchmarks.databases).
"""

import argparse
import http.client
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks import databases

CRM = str(Path(sys.executable).with_name("crm"))
OK = {200, 304}


def free_port():
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crm_env(workdir, url):
    """The environment that points `crm` at the data set."""
    return {**os.environ, "CRM_INSTANCE_PATH": str(workdir), "CRM_DATABASE_URL": url}


def build_data_set(workdir, scale):
    """A fresh generated database (a kept workdir holds the last run's); return its URL."""
    Path(workdir).mkdir(parents=True, exist_ok=True)
    url = databases.scratch("load", workdir)
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.generate", url, "--scale", str(scale)],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"generating the data set failed: {result.stderr}")
    return url


def feed_path(env):
    """The calendar feed's path, token included, as `crm calendar-url` prints it."""
    out = subprocess.run([CRM, "calendar-url"], env=env, check=True, capture_output=True,
                         text=True).stdout
    return urlsplit(out.splitlines()[0]).path


def start_server(env, port, log):
    """`crm serve` on 127.0.0.1:port, once it answers /healthz."""
    server = subprocess.Popen([CRM, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("crm serve did not answer /healthz within 30 s")


def start_writer(url, marker, stop_file, pause):
    """The second process: writes until the stop file appears, then reports what it wrote."""
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.load", "--write", url, "--marker", marker,
         "--stop-file", str(stop_file), "--pause", str(pause)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write_until_stopped(url, marker, stop_file, pause):
    """Log a touch and store an article per transaction until stop_file exists."""
    from crm.db import db, open_database
    from crm.models import Article, Contact, Feed

    db.initialize(open_database(url))
    contacts = [c for c, in Contact.select(Contact.id).tuples()]
    feeds = [f for f, in Feed.select(Feed.id).tuples()]
    rng, written = random.Random(marker), 0
    while not os.path.exists(stop_file):
        with db.atomic():
            Contact.get_by_id(rng.choice(contacts)).record_touch(
                happened_on=date.today(), channel="email", note=f"{marker} {written}")
            Article.create(feed=rng.choice(feeds), identity=f"{marker}-{written}",
                           link=f"https://example.com/{marker}/{written}",
                           title=f"Load test article {written}", published_at=datetime.now(UTC))
        written += 1
        if written == 1:
            print("writing", flush=True)  # the load may start
        time.sleep(pause)
    db.close()
    return written


def rows_found(url, marker):
    """How many of the writer's touches and articles the database holds."""
    from crm.models import Article, Touch

    with connected(url):
        return (Touch.select().where(Touch.note.startswith(f"{marker} ")).count(),
                Article.select().where(Article.identity.startswith(f"{marker}-")).count())


def connected(url):
    """This process's connection to the database at `url`, closed on leaving."""
    from crm.db import db, open_database

    db.initialize(open_database(url))
    return db.connection_context()


def pages(url, feed, count, rng):
    """`count` (kind, path) pairs: the list, contact pages, Today and the feed in turn."""
    from crm.models import Contact

    with connected(url):
        ids = [pk for (pk,) in Contact.select(Contact.id).tuples()]
    kinds = [("contact list", lambda: "/contacts"),
             ("contact page", lambda: f"/contacts/{rng.choice(ids)}"),
             ("Today", lambda: "/"), ("calendar feed", lambda: feed)]
    return [(kind, path()) for kind, path in (kinds[n % len(kinds)] for n in range(count))]


def hammer(ports, requests, clients):
    """Send the requests from `clients` threads, one keep-alive connection each.

    With several servers each thread keeps to one, as a proxy keeps a connection to
    one upstream; the threads are spread evenly. Returns (kind, path, status,
    seconds) per request; the feed is polled as calendar apps do, with the ETag of
    its last answer.
    """
    local = threading.local()
    turns = itertools.count()

    def send(kind, path):
        if not hasattr(local, "connection"):
            port = ports[next(turns) % len(ports)]
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            local.etag = None
        headers = {"If-None-Match": local.etag} if kind == "calendar feed" and local.etag else {}
        started = time.perf_counter()
        try:
            local.connection.request("GET", path, headers=headers)
            response = local.connection.getresponse()
            response.read()
            status = response.status
            if kind == "calendar feed" and response.getheader("ETag"):
                local.etag = response.getheader("ETag")
        except (OSError, http.client.HTTPException) as error:
            local.connection.close()
            del local.connection
            status = f"{type(error).__name__}: {error}"
        return kind, path, status, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(lambda request: send(*request), requests))


def run(requests=2000, clients=20, scale=0.1, pause=0.05, workdir=None, log=sys.stderr,
        servers=1):
    """Run the whole load test; return a report (see `summary`)."""
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(workdir or scratch)
        url = build_data_set(workdir, scale)
        env = crm_env(workdir, url)
        feed = feed_path(env)
        ports = [free_port() for _ in range(servers)]
        marker = f"load-{os.getpid()}-{time.time_ns()}"
        stop_file = workdir / "stop-writing"
        stop_file.unlink(missing_ok=True)
        with open(workdir / "server.log", "w") as server_log:
            running = []
            try:
                for port in ports:
                    running.append(start_server(env, port, server_log))
                writer = start_writer(url, marker, stop_file, pause)
                try:
                    if writer.stdout.readline().strip() != "writing":
                        raise RuntimeError(f"the writer did not start: {writer.stderr.read()}")
                    started = time.perf_counter()
                    results = hammer(ports, pages(url, feed, requests, random.Random(7)),
                                     clients)
                    elapsed = time.perf_counter() - started
                finally:
                    stop_file.touch()
                    out, err = writer.communicate(timeout=60)
            finally:
                for server in running:
                    server.terminate()
                    server.wait(timeout=30)
        if writer.returncode != 0:
            raise RuntimeError(f"the writer failed: {err}")
        written = json.loads(out)["written"]
        report = summary(results, elapsed, written, rows_found(url, marker))
        if report["failures"]:
            log.write((workdir / "server.log").read_text()[-5000:])
        return report


def summary(results, elapsed, written, found):
    """Throughput, latency percentiles per page, failures, and whether writes were kept."""
    kinds = dict.fromkeys(kind for kind, *_ in results)
    return {
        "requests": len(results), "seconds": elapsed, "per_second": len(results) / elapsed,
        "failures": [(path, status) for _, path, status, _ in results if status not in OK],
        "not_modified": sum(1 for *_, status, _ in results if status == 304),
        "latency_ms": {"all": percentiles([s for *_, s in results]),
                       **{kind: percentiles([s for k, *_, s in results if k == kind])
                          for kind in kinds}},
        "rows_written": {"touches": written, "articles": written},
        "rows_found": {"touches": found[0], "articles": found[1]},
    }


def percentiles(seconds):
    """Median, 90th and 99th percentiles and the maximum, in milliseconds."""
    ordered = sorted(seconds)

    def at(fraction):
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": ordered[-1] * 1000}


def print_report(report):
    """The report as a table."""
    print(f"{report['requests']} requests in {report['seconds']:.1f} s: "
          f"{report['per_second']:.0f} requests/s, {len(report['failures'])} failed, "
          f"{report['not_modified']} answered 304 Not Modified")
    print(f"{'page':16} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, p in report["latency_ms"].items():
        print(f"{kind:16} {p['p50']:8.1f} {p['p90']:8.1f} {p['p99']:8.1f} {p['max']:8.1f}")
    print(f"written meanwhile: {report['rows_written']}; found afterwards: "
          f"{report['rows_found']}")


def main():
    """Command line: run the load test, print the figures, fail on any lost request or row."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--scale", type=float, default=0.1,
                        help="data set size, 1 = 10,000 contacts (default 0.1)")
    parser.add_argument("--pause", type=float, default=0.05,
                        help="seconds the writer waits between transactions")
    parser.add_argument("--workdir", help="keep the database and server log here")
    parser.add_argument("--servers", type=int, default=1,
                        help="crm serve processes sharing the database (default 1)")
    # The writer process runs this same module with these options.
    parser.add_argument("--write", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--marker", help=argparse.SUPPRESS)
    parser.add_argument("--stop-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        written = write_until_stopped(args.write, args.marker, args.stop_file, args.pause)
        print(json.dumps({"written": written}))
        return
    report = run(args.requests, args.clients, args.scale, args.pause, args.workdir,
                 servers=args.servers)
    print_report(report)
    lost = report["rows_written"] != report["rows_found"]
    if report["failures"] or lost:
        print(f"FAILED: {report['failures'][:10]}{' rows lost' if lost else ''}")
        sys.exit(1)


if __name__ == "__main__":
    main()
