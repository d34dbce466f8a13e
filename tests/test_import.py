"""Importing LinkedIn connections, vCards and contact CSVs: preview, confirm, match, refuse."""

import io
import os
from datetime import date
from pathlib import Path

import pytest
from support import CSRF_FIELD

from crm import followups
from crm.demo import load_demo
from crm.models import Company, Contact, Tag
from crm.transfer import importer
from crm.transfer.records import FormatError

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = FIXTURES / "formats"
KNOWN_PEOPLE = FIXTURES / "transfer" / "linkedin_known_people.csv"


def upload(client, data, filename):
    """Post bytes to the import form as a browser sends a file, with the page's CSRF token."""
    page = client.get("/transfer").get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    return client.post("/transfer/import",
                       data={"file": (io.BytesIO(data), filename), "csrf_token": token},
                       content_type="multipart/form-data")


def upload_file(client, path):
    """Upload a fixture file under its own name."""
    return upload(client, path.read_bytes(), path.name)


def confirm(client):
    """Press the preview page's import button."""
    return client.submit("/transfer/import/confirm", {}, form_page="/transfer/import/preview")


def pending_uploads(app):
    """The uploads kept in the instance folder between preview and confirmation."""
    folder = Path(app.instance_path) / "imports"
    return sorted(os.listdir(folder)) if folder.exists() else []


def contacts():
    """Every contact's name, sorted."""
    return sorted(c.name for c in Contact.select())


def test_linkedin_connections_become_connected_contacts_at_their_companies(client, database):
    response = upload_file(client, FORMATS / "linkedin_connections.csv")
    assert response.status_code == 302 and response.location.endswith("/transfer/import/preview")
    assert confirm(client).status_code == 302
    # The row without a name (a member who hides it) is left out.
    assert contacts() == ["Dana O'Neil", "Lena Fischer", "Marcus Holloway, MBA", "Priya Raman",
                          "Sam 🚀 Okafor"]
    priya = Contact.get(Contact.name == "Priya Raman")
    assert priya.company.name == "Acme Robotics" and priya.title == "Senior Technical Recruiter"
    assert priya.linkedin_url == "https://www.linkedin.com/in/priya-raman-4b2a1c9"
    assert priya.linkedin_connected and priya.linkedin_connected_on == date(2026, 11, 21)
    assert Contact.get(Contact.name == "Dana O'Neil").email == "dana@oneil.example"
    assert Contact.get(Contact.name == "Lena Fischer").company is None
    assert Company.select().count() == 4
    # The list search finds them by company: search text is built for imported people too.
    assert "Priya Raman" in client.get("/contacts?q=acme").get_data(as_text=True)


def test_a_connection_gets_no_linkedin_invitation_suggestion(client, database):
    load_demo(date.today())
    sam = Contact.get(Contact.name == "Sam Okafor")  # interviewed yesterday
    kinds = {s.kind for s in followups.for_contact(sam.id)[0]}
    assert "linkedin" in kinds
    upload_file(client, KNOWN_PEOPLE)
    confirm(client)
    assert "linkedin" not in {s.kind for s in followups.for_contact(sam.id)[0]}


def test_people_already_here_are_updated_not_duplicated(client, database):
    load_demo(date.today())
    before = Contact.select().count()
    upload_file(client, KNOWN_PEOPLE)
    page = client.get("/transfer/import/preview").get_data(as_text=True)
    assert "2 new" in page and "2 updated" in page and "0 skipped" in page
    assert "Bob Hale" in page and "adds new role, LinkedIn URL, connected on LinkedIn" in page
    assert "1 row named someone an earlier row already named" in page
    assert Contact.select().count() == before  # the preview writes nothing
    confirm(client)
    assert Contact.select().count() == before + 2  # Priya Raman (twice in the file), Lena
    bob = Contact.get(Contact.name == "Bob Hale")  # matched by email
    # A newer position is a job change, not a field the user typed being overwritten.
    assert bob.title == "VP, Partnerships & Strategy"
    assert bob.linkedin_url == "https://www.linkedin.com/in/bobhale"
    assert bob.linkedin_connected_on == date(2026, 10, 12)
    sam = Contact.get(Contact.name == "Sam Okafor")  # same name at the same company
    assert sam.linkedin_connected and sam.company.name == "Northwind Athletics"
    assert Company.select().where(Company.name == "northwind athletics").count() == 1


