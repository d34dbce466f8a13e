"""Time the JSON backup, its restore, and a 10,000-row LinkedIn import (preview and write).

    python -m benchmarks.transfer sqlite:////tmp/tr.db

The database (made by `python -m benchmarks.generate`) is only read: the restore goes into
a new file in a temporary folder, and the import into that copy.
"""

import argparse
import csv
import io
import json
import os
import random
import tempfile
import time
from datetime import date, timedelta

from benchmarks import databases
from crm import create_app, schema
from crm.db import db
from crm.models import Company, Contact
from crm.transfer import backup, importer

LINKEDIN_NOTES = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email'
    ' addresses are missing."\n\n')


def connections_csv(rows, seed=7):
    """A Connections.csv of `rows` people: one in four already in the database (same email)."""
    rng = random.Random(seed)
    known = list(Contact.select(Contact.name, Contact.email).limit(rows // 4).tuples())
    companies = [name for (name,) in Company.select(Company.name).limit(500).tuples()]
    out = io.StringIO()
    out.write(LINKEDIN_NOTES)
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
                     "Connected On"])
    for n in range(rows):
        first, last, email = f"Person{n}", f"Example{n % 997}", ""
        if n < len(known):
            (first, _, last), email = known[n][0].partition(" "), known[n][1]
        elif rng.random() < 0.2:
            email = f"person{n}@example.org"
        company = rng.choice(companies) if rng.random() < 0.5 else f"New Startup {n % 1500}"
        connected = date(2026, 11, 21) - timedelta(days=rng.randrange(3000))
        writer.writerow([first, last, f"https://www.linkedin.com/in/person-{n}", email, company,
                         "Engineering Manager", connected.strftime("%d %b %Y")])
    return out.getvalue().encode()


TARGETS_MS = {"JSON backup": 5000, "JSON restore": None, "LinkedIn import, preview": None,
              "LinkedIn import": 5000}


def figures(url, rows=10_000, workdir=None):
    """Time backup, restore, preview and import against a data set: {name: (ms, target ms)}."""
    times = {}

    def timed(name, action):
        started = time.perf_counter()
        result = action()
        times[name] = ((time.perf_counter() - started) * 1000, TARGETS_MS[name])
        return result

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "backup.json")
        source = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with source.app_context(), db.connection_context():
            with open(path, "w", encoding="utf-8", newline="") as out:
                timed("JSON backup", lambda: backup.write_backup(out))
            data = connections_csv(rows)
        copy = create_app({"DATABASE_URL": databases.scratch("restored", workdir or folder),
                           "SECRET_KEY": "bench"})
        with copy.app_context(), db.connection_context():
            schema.migrate()  # a new, empty database, as `crm restore` makes it
            def restore():
                with open(path, encoding="utf-8") as f:
                    return backup.restore(json.load(f))

            timed("JSON restore", restore)
            # Both from the bytes, as `crm import` and the upload page work: parse included.
            timed("LinkedIn import, preview",
                  lambda: importer.plan(importer.read_upload("Connections.csv", data)))
            timed("LinkedIn import",
                  lambda: importer.write(importer.read_upload("Connections.csv", data)))
    return times


def main():
    """Print the figures for a generated data set."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="peewee URL of a generated data set")
    parser.add_argument("--rows", type=int, default=10_000, help="LinkedIn rows to import")
    args = parser.parse_args()
    print(f"{'figure':28} {'seconds':>8} {'target':>8}")
    for name, (ms, target) in figures(args.url, args.rows).items():
        print(f"{name:28} {ms / 1000:8.2f} {target / 1000 if target else '':>8}")


if __name__ == "__main__":
    main()
