"""Build a realistic data set into a fresh database: `python -m benchmarks.generate URL`.

The same seed gives the same data. Sizes default to a heavy user's five years:
10,000 contacts at 2,000 companies, 100,000 touches and the rest.
"""

import argparse
import random
from datetime import date, datetime, time, timedelta

from crm import postgres
from crm.db import db, open_database
from crm.models import (
    Application,
    Article,
    Company,
    Contact,
    ContactTag,
    Event,
    EventAttendee,
    Feed,
    Interview,
    Interviewer,
    Tag,
    Touch,
)
from crm.schema import migrate

FULL = {"contacts": 10_000, "companies": 2_000, "applications": 5_000, "interviews": 8_000,
        "touches": 100_000, "events": 300, "feeds": 200, "articles": 50_000}
FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
         "Richard Susan Joseph Jessica Thomas Sarah Priya Wei Mohammed Fatima Carlos Sofía "
         "Hiroshi Yuki Olusegun Chiamaka Zoë Björn Ana Luis Dana Sam Maria Bob").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
        "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
        "Okafor Nakamura Shah Chen Müller Ångström Whitfield Hale").split()
WORDS = ("Acme Global Northwind Meridian Contoso Initech Umbrella Stark Wayne Wonka Tyrell "
         "Cyberdyne Soylent Hooli Vandelay Globex Pied Piper Sterling Cooper Dunder Massive "
         "Dynamic Aperture Black Mesa Oscorp Blue Sun Gringotts Monarch").split()
SUFFIX = ["Sports", "Partners", "Bank", "Media", "Labs", "Group", "Entertainment", "Health",
          "Energy", "Capital", "Foods", "Logistics"]
TITLES = ["VP, Partnerships", "Recruiter", "Hiring Manager", "Director of Marketing",
          "Executive Assistant", "Head of Sponsorship", "Talent Acquisition Partner",
          "Account Executive", "Engineering Manager", "Chief of Staff"]
TAGS = ["sports sponsorship", "Yankees fan", "marathons", "golf", "fintech", "alumni",
        "conference speaker", "hiring now", "design", "data", "sustainability", "chess",
        "mentor", "board member", "podcast", "volunteering", "wine", "sailing", "jazz", "AI"]
ROLES = ["interviewer", "hiring_manager", "recruiter", "assistant", "other"]
# Most of a big address book is imported connections; a few hundred people
# become long-term contacts, a handful ask not to be contacted.
STATUSES = ["active"] * 16 + ["long_term"] * 3 + ["do_not_contact"]
CHANNELS = ["email", "phone", "voicemail", "letter", "linkedin_message", "meeting", "article"]
CLOSED = ["rejected", "rejected", "rejected", "withdrawn", "hired"]
OPEN_DAYS = 60  # applications newer than this may still be open
SOURCES = ["job_board"] * 5 + ["company_site"] * 2 + ["recruiter"] * 2 + ["referral", ""]


def scaled(factor):
    """The full sizes multiplied by a factor (0.1 for the small data set)."""
    return {name: max(1, int(size * factor)) for name, size in FULL.items()}