def test_importing_the_same_file_again_skips_everyone(runner, database):
    runner.invoke(args=["import", str(KNOWN_PEOPLE)])
    result = runner.invoke(args=["import", str(KNOWN_PEOPLE)])
    assert result.exit_code == 0
    assert "Imported: 0 new, 0 updated, 4 skipped (already up to date)" in result.output
    assert Contact.select().count() == 4


def test_vcards_from_apple_google_and_version_4_fill_every_field(runner, database):
    for name in ("apple_contacts.vcf", "google_contacts.vcf", "contacts_v4.vcf"):
        result = runner.invoke(args=["import", str(FORMATS / name)])
        assert result.exit_code == 0, result.output
    jurgen = Contact.get(Contact.name == "Dr. Jürgen Müller")
    assert (jurgen.company.name, jurgen.title, jurgen.email, jurgen.phone) == (
        "Globex GmbH", "VP Engineering", "juergen.mueller@globex.example", "+49 170 1234567")
    assert jurgen.linkedin_url == "https://www.linkedin.com/in/jmueller"
    assert jurgen.tag_names() == ["Berlin", "Recruiters"]
    # What has no field of its own is kept in the notes rather than lost.
    assert jurgen.notes.startswith("Met at the Berlin job fair, booth 12.\nYankees fan;")
    assert "Other emails: jm@globex.example" in jurgen.notes
    assert "Other phones: +49 30 9876543" in jurgen.notes
    assert "Websites: https://globex.example" in jurgen.notes
    priya = Contact.get(Contact.name == "Priya Raman")
    assert priya.tag_names() == ["Interviewers"]  # not Google's "myContacts"
    amelie = Contact.get(Contact.name == "Amélie Dubois")
    assert amelie.email == "amelie.dubois@initech.example"  # the preferred one
    assert amelie.company.name == "Initech"


def test_a_vcard_matches_a_linkedin_connection_by_profile_url(runner, database):
    runner.invoke(args=["import", str(FORMATS / "linkedin_connections.csv")])
    result = runner.invoke(args=["import", str(FORMATS / "google_contacts.vcf")])
    assert "1 new, 1 updated" in result.output
    priya = Contact.get(Contact.name == "Priya Raman")
    assert priya.email == "priya.raman@acme.example" and priya.linkedin_connected
    assert priya.phone == "+1 415-555-0134" and priya.tag_names() == ["Interviewers"]


@pytest.mark.parametrize("fixture", ["linkedin_connections_bom_crlf.csv", "linkedin_latin1.csv"])
def test_bom_windows_line_ends_and_latin1_files_import(runner, database, fixture):
    result = runner.invoke(args=["import", str(FORMATS / fixture)])
    assert result.exit_code == 0, result.output
    names = contacts()
    assert "Priya Raman" in names or "José Núñez" in names
    if fixture == "linkedin_latin1.csv":
        assert Contact.get(Contact.name == "François Lefèvre").company.name == "Société Générale"


BAD_FILES = [
    (FORMATS / "photo.csv", "photo.csv: This file looks like a PNG image, not a CSV file."),
    (FORMATS / "truncated.vcf", "truncated.vcf: Card 2 (line 5): BEGIN:VCARD has no END:VCARD;"
                                " the file looks cut short."),
    (FORMATS / "linkedin_bad_date.csv", "Row 8: &#39;Connected On&#39; is not a date:"
                                        " &#39;32 Foo 2026&#39;."),
    (FIXTURES / "transfer" / "contacts_bad_email.csv",
     "Row 3, email &#39;grace.hopper.navy.mil&#39;: Enter an email address like"
     " name@example.com"),
]


