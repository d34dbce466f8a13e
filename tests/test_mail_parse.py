"""Reading messages into records and matching them to people: pure functions, no server."""

from datetime import datetime

import pytest
from support import letter

from crm.mail.match import Book, candidate, match
from crm.mail.parse import Unreadable, parse

ME = "me@example.com"
ARRIVED = datetime(2026, 11, 20, 9, 30)


def book(**changes):
    values = {"own": frozenset({ME}), "contacts": {"bob@acme.example": 1, "ann@acme.example": 2},
              "threads": {"<letter@x>": [1]}, "names": {1: "Bob", 2: "Ann"},
              "domains": {"acme.example": (5, "Acme")}}
    return Book(**{**values, **changes})


def test_encoded_names_subjects_and_many_recipients_are_read():
    record = parse(letter("=?iso-8859-1?q?Ren=E9e_Dupr=E9?= <Renee@Acme.Example>",
                          [f"Person {n} <p{n}@x.example>" for n in range(50)],
                          "Réunion — suite", cc=["Zoë <ZOE@x.example>"]))
    assert (record.sender_name, record.sender) == ("Renée Dupré", "renee@acme.example")
    assert record.subject == "Réunion — suite"
    assert len(record.to) == 50 and record.cc == (("Zoë", "zoe@x.example"),)
    assert record.recipients[-1] == "zoe@x.example"


def test_undeclared_eight_bit_headers_are_read_as_utf8():
    record = parse("From: José <jose@x.example>\r\nSubject: Café\r\n"
                   "Date: Fri, 20 Nov 2026 10:00:00 +0100\r\n\r\nHola".encode())
    assert (record.sender_name, record.subject) == ("José", "Café")
    assert record.sent_at == datetime(2026, 11, 20, 9, 0)


def test_a_message_without_id_or_readable_date_gets_a_stable_id_and_its_arrival_time():
    raw = b"From: bob@acme.example\r\nDate: sometime soon\r\nSubject: Hi\r\n\r\nText"
    first, second = parse(raw, ARRIVED), parse(raw, ARRIVED)
    assert first.sent_at == ARRIVED
    assert first.message_id == second.message_id
    assert first.message_id.endswith("@followthrough.invalid>")


def test_a_message_without_sender_cannot_be_read():
    with pytest.raises(Unreadable, match="no sender address"):
        parse(b"Subject: who?\r\n\r\nbody", ARRIVED)


def test_the_snippet_skips_quotes_signatures_and_attachments():
    raw = letter("bob@acme.example", ME, body="Sounds good.\n\n> your letter\n-- \nBob\nVP",
                 attachment=b"%PDF-1.7 secret contents")
    record = parse(raw)
    assert record.snippet == "Sounds good."


def test_an_html_only_message_gives_its_text():
    raw = (b"From: bob@acme.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<p>Hello <b>there</b> &amp; welcome</p>")
    assert parse(raw, ARRIVED).snippet == "Hello there & welcome"


def test_threads_come_from_in_reply_to_and_references():
    record = parse(letter("x@y.example", ME, in_reply_to="<b@x>", references=["<a@x>", "<b@x>"]))
    assert record.thread_ids == ("<b@x>", "<a@x>")


def test_a_letter_from_me_touches_every_contact_among_to_and_cc():
    record = parse(letter(ME, ["stranger@x.example", "Bob@acme.example"],
                          cc=["ann@acme.example"]))
    found = match(record, book())
    assert (found.direction, found.contact_ids) == ("out", (1, 2))


def test_anything_in_the_sent_folder_is_mine():
    record = parse(letter("alias@elsewhere.example", "bob@acme.example"))
    assert match(record, book(), sent_folder=True).direction == "out"


def test_a_reply_through_the_thread_is_the_contacts_and_its_sender_is_offered():
    record = parse(letter("Bobby <bob@home.example>", ME, in_reply_to="<letter@x>"))
    assert match(record, book()).contact_ids == (1,)
    assert candidate(record, book()).reason == "Wrote in a thread with Bob"


def test_mail_between_me_and_strangers_is_not_a_touch():
    assert match(parse(letter(ME, "stranger@x.example")), book()) is None
    assert match(parse(letter("stranger@x.example", ME)), book()) is None


def test_only_company_domains_offer_people_not_free_mail():
    from_company = parse(letter("Kim <kim@acme.example>", ME))
    from_gmail = parse(letter("someone@gmail.com", ME))
    assert candidate(from_company, book(contacts={})).reason == (
        "Writes from acme.example, the domain of Acme")
    assert candidate(from_gmail, book()) is None


class Listing:
    """An IMAP client's folder listing, as imapclient returns it (no server needed for names)."""

    def __init__(self, *folders):
        self.folders = list(folders)

    def list_folders(self):
        return self.folders


def test_the_sent_folder_is_found_by_special_use_then_by_its_usual_name():
    from crm.mail.read import find_folders

    marked = Listing(((b"\\HasNoChildren",), b"/", "INBOX"),
                     ((b"\\HasNoChildren",), b"/", "Sent"),
                     ((b"\\HasNoChildren", b"\\Sent"), b"/", "[Gmail]/Sent Mail"))
    assert find_folders(marked) == {"sent": "[Gmail]/Sent Mail", "inbox": "INBOX"}
    named = Listing(((), b"/", "INBOX"), ((), b"/", "Sent Items"))
    assert find_folders(named)["sent"] == "Sent Items"
    assert find_folders(Listing(((), b"/", "INBOX"))) == {"inbox": "INBOX"}
