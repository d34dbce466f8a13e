"""`make bench`: build the data set at two sizes and measure every figure the issues target.

Prints a table (each figure beside its target, the ratio between the sizes, the
query counts) and writes it as JSON. Absolute times on a shared machine are
noisy: this is a tool to run, not a test that fails.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from benchmarks import databases, mail, refresh, transfer
from benchmarks.generate import generate, scaled
from benchmarks.measure import feed_rows, measure
from crm import create_app
from crm.db import db

SMALL, FULL = 0.1, 1.0

# name, url or kind, target in ms, whether the query count must stay flat
PAGES = [
    ("Today", "/", 150),
    ("Today, suggestions recomputed", "/?cold", None),
    ("contact list", "/contacts", 50),
    ("contact list, searched", "/contacts?q=smith", 50),
    ("contact list, filtered", "/contacts?status=long_term&role=recruiter&tag=golf", 50),
    ("contact list, sorted by last contact", "/contacts?sort=last_contact", 50),
    ("contact list, sorted by company", "/contacts?sort=company", 50),
    ("contact list, a late page", "/contacts?sort=added&page=150", 50),
    ("contact page", "/contacts/{contact}", 50),
    ("likely duplicates", "/contacts/duplicates", 300),
    ("News page", "/news", 100),
    ("applications board", "/applications/board", 100),
    ("What works (application stats)", "/applications/stats", 100),
]


def run_size(scale, workdir):
    """Every figure for one size of the data set, as {name: {ms, queries, target}}."""
    url = databases.scratch(f"size_{scale}".replace(".", "_"), workdir)
    sizes = scaled(scale)
    started = time.perf_counter()
    generate(url, sizes)
    print(f"  built {sizes['contacts']:,} contacts in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    results = {}
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                      "FEEDS_ALLOW_PRIVATE": True})
    with app.app_context():
        db.connect(reuse_if_open=True)
        client = app.test_client()
        middle = sizes["contacts"] // 2
        for name, page, target in PAGES:
            median, p95, queries = measure(client, page.format(contact=middle))
            results[name] = {"ms": median, "p95": p95, "queries": queries, "target": target}
        results["Today, after logging a touch"] = {"ms": today_after_touch_ms(client),
                                                   "target": 150}
        results["suggestions recomputed from nothing"] = recompute_figure()
        results.update(calendar_figures(client))
        results["crm digest"] = {"ms": digest_ms(app), "target": 2000}
        db.close()
    for name, (ms, target) in refresh.figures(url).items():
        results[name] = {"ms": ms, "target": target}
    for name, (ms, target) in transfer.figures(url, rows=10_000, workdir=workdir).items():
        results[name] = {"ms": ms, "target": target}
    for name, (ms, target, queries) in mail.figures(url).items():
        results[name] = {"ms": ms, "target": target,
                         **({"queries": queries} if queries is not None else {})}
    results["peak memory of crm serve (MiB)"] = {"value": serve_peak_mib(url, middle)}
    return results


def calendar_figures(client):
    """The calendar feed rendered from nothing, and the 304 a polling client gets."""
    results = {}
    targets = {"calendar feed, cold": 1000, "calendar feed, 304": 20}
    for name, options in feed_rows(client).items():
        median, p95, queries = measure(client, **options)
        results[name] = {"ms": median, "p95": p95, "queries": queries, "target": targets[name]}
    return results


def today_after_touch_ms(client, repeat=10):
    """Today right after a touch is logged, as the touch form writes it (which then brings
    the kept suggestions up to date before it answers)."""
    from crm import followups
    from crm.models import Contact
    from crm.settings import today_for_user

    client.get("/")  # a warm cache, as a running server has
    contacts = list(Contact.select().where(Contact.status == "long_term").limit(repeat))
    times = []
    for contact in contacts:
        with db.atomic():
            contact.record_touch(happened_on=today_for_user(), channel="email")
        followups.current()  # what the form's request does once it has written
        started = time.perf_counter()
        client.get("/")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def recompute_figure(repeat=21):
    """Every contact's suggestions computed from nothing, as a new day or a restart needs
    them, without a page around them; and the queries that takes."""
    from crm import followups
    from crm.settings import today_for_user, user_timezone

    today, tz = today_for_user(), user_timezone()
    with databases.counting_queries() as queries:
        followups.compute(today, tz)  # also brings the database's pages in, as a server has
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        followups.compute(today, tz)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"ms": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1],
            "queries": len(queries), "target": 100}


def digest_ms(app):
    """`crm digest` from a cold cache, as a user runs it."""
    app.extensions.pop("crm.followups", None)
    started = time.perf_counter()
    result = CliRunner().invoke(app.cli, ["digest", "--format", "text"], obj=None)
    elapsed = (time.perf_counter() - started) * 1000
    assert result.exit_code == 0, result.output
    return elapsed


def serve_peak_mib(url, contact_id, requests=200):
    """Run `crm serve`, send it requests, and read its peak resident memory."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    crm = str(Path(sys.executable).with_name("crm"))
    env = {**os.environ, "CRM_DATABASE_URL": url}
    server = subprocess.Popen([crm, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        paths = ["/", "/contacts", f"/contacts/{contact_id}", "/news", "/contacts?q=smith"]
        for n in range(requests):
            urllib.request.urlopen(base + paths[n % len(paths)], timeout=30).read()
        status = Path(f"/proc/{server.pid}/status").read_text()
        kib = int(next(line for line in status.splitlines() if line.startswith("VmHWM"))
                  .split()[1])
        return round(kib / 1024, 1)
    finally:
        server.terminate()
        server.wait(timeout=10)


def table(small, full):
    """The results side by side with targets and the growth from the small to the full size."""
    lines = [f"{'figure':42} {'target':>8} {'1/10 size':>10} {'full size':>10} {'ratio':>6} "
             f"{'queries':>9}"]
    for name, row in full.items():
        value_key = "ms" if "ms" in row else "value"
        before, after = small[name][value_key], row[value_key]
        target = f"{row['target']:.0f}" if row.get("target") else ""
        queries = ""
        if "queries" in row:
            queries = f"{small[name]['queries']}→{row['queries']}"
        ratio = f"{after / before:.1f}" if before else ""
        flag = " !" if row.get("target") and after > row["target"] else ""
        lines.append(f"{name:42} {target:>8} {before:10.1f} {after:10.1f} {ratio:>6} "
                     f"{queries:>9}{flag}")
    return "\n".join(lines)


def side_by_side(sqlite, postgresql):
    """Two engines' full-size figures beside their targets, query counts included."""
    lines = [f"{'figure (full size)':42} {'target':>8} {'SQLite':>10} {'PostgreSQL':>11} "
             f"{'queries':>9}"]
    for name, row in sqlite["full"].items():
        other = postgresql["full"].get(name, {})
        key = "ms" if "ms" in row else "value"
        target = f"{row['target']:.0f}" if row.get("target") else ""
        queries = (f"{row['queries']}/{other.get('queries', '-')}" if "queries" in row else "")
        value = other.get(key)
        lines.append(f"{name:42} {target:>8} {row[key]:10.1f} "
                     f"{value if value is None else f'{value:.1f}':>11} {queries:>9}")
    return "\n".join(lines)


def main():
    """Command line: measure both sizes, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="benchmarks/out/results.json")
    parser.add_argument("--compare", nargs=2, metavar=("SQLITE_JSON", "POSTGRESQL_JSON"),
                        help="print two runs' full-size figures side by side, measuring nothing")
    args = parser.parse_args()
    if args.compare:
        sqlite, postgresql = (json.loads(Path(path).read_text()) for path in args.compare)
        print(side_by_side(sqlite, postgresql))
        return
    workdir = tempfile.mkdtemp(prefix="followthrough-bench-")
    results = {}
    for label, scale in (("small", SMALL), ("full", FULL)):
        print(f"measuring the {label} data set…", file=sys.stderr)
        results[label] = run_size(scale, workdir)
    print(f"times in ms (median) on {databases.engine()}; '!' marks a figure over its target")
    print(table(results["small"], results["full"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