@pytest.mark.parametrize(("path", "message"), BAD_FILES, ids=[p.name for p, _ in BAD_FILES])
def test_a_bad_file_imports_nothing_and_says_why(app, client, database, path, message):
    response = upload_file(client, path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "Nothing was imported." in page
    assert Contact.select().count() == 0 and Company.select().count() == 0
    assert pending_uploads(app) == []


def test_a_file_that_is_not_what_its_name_says_gets_a_clear_message(client, database):
    page = upload(client, b"Name,Email\nAda,ada@example.com\n", "ada.vcf").get_data(as_text=True)
    assert "ada.vcf is not a vCard file: it does not start with BEGIN:VCARD." in page
    page = upload(client, b"just some notes\n", "notes.txt").get_data(as_text=True)
    assert "is not LinkedIn&#39;s Connections.csv" in page
    page = upload(client, b"Name,Email\n", "empty.csv").get_data(as_text=True)
    assert "empty.csv has no contacts in it." in page


def test_the_command_line_refuses_a_bad_file_and_writes_nothing(runner, database):
    result = runner.invoke(args=["import", str(FORMATS / "linkedin_bad_date.csv")])
    assert result.exit_code == 1
    assert "Row 8: 'Connected On' is not a date: '32 Foo 2026'. Nothing was imported." in (
        result.output)
    assert Contact.select().count() == 0


def test_an_upload_over_the_size_limit_gets_the_import_page(app, client, database):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, b"x" * 5000, "big.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "larger than the 0.00390625 MiB upload limit" in page
    assert "crm import FILE" in page and 'enctype="multipart/form-data"' in page


def test_the_upload_waits_in_the_instance_folder_not_in_the_cookie(app, client, database):
    upload_file(client, FORMATS / "linkedin_connections.csv")
    [stashed] = pending_uploads(app)
    assert os.stat(Path(app.instance_path) / "imports" / stashed).st_mode & 0o077 == 0
    with client.session_transaction() as session:
        assert set(session["import"]) == {"token", "filename"}
    confirm(client)
    assert pending_uploads(app) == []
    assert "Imported linkedin_connections.csv: 5 new, 0 updated" in (
        client.get("/contacts").get_data(as_text=True))


def test_confirming_twice_imports_once(client, database):
    upload_file(client, FORMATS / "linkedin_connections.csv")
    token = CSRF_FIELD.search(client.get("/transfer/import/preview").get_data(as_text=True))
    confirm(client)
    again = client.post("/transfer/import/confirm", data={"csrf_token": token.group(1)},
                        follow_redirects=True)
    assert "Nothing was imported: the upload was already imported or cancelled." in (
        again.get_data(as_text=True))
    assert Contact.select().count() == 5


def test_cancelling_writes_nothing_and_forgets_the_upload(app, client, database):
    upload_file(client, FORMATS / "linkedin_connections.csv")
    response = client.submit("/transfer/import/cancel", {}, form_page="/transfer/import/preview")
    assert response.status_code == 302
    assert pending_uploads(app) == [] and Contact.select().count() == 0
    assert client.get("/transfer/import/preview").status_code == 302


def test_a_form_without_a_file_asks_for_one(client, database):
    page = client.submit("/transfer/import", {}, form_page="/transfer").get_data(as_text=True)
    assert "Choose a file to import." in page


def test_dry_run_shows_the_preview_and_writes_nothing(runner, database):
    load_demo(date.today())
    result = runner.invoke(args=["import", "--dry-run", str(KNOWN_PEOPLE)])
    assert result.exit_code == 0
    assert "New: Priya Raman; Lena Fischer" in result.output
    assert "Updated: Bob Hale (adds new role, LinkedIn URL, connected on LinkedIn, connection" \
        " date)" in result.output
    assert result.output.rstrip().endswith(
        "Would import: 2 new, 2 updated (1 with a new role), 0 skipped (already up to date),"
        " 1 repeated row counted once.")
    assert not Contact.select().where(Contact.linkedin_connected).exists()


def test_tags_from_a_file_are_added_once_and_searchable(database):
    data = (b"Name,Email,Tags\r\nAda Lovelace,ada@example.com,\"poetry, Mathematics\"\r\n"
                   b"Ada Lovelace,ADA@example.com,mathematics; engines\r\n")
    done = importer.write(importer.read_upload("ada.csv", data))
    assert (len(done.new), done.merged_rows) == (1, 1)
    ada = Contact.get()
    assert ada.tag_names() == ["engines", "Mathematics", "poetry"]
    assert Tag.select().count() == 3
    assert "engines" in ada.search_text


def test_a_linkedin_column_that_is_not_a_profile_url_is_refused(database):
    with pytest.raises(FormatError,
                       match="Row 2, LinkedIn URL 'janedoe': Enter a full web address"):
        importer.read_upload("people.csv", b"Name,LinkedIn\r\nJane Doe,janedoe\r\n")
