"""After every kind of write, Today and the calendar feed serve what a recompute from nothing gives.

The suggestions are kept between requests and patched from the change log; these
tests make each write the app can make (every POST route, the `crm` commands that
write, a news refresh, a write from outside the app) on a warm cache, then compare
what is served with suggestions computed afresh. A guard test fails when a POST
route is added without a case here.
"""

import io
import json
from datetime import timedelta

import pytest
from support import (
    another_program,
    application_form,
    calendar_fixture,
    contact_form,
    event_form,
    interview_form,
    letter,
    load,
    rss,
    settings_form,
)

from crm import followups
from crm.calendar_feed import feed_token, render_feed
from crm.models import (
    Application,
    Company,
    Contact,
    ContactMerge,
    Event,
    EventAttendee,
    EventCalendar,
    Feed,
    Interview,
    MailCandidate,
    SuggestionState,
    Touch,
)
from crm.settings import today_for_user, user_timezone
from tests.feedserver import FeedServer, Reply

FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


@pytest.fixture
def server(app):
    app.config.update(FEEDS_ALLOW_PRIVATE=True, FEEDS_TIMEOUT=2)
    with FeedServer() as running:
        yield running


def person(name):
    return Contact.get(Contact.name == name)


def running_application():
    return Application.get(Application.status == "interviewing")


def today():
    return today_for_user()


def open_key(contact):
    """The key of an open suggestion for the contact."""
    return next(s.key for s in followups.current().suggestions if s.contact_id == contact.id)


def open_keys_of(kind):
    """The keys of every open suggestion whose key starts with `kind`."""
    return [s.key for s in followups.current().suggestions if s.key.startswith(kind)]


def undo_token(client):
    """The token of the Undo button the page after Done shows."""
    return client.get("/").get_data(as_text=True).split('name="token" value="')[1].split('"')[0]


def upload(client, url, form_page, data, filename):
    page = client.get(form_page).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post(url, data={"file": (io.BytesIO(data), filename), "csrf_token": token},
                       content_type="multipart/form-data")


def import_and_confirm(client, path):
    upload(client, "/transfer/import", "/transfer", path.read_bytes(), path.name)
    return client.submit("/transfer/import/confirm", {}, form_page="/transfer/import/preview")


def add_feed(client, server):
    acme = next(c for c in Company.select() if "Meridian" in c.name)
    server.routes["/feed"] = Reply(body=rss([
        ("award", "Meridian names Bob Hale executive of the year", _recent())]))
    return client.submit(f"/companies/{acme.id}/feeds", {"url": server.url("/feed")},
                         form_page=f"/companies/{acme.id}")


def mail_sync(client, box):
    """A letter to Bob and Sam's reply, plus a stranger answering Bob's thread, then Sync now."""
    box.append("Sent", letter(box.user, "bob.hale@example.com", "Following up",
                              message_id="<fresh@x>"))
    box.append("INBOX", letter("sam.okafor@example.com", box.user, "Re: Thank you"),
               letter("kim@meridian.example", box.user, "Re: Following up",
                      in_reply_to="<fresh@x>"))
    return client.submit("/mail/sync", {}, form_page="/mail")


def _recent():
    from datetime import datetime

    return datetime.now().astimezone() - timedelta(days=1)


def subscribe_calendar(client, server):
    """Subscribe to a Meetup calendar whose next publication moves and cancels events."""
    server.routes["/meetup.ics"] = Reply(body=calendar_fixture("meetup_group.ics"))
    client.submit("/events/calendars/subscribe", {"url": server.url("/meetup.ics")},
                  form_page="/events/calendars")
    talk = Event.get(Event.uid == "event_304512345@meetup.com")
    client.submit(f"/events/{talk.id}/attendance", {"attendance": "going"},
                  form_page=f"/events/{talk.id}")
    EventAttendee.create(event=talk, contact=person("Sam Okafor"))
    server.routes["/meetup.ics"] = Reply(body=calendar_fixture("meetup_group_updated.ics"))
    return client.get("/events/calendars")


