"""Helpers shared by the tests: forms as a browser fills them, the demo, page checks.

conftest.py holds the fixtures; a test module imports what it needs from here,
never from another test module.
"""

import html
import itertools
import os
import re
import sqlite3
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import psycopg
from peewee import SqliteDatabase, fn

from benchmarks.databases import counting_queries  # noqa: F401 - the tests' helper too
from crm import followups, merging
from crm.calendar_feed import feed_token
from crm.db import db
from crm.demo import load_demo
from crm.models import (
    Application,
    Article,
    ArticleMatch,
    Company,
    Contact,
    ContactAddress,
    ContactMerge,
    DistinctPair,
    Event,
    EventCalendar,
    Feed,
    Interview,
    Interviewer,
    JobChange,
    MailAccount,
    MailCandidate,
    MailFolder,
    MailMessage,
    SuggestionState,
    Touch,
)
from crm.playbook import (
    DEFAULT_RULES,
    ApplicationFacts,
    ContactFacts,
    History,
    InterviewFacts,
    TouchFacts,
    format_day,
    suggest,
)
from crm.playbook import SuggestionState as StateFacts
from crm.settings import set_setting, today_for_user

# The engine the suite runs on: `make test` runs it on each (CRM_TEST_DATABASE).
ENGINE = os.environ.get("CRM_TEST_DATABASE", "sqlite")
ON_POSTGRES = ENGINE == "postgresql"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
TODAY = datetime.now(UTC).date()  # the tests run with the UTC time zone


def shown(iso_day):
    """A day as the pages write it ("Sun 1 Nov", the year only when it is not this year)."""
    return format_day(date.fromisoformat(iso_day), TODAY)
FILLED_ON = date(2026, 11, 22)  # the day fill_every_table's data is as of



def contact_form(**fields):
    """The contact form's fields, as the browser sends them, with some overridden."""
    data = {"name": "Ada Lovelace", "title": "", "company": "", "email": "", "phone": "",
            "linkedin_url": "", "role": "other", "preferred_channel": "", "status": "active",
            "may_follow_up": "y", "cadence_days": "", "tags": "", "notes": ""}
    data.update(fields)
    return data


def writes():
    """A mark that changes whenever the test's database has rows written.

    SQLite counts the rows its connection changed. PostgreSQL's statistics count the
    rows of a transaction rolled back too, so there the mark is the database's
    whole content, hashed: equal marks mean nothing was saved.
    """
    if isinstance(db.obj, SqliteDatabase):
        return db.connection().total_changes
    each = " UNION ALL ".join(
        f"SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS h "
        f'FROM "{table}" AS t' for table in db.get_tables())
    return db.execute_sql(f"SELECT md5(string_agg(h, '' ORDER BY h)) FROM ({each}) AS rows"
                          ).fetchone()[0]


@contextmanager
def another_program(app):
    """A connection of another program to the app's database (sqlite3, or psycopg for
    PostgreSQL), committed on leaving. Statements take `?` for parameters on either."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            yield connection
        return
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        yield _QmarkCursor(cursor)


class _QmarkCursor:
    """A psycopg cursor that takes sqlite3's `?` placeholders."""

    def __init__(self, cursor):
        self.cursor = cursor

    def execute(self, sql, params=()):
        return self.cursor.execute(sql.replace("?", "%s"), params)


