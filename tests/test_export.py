"""Exporting contacts as CSV and vCard, from the pages and the command line."""

import csv
import io
from datetime import date

from crm.demo import load_demo
from crm.models import Contact
from crm.transfer import importer
from crm.transfer.csvfile import parse_contacts_csv
from crm.transfer.vcard import parse_vcards


def test_contacts_csv_has_a_row_per_contact_with_tags(client, database):
    load_demo(date(2026, 11, 22))
    response = client.get("/transfer/contacts.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=contacts.csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffName,Title,Company,Email,Phone,LinkedIn,Tags,Notes,Role,Status")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["Name"] for row in rows] == ["Bob Hale", "Dana Whitfield", "Maria Lopez",
                                             "Priya Shah", "Sam Okafor"]
    bob = rows[0]
    assert bob["Tags"] == "sports sponsorship, Yankees fan"
    assert (bob["Company"], bob["Role"], bob["Last contact"]) == (
        "Meridian Sports & Entertainment", "Hiring manager", "2026-10-31")


def test_a_csv_export_imports_back_as_the_same_people(client, database):
    load_demo(date(2026, 11, 22))
    records = parse_contacts_csv(client.get("/transfer/contacts.csv").get_data())
    bob = next(r for r in records if r.name == "Bob Hale")
    assert bob.tags == ("sports sponsorship", "Yankees fan")
    assert bob.emails == ("bob.hale@example.com",) and bob.title == "VP, Partnerships"
    # Everyone matches themselves: importing our own export changes nothing.
    plan = importer.plan(importer.read_upload("contacts.csv",
                                              client.get("/transfer/contacts.csv").get_data()))
    assert (len(plan.new), len(plan.updated), len(plan.skipped)) == (0, 0, 5)


def test_all_contacts_as_one_vcard_file(client, database):
    load_demo(date(2026, 11, 22))
    response = client.get("/transfer/contacts.vcf")
    assert response.mimetype == "text/vcard"
    cards = parse_vcards(response.get_data())
    assert [card.name for card in cards] == ["Bob Hale", "Dana Whitfield", "Maria Lopez",
                                             "Priya Shah", "Sam Okafor"]
    assert (cards[0].first_name, cards[0].last_name) == ("Bob", "Hale")
    assert cards[0].company == "Meridian Sports & Entertainment"
    assert cards[0].tags == ("sports sponsorship", "Yankees fan")
    assert cards[0].note.startswith("Took his family to the Yankees game")


def test_one_contact_as_a_vcard_from_their_page(client, database):
    contact = Contact.create(name="Zoë Ångström", email="zoe@example.se", phone="+46 8 123",
                             linkedin_url="https://www.linkedin.com/in/zoe")
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert f'href="/transfer/contacts/{contact.id}.vcf"' in page
    response = client.get(f"/transfer/contacts/{contact.id}.vcf")
    assert "filename*=UTF-8''Zo%C3%AB%20%C3%85ngstr%C3%B6m.vcf" in (
        response.headers["Content-Disposition"])
    [card] = parse_vcards(response.get_data())
    assert (card.name, card.emails, card.phones, card.linkedin_url) == (
        "Zoë Ångström", ("zoe@example.se",), ("+46 8 123",), "https://www.linkedin.com/in/zoe")
    assert client.get("/transfer/contacts/999.vcf").status_code == 404


def test_export_commands_write_csv_and_vcard(runner, database):
    load_demo(date(2026, 11, 22))
    result = runner.invoke(args=["export", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith("\ufeffName,".encode())
    assert b"\r\nBob Hale," in result.stdout_bytes
    result = runner.invoke(args=["export", "--format", "vcard"])
    assert len(parse_vcards(result.stdout_bytes)) == 5


def test_export_writes_to_a_file_with_output(runner, database, tmp_path):
    load_demo(date(2026, 11, 22))
    target = tmp_path / "people.vcf"
    assert runner.invoke(args=["export", "--format", "vcard", "-o", str(target)]).exit_code == 0
    assert len(parse_vcards(target.read_bytes())) == 5


def test_import_and_export_are_linked_from_the_header_and_the_contact_list(client, database):
    page = client.get("/contacts").get_data(as_text=True)
    for link in ('href="/transfer"', 'href="/transfer/contacts.csv"',
                 'href="/transfer/contacts.vcf"'):
        assert link in page
    assert 'aria-current="page">Import / export' in client.get("/transfer").get_data(as_text=True)
