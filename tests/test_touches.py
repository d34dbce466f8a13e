"""Logging touches from anywhere a contact appears, and the guard against pestering."""

import html as html_lib
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from support import counting_queries, shown

from crm import followups
from crm.models import (
    Application,
    ApplicationContact,
    Article,
    ArticleMatch,
    Company,
    Contact,
    Feed,
    Touch,
)
from crm.playbook import TooSoon, format_day, too_soon
from crm.security import local_path

HOSTILE = "<script>alert(1)</script>"


def today():
    """Today as the app sees it (its TIMEZONE is UTC in the tests)."""
    return datetime.now(UTC).date()


def touch_form(**fields):
    """The touch form's fields, as the browser sends them, with some overridden."""
    data = {"happened_on": today().isoformat(), "channel": "email", "direction": "out",
            "note": "", "article_id": "", "suggestion_key": "", "next": ""}
    data.update(fields)
    return data


def log(client, contact, **fields):
    """Log a touch with the contact through the form and return the response."""
    return client.submit(f"/contacts/{contact.id}/touches/new", touch_form(**fields))


def bob(**fields):
    """Bob Hale, at Meridian."""
    return Contact.create(name="Bob Hale", company=Company.named("Meridian"),
                          search_text="bob hale meridian", **fields)


def last_contact_on_list(client):
    """The text of the Last contact cell of the first row of the contact list."""
    html = client.get("/contacts").get_data(as_text=True)
    return re.search(r'data-label="Last contact">([^<]*)<', html).group(1).strip()


# The guard's date arithmetic, a pure function.

def test_a_note_within_the_gap_is_too_soon_with_the_day_to_wait_for():
    others = [(date(2026, 11, 16), "out", "email")]
    assert too_soon(others, date(2026, 11, 20), "voicemail", 7) == TooSoon(
        date(2026, 11, 16), date(2026, 11, 23))
    assert too_soon(others, date(2026, 11, 16), "email", 7) == TooSoon(
        date(2026, 11, 16), date(2026, 11, 23))
    assert too_soon(others, date(2026, 11, 23), "email", 7) is None
    assert too_soon(others, date(2026, 11, 20), "email", 0) is None
    assert (format_day(date(2026, 11, 16), date(2026, 11, 20)),
            format_day(date(2026, 11, 23), date(2026, 11, 20))) == ("Mon 16 Nov", "Mon 23 Nov")


def test_replies_meetings_and_invitations_never_make_a_note_too_soon():
    sent = (date(2026, 11, 16), "out", "email")
    assert too_soon([sent, (date(2026, 11, 17), "in", "email")],
                    date(2026, 11, 18), "email", 7) is None
    assert too_soon([sent, (date(2026, 11, 16), "in", "phone")],
                    date(2026, 11, 18), "email", 7) is None
    assert too_soon([sent, (date(2026, 11, 17), "out", "meeting")],
                    date(2026, 11, 18), "email", 7) is None
    assert too_soon([sent], date(2026, 11, 17), "linkedin_invitation", 7) is None
    assert too_soon([(date(2026, 11, 16), "out", "linkedin_invitation")],
                    date(2026, 11, 17), "email", 7) is None
    # A reply before the last note does not excuse the next one.
    assert too_soon([(date(2026, 11, 10), "in", "email"), sent],
                    date(2026, 11, 18), "email", 7) == TooSoon(sent[0], date(2026, 11, 23))


def test_only_notes_up_to_the_day_logged_count():
    others = [(date(2026, 11, 16), "out", "email")]
    assert too_soon(others, date(2026, 11, 12), "email", 7) is None


def test_next_is_followed_only_to_a_path_on_this_site():
    for good in ("/", "/contacts?q=bob&page=2", "/contacts/3"):
        assert local_path(good) == good
    for bad in ("", None, "https://evil.example/", "//evil.example", "/\\evil.example",
                "\\\\evil.example", "/\t/evil.example", "javascript:alert(1)",
                "http:/evil.example", " /contacts"):
        assert local_path(bad) is None, bad


# The pages.

def test_logging_a_touch_from_the_contact_list_link_comes_back_to_the_list(client, database):
    contact = bob()
    listing = client.get("/contacts?q=bob").get_data(as_text=True)
    link = html_lib.unescape(re.search(r'href="([^"]+/touches/new[^"]*)">Log touch<',
                                       listing).group(1))
    assert link.startswith(f"/contacts/{contact.id}/touches/new?next=")
    form = client.get(link).get_data(as_text=True)
    assert f'value="{today().isoformat()}"' in form and "Log a touch with" in form
    next_value = html_lib.unescape(re.search(r'name="next" type="hidden" value="([^"]*)"',
                                             form).group(1))
    response = client.submit(f"/contacts/{contact.id}/touches/new",
                             touch_form(note="Sent the letter", next=next_value),
                             form_page=link)
    assert response.status_code == 302 and response.location == "/contacts?q=bob"
    page = client.get(response.location).get_data(as_text=True)
    assert "Logged the touch with Bob Hale." in page
    assert last_contact_on_list(client) == shown(today().isoformat())
    assert "Sent the letter" in client.get(f"/contacts/{contact.id}").get_data(as_text=True)


