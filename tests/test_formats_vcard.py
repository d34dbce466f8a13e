"""Reading vCards as Apple, Google and vCard 4.0 programs write them, and writing vCard 3.0."""

from pathlib import Path

import pytest
import vobject

from crm.transfer.records import FormatError, PersonRecord
from crm.transfer.vcard import parse_vcards, write_vcards

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
EXPORTS = ["apple_contacts.vcf", "google_contacts.vcf", "contacts_v4.vcf", "android_v21.vcf"]


def test_apple_export_reads_groups_escapes_and_social_profile():
    juergen, initech = parse_vcards((FIXTURES / "apple_contacts.vcf").read_bytes())

    assert juergen.name == "Dr. Jürgen Müller"
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Müller")
    assert juergen.emails == ("juergen.mueller@globex.example", "jm@globex.example")
    assert juergen.phones == ("+49 170 1234567", "+49 30 9876543")
    assert juergen.company == "Globex GmbH"
    assert juergen.title == "VP Engineering"
    assert juergen.urls == ("https://globex.example",)
    assert juergen.linkedin_url == "https://www.linkedin.com/in/jmueller"
    assert juergen.note == (
        "Met at the Berlin job fair, booth 12.\nYankees fan; ask about the season."
    )
    assert juergen.tags == ("Recruiters", "Berlin")
    assert initech.name == initech.company == "Initech"
    assert initech.row == 2


def test_google_export_reads_linkedin_url_and_drops_its_system_group():
    priya, tomas = parse_vcards((FIXTURES / "google_contacts.vcf").read_bytes())

    assert priya.linkedin_url == "https://www.linkedin.com/in/priya-raman-4b2a1c9"
    assert priya.urls == ()
    assert priya.note.endswith("Follow up after Thanksgiving, she mentioned a second team hiring.")
    assert priya.tags == ("Interviewers",)
    assert tomas.name == "Tomás Ortega"
    assert tomas.company == "Launchpad"
    assert tomas.tags == ()


def test_vcard_4_puts_preferred_email_first_and_reads_tel_uris():
    [amelie] = parse_vcards((FIXTURES / "contacts_v4.vcf").read_bytes())

    assert amelie.emails == ("amelie.dubois@initech.example", "amelie.perso@example.fr")
    assert amelie.phones == ("+33-6-12-34-56-78",)
    assert amelie.company == "Initech"
    assert amelie.linkedin_url == "https://www.linkedin.com/in/amelie-dubois"
    assert amelie.urls == ("https://amelie.example.fr/",)
    assert amelie.note == "Speaker at PyCon FR, talk on hiring."


def test_quoted_printable_from_an_old_phone_export_is_decoded():
    [juergen] = parse_vcards((FIXTURES / "android_v21.vcf").read_bytes())

    assert juergen.name == "Jürgen Müller"
    assert juergen.note == "Erstes Treffen in Köln\nNach der Messe nachfassen."
    assert juergen.phones == ("+49 170 1234567",)


def test_linkedin_profile_given_only_as_a_user_name_becomes_a_url():
    data = b"BEGIN:VCARD\nFN:Ann Lee\nX-SOCIALPROFILE;type=linkedin:annlee\nEND:VCARD\n"

    [ann] = parse_vcards(data)

    assert ann.linkedin_url == "https://www.linkedin.com/in/annlee"


def test_truncated_card_names_the_card():
    with pytest.raises(FormatError) as error:
        parse_vcards((FIXTURES / "truncated.vcf").read_bytes())

    assert str(error.value) == (
        "Card 2 (line 5): BEGIN:VCARD has no END:VCARD; the file looks cut short."
    )


def test_card_without_end_followed_by_another_names_the_unfinished_card():
    data = b"BEGIN:VCARD\nFN:One\nBEGIN:VCARD\nFN:Two\nEND:VCARD\n"

    with pytest.raises(FormatError, match=r"^Card 1 \(line 1\): BEGIN:VCARD has no END:VCARD"):
        parse_vcards(data)


def test_garbage_line_inside_a_card_names_the_card_and_line():
    data = b"BEGIN:VCARD\nFN:One\nEND:VCARD\nBEGIN:VCARD\nFN:Two\nthis is not a property\n"

    with pytest.raises(FormatError, match=r"^Card 2 \(line 6\): not a vCard line"):
        parse_vcards(data)


def test_text_that_is_not_a_vcard_is_refused():
    with pytest.raises(FormatError, match=r"^Card 1 \(line 1\): expected BEGIN:VCARD"):
        parse_vcards(b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n")


def test_card_without_any_name_names_the_card():
    data = b"BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nTEL:555\nEND:VCARD\n"

    with pytest.raises(FormatError, match=r"^Card 1: no name"):
        parse_vcards(data)


@pytest.mark.parametrize("export", EXPORTS)
def test_written_vcards_read_back_the_same(export):
    records = parse_vcards((FIXTURES / export).read_bytes())

    assert parse_vcards(write_vcards(records).encode()) == records


def test_written_vcard_escapes_text_folds_long_lines_and_uses_crlf():
    record = PersonRecord(
        name="Ann Lee",
        first_name="Ann",
        last_name="Lee",
        company="Lee; Lee, and Partners",
        note="Line one, with a comma; and a semicolon.\n" + " ".join(["Long 🚀"] * 20),
        tags=("Tennis, doubles", "Yankees"),
    )

    text = write_vcards([record])

    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert r"NOTE:Line one\, with a comma\; and a semicolon.\nLong" in text
    assert r"CATEGORIES:Tennis\, doubles,Yankees" in text
    assert parse_vcards(text.encode()) == [record]


def test_written_vcards_are_valid_for_vobject():
    records = parse_vcards((FIXTURES / "apple_contacts.vcf").read_bytes())

    cards = list(vobject.readComponents(write_vcards(records), validate=True))

    assert [card.fn.value for card in cards] == ["Dr. Jürgen Müller", "Initech"]
