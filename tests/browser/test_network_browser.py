"""In a real browser: job changes from LinkedIn, duplicates merged and split, calendars imported."""

from pathlib import Path

from playwright.sync_api import expect
from support import calendar_fixture

NEWER_EXPORT = Path(__file__).parent.parent / "fixtures" / "transfer" / "linkedin_job_changes.csv"


def test_a_newer_linkedin_export_moves_people_and_asks_to_congratulate(live_server, page,
                                                                        runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/transfer")
    page.get_by_label("LinkedIn Connections.csv").set_input_files(str(NEWER_EXPORT))
    page.get_by_role("button", name="Upload").click()
    moves = page.locator("ul.moves")
    expect(moves).to_contain_text("Bob Hale: VP, Partnerships at Meridian Sports & Entertainment"
                                  " → Chief Revenue Officer at Acme Robotics")
    page.get_by_role("button", name="Import 4 contacts").click()
    page.goto(live_server + "/")
    expect(page.locator("section.group", has_text="New roles: congratulate 2 people")
           .locator("li.row", has_text="Bob Hale")).to_be_visible()
    page.get_by_role("link", name="Bob Hale").first.click()
    expect(page.get_by_text("New role: Chief Revenue Officer at Acme Robotics")).to_be_visible()
    page.get_by_role("link", name="Acme Robotics").first.click()
    expect(page.get_by_role("heading", name="Acme Robotics")).to_be_visible()
    page.goto(live_server + "/companies")
    page.get_by_role("link", name="Meridian Sports & Entertainment").click()
    expect(page.locator(".past-people")).to_contain_text("Bob Hale")


def test_merge_two_duplicates_side_by_side_then_undo(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/contacts/new")
    page.get_by_label("Name").fill("Robert Hale")
    page.get_by_label("Company").fill("Meridian Sports & Entertainment")
    page.get_by_label("Phone").fill("+1 212 555 0100")
    page.get_by_role("button", name="Add contact").click()
    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Duplicates").click()
    expect(page.get_by_text("Similar names at Meridian Sports & Entertainment")).to_be_visible()
    page.get_by_role("link", name="Compare and merge").click()
    page.get_by_label("+1 212 555 0100").check()
    page.get_by_role("button", name="Merge into the one kept").click()
    expect(page.get_by_text("Merged Robert Hale into Bob Hale.")).to_be_visible()
    expect(page.get_by_text("+1 212 555 0100")).to_be_visible()
    page.get_by_role("button", name="Undo merge").click()
    expect(page.get_by_text("Undid the merge: Robert Hale is a contact of their own again."))\
        .to_be_visible()
    expect(page.get_by_text("Similar names at Meridian Sports & Entertainment")).to_be_visible()


def test_import_a_conference_calendar_then_say_you_are_going(live_server, page, tmp_path,
                                                            database):
    ics = tmp_path / "association.ics"
    ics.write_bytes(calendar_fixture("google_association.ics"))
    page.goto(live_server + "/events")
    page.get_by_role("link", name="Calendars").first.click()
    page.get_by_label("Calendar file (.ics)").set_input_files(str(ics))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported NYC Sponsorship Professionals: 7 new")).to_be_visible()
    maybe = page.locator("section.maybe")
    expect(maybe).to_contain_text("NYC Sponsorship Summit")
    expect(page.get_by_text("No conferences or meetings coming up.")).to_be_visible()
    maybe.locator("li", has_text="NYC Sponsorship Summit").get_by_role(
        "button", name="Going").click()
    expect(page.get_by_text("NYC Sponsorship Summit: going.")).to_be_visible()
    coming_up = page.locator("section.card").first
    expect(coming_up.get_by_role("link", name="NYC Sponsorship Summit")).to_be_visible()
    expect(maybe).not_to_contain_text("NYC Sponsorship Summit")
