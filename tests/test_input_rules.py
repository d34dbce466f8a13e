"""One set of rules for text coming in: line breaks, NUL, lengths and email addresses.

Forms refuse with a message next to the field, imports refuse the file naming the row and
field, and what was stored before the rules (written straight into the database here) can
no longer break a download, the calendar feed or a mail link.
"""

import logging
import re
import threading
import urllib.request
from datetime import date, timedelta

import pytest
from peewee import CharField
from support import contact_form, writes
from werkzeug.serving import make_server

from crm.calendar_feed import feed_token
from crm.fields import VARCHAR_LENGTH, LineField
from crm.models import MODELS, Contact, Event
from crm.transfer import importer
from crm.transfer.records import FormatError

SOON = date.today() + timedelta(days=10)
BCC = "bob@example.com?bcc=spy%40evil.example"


def event_form(**fields):
    """The event form's fields with some typed over."""
    return {"name": "Summit", "start_on": str(SOON), "end_on": "", "start_time": "",
            "end_time": "", "timezone": "UTC", "place": "", "url": "", "notes": "",
            "people": "", "companies": "", **fields}


def stored_event(**fields):
    """An event written straight into the database, as before the rules."""
    return Event.create(**{"name": "Summit", "start_on": SOON, "end_on": SOON, **fields})


def token(app):
    """The calendar feed's secret token."""
    with app.test_request_context():
        return feed_token()


def test_an_event_url_with_a_line_break_is_refused_by_the_form(client, database):
    before = writes()
    response = client.submit("/events/new", event_form(url="https://example.com/\r\nX-Evil: 1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use one line: no line breaks, tabs or other control characters." in html
    assert writes() == before and Event.select().count() == 0


def test_an_event_url_stored_with_a_line_break_cannot_break_the_feed(app, client, database):
    event = stored_event(url="https://example.com/summit\r\nX-Evil: 1")
    feed = client.get(f"/calendar/{token(app)}.ics")
    single = client.get(f"/events/{event.id}.ics")
    for response in (feed, single):
        assert response.status_code == 200
        assert b"\r\nX-Evil" not in response.data
        assert b"URL:https://example.com/summitX-Evil: 1\r\n" in response.data


@pytest.mark.parametrize("name", ["Ada\nLovelace", "Ada\r\nLovelace", "Ada\tLovelace",
                                  "Ada\x00Lovelace", "Ada\u2028Lovelace"])
def test_a_name_with_a_line_break_or_control_character_is_refused_by_the_form(client,
                                                                              database, name):
    response = client.submit("/contacts/new", contact_form(name=name))
    assert response.status_code == 200
    assert "Use one line" in response.get_data(as_text=True)
    assert Contact.select().count() == 0


def test_notes_keep_their_line_breaks_but_never_nul(client, database):
    response = client.submit("/contacts/new", contact_form(notes="Met at PyCon.\r\nLikes\tjazz."))
    assert response.status_code == 302
    assert Contact.get().notes == "Met at PyCon.\r\nLikes\tjazz."
    response = client.submit("/contacts/new", contact_form(name="Grace", notes="a\x00b"))
    assert "Remove the control characters (such as NUL)" in response.get_data(as_text=True)
    assert Contact.select().count() == 1


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("card.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\\nLovelace\r\nEND:VCARD\r\n",
     "Card 1, name 'Ada\\nLovelace': Use one line"),
    ("people.csv", b'Name,Email\r\n"Ada\r\nLovelace",ada@example.com\r\n',
     "Row 2, name 'Ada\\nLovelace': Use one line"),
    ("people.csv", b"Name,Title\r\nAda," + b"T" * 100_000 + b"\r\n",
     "Row 2, title 'TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT\u2026': Use at most 200 characters"),
    ("card.vcf", b"BEGIN:VCARD\r\nFN:" + b"A" * 2**20 + b"\r\nEND:VCARD\r\n",
     "Card 1, name 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\u2026': Use at most 200 characters"
     " (this has 1048576)."),
    ("people.csv", b"Name\r\n" + b"A" * 2**20 + b"\r\n",
     "Row 2: a value is longer than 131072 characters."),
    ("people.csv", b"Name,Notes\r\nAda,\x1b[31mred\r\n", "Row 2, notes"),
    ("Connections.csv", b"First Name,Last Name,Company,Position,Connected On\r\n"
                        b"Ada,Lovelace,Analytical\tEngines,Countess,21 Nov 2026\r\n",
     "Row 2, company 'Analytical\\tEngines': Use one line"),
    ("people.csv", b"Name,Tags\r\nAda," + b"t" * 101 + b"\r\n", "Row 2, tag"),
], ids=["vcard name", "quoted csv cell", "long title", "megabyte vcard name", "megabyte cell",
        "escape in notes", "tab in linkedin company", "long tag"])