def merge(client, keep, other):
    """Merge one demo person into another on the merge page, taking the other's phone."""
    first, second = person(keep).id, person(other).id
    return client.submit("/contacts/merge", {"first": first, "second": second, "keep": "first",
                                             "pick_title": "second"},
                         form_page=f"/contacts/merge?first={first}&second={second}")


# endpoint -> write, made through the pages as a user would.
PAGE_WRITES = {
    "contacts.create": lambda c, s: c.submit("/contacts/new", contact_form(
        name="New Person", status="long_term", company="Meridian Sports & Entertainment")),
    "contacts.edit": lambda c, s: c.submit(f"/contacts/{person('Bob Hale').id}/edit",
                                           contact_form(name="Robert Hale", status="long_term",
                                                        cadence_days="30")),
    "contacts.archive": lambda c, s: c.submit(f"/contacts/{person('Bob Hale').id}/archive", {},
                                              form_page=f"/contacts/{person('Bob Hale').id}"),
    "contacts.delete": lambda c, s: c.submit(f"/contacts/{person('Sam Okafor').id}/delete", {}),
    "companies.create": lambda c, s: c.submit("/companies/new", {"name": "Fresh Co", "website": "",
                                                              "notes": ""}),
    "companies.edit": lambda c, s: c.submit(
        f"/companies/{person('Sam Okafor').company_id}/edit",
        {"name": "Renamed Inc", "website": "", "notes": ""}),
    "applications.create": lambda c, s: c.submit("/applications/new", application_form(
        company="Meridian Sports & Entertainment", people="Dana Whitfield",
        applied_on=today().isoformat(), source="referral", referrer="Sam Okafor")),
    "applications.edit": lambda c, s: c.submit(
        f"/applications/{running_application().id}/edit", application_form(
            company=running_application().company.name, position="Head of Partnerships",
            status="interviewing", people="Priya Shah", referrer="Bob Hale",
            next_contact="Dana Whitfield")),
    "applications.change_status": lambda c, s: c.submit(
        f"/applications/{running_application().id}/status",
        {"status": "rejected", "closed_on": ""},
        form_page=f"/applications/{running_application().id}"),
    "applications.move": lambda c, s: c.submit(
        f"/applications/{running_application().id}/move", {"status": "rejected"},
        form_page="/applications/board"),
    "applications.delete": lambda c, s: c.submit(
        f"/applications/{running_application().id}/delete", {}),
    "interviews.create": lambda c, s: c.submit(
        f"/applications/{running_application().id}/interviews/new",
        interview_form(("Sam Okafor", "", ""), ("Zed New", "Candour", ""),
                       on_date=(today() - timedelta(days=1)).isoformat())),
    "interviews.edit": lambda c, s: c.submit(
        f"/interviews/{Interview.select().order_by(Interview.id.desc()).get().id}/edit",
        interview_form(("Priya Shah", "Teamwork", ""), next_contact="New Recruiter",
                       on_date=(today() - timedelta(days=2)).isoformat())),
    "interviews.delete": lambda c, s: c.submit(
        f"/interviews/{Interview.select().order_by(Interview.id.desc()).get().id}/delete", {}),
    "touches.create": lambda c, s: c.submit(f"/contacts/{person('Bob Hale').id}/touches/new", {
        "happened_on": today().isoformat(), "channel": "email", "direction": "in",
        "note": "Replied", "article_id": ""}),
    "touches.edit": lambda c, s: c.submit(f"/touches/{Touch.select().get().id}/edit", {
        "happened_on": (today() - timedelta(days=1)).isoformat(), "channel": "phone",
        "direction": "out", "note": "Called", "article_id": "", "log_anyway": "y"}),
    "touches.delete": lambda c, s: c.submit(
        f"/touches/{Touch.select().get().id}/delete", {},
        form_page=f"/contacts/{Touch.select().get().contact_id}"),
    "today.snooze": lambda c, s: c.submit(
        f"/suggestions/{person('Sam Okafor').id}/snooze",
        {"key": open_key(person("Sam Okafor")),
         "until": (today() + timedelta(days=9)).isoformat()}, form_page="/"),
    "today.skip": lambda c, s: c.submit(
        f"/suggestions/{person('Sam Okafor').id}/skip",
        {"key": open_key(person("Sam Okafor"))}, form_page="/"),
    "today.done": lambda c, s: c.submit("/suggestions/done", {
        "key": open_keys_of("keepinmind"), "next": "/"}, form_page="/"),
    "today.snooze_all": lambda c, s: c.submit("/suggestions/snooze", {
        "key": open_keys_of("linkedin"), "until": (today() + timedelta(days=3)).isoformat()},
        form_page="/"),
    "today.undo": lambda c, s: (c.submit("/suggestions/done", {"key": open_keys_of("keepin")},
                                         form_page="/"),
                                c.submit("/suggestions/undo", {"token": undo_token(c)},
                                         form_page="/")),
    "today.restore": lambda c, s: (c.submit(
        f"/suggestions/{person('Sam Okafor').id}/skip",
        {"key": open_key(person("Sam Okafor"))}, form_page="/"), c.submit(
        f"/suggestions/{person('Sam Okafor').id}/restore",
        {"key": SuggestionState.get().key}, form_page="/suggestions/skipped")),
    "settings.index": lambda c, s: c.submit("/settings", settings_form(
        rule_long_term_cadence_days="30", sender_name="Jo Doe")),
    "welcome.index": lambda c, s: c.submit("/welcome", {
        "sender_name": "Jo Doe", "timezone": "Pacific/Kiritimati", "base_url": ""}),
    "welcome.skip": lambda c, s: c.submit("/welcome/skip", {}, form_page="/welcome"),
    "welcome.demo": lambda c, s: (Contact.delete().execute(), Company.delete().execute(),
                                  Application.delete().execute(), Event.delete().execute(),
                                  c.submit("/welcome/demo", {}, form_page="/welcome"))[-1],
    "settings.resume_updated": lambda c, s: c.submit("/settings/resume", {},
                                                     form_page="/settings"),
    "events.create": lambda c, s: c.submit("/events/new", event_form(
        people="Bob Hale", start_on=(today() + timedelta(days=10)).isoformat())),
    "events.edit": lambda c, s: c.submit(f"/events/{Event.get().id}/edit", event_form(
        start_on=(today() + timedelta(days=10)).isoformat(),
        people="Bob Hale\nDana Whitfield")),
    "events.delete": lambda c, s: c.submit(f"/events/{Event.get().id}/delete", {}),
    "calendar.alarms": lambda c, s: c.submit("/calendar/alarms", {"alarms": "y"},
                                             form_page="/calendar"),
    "calendar.rotate": lambda c, s: c.submit("/calendar/rotate", {}, form_page="/calendar"),
    "transfer.upload": lambda c, s: upload(
        c, "/transfer/import", "/transfer",
        (FIXTURES / "transfer" / "linkedin_known_people.csv").read_bytes(), "Connections.csv"),
    "transfer.confirm": lambda c, s: import_and_confirm(
        c, FIXTURES / "transfer" / "linkedin_known_people.csv"),
    "transfer.cancel": lambda c, s: c.submit("/transfer/import/cancel", {},
                                             form_page="/transfer"),
    "news.import_opml": lambda c, s: upload(
        c, "/news/import", "/news",
        b'<?xml version="1.0"?><opml version="2.0"><body><outline text="Meridian">'
        b'<outline type="rss" xmlUrl="https://meridian.example/feed"/></outline></body></opml>',
        "feeds.opml"),
    "news.add_feed": lambda c, s: add_feed(c, s),
    "events.attendance": lambda c, s: c.submit(
        f"/events/{Event.get().id}/attendance", {"attendance": "maybe"},
        form_page=f"/events/{Event.get().id}"),
    "event_calendars.import_file": lambda c, s: upload(
        c, "/events/calendars/import", "/events/calendars",
        calendar_fixture("google_association.ics"), "association.ics"),
    "event_calendars.subscribe": lambda c, s: subscribe_calendar(c, s),
    "event_calendars.refresh": lambda c, s: (subscribe_calendar(c, s), c.submit(
        f"/events/calendars/{EventCalendar.get().id}/refresh", {},
        form_page="/events/calendars")),
    "event_calendars.delete": lambda c, s: (subscribe_calendar(c, s), c.submit(
        f"/events/calendars/{EventCalendar.get().id}/delete", {},
        form_page="/events/calendars")),
    "duplicates.merge": lambda c, s: merge(c, "Bob Hale", "Priya Shah"),
    "duplicates.undo": lambda c, s: (merge(c, "Bob Hale", "Sam Okafor"), c.submit(
        f"/contacts/merges/{ContactMerge.get().id}/undo", {}, form_page="/contacts/duplicates")),
    "duplicates.distinct": lambda c, s: c.submit(
        "/contacts/duplicates/distinct",
        {"first": person("Bob Hale").id, "second": person("Dana Whitfield").id},
        form_page=f"/contacts/{person('Bob Hale').id}"),
    "news.add_news_search": lambda c, s: c.submit(
        f"/companies/{person('Bob Hale').company_id}/feeds/news-search", {},
        form_page=f"/companies/{person('Bob Hale').company_id}"),
    "news.retry_feed": lambda c, s: (add_feed(c, s), c.submit(
        f"/feeds/{Feed.get().id}/retry", {}, form_page=f"/companies/{Feed.get().company_id}")),
    "news.delete_feed": lambda c, s: (add_feed(c, s), c.submit(
        f"/feeds/{Feed.get().id}/delete", {}, form_page=f"/companies/{Feed.get().company_id}")),
    # For mail.*, `s` is a mailbox on the test's Dovecot.
    "mail.index": lambda c, s: c.submit("/mail", {**s.settings(), "port": str(s.server.port),
                                                  "password": s.password, "first_days": "30",
                                                  "action": "save"}),
    "mail.sync_now": mail_sync,
    "mail.forget": lambda c, s: (mail_sync(c, s), c.submit("/mail/forget", {})),
    "mail.add_person": lambda c, s: (mail_sync(c, s), c.submit(
        f"/mail/people/{MailCandidate.get().id}/add", {}, form_page="/mail/people")),
    "mail.send": lambda c, s: c.submit(f"/mail/send/{person('Sam Okafor').id}", {
        "subject": "Thank you", "body": "Dear Sam,\n\nThank you.",
        "key": open_key(person("Sam Okafor"))}),
    "mail.ignore_person": lambda c, s: (mail_sync(c, s), c.submit(
        f"/mail/people/{MailCandidate.get().id}/ignore", {}, form_page="/mail/people")),
}
# POST routes that write nothing any suggestion reads (checked: the change log stays put).
NOT_SUGGESTION_DATA = {"auth.login", "auth.logout", "auth.logout_everywhere"}


