"""Job changes: a newer contact file moves people, keeps where they were, and says congratulate."""

from datetime import date, timedelta
from pathlib import Path

from support import seen

from crm import followups
from crm.demo import load_demo
from crm.drafts import letters_environment, render_draft, shipped_letters_dir
from crm.models import Company, Contact, JobChange
from crm.playbook import (
    ContactFacts,
    History,
    JobChangeFacts,
    TouchFacts,
    suggest,
)
from crm.settings import today_for_user

FIXTURES = Path(__file__).parent / "fixtures" / "transfer"
NEWER_EXPORT = FIXTURES / "linkedin_job_changes.csv"
MERIDIAN = "Meridian Sports & Entertainment"


def import_file(client, path):
    """Upload a file on the import page and return the preview's text."""
    page = client.get("/transfer").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/transfer/import", data={
        "csrf_token": token, "file": (path.open("rb"), path.name)},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return seen(client, "/transfer/import/preview")


def confirm(client):
    """Press the preview's import button."""
    return client.submit("/transfer/import/confirm", {}, form_page="/transfer/import/preview")


def test_preview_lists_who_changed_jobs_before_anything_is_written(client, database):
    load_demo(today_for_user())
    page = import_file(client, NEWER_EXPORT)
    assert "2 with a new role" in page
    assert (f"Bob Hale: VP, Partnerships at {MERIDIAN} → Chief Revenue Officer at Acme Robotics"
            in page)
    assert (f"Dana Whitfield: Director, Partnership Services at {MERIDIAN} → "
            f"VP, Partnership Services at {MERIDIAN}") in page
    assert "Sam Okafor:" not in page  # the same job as here: no change
    assert not JobChange.select().exists()
    assert Contact.get(Contact.name == "Bob Hale").company.name == MERIDIAN


def test_importing_moves_them_and_keeps_the_old_company_in_their_history(client, database):
    load_demo(today_for_user())
    import_file(client, NEWER_EXPORT)
    confirm(client)
    bob = Contact.get(Contact.name == "Bob Hale")  # found by his name alone: no email in the file
    assert (bob.company.name, bob.title) == ("Acme Robotics", "Chief Revenue Officer")
    assert bob.linkedin_url == "https://www.linkedin.com/in/bobhale"
    story = seen(client, f"/contacts/{bob.id}")
    assert (f"New role: Chief Revenue Officer at Acme Robotics (was VP, Partnerships at "
            f"{MERIDIAN})") in story
    assert "From linkedin_job_changes.csv." in story
    meridian = Company.get(Company.name == MERIDIAN)
    company_page = seen(client, f"/companies/{meridian.id}")
    past = company_page.split("Past people")[1]
    assert "Bob Hale" in past and "VP, Partnerships; left for Chief Revenue Officer at Acme" in past
    assert "Dana Whitfield" not in past  # promoted, still there
    acme = Company.get(Company.name == "Acme Robotics")
    assert "Bob Hale" in client.get(f"/companies/{acme.id}").get_data(as_text=True)


def test_a_new_role_brings_a_congratulation_with_its_draft(client, database):
    load_demo(today_for_user())
    import_file(client, NEWER_EXPORT)
    confirm(client)
    today = seen(client, "/")
    assert "New roles: congratulate 2 people on their new roles" in today
    assert "Congratulations on the new role at Acme Robotics!" in today
    assert ("I saw that you have joined Acme Robotics as Chief Revenue Officer. Congratulations"
            in today)
    assert "Dana Whitfield" in today
    assert "I saw that you have become VP, Partnership Services at " + MERIDIAN in today


def test_a_note_written_since_the_move_ends_the_congratulation(client, database):
    load_demo(today_for_user())
    import_file(client, NEWER_EXPORT)
    confirm(client)
    bob = Contact.get(Contact.name == "Bob Hale")
    bob.record_touch(happened_on=today_for_user(), channel="congratulations")
    keys = {s.key for s in followups.current().suggestions if s.contact_id == bob.id}
    assert not any(key.startswith("newrole:") for key in keys)