def generate(url, sizes, seed=42, today=None):
    """Fill a fresh database at `url` with data of these sizes; return the counts."""
    rng = random.Random(seed)
    today = today or date(2026, 11, 22)
    start = today - timedelta(days=5 * 365)

    def day():
        return start + timedelta(days=rng.randrange((today - start).days))

    db.initialize(open_database(url))
    migrate()
    with db.connection_context(), db.atomic():
        companies = bulk(Company, [
            {"name": f"{rng.choice(WORDS)} {rng.choice(SUFFIX)} {n}",
             "website": f"https://company{n}.example"} for n in range(sizes["companies"])])
        tags = bulk(Tag, [{"name": name} for name in TAGS])
        contacts = []
        for n in range(sizes["contacts"]):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            company = rng.choice(companies)
            title = rng.choice(TITLES)
            email = f"{name.lower().replace(' ', '.')}{n}@example.com"
            created = datetime.combine(day(), time(12))
            contacts.append({
                "name": name, "title": title, "company": company, "email": email,
                "role": rng.choice(ROLES), "status": rng.choice(STATUSES),
                "notes": rng.choice(["", "Met at the career fair.", "Yankees fan.",
                                     "Prefers calls in the morning."]),
                "created_at": created, "updated_at": created,
                "search_text": "\n".join([name, title, email]).casefold()})
        contact_ids = bulk(Contact, contacts)
        bulk(ContactTag, [{"contact": cid, "tag": tag}
                          for cid in contact_ids for tag in rng.sample(tags, rng.randrange(4))])
        Contact.reindex(Contact.select())
        touches = [{"contact": rng.choice(contact_ids), "happened_on": day(),
                    "happened_at": time(rng.randrange(8, 20), rng.randrange(60)),
                    "channel": rng.choice(CHANNELS), "direction": rng.choice("ooooi"),
                    "note": "Checked in."} for _ in range(sizes["touches"])]
        bulk(Touch, [{**t, "direction": "out" if t["direction"] == "o" else "in"}
                     for t in touches])
        Contact.update(last_touch_on=Touch.select(Touch.happened_on).where(
            Touch.contact == Contact.id).order_by(Touch.happened_on.desc()).limit(1)).execute()
        applied = [day() for _ in range(sizes["applications"])]
        # The fields added later draw from their own generator, so the rest of the data set
        # stays what it was and figures compare across versions.
        tracked = random.Random(seed + 1)
        applications = bulk(Application, [
            tracked_fields(tracked, contact_ids, {
                "company": rng.choice(companies), "position": rng.choice(TITLES),
                "applied_on": on, "closed_on": None if open_ else on + timedelta(days=30),
                "created_at": on, "updated_at": on + timedelta(days=30),
                "status": rng.choice(["applied", "interviewing"] if open_ else CLOSED),
                "next_contact": rng.choice(contact_ids) if rng.random() < 0.5 else None})
            for on in applied
            for open_ in [(today - on).days < OPEN_DAYS and rng.random() < 0.5]])
        interviewed = [rng.randrange(len(applications)) for _ in range(sizes["interviews"])]
        interviews = bulk(Interview, [
            {"application": applications[n],
             "starts_at": datetime.combine(applied[n] + timedelta(days=rng.randrange(7, 21)),
                                           time(rng.randrange(8, 18))),
             "timezone": "America/New_York"} for n in interviewed])
        bulk(Interviewer, [{"interview": iid, "contact": cid} for iid in interviews
                           for cid in set(rng.sample(contact_ids, rng.randrange(1, 3)))])
        events = bulk(Event, [
            {"name": f"{rng.choice(WORDS)} Summit {n}", "start_on": (d := day()),
             "end_on": d + timedelta(days=rng.randrange(3)), "place": "New York"}
            for n in range(sizes["events"])])
        bulk(EventAttendee, [{"event": eid, "contact": cid} for eid in events
                             for cid in set(rng.sample(contact_ids, 5))])
        feeds = bulk(Feed, [{"company": rng.choice(companies),
                             "url": f"http://127.0.0.1:9/feed/{n}.xml"}
                            for n in range(sizes["feeds"])])
        bulk(Article, [{"feed": rng.choice(feeds), "identity": f"urn:article:{n}",
                        "link": f"https://news.example/{n}",
                        "title": f"{rng.choice(WORDS)} {rng.choice(SUFFIX)} announces news {n}",
                        "summary_html": "<p>Quarterly results and a new partnership.</p>",
                        "published_at": datetime.combine(day(), time(9))}
                       for n in range(sizes["articles"])])
    if postgres.is_postgres(db.obj):
        with db.connection_context():
            postgres.analyze(db.obj)  # as autovacuum would have done since, on a real database
    return {model.__name__: model.select().count() for model in
            (Company, Contact, Touch, Application, Interview, Event, Feed, Article)}


def tracked_fields(rng, contact_ids, row):
    """An application row with what job trackers record: source, referrer, pay, first answer."""
    source = rng.choice(SOURCES)
    if row["status"] == "interviewing" and rng.random() < 0.2:
        row["status"] = "offer"
    answered = row["status"] != "applied" and not (row["status"] == "withdrawn"
                                                   and rng.random() < 0.5)
    low = rng.randrange(50, 150) * 1000
    return {**row, "source": source,
            "referrer": rng.choice(contact_ids) if source == "referral" else None,
            "answered_on": row["applied_on"] + timedelta(days=rng.randrange(1, 40))
            if answered else None,
            "salary_min": low, "salary_max": low + rng.randrange(0, 40) * 1000,
            "currency": rng.choice(["USD", "USD", "EUR", "GBP"]),
            "work_mode": rng.choice(["onsite", "hybrid", "remote", ""]),
            "location": rng.choice(["New York, NY", "Chicago, IL", "London", "Remote", ""]),
            "posting_url": f"https://jobs.example/{rng.randrange(10**6)}",
            "resume_version": rng.choice(["2026 sports", "2026 general", ""]),
            "job_description": "Own the partnership pipeline.\nReport to the VP."}


def bulk(model, rows, batch=500):
    """Insert rows in batches; return their ids in order."""
    ids = []
    for n in range(0, len(rows), batch):
        chunk = rows[n:n + batch]
        model.insert_many(chunk).execute()
        last = model.select(model._meta.primary_key).order_by(
            model._meta.primary_key.desc()).limit(1).scalar()
        ids.extend(range(last - len(chunk) + 1, last + 1))
    return ids


def main():
    """Command line: build the data set at a size factor into a database URL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="peewee database URL, e.g. sqlite:////tmp/bench.db")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = full size, 0.1 = small")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(generate(args.url, scaled(args.scale), seed=args.seed))


if __name__ == "__main__":
    main()