def test_an_import_refuses_what_the_forms_refuse_naming_row_and_field(database, filename,
                                                                      data, message):
    with pytest.raises(FormatError) as refused:
        importer.read_upload(filename, data)
    assert message in str(refused.value)
    assert len(str(refused.value)) < 300  # the value is shortened, not echoed whole


@pytest.mark.parametrize("name", ["Ada\nLovelace", 'Ada "Countess" Lovelace\\', "Zoë Ørsted 李"])
def test_a_contact_vcard_downloads_whatever_the_name(client, database, name):
    contact = Contact.create(name=name)
    response = client.get(f"/transfer/contacts/{contact.id}.vcf")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "\n" not in disposition and "\r" not in disposition
    if not name.isascii():
        # RFC 6266: an ASCII fallback, and the real name encoded as UTF-8.
        assert "filename*=UTF-8''Zo%C3%AB%20%C3%98rsted%20%E6%9D%8E.vcf" in disposition


def test_the_feed_token_never_reaches_the_request_log(app, database, caplog):
    secret = token(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    caplog.set_level(logging.INFO, logger="werkzeug")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/calendar/{secret}.ics") as r:
            assert r.status == 200
    finally:
        server.shutdown()
        thread.join()
    assert "GET /calendar/[token].ics" in caplog.text
    assert secret not in caplog.text


def test_the_feed_token_never_reaches_the_error_log(app, client, database, caplog,
                                                    monkeypatch):
    secret = token(app)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # log the error and answer 500, as in production

    def broken(today):
        raise RuntimeError(f"could not render /calendar/{secret}.ics")

    monkeypatch.setattr("crm.calendar_feed.render_feed", broken)
    assert client.get(f"/calendar/{secret}.ics").status_code == 500
    assert "Exception on /calendar/[token].ics [GET]" in caplog.text
    assert secret not in caplog.text
    assert all(secret not in record.exc_text for record in caplog.records if record.exc_text)


def test_an_email_with_a_hidden_bcc_is_refused_by_the_form_and_the_import(client, database):
    response = client.submit("/contacts/new", contact_form(email=BCC))
    assert "Enter an email address like name@example.com" in response.get_data(as_text=True)
    assert Contact.select().count() == 0
    with pytest.raises(FormatError, match="Row 2, email"):
        importer.read_upload("people.csv", f"Name,Email\r\nBob,{BCC}\r\n".encode())


def test_a_mailto_link_is_quoted_so_an_address_cannot_add_a_bcc(client, database):
    contact = Contact.create(name="Bob", email=BCC)  # stored before the rules
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert 'href="mailto:bob@example.com%3Fbcc%3Dspy%2540evil.example"' in page
    assert not re.search(r'href="mailto:[^"]*\?bcc=', page)


def test_every_one_line_column_fits_the_schema():
    # Migration 0001 made every CharField a VARCHAR(255); PostgreSQL refuses anything longer.
    for model in MODELS:
        for field in model._meta.sorted_fields:
            if isinstance(field, CharField):
                assert field.max_length <= VARCHAR_LENGTH, field
    assert LineField(500).max_length == 500  # a form's own field may be longer