def test_contact_and_application_pages_link_to_the_touch_form(client, database):
    contact = bob()
    application = Application.create(company=contact.company, position="Analyst")
    ApplicationContact.create(application=application, contact=contact)
    for url in (f"/contacts/{contact.id}", f"/applications/{application.id}",
                f"/companies/{contact.company_id}"):
        html = client.get(url).get_data(as_text=True)
        assert f"/contacts/{contact.id}/touches/new" in html, url


def test_query_parameters_fill_in_the_form_and_the_suggestion_key_is_kept(client, database):
    contact = bob()
    feed = Feed.create(url="https://meridian.example/feed")
    article = Article.create(feed=feed, identity="1", title="Meridian signs the Yankees",
                             published_at=datetime(2026, 11, 1))
    url = (f"/contacts/{contact.id}/touches/new?suggestion_key=stay:1:2026-11"
           f"&channel=article&article_id={article.id}&note=Thought+of+you&direction=out"
           f"&happened_on=2026-11-02&next=/")
    html = client.get(url).get_data(as_text=True)
    assert 'value="stay:1:2026-11"' in html and "Thought of you</textarea>" in html
    assert 'value="2026-11-02"' in html
    assert f'<option selected value="{article.id}">Meridian signs the Yankees</option>' in html
    assert '<option selected value="article">' in html
    fields = {"suggestion_key": "stay:1:2026-11", "channel": "article",
              "article_id": str(article.id), "note": "Thought of you",
              "happened_on": "2026-11-02", "next": "/"}
    response = client.submit(f"/contacts/{contact.id}/touches/new", touch_form(**fields),
                             form_page=url)
    assert response.status_code == 302 and response.location == "/"
    touch = Touch.get()
    assert (touch.suggestion_key, touch.channel, touch.article_id, touch.note) == (
        "stay:1:2026-11", "article", article.id, "Thought of you")
    assert "Article forwarded: Meridian signs the Yankees" in client.get(
        f"/contacts/{contact.id}").get_data(as_text=True)


def test_articles_matched_to_the_contact_can_be_picked(client, database):
    contact = bob()
    feed = Feed.create(url="https://meridian.example/feed")
    matched = Article.create(feed=feed, identity="1", title="Matched news",
                             published_at=datetime(2026, 11, 1))
    Article.create(feed=feed, identity="2", title="Other news", published_at=datetime(2026, 11, 1))
    ArticleMatch.create(article=matched, contact=contact)
    html = client.get(f"/contacts/{contact.id}/touches/new").get_data(as_text=True)
    assert "Matched news" in html and "Other news" not in html
    response = log(client, contact, article_id="999")
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert Touch.select().count() == 0


def test_an_outbound_note_too_soon_warns_and_saves_nothing_until_confirmed(client, database):
    contact = bob()
    sent_on = today() - timedelta(days=3)
    contact.record_touch(happened_on=sent_on, channel="email", note="Follow-through letter")
    response = log(client, contact, channel="voicemail", note="Still interested?")
    html = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert (f"Your last note to Bob Hale was on {format_day(sent_on, today())}; the playbook "
            f"would wait until {format_day(sent_on + timedelta(days=7), today())}") in html
    assert "Log it anyway" in html and "Still interested?</textarea>" in html
    assert Touch.select().count() == 1
    response = log(client, contact, channel="voicemail", note="Still interested?",
                   log_anyway="y")
    assert response.status_code == 302
    assert Touch.select().count() == 2
    assert Contact.get_by_id(contact.id).last_touch_on == today()


def test_an_inbound_reply_never_warns(client, database):
    contact = bob()
    contact.record_touch(happened_on=today(), channel="email")
    response = log(client, contact, direction="in", note="Thanks, still deciding")
    assert response.status_code == 302
    assert Touch.select().where(Touch.direction == "in").count() == 1