def assert_served_equals_recomputed(client):
    """What the pages serve now equals suggestions and a feed computed from nothing."""
    served = followups.current()
    fresh = followups.compute(today(), user_timezone())
    assert served.suggestions == fresh.suggestions
    assert served.histories == fresh.histories
    feed = client.get(f"/calendar/{feed_token()}.ics").data
    with client.application.test_request_context():  # the links name the host asked, as served
        assert feed == render_feed(fresh, today())[0]


@pytest.fixture
def warm(app, client, database):
    """The demo loaded, and Today and the feed served once, as a running server has them."""
    load(app)
    client.get("/")
    client.get(f"/calendar/{feed_token()}.ics")
    return client


@pytest.mark.parametrize("endpoint", list(PAGE_WRITES))
def test_every_page_write_is_served_fresh(endpoint, warm, server, request):
    helper = request.getfixturevalue("mailbox") if endpoint.startswith("mail.") else server
    if endpoint == "mail.send":
        smtp = request.getfixturevalue("smtp")
        warm.application.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                                       SMTP_STARTTLS=False)
    before = followups.current()
    result = PAGE_WRITES[endpoint](warm, helper)
    responses = result if isinstance(result, tuple) else (result,)
    assert all(r.status_code in (200, 302) for r in responses), responses[-1].get_data(True)[-800:]
    assert_served_equals_recomputed(warm)
    assert followups.current() is not before or endpoint in {
        "transfer.upload", "transfer.cancel", "companies.create", "news.import_opml",
        "news.add_news_search", "duplicates.distinct", "mail.index"}


