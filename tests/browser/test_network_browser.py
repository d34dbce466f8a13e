"""In a real browser: a newer LinkedIn export shows who moved; duplicates merged and split."""

from pathlib import Path

from playwright.sync_api import expect

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
    expect(page.get_by_text("Congratulate Bob Hale on the new role")).to_be_visible()
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