def test_the_command_names_each_move(runner, database):
    load_demo(today_for_user())
    result = runner.invoke(args=["import", str(NEWER_EXPORT)])
    assert result.exit_code == 0, result.output
    assert (f"New role: Bob Hale: VP, Partnerships at {MERIDIAN} → Chief Revenue Officer at "
            "Acme Robotics") in result.output
    assert "Imported: 0 new, 4 updated (2 with a new role)" in result.output
    again = runner.invoke(args=["import", str(NEWER_EXPORT)])
    assert "New role" not in again.output and JobChange.select().count() == 2


def test_a_vcard_with_a_new_org_and_title_is_a_job_change(runner, database):
    load_demo(today_for_user())
    result = runner.invoke(args=["import", str(FIXTURES / "vcard_job_change.vcf")])
    assert result.exit_code == 0, result.output
    sam = Contact.get(Contact.name == "Sam Okafor")  # matched by email
    assert (sam.company.name, sam.title) == ("Lakeshore Running Co.", "Director of Partnerships")
    change = JobChange.get(JobChange.contact == sam)
    assert change.old_job() == "Head of Brand Partnerships at Northwind Athletics"


def test_a_name_alone_does_not_match_two_people_or_a_different_profile(runner, database):
    bob = Contact.create(name="Bob Hale", title="VP", company=Company.named("Meridian"),
                         linkedin_url="https://www.linkedin.com/in/another-bob")
    result = runner.invoke(args=["import", str(NEWER_EXPORT)])
    assert result.exit_code == 0, result.output
    assert Contact.get_by_id(bob.id).company.name == "Meridian"  # someone else's profile
    assert Contact.select().where(Contact.name == "Bob Hale").count() == 2
    assert not JobChange.select().exists()


def test_a_first_title_at_the_same_company_is_filled_in_not_a_move(runner, database):
    Contact.create(name="Sam Okafor", company=Company.named("Northwind Athletics"))
    runner.invoke(args=["import", str(NEWER_EXPORT)])
    assert Contact.get(Contact.name == "Sam Okafor").title == "Head of Brand Partnerships"
    assert not JobChange.select().exists()


def test_the_congratulation_rule_keeps_to_fresh_news_only():
    today = date(2026, 11, 30)
    contact = ContactFacts(id=1, name="Bob Hale", company="Acme", status="active")

    def moved(days_ago, touches=()):
        change = JobChangeFacts(id=7, changed_on=today - timedelta(days=days_ago),
                                old_title="VP", old_company="Meridian", new_title="CRO",
                                new_company="Acme")
        history = History(contact=contact, job_changes=(change,), touches=touches)
        return [s for s in suggest(history, today, None) if s.kind == "congratulate_new_role"]

    fresh = moved(3)
    assert [s.title for s in fresh] == ["Congratulate Bob Hale on the new role"]
    assert "shows them as CRO at Acme (was VP at Meridian)" in fresh[0].reason
    assert moved(31) == []  # older than the news age limit
    replied = TouchFacts(id=1, contact_id=1, on=today - timedelta(days=1), channel="email")
    assert moved(3, (replied,)) == []


def test_the_draft_reads_as_a_note_to_the_person_who_moved():
    today = date(2026, 11, 30)
    change = JobChangeFacts(id=7, changed_on=today, old_title="VP, Partnerships",
                            old_company="Meridian", new_title="Chief Revenue Officer",
                            new_company="Acme Robotics")
    history = History(contact=ContactFacts(id=1, name="Robert Hale", company="Acme Robotics"),
                      job_changes=(change,))
    suggestion = next(s for s in suggest(history, today, None)
                      if s.kind == "congratulate_new_role")
    draft = render_draft(suggestion, history, "Jordan Lee",
                         letters_environment([shipped_letters_dir()]))
    assert draft.subject == "Congratulations on the new role at Acme Robotics!"
    assert draft.body.startswith("Hi Robert,\n\nI saw that you have joined Acme Robotics as "
                                 "Chief Revenue Officer. Congratulations, that is great news!")
    assert draft.body.endswith("Best,\nJordan Lee")
