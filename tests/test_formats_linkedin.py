"""Reading LinkedIn's Connections.csv export as it really comes."""

from datetime import date
from pathlib import Path

import pytest

from crm.transfer.linkedin import parse_connections
from crm.transfer.records import FormatError

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def test_export_with_notes_preamble_reads_every_named_connection():
    records = parse_connections((FIXTURES / "linkedin_connections.csv").read_bytes())

    assert [record.name for record in records] == [
        "Priya Raman",
        "Marcus Holloway, MBA",
        "Sam 🚀 Okafor",
        "Lena Fischer",
        "Dana O'Neil",
    ]
    priya = records[0]
    assert priya.first_name == "Priya" and priya.last_name == "Raman"
    assert priya.linkedin_url == "https://www.linkedin.com/in/priya-raman-4b2a1c9"
    assert priya.company == "Acme Robotics"
    assert priya.title == "Senior Technical Recruiter"
    assert priya.emails == ()
    assert priya.connected_on == date(2026, 11, 21)
    assert priya.row == 5
    assert records[1].emails == ("marcus.holloway@example.com",)
    assert records[1].company == "Holloway & Sons, LLC"
    assert records[4].title == "VP, Talent Acquisition"


def test_member_without_a_name_is_left_out():
    records = parse_connections((FIXTURES / "linkedin_connections.csv").read_bytes())

    assert 9 not in [record.row for record in records]


def test_bom_and_crlf_export_reads_like_the_plain_one():
    plain = parse_connections((FIXTURES / "linkedin_connections.csv").read_bytes())
    excel = parse_connections((FIXTURES / "linkedin_connections_bom_crlf.csv").read_bytes())

    assert excel == plain
    assert [record.row for record in excel] == [record.row for record in plain]


def test_latin1_export_keeps_accented_names():
    records = parse_connections((FIXTURES / "linkedin_latin1.csv").read_bytes())

    assert [record.name for record in records] == [
        "Jürgen Müller",
        "José Núñez",
        "François Lefèvre",
    ]
    assert records[1].company == "Café Olé S.L."


def test_utf16_export_with_bom_is_read():
    text = (FIXTURES / "linkedin_connections.csv").read_text(encoding="utf-8")

    records = parse_connections(text.encode("utf-16"))

    assert records[2].name == "Sam 🚀 Okafor"


def test_broken_date_names_the_row_and_the_value():
    with pytest.raises(FormatError) as error:
        parse_connections((FIXTURES / "linkedin_bad_date.csv").read_bytes())

    assert str(error.value) == "Row 8: 'Connected On' is not a date: '32 Foo 2026'."


def test_dates_resaved_by_excel_or_as_iso_are_read():
    data = HEADER + "Ann,Lee,,,,,21-Nov-26\nBo,Kim,,,,,2026-11-22\nCy,Diaz,,,,,\n"

    records = parse_connections(data.encode())

    assert [record.connected_on for record in records] == [
        date(2026, 11, 21),
        date(2026, 11, 22),
        None,
    ]


def test_row_with_an_unquoted_comma_names_the_row():
    data = HEADER + "Ann,Lee,,,Acme,Engineer,21 Nov 2026\nBo,Kim,,,Acme, Inc.,CEO,21 Nov 2026\n"

    with pytest.raises(FormatError, match=r"^Row 3: expected 7 fields like the header, found 8"):
        parse_connections(data.encode())


def test_unclosed_quote_names_the_row_where_it_opens():
    data = HEADER + 'Ann,Lee,,,Acme,Engineer,21 Nov 2026\nBo,"Kim,,,Acme,CEO,21 Nov 2026\n'

    with pytest.raises(FormatError, match=r"^Row 3: a quoted field is never closed"):
        parse_connections(data.encode())


def test_missing_connected_on_column_names_the_header_row():
    data = "Notes:\n\nFirst Name,Last Name,URL,Company\nAnn,Lee,,Acme\n"

    with pytest.raises(FormatError, match=r"^Row 3: the header has no 'Connected On' column"):
        parse_connections(data.encode())


def test_older_export_without_url_column_is_read():
    data = "First Name,Last Name,Email Address,Company,Position,Connected On\n"
    data += "Ann,Lee,ann@example.com,Acme,Engineer,05 Jun 2019\n"

    [record] = parse_connections(data.encode())

    assert record.emails == ("ann@example.com",)
    assert record.linkedin_url == ""


def test_csv_that_is_not_a_linkedin_export_is_refused():
    with pytest.raises(FormatError, match="not LinkedIn's Connections.csv"):
        parse_connections(b"Name,Email\nAnn Lee,ann@example.com\n")


def test_image_renamed_to_csv_says_what_it_is():
    with pytest.raises(FormatError) as error:
        parse_connections((FIXTURES / "photo.csv").read_bytes())

    assert str(error.value) == "This file looks like a PNG image, not a CSV file."