def trigger_names():
    """The names of the database's triggers, on either engine."""
    sql = ("SELECT name FROM sqlite_master WHERE type = 'trigger'"
           if isinstance(db.obj, SqliteDatabase) else
           "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return {name for (name,) in db.execute_sql(sql)}


def load(app):
    with app.app_context(), db.connection_context():
        load_demo(today_for_user())


def settings_form(**changes):
    """The settings form as the page fills it, with changes."""
    from crm.playbook import Rules
    data = {"sender_name": "Jo", "timezone": "UTC"}
    for rule in Rules.fields_for_settings():
        if rule.default is True:
            data["rule_" + rule.name] = "y"
        elif rule.default is not False:
            data["rule_" + rule.name] = str(rule.default)
    data.update(changes)
    return data


def application_form(**fields):
    """The application form's fields, as the browser sends them, with some overridden."""
    data = {"company": "Meridian", "position": "Partnership Strategy Manager",
            "status": "applied", "applied_on": "2026-11-01", "decision_expected_on": "",
            "check_in_on": "", "closed_on": "", "next_contact": "", "people": "",
            "next_steps": "", "notes": ""}
    data.update(fields)
    return data


def interview_form(*interviewers, **fields):
    """The interview form with (name, values, concerns[, accomplishments]) rows for the
    interviewers."""
    data = {"on_date": "2026-11-10", "at_time": "10:00", "timezone": "America/New_York",
            "kind": "onsite", "location": "Meridian HQ", "assistant": "", "discussed": "",
            "accomplishments": "", "next_contact": ""}
    for number, (name, values, concerns, *proof) in enumerate(interviewers):
        data.update({f"interviewers-{number}-name": name,
                     f"interviewers-{number}-values": values,
                     f"interviewers-{number}-accomplishments": "".join(proof),
                     f"interviewers-{number}-concerns": concerns})
    data.update(fields)
    return data


def add_application(client, **fields):
    """Add an application through the form and return it."""
    response = client.submit("/applications/new", application_form(**fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    return Application.get_by_id(int(response.location.rsplit("/", 1)[1]))


def add_interview(client, application, *interviewers, **fields):
    """Add an interview to the application through the form and return the response."""
    return client.submit(f"/applications/{application.id}/interviews/new",
                         interview_form(*interviewers, **fields))


def page(client, url):
    """The HTML of a page, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def event_form(**fields):
    """The event form's fields, as the browser sends them, with some overridden."""
    data = {"name": "Sports Sponsorship Summit", "start_on": str(TODAY + timedelta(days=20)),
            "end_on": "", "start_time": "", "end_time": "", "timezone": "America/New_York",
            "place": "Javits Center, New York", "url": "", "notes": "", "people": "",
            "companies": ""}
    data.update(fields)
    return data


def rss(items):
    """An RSS feed of (guid, title, published) items."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://acme.example/{guid}</link>"
        f"<pubDate>{format_datetime(published)}</pubDate></item>"
        for guid, title, published in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Acme</title>{entries}' \
           "</channel></rss>".encode()


def sample_values():
    """A value for every URL parameter: the newest row of its table, so fresh data shows."""
    def newest(model):
        return model.select(model.id).order_by(model.id.desc()).scalar()

    found = followups.current(today_for_user()).suggestions
    return {"contact_id": newest(Contact), "company_id": newest(Company),
            "application_id": newest(Application), "interview_id": newest(Interview),
            "event_id": newest(Event), "touch_id": newest(Touch), "feed_id": newest(Feed),
            "article_id": newest(Article), "merge_id": newest(ContactMerge) or 1,
            "calendar_id": newest(EventCalendar) or 1,
            "candidate_id": newest(MailCandidate) or 1, "token": feed_token(),
            "key": found[0].key if found else "none", "filename": "app.css",
            "kind": "resume"}  # a default of the document routes, not in their paths


def route_urls(app, methods):
    """(method, url, endpoint) for every rule taking one of the methods, parameters filled in."""
    with app.test_request_context():
        values = sample_values()
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"add a sample value for {missing} ({rule.rule}) to sample_values"
        url = PARAMETER.sub(lambda m: quote(str(values[m.group(1)]), safe=""), rule.rule)
        urls += [(method, url, rule.endpoint) for method in sorted(rule.methods & methods)]
    return urls


class PageCheck(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip(
                    "\x00\t\n\r ").lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")


def page_problems(html):
    """Inline scripts, handlers, styles and javascript: URLs in an HTML page."""
    check = PageCheck()
    check.feed(html)
    return check.problems


HOSTILE = {
    "script tag": '<script>alert("xss")</script>',
    "event handler": '"><img src=x onerror=alert(1)>',
    "attribute breakout": "' autofocus onfocus='alert(1)",
    "javascript url": "javascript:alert(document.cookie)",
    "template syntax": "{{ 7*7 }} {% raw %} ${7*7}",
    "long text": ("A long note about a long conversation. " * 260)[:10_000].strip(),
    "control characters": "tab\there nul\x00 bell\x07 escape\x1b[31m del\x7f vt\x0b end",
    "right-to-left marks": "\u202eexe.cod\u202c \u200fשלום\u200e abc \u2067isolated\u2069 x",
    "emoji": "👩🏽‍💻 Zoë 🎉 🇺🇦 family 👨‍👩‍👧",
}


def fill_every_table():
    """The demo plus news, matches, answers and settings: a value in every column of every table."""
    load_demo(FILLED_ON)
    bob, dana, maria, priya, sam = (Contact.get(Contact.name == name) for name in (
        "Bob Hale", "Dana Whitfield", "Maria Lopez", "Priya Shah", "Sam Okafor"))
    meridian = bob.company
    Company.update(website="https://meridian.example", notes='The "internal agency" 🏟').execute()
    Contact.update(phone="+1 212 555 0100", linkedin_url="https://www.linkedin.com/in/bobhale",
                   linkedin_connected=True, linkedin_connected_on=date(2026, 10, 12),
                   cadence_days=60, status="long_term").where(Contact.id == bob.id).execute()
    Contact.update(may_follow_up=False, archived_at=datetime(2026, 11, 1, 8, 30)).where(
        Contact.id == maria.id).execute()
    Application.update(check_in_on=FILLED_ON + timedelta(days=3),
                       notes="Second round\nwith the VP",
                       posting_url="https://meridian.example/jobs/42?ref=board",
                       location="New York, NY", work_mode="hybrid", salary_min=95_000,
                       salary_max=120_000, currency="USD", source="referral", referrer=bob,
                       answered_on=FILLED_ON - timedelta(days=9),
                       offered_on=FILLED_ON - timedelta(days=5), resume_version="2026-11 sports",
                       cover_letter_version="v3 partnerships",
                       resume_file="3f1c0ad2b7e94c5a8d6e1f2a3b4c5d6e.pdf",
                       resume_filename="Résumé – Alex Jordan.pdf",
                       cover_letter_file="9a8b7c6d5e4f30211203948576abcdef.docx",
                       cover_letter_filename="Cover letter.docx",
                       job_description="About the role\n\t• Own partnerships 🏟").execute()
    Application.update(closed_at=time(14, 5, 9)).where(Application.status == "rejected").execute()
    Interview.update(next_contact=bob).where(Interview.id == Interview.select(
        fn.MIN(Interview.id))).execute()
    feed = Feed.create(company=meridian, url="https://meridian.example/feed.xml",
                       title="Meridian news", site_url="https://meridian.example", etag='"abc"',
                       last_modified="Sat, 21 Nov 2026 10:00:00 GMT",
                       last_checked_at=datetime(2026, 11, 21, 10, 0, 0, 123456),
                       last_success_at=datetime(2026, 11, 20, 10, 0),
                       next_check_at=datetime(2026, 11, 22, 10, 0), error_count=2,
                       last_error="timed out", paused=True,
                       locked_until=datetime(2026, 11, 22, 10, 5))
    first = Article.create(feed=feed, identity="urn:1", link="https://meridian.example/a1",
                           title="Meridian wins award", summary_html="<p>Bob Hale named…</p>",
                           published_at=datetime(2026, 11, 20, 9, 0))
    second = Article.create(feed=feed, identity="urn:2", link="https://meridian.example/a1",
                            title="Meridian wins award (again)", duplicate_of=first,
                            published_at=datetime(2026, 11, 20, 9, 5))
    ArticleMatch.create(article=first, contact=bob, kind="congratulate", reason="names Bob")
    ArticleMatch.create(article=second, contact=dana)
    Touch.create(contact=dana, happened_on=FILLED_ON, happened_at=time(9, 41),
                 channel="article", note="Sent the award", article=first,
                 suggestion_key="forward:1:2")
    summit = EventCalendar.create(
        name="Sponsorship Summit", url="https://summit.example/calendar.ics", etag='"v2"',
        last_modified="Sat, 21 Nov 2026 10:00:00 GMT", last_checked_at=datetime(2026, 11, 21, 10),
        last_success_at=datetime(2026, 11, 20, 10), next_check_at=datetime(2026, 11, 22, 10),
        error_count=1, last_error="timed out", paused=True)
    Event.update(notes="Booth 12", sequence=1, calendar=summit, uid="summit-2026@summit.example",
                 attendance="interested").execute()
    letter = MailMessage.create(
        message_id="<r1@meridian.example>", direction="in", sent_at=datetime(2026, 11, 21, 9, 1),
        sender="bob.hale@meridian.example", sender_name="Bob Hale", recipients="me@example.com",
        subject="Re: Thank you", snippet="Glad we met", in_reply_to="<t1@example.test>")
    Touch.create(contact=bob, happened_on=FILLED_ON, direction="in", note="Re: Thank you",
                 mail_message=letter)
    ContactAddress.create(contact=bob, email="bob@hale.example")
    MailAccount.create(id=1, host="imap.example.test", port=143, security="starttls",
                       username="me", address="me@example.com", first_days=30, enabled=True,
                       last_sync_at=datetime(2026, 11, 21, 9, 30), last_result="1 new touch.",
                       last_error="login refused", failures=1,
                       next_try_at=datetime(2026, 11, 21, 10, 0))
    MailFolder.create(role="inbox", name="INBOX", uid_validity=7, last_uid=12)
    MailCandidate.create(email="kim@meridian.example", name="Kim Lee", company=meridian,
                         reason="wrote in a thread with Bob Hale", last_subject="Re: Thanks",
                         ignored=True)
    SuggestionState.create(key=f"checkin:{sam.id}", contact=sam, state="snoozed",
                           until=FILLED_ON + timedelta(days=5))
    set_setting("sender_name", "Alex Jordan")
    set_setting("rules.checkin_days", 8)
    JobChange.create(contact=sam, old_company=meridian, old_title="Analyst",
                     new_company=sam.company, new_title=sam.title, changed_on=FILLED_ON,
                     source="Connections.csv")
    DistinctPair.create(first=dana, second=priya)
    twin = Contact.create(name="Robert Hale", company=meridian)
    merging.merge(bob, twin, {"name"})
    Contact.update(name="Bob Hale").where(Contact.id == bob.id).execute()
    assert Interview.select().where(Interview.assistant.is_null(False)).exists()
    assert Interviewer.select().where(Interviewer.concerns != "").exists()
    return priya


def export(runner):
    """`crm export --format json`, as bytes."""
    result = runner.invoke(args=["export", "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


# --- playbook facts: small stories for the pure rules --------------------------

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
FRI = date(2025, 11, 21)
SAT = FRI + timedelta(days=1)
LAST = date(2025, 3, 1)  # the last touch with a long-term contact

BOB = ContactFacts(id=7, name="Bob Smith", company="Acme", role="hiring_manager")
_touch_ids = itertools.count(100)


def days(n):
    """A number of days as a timedelta."""
    return timedelta(days=n)


def interview(id=12, day=FRI, hour=10, minute=0, tz=NEW_YORK, interviewers=(7,), **fields):
    starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    fields.setdefault("application_id", 3)
    return InterviewFacts.of(
        id=id,
        position="Analyst",
        company="Acme",
        starts_at=starts_at,
        interviewer_ids=interviewers,
        **fields,
    )


def application(id=3, status="interviewing", contacts=(7,), **fields):
    return ApplicationFacts(
        id=id, company="Acme", position="Analyst", status=status, contact_ids=contacts, **fields
    )


def out(on, channel="email", contact_id=7, **fields):
    return TouchFacts(
        id=next(_touch_ids),
        contact_id=contact_id,
        on=on,
        channel=channel,
        direction="out",
        **fields,
    )


def reply(on, channel="email", contact_id=7):
    return TouchFacts(
        id=next(_touch_ids), contact_id=contact_id, on=on, channel=channel, direction="in"
    )


def interviewing(*touches, contact=BOB, **fields):
    """Bob interviewed on Friday for a process still running."""
    fields.setdefault("interviews", [interview()])
    fields.setdefault("applications", [application()])
    return History(contact=contact, touches=touches, **by_key(fields))


def long_term(*touches, contact=None, **fields):
    contact = contact or ContactFacts(id=7, name="Bob Smith", company="Acme", status="long_term")
    return History(contact=contact, touches=touches or (out(LAST),), **by_key(fields))


def by_key(fields):
    """History fields with `states` given as a list turned into the mapping by key it takes."""
    states = fields.get("states", {})
    return {**fields, "states": states if isinstance(states, dict) else {s.key: s for s in states}}


def run(history, today, rules=DEFAULT_RULES, tz=NEW_YORK):
    return suggest(history, today, tz, rules)


def of_kind(kind, suggestions):
    return [s for s in suggestions if s.kind == kind]


def one(kind, suggestions):
    found = of_kind(kind, suggestions)
    assert len(found) == 1, [s.key for s in suggestions]
    return found[0]


def state(key, name, until=None):
    return StateFacts(key=key, state=name, until=until)


def seen(client, url):
    """A page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    page = client.get(url).get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).replace(" :", ":")


CALENDARS = Path(__file__).parent / "fixtures" / "calendars"
# The calendar fixtures were written on this day; on a later day their dates are moved on
# by whole 52-week blocks, so that weekdays stay and their events are still ahead.
CALENDARS_WRITTEN = date(2026, 11, 30)
CALENDAR_DATES = re.compile(r"(?<=[:=,])(\d{8})(T\d{6}Z?)?")
TIMED = ("DTSTART", "DTEND", "EXDATE", "RECURRENCE-ID", "RRULE")


def calendar_shift():
    """How far the calendar fixtures' dates move to still lie ahead of today."""
    return timedelta(weeks=52 * max(0, (today_for_user() - CALENDARS_WRITTEN).days // 364))


def on(day):
    """A date of the calendar fixtures, moved as they are (see calendar_shift)."""
    return day + calendar_shift()


def calendar_fixture(name):
    """A calendar fixture's bytes, its event dates moved on as `on` moves them."""
    shift = calendar_shift()
    lines = (CALENDARS / name).read_bytes().decode().split("\r\n")

    def moved(match):
        day = datetime.strptime(match.group(1), "%Y%m%d").date() + shift
        return day.strftime("%Y%m%d") + (match.group(2) or "")

    return "\r\n".join(CALENDAR_DATES.sub(moved, line) if line.startswith(TIMED) else line
                       for line in lines).encode()


def letter(sender, to, subject="Thank you", *, cc=(), sent=None, message_id=None,
           in_reply_to=None, references=(), body="Thank you for your time today.",
           attachment=None):
    """A real message as a mail program writes it (RFC 2047 for non-ASCII names), as bytes."""
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to) if isinstance(to, list | tuple) else to
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(sent or datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    message.set_content(body)
    if attachment:
        message.add_attachment(attachment, maintype="application", subtype="octet-stream",
                               filename="portfolio.pdf")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


class Inbox:
    """An aiosmtpd handler that keeps every message it receives (the `smtp` fixture)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        from email import message_from_bytes
        from email.policy import default

        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content,
                                                                   policy=default)))
        return "250 OK"
