"""In a real browser: add a contact through the form, then find it by search."""

from playwright.sync_api import expect


def test_add_a_contact_then_find_it_by_search(live_server, page):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Add contact").click()
    page.get_by_label("Name").fill("Bob Hale")
    page.get_by_label("Company").fill("Meridian Sports")
    page.get_by_label("Tags and interests").fill("sports sponsorship, Yankees fan")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Bob Hale")).to_be_visible()
    expect(page.get_by_text("Added Bob Hale.")).to_be_visible()

    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("searchbox", name="Search", exact=True).fill("yankees")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 contact found")).to_be_visible()
    page.get_by_role("link", name="Bob Hale").click()
    expect(page.get_by_role("link", name="Meridian Sports")).to_be_visible()


def test_form_errors_keep_what_was_typed(live_server, page):
    page.goto(live_server + "/contacts/new")
    page.get_by_label("Title").fill("Recruiter")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("A contact needs a name.")).to_be_visible()
    expect(page.get_by_text("Enter an email address like name@example.com")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Recruiter")


def test_contact_list_fits_a_phone_screen(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + "/contacts")
    expect(page.get_by_role("link", name="Bob Hale")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