def test_letting_the_point_of_contact_go_is_served_fresh(warm):
    """The person named before loses the check-ins as soon as another is named."""
    url = f"/applications/{running_application().id}/edit"
    form = application_form(company=running_application().company.name, status="interviewing")
    warm.submit(url, {**form, "next_contact": "Dana Whitfield"})
    assert_served_equals_recomputed(warm)
    warm.submit(url, {**form, "next_contact": ""})
    assert_served_equals_recomputed(warm)
    interview = Interview.select().where(Interview.application == running_application()).get()
    warm.submit(f"/interviews/{interview.id}/edit", interview_form(
        ("Sam Okafor", "", ""), next_contact="Priya Shah",
        on_date=(today() - timedelta(days=1)).isoformat()))
    assert_served_equals_recomputed(warm)
    assert Interview.get_by_id(interview.id).next_contact.name == "Priya Shah"


def test_every_post_route_has_a_write_case(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - NOT_SUGGESTION_DATA == set(PAGE_WRITES)


@pytest.mark.parametrize("command", ["demo", "import", "restore", "refresh", "feeds import",
                                     "calendar-url", "digest", "contacts merge", "mail sync",
                                     "mail import"])
def test_every_command_write_is_served_fresh(command, warm, runner, server, tmp_path, request):
    if command == "demo":
        Contact.delete().execute()
        result = runner.invoke(args=["demo"])
    elif command == "import":
        result = runner.invoke(args=["import", str(FIXTURES / "transfer" /
                                                   "linkedin_known_people.csv")])
    elif command == "restore":
        backup = tmp_path / "backup.json"
        assert runner.invoke(args=["export", "-o", str(backup)]).exit_code == 0
        data = json.loads(backup.read_text())
        backup.write_text(json.dumps(data))
        Touch.delete().execute()
        result = runner.invoke(args=["restore", "--replace", str(backup)])
    elif command == "refresh":
        add_feed(warm, server)
        Feed.update(next_check_at=None).execute()
        result = runner.invoke(args=["refresh", "--all"])
    elif command == "feeds import":
        opml = tmp_path / "feeds.opml"
        opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                        f'<outline text="Meridian"><outline xmlUrl="{server.url("/none")}"/>'
                        "</outline></body></opml>")
        result = runner.invoke(args=["feeds", "import", str(opml)])
    elif command == "contacts merge":
        result = runner.invoke(args=["contacts", "merge", str(person("Sam Okafor").id),
                                     str(person("Dana Whitfield").id)])
    elif command == "calendar-url":
        result = runner.invoke(args=["calendar-url"])
    elif command == "mail sync":
        box = request.getfixturevalue("mailbox")
        box.append("INBOX", letter("sam.okafor@example.com", box.user, "Re: Thank you"))
        result = runner.invoke(args=["mail", "sync"])
    elif command == "mail import":
        path = tmp_path / "reply.eml"
        path.write_bytes(letter("sam.okafor@example.com", "me@example.com", "Re: Thanks"))
        result = runner.invoke(args=["mail", "import", str(path), "--address", "me@example.com"])
    else:
        result = runner.invoke(args=["digest", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert_served_equals_recomputed(warm)


def test_a_write_from_another_program_is_served_fresh(app, warm):
    sam = person("Sam Okafor")
    with another_program(app) as other:
        # A touch alone, without the contact row the app would also update.
        other.execute("INSERT INTO touch (contact_id, happened_on, channel, direction, note, "
                      "created_at) VALUES (?, ?, 'email', 'out', 'Thank you', ?)",
                      (sam.id, today().isoformat(), today().isoformat()))
    assert_served_equals_recomputed(warm)
    with another_program(app) as other:
        other.execute("UPDATE application SET position = 'Head of Partnerships' "
                      "WHERE status = 'interviewing'")
        other.execute("DELETE FROM suggestion_state")
        other.execute("UPDATE contact SET status = 'long_term', cadence_days = 5")
    served = followups.current()
    assert any("Head of Partnerships" in s.reason for s in served.suggestions)
    assert_served_equals_recomputed(warm)
    assert SuggestionState.select().count() == 0
