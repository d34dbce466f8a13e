"""Time pages server-side and count their SQL queries: `python -m benchmarks.measure URL`."""

import argparse
import statistics
import time

from benchmarks.databases import counting_queries
from crm import create_app, schema
from crm.db import db

LIST_PAGES = {
    "Today": "/",
    "Today, cold (suggestions recomputed)": "/?cold",
    "contact list": "/contacts",
    "contact list, searched": "/contacts?q=smith",
    "contact list, filtered": "/contacts?status=long_term&role=recruiter&tag=golf",
    "contact list, by company": "/contacts?sort=company",
    "contact list, by last contact": "/contacts?sort=last_contact",
    "contact list, late page": "/contacts?sort=added&page=150",
    "contact page": "/contacts/5000",
    "likely duplicates": "/contacts/duplicates",
    "companies": "/companies",
    "company page": "/companies/1000",
    "applications board": "/applications/board",
    "What works (application stats)": "/applications/stats",
}


def measure(client, url, repeat=30, headers=None, status=200, warm=False):
    """Median and 95th percentile in ms over repeated requests, and the query count.

    The query count is the first request's, with the suggestions computed anew (a
    running server's first read after a new day); `warm` keeps them, as for a
    polling calendar app. A URL ending in "?cold" drops the kept suggestions and
    feed before each request.
    """
    cold = url.endswith("?cold")
    url = url.removesuffix("?cold")
    extensions = client.application.extensions
    if not warm:
        extensions.pop("crm.followups", None)
    if cold:
        extensions.pop("crm.feed", None)
    with counting_queries() as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code)
    times = []
    for _ in range(10 if cold else repeat):
        if cold:
            extensions.pop("crm.followups", None)
            extensions.pop("crm.feed", None)
        started = time.perf_counter()
        client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def feed_rows(client):
    """The calendar feed rendered from nothing, and a calendar app's poll answered with 304."""
    from crm.calendar_feed import feed_token

    url = f"/calendar/{feed_token()}.ics"
    etag = client.get(url).headers["ETag"]
    return {"calendar feed, cold": {"url": url + "?cold"},
            "calendar feed, 304": {"url": url, "headers": {"If-None-Match": etag}, "status": 304,
                                   "warm": True}}


def main():
    """Print a table of the list pages' timings against a database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="peewee database URL of a generated data set")
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench"})
    schema.migrate()  # a data set made by an older version
    with app.app_context():
        db.connect(reuse_if_open=True)
        client = app.test_client()
        print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        rows = {name: {"url": url} for name, url in LIST_PAGES.items()} | feed_rows(client)
        for name, options in rows.items():
            median, p95, queries = measure(client, **options)
            print(f"{name:34} {median:10.1f} {p95:8.1f} {queries:8}")


if __name__ == "__main__":
    main()
