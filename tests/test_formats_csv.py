"""Our contacts CSV (export and read back), decoding uploads, and telling formats apart."""

import csv
import io
from pathlib import Path

import pytest

from crm.transfer.csvfile import (
    CONTACT_COLUMNS,
    parse_contacts_csv,
    sniff_format,
    write_contacts_csv,
)
from crm.transfer.records import FormatError, PersonRecord
from crm.transfer.text import decode_upload

FIXTURES = Path(__file__).parent / "fixtures" / "formats"

ANN = {
    "Name": "Ann Lee",
    "Title": "VP, Talent",
    "Company": "Acme",
    "Email": ["ann@acme.example", "ann@home.example"],
    "Phone": "+1 555 0100",
    "LinkedIn": "https://www.linkedin.com/in/annlee",
    "Tags": ("recruiter", "tennis"),
    "Notes": 'Said "call me"\nafter the 2nd round.',
}


def test_export_is_excel_friendly_utf8_with_bom_and_crlf():
    text = write_contacts_csv([ANN, {"Name": "Jürgen Müller"}])

    assert text.startswith("\ufeffName,Title,Company,Email,Phone,LinkedIn,Tags,Notes\r\n")
    assert text.endswith("Jürgen Müller,,,,,,,\r\n")
    assert '"VP, Talent"' in text
    assert '"ann@acme.example, ann@home.example"' in text


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil.example","Click")', "+1 555 0100", "-2+3", "@SUM(A1)"]
)
def test_cells_that_would_run_as_formulas_get_a_leading_apostrophe(value):
    text = write_contacts_csv([{"Name": "Ann", "Notes": value}], ["Name", "Notes"])

    assert list(csv.reader(io.StringIO(text)))[1] == ["Ann", "'" + value]


def test_export_reads_back_the_same_people():
    rows = [
        ANN,
        {"Name": "=cmd|' /C calc'!A0", "Notes": "'quoted' on purpose"},
        {"Name": "Dana O'Neil", "Company": "-Globex-", "Tags": []},
    ]

    records = parse_contacts_csv(write_contacts_csv(rows).encode())

    assert records == [
        PersonRecord(
            name="Ann Lee",
            title="VP, Talent",
            company="Acme",
            emails=("ann@acme.example", "ann@home.example"),
            phones=("+1 555 0100",),
            linkedin_url="https://www.linkedin.com/in/annlee",
            tags=("recruiter", "tennis"),
            note='Said "call me"\nafter the 2nd round.',
        ),
        PersonRecord(name="=cmd|' /C calc'!A0", note="'quoted' on purpose"),
        PersonRecord(name="Dana O'Neil", company="-Globex-"),
    ]
    assert [record.row for record in records] == [2, 4, 5]


def test_header_case_and_spacing_do_not_matter():
    data = b"NAME , EMAIL,Job  Title,LinkedIn URL,Status\nAnn Lee,ann@x.example,Recruiter,,active\n"

    [ann] = parse_contacts_csv(data)

    assert (ann.name, ann.emails, ann.title) == ("Ann Lee", ("ann@x.example",), "Recruiter")


def test_first_and_last_name_columns_make_the_name():
    [ann] = parse_contacts_csv(b"first name,last name,email\nAnn,Lee,ann@example.com\n")

    assert (ann.name, ann.emails) == ("Ann Lee", ("ann@example.com",))


def test_csv_without_a_name_column_is_refused():
    with pytest.raises(FormatError, match=r"^Row 1: the header has no 'Name' column"):
        parse_contacts_csv(b"Company,Email\nAcme,ann@example.com\n")


def test_row_without_a_name_names_the_row():
    data = write_contacts_csv([{"Name": "Ann"}, {"Name": "Bo"}, {"Company": "Acme"}]).encode()

    with pytest.raises(FormatError, match=r"^Row 4: the name is empty"):
        parse_contacts_csv(data)


def test_row_of_the_wrong_width_names_the_row():
    with pytest.raises(FormatError, match=r"^Row 3: expected 2 fields like the header, found 1"):
        parse_contacts_csv(b"Name,Email\nAnn,ann@example.com\nBo\n")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("linkedin_connections.csv", "linkedin"),
        ("linkedin_connections_bom_crlf.csv", "linkedin"),
        ("linkedin_latin1.csv", "linkedin"),
        ("apple_contacts.vcf", "vcard"),
        ("contacts_v4.vcf", "vcard"),
        ("android_v21.vcf", "vcard"),
    ],
)
def test_format_is_told_by_content(filename, expected):
    data = (FIXTURES / filename).read_bytes()

    assert sniff_format(filename, data) == expected
    assert sniff_format("upload.txt", data) == expected


def test_our_export_is_sniffed_as_csv():
    assert sniff_format("contacts.csv", write_contacts_csv([ANN]).encode()) == "csv"


def test_image_renamed_to_csv_is_refused_when_sniffing():
    with pytest.raises(FormatError, match=r"^This file looks like a PNG image, not a CSV file\.$"):
        sniff_format("photo.csv", (FIXTURES / "photo.csv").read_bytes())


def test_vcf_that_is_not_a_vcard_is_refused():
    with pytest.raises(FormatError, match=r"^notes\.vcf is not a vCard file"):
        sniff_format("notes.vcf", b"Name,Email\nAnn,ann@example.com\n")


def test_unrecognised_text_is_refused_naming_the_file():
    with pytest.raises(FormatError, match=r"^notes\.txt is not LinkedIn's Connections\.csv"):
        sniff_format("notes.txt", b"Dear diary,\nToday I met a recruiter.\n")


def test_decoding_accepts_windows_quotes_and_normalises_newlines():
    assert decode_upload("“Ann”\r\nBo\rCy".encode("cp1252")) == "“Ann”\nBo\nCy"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n", "The file is empty."),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "This file looks like a JPEG image, not a text file."),
        (b"%PDF-1.7\n", "This file looks like a PDF document, not a text file."),
        (b"Name\x00\x01\x02", "This file contains binary data, not a text file."),
    ],
)
def test_decoding_refuses_empty_and_binary_files(data, message):
    with pytest.raises(FormatError) as error:
        decode_upload(data)

    assert str(error.value) == message


def test_zip_upload_suggests_unzipping_linkedin_export():
    with pytest.raises(FormatError, match="LinkedIn's export before unzipping"):
        decode_upload(b"PK\x03\x04\x14\x00", expected="CSV file")


def test_contact_columns_are_all_read_back():
    text = write_contacts_csv([dict.fromkeys(CONTACT_COLUMNS, "x")])

    [record] = parse_contacts_csv(text.encode())

    assert record == PersonRecord(
        name="x",
        title="x",
        company="x",
        emails=("x",),
        phones=("x",),
        linkedin_url="x",
        tags=("x",),
        note="x",
    )
