"""Hostile text typed into every text field of every form comes out escaped and intact.

Forms are found in the URL map (each page that shows a form and takes its POST), and
their fields in the page's HTML, so a form or field added later is covered here too.
"""

import re
from html.parser import HTMLParser

import pytest
from icalendar import Calendar
from markupsafe import escape
from support import HOSTILE, ON_POSTGRES, page_problems, route_urls, writes

from crm import digest
from crm.calendar_feed import feed_token
from crm.demo import load_demo
from crm.models import Contact, Event
from crm.settings import today_for_user

# The one list: what a stranger, a pasted web page or a feed might put in a field.
TEXT_INPUTS = {"text", "search", ""}
SAMPLE = {"date": "2026-11-20", "time": "10:00", "number": "30"}


class Forms(HTMLParser):
    """The forms of a page: action, and each field as [name, kind, value, marked wrong]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._select, self._textarea = [], None, None
        self._divs = []  # for each open <div>, whether it marks its field as wrong

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div":
            self._divs.append("has-error" in (a.get("class") or "").split())
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method", "get"),
                               "fields": []})
        if not self.forms or "name" not in a and tag in ("input", "textarea", "select"):
            return
        fields, wrong = self.forms[-1]["fields"], any(self._divs)
        if tag == "input":
            kind = (a.get("type") or "").lower()
            if kind == "checkbox":
                value = a.get("value", "y") if "checked" in a else None
                fields.append([a["name"], kind, value, wrong])
            elif kind not in ("submit", "button", "file"):
                # A required date or time left empty gets a sample, as a user would type.
                value = a.get("value") or (SAMPLE.get(kind, "") if "required" in a else "")
                fields.append([a["name"], kind, value, wrong])
        elif tag == "textarea":
            self._textarea = [a["name"], "textarea", "", wrong]
            fields.append(self._textarea)
        elif tag == "select":
            self._select = [a["name"], "select", None, wrong]
            fields.append(self._select)
        elif tag == "option" and self._select is not None and (
                self._select[2] is None or "selected" in a):
            self._select[2] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "textarea" and self._textarea is not None:
            # The widget writes a newline after the tag, which browsers drop.
            self._textarea[2] = self._textarea[2].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_at(html, url):
    """The form of a page that posts back to its own URL, or None."""
    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["method"].lower() == "post" and form["action"] in (None, "", url):
            return form
    return None


def text_fields(form):
    """The names of the fields a user types free text into."""
    return [name for name, kind, *_ in form["fields"]
            if (kind in TEXT_INPUTS or kind == "textarea") and name != "csrf_token"]


def form_data(form, overrides):
    """What a browser sends for the form, with some fields typed over."""
    data = {}
    for name, _, value, _ in form["fields"]:
        if value is None:
            continue  # an unticked box or an empty select sends nothing
        data[name] = value
    data.update(overrides)
    return data


def refused_fields(form):
    """The fields a re-rendered form marks as wrong."""
    return {name for name, _, _, wrong in form["fields"] if wrong}


def submit_hostile(client, url, hostile):
    """Type the hostile text into every text field; fields the form refuses get plain text.

    Returns the fields the app accepted the text in, and the page it redirected to.
    """
    form = form_at(client.get(url).get_data(as_text=True), url)
    fields = text_fields(form) if form else []
    if not fields:
        return [], None
    # What a refused field gets instead: its value before, else some text, else nothing.
    fallbacks = {name: iter(dict.fromkeys(
                     v for v in (value or f"Plain text {name}", f"Plain text {name}", "")
                     if v != hostile))
                 for name, _, value, _ in form["fields"]}
    # Repeated rows (interviewers) would name the same person twice: the first row is enough.
    typed = {name: hostile for name in fields if not re.search(r"-[1-9]\d*-", name)}
    for _ in range(2 * len(fields) + 4):
        before = writes()
        response = client.submit(url, form_data(form, typed))
        holding = [name for name, value in typed.items() if value == hostile]
        if response.status_code == 302:
            return holding, response.location
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (url, response.status_code)
        assert writes() == before, f"{url} saved part of a refused form"
        assert page_problems(html) == [], url
        if holding:
            assert str(escape(hostile)) in html, f"{url} did not keep what was typed"
        again = form_at(html, url)
        wrong = refused_fields(again)
        ticks = {name for name, kind, value, _ in again["fields"]
                 if kind == "checkbox" and value is None}
        if ticks and not wrong & set(holding):
            # A warning asks for a tick ("save anyway", "log it anyway").
            form = {**again, "fields": [[n, k, "y" if n in ticks else v, w]
                                        for n, k, v, w in again["fields"]]}
            continue
        # Fields marked wrong, or else a complaint about the whole form (a name that fits
        # two people, a row left empty): those fields, or the last holding the text, take
        # their next plain value.
        for name in (wrong & set(typed)) or holding[-1:]:
            typed[name] = next(fallbacks[name], "")
    raise AssertionError(f"{url} never accepted the form")


def page_forms(app):
    """Every URL that shows a form and takes its POST, new-item forms first."""
    routes = route_urls(app, {"GET", "POST"})
    shown = {url for method, url, _ in routes if method == "GET"}
    posted = [url for method, url, _ in routes if method == "POST" and url in shown]
    return sorted(posted, key=lambda url: (not url.endswith("/new"), url))


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_in_every_form_comes_out_escaped_and_intact(app, client, hostile):
    accepted_anywhere = 0
    for url in page_forms(app):
        fields, shown_at = submit_hostile(client, url, hostile)
        if not fields:
            continue
        accepted_anywhere += len(fields)
        page = client.get(shown_at).get_data(as_text=True)
        assert page_problems(page) == [], shown_at
        assert str(escape(hostile)) in page, f"{url}: the text is not shown intact at {shown_at}"
        # Opened again, the form holds the text character for character.
        again = form_at(client.get(url).get_data(as_text=True), url)
        if url.endswith("/new") or again is None:
            continue
        values = {name: value for name, _, value, _ in again["fields"]}
        assert any(values.get(name) == hostile for name in fields), url
    if hostile == HOSTILE["control characters"]:
        assert accepted_anywhere == 0  # NUL and escapes are refused in every field
    else:
        assert accepted_anywhere >= 10
    # Every page, with the hostile text now all over the data, stays inert.
    for _, url, _ in route_urls(app, {"GET"}):
        response = client.get(url)
        assert response.status_code in (200, 302, 304), (url, response.status_code)
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert page_problems(html) == [], url
            if "<" in hostile:
                assert hostile not in html, url


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_stays_text_in_the_calendar_feed(app, client, database, hostile):
    name = hostile[:200]
    Event.create(name=name, start_on="2026-12-01", end_on="2026-12-01", timezone="UTC",
                 place=name, notes=hostile)
    load_demo()
    Contact.update(name=name, notes=hostile).execute()
    with app.test_request_context():
        token = feed_token()
    body = client.get(f"/calendar/{token}.ics").data
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line  # folded
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), line  # no raw controls
    items = list(Calendar.from_ical(body).walk("VEVENT"))
    assert len(items) >= 3  # the event and the demo's reminders, each read back whole
    # What a calendar shows: the text itself, minus the controls RFC 5545 forbids.
    printable = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", name)
    event = next(item for item in items if str(item["SUMMARY"]) == printable)
    assert str(event["LOCATION"]) == printable
    assert any(printable in str(item["SUMMARY"]) for item in items if item is not event)


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_escaped_in_the_digest_email(app, database, hostile):
    load_demo()
    Contact.update(name=hostile[:200], notes=hostile).execute()
    with app.test_request_context():
        html = digest.render(digest.build(today_for_user(), 30), "html")
    if "<" in hostile:
        assert hostile[:200] not in html
    if ON_POSTGRES:  # which cannot hold a NUL: it drops it on the way in
        hostile = hostile.replace("\x00", "")
    assert str(escape(hostile[:200])) in html
    # Mail programs need the email's inline styles; nothing else may be active.
    assert page_problems(html.replace(" style=", " data-style=")) == []


def test_the_hostile_list_covers_what_the_issue_names():
    text = "".join(HOSTILE.values())
    assert "<script>" in text and "onerror=" in text and "javascript:" in text
    assert len(HOSTILE["long text"]) == 10_000
    assert "\x00" in text and "\u202e" in text and "🎉" in text


def test_a_draft_never_runs_what_a_contact_field_holds(app, client, database):
    load_demo()
    Contact.update(name="{{ 7*7 }} Bob").where(Contact.name == "Bob Hale").execute()
    today = client.get("/").get_data(as_text=True)
    assert "{{ 7*7 }}" in today and ">49 Bob" not in today

