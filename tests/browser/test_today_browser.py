"""In a real browser, at a desktop's and a phone's width: the grouped Today, Done and Undo,
snooze, the LinkedIn note, and the contact page's next step."""

import re

import pytest
from playwright.sync_api import expect

from crm.settings import set_setting

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Visible elements reaching past the viewport, leaving out those inside a box that scrolls
# sideways on purpose (the phone's row of navigation links).
WIDER_THAN_THE_PAGE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.checkVisibility())
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .filter(e => !e.closest('nav[aria-label=Main]'))
    .map(e => e.tagName + '.' + e.className)
    .concat(document.documentElement.scrollWidth > document.documentElement.clientWidth
            ? ['the page scrolls sideways'] : [])"""


@pytest.fixture
def demo(app, live_server, runner):
    """The demo, for a user who has told the first run their name (so no reminder line)."""
    runner.invoke(args=["demo"])
    with app.app_context():
        set_setting("sender_name", "Alex Morgan")
    return live_server


def test_the_demo_s_today_fits_one_desktop_screen(demo, page):
    page.set_viewport_size(DESKTOP)
    page.goto(demo + "/")
    groups = page.locator("section.group")
    expect(groups).to_have_count(2)
    expect(groups.first.locator("h3")).to_contain_text("ask 3 people to keep you in mind")
    for n in range(groups.count()):
        assert groups.nth(n).bounding_box()["y"] + groups.nth(n).bounding_box()["height"] <= 800
    assert page.evaluate(WIDER_THAN_THE_PAGE) == []


def test_a_phone_shows_the_first_three_things_to_do_without_scrolling(demo, page):
    page.set_viewport_size(PHONE)
    page.goto(demo + "/")
    done = page.locator("ul.rows > li > .actions button", has_text="Done")
    for n in range(3):
        box = done.nth(n).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], f"Done button {n + 1} below the fold"
    assert page.evaluate(WIDER_THAN_THE_PAGE) == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_done_then_undo(demo, page, viewport):
    page.set_viewport_size(viewport)
    page.goto(demo + "/")
    sam = page.locator("li.row", has_text="Sam Okafor")
    sam.locator("summary", has_text="Draft").click()
    expect(sam.locator("pre.draft")).to_contain_text("Dear Sam,")
    sam.locator(":scope > .actions").get_by_role("button", name="Done").click()
    expect(page.get_by_text("Done: “Send Sam Okafor a follow-through letter”.")).to_be_visible()
    letter = page.locator("section.group h3", has_text="follow-through letter")
    expect(letter).to_have_count(0)
    # The invitation was not sent: it stays, now the row's own action.
    expect(page.locator("section.group h3", has_text="invite Sam Okafor")).to_have_count(1)
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: 1 touch deleted")).to_be_visible()
    expect(letter).to_have_count(1)
    assert page.evaluate(WIDER_THAN_THE_PAGE) == []


def test_done_but_changed_opens_the_form_with_the_draft(demo, page):
    page.goto(demo + "/")
    sam = page.locator("li.row", has_text="Sam Okafor")
    sam.get_by_role("link", name="Done, but I changed it…").click()
    expect(page.get_by_role("heading", name="Log a touch with Sam Okafor")).to_be_visible()
    note = page.get_by_label("Note")
    expect(note).to_have_value(re.compile(r"^Subject: .*\n\nDear Sam,", re.DOTALL))
    note.fill("Dear Sam, what I actually wrote.")
    page.get_by_role("button", name="Log touch").click()
    expect(page.get_by_text("Logged the touch with Sam Okafor.")).to_be_visible()
    expect(page.locator("section.group h3", has_text="follow-through letter")).to_have_count(0)


def test_snooze_all_moves_a_group_off_today(demo, page):
    page.goto(demo + "/")
    group = page.locator("section.group", has_text="keep you in mind")
    group.locator("footer summary", has_text="Snooze all").click()
    group.locator("footer").get_by_role("button", name="Snooze all").click()
    expect(page.get_by_text("Snoozed 6 until")).to_be_visible()
    expect(page.locator("section.section-overdue")).to_have_count(0)
    expect(page.locator("section.section-upcoming li.row")).to_have_count(3)


def test_linkedin_invitation_is_folded_into_the_person_s_row(demo, page):
    page.goto(demo + "/")
    bob = page.locator("li.row", has_text="Bob Hale")
    bob.locator("summary", has_text="LinkedIn invitation").click()
    expect(bob.get_by_role("link", name="search LinkedIn for Bob Hale")).to_be_visible()
    note = bob.locator("textarea.draft")
    note.fill("Hello Bob")
    expect(bob.get_by_text("291 of 300 characters left for LinkedIn.")).to_be_visible()
    bob.get_by_role("button", name="Invited").click()
    expect(page.get_by_text("Done: “Invite Bob Hale to connect on LinkedIn”.")).to_be_visible()
    expect(page.locator("li.row", has_text="Bob Hale")
           .locator("summary", has_text="LinkedIn invitation")).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_contact_page_answers_what_next(demo, page, viewport):
    page.set_viewport_size(viewport)
    page.goto(demo + "/contacts")
    page.get_by_role("link", name="Bob Hale").first.click()
    box = page.locator("section.next-step")
    expect(box.locator("h3")).to_contain_text("ask Bob Hale to keep you in mind")
    box.locator("summary", has_text="Draft").click()
    expect(box.locator("pre.draft")).to_contain_text("Dear Bob,")
    box.locator("li.row > .actions").get_by_role("button", name="Done").click()
    expect(page.get_by_role("heading", name="Bob Hale", exact=True)).to_be_visible()
    expect(page.get_by_text("Done: “Ask Bob Hale to keep you in mind”.")).to_be_visible()
    expect(box.locator("h3")).not_to_contain_text("keep you in mind")
    assert page.evaluate(WIDER_THAN_THE_PAGE) == []