def test_a_check_in_the_playbook_suggests_on_the_agreed_day_does_not_warn(app, client, database):
    contact = bob()
    application = Application.create(company=contact.company, position="Analyst",
                                     status="interviewing", check_in_on=today())
    ApplicationContact.create(application=application, contact=contact)
    contact.record_touch(happened_on=today() - timedelta(days=2), channel="email")
    with app.test_request_context():
        found, _ = followups.for_contact(contact.id)
    key = next(s.key for s in found if s.kind == "checkin")
    assert "the playbook would wait" in log(client, contact).get_data(as_text=True)
    response = log(client, contact, suggestion_key=key)
    assert response.status_code == 302
    assert Touch.get(Touch.suggestion_key == key).happened_on == today()


def test_editing_and_deleting_a_touch_updates_last_contact_on_the_list(client, database):
    contact = bob()
    contact.record_touch(happened_on=date(2026, 10, 1), channel="email")
    latest = contact.record_touch(happened_on=date(2026, 11, 1), channel="email", note="Old")
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert f'href="/touches/{latest.id}/edit"' in page
    assert last_contact_on_list(client) == shown('2026-11-01')
    # Changing only the note of a note logged long ago does not warn again.
    response = client.submit(f"/touches/{latest.id}/edit",
                             touch_form(happened_on="2026-11-03", note="New"))
    assert response.status_code == 302
    assert last_contact_on_list(client) == shown('2026-11-03')
    assert Touch.get_by_id(latest.id).note == "New"
    response = client.submit(f"/touches/{latest.id}/delete?next=/contacts", {},
                             form_page=f"/touches/{latest.id}/edit")
    assert response.location == "/contacts"
    assert last_contact_on_list(client) == shown('2026-10-01')
    assert Touch.select().count() == 1


def test_next_never_sends_the_user_to_another_site(client, database):
    contact = bob()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        Touch.delete().execute()
        response = log(client, contact, next=target)
        assert response.location == f"/contacts/{contact.id}", target
    html = client.get(f"/contacts/{contact.id}/touches/new?next=//evil.example"
                      ).get_data(as_text=True)
    assert 'href="//evil.example"' not in html
    touch = Touch.get()
    response = client.submit(f"/touches/{touch.id}/delete?next=https://evil.example", {},
                             form_page=f"/touches/{touch.id}/edit")
    assert response.location == f"/contacts/{contact.id}"


def test_a_bad_date_keeps_what_was_typed_and_saves_nothing(client, database):
    contact = bob()
    response = log(client, contact, happened_on="yesterday", note="Called")
    html = response.get_data(as_text=True)
    assert "Enter a date like 2026-11-20." in html and 'value="yesterday"' in html
    assert Touch.select().count() == 0


def test_garbage_ids_and_parameters_never_break_the_touch_pages(client, database):
    contact = bob()
    huge = "9" * 30
    for url in ("/contacts/999/touches/new", f"/contacts/{huge}/touches/new",
                "/touches/999/edit", f"/touches/{huge}/edit"):
        assert client.get(url).status_code == 404, url
    odd = ("happened_on=garbage&channel=bogus&direction=sideways&article_id=xyz"
           f"&suggestion_key={'k' * 500}&next=javascript:alert(1)&log_anyway=maybe")
    assert client.get(f"/contacts/{contact.id}/touches/new?{odd}").status_code == 200
    assert client.get(f"/contacts/{contact.id}/touches/new?article_id={huge}").status_code == 200
    response = log(client, contact, channel="bogus", direction="sideways", article_id=huge,
                   suggestion_key="k" * 500)
    assert response.status_code == 200 and Touch.select().count() == 0
    assert client.post(f"/touches/{huge}/delete").status_code == 400  # no CSRF token


def test_typed_text_in_a_touch_comes_out_escaped(client, database):
    contact = bob()
    url = (f"/contacts/{contact.id}/touches/new?note={quote(HOSTILE)}"
           f"&suggestion_key={quote(HOSTILE)}&next={quote('/' + HOSTILE)}")
    assert "<script>alert" not in client.get(url).get_data(as_text=True)
    log(client, contact, note=HOSTILE, suggestion_key=HOSTILE)
    touch = Touch.get()
    assert touch.note == HOSTILE
    for page in (f"/contacts/{contact.id}", f"/touches/{touch.id}/edit", "/"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert" not in html, page


def test_logging_a_touch_is_counted_as_the_three_statements_it_sends(database):
    # Its insert fires the change log's and the search index's triggers once a row; the
    # count the query-count tests and `make bench` use sees one statement, on either engine.
    contact = Contact.create(name="Kim Lee")
    with counting_queries() as sent:
        contact.record_touch(happened_on=date(2026, 11, 30), channel="email")
    assert [sql.split()[0] for sql in sent] == ["INSERT", "SELECT", "UPDATE"]
    with counting_queries() as sent:  # a read asked twice is two, though it looks the same
        Contact.get_by_id(contact.id)
        Contact.get_by_id(contact.id)
    assert len(sent) == 2
