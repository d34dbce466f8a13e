"""At phone width (360 and 390 px) no page is wider than the screen, with the demo loaded."""

import pytest
from playwright.sync_api import expect

from crm.db import db
from crm.models import Application, Company, Contact, Event

# Visible elements reaching past the right edge, outside the boxes meant to scroll sideways
# (the navigation's row, the board's columns): each described by tag, class and first words.
# A closed <details> keeps its contents laid out but unseen, so they do not count.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => {
    for (let box = element.parentElement; box; box = box.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((element) => element.checkVisibility())
    .filter((element) => element.getBoundingClientRect().right > width + 0.5 && !scrolls(element))
    .map((element) => `${element.tagName.toLowerCase()}.${element.className} `
                      + `${(element.textContent || "").trim().slice(0, 40)}`);
}"""


def main_pages(app):
    with app.app_context(), db.connection_context():
        bob = Contact.get(Contact.name == "Bob Hale")
        return ["/", "/contacts", f"/contacts/{bob.id}", "/companies",
                f"/companies/{Company.get().id}", "/applications", "/applications/board",
                f"/applications/{Application.get().id}", "/applications/stats", "/events",
                f"/events/{Event.get().id}", "/calendar", "/news", "/search?q=meridian",
                "/settings", "/mail", "/transfer", "/welcome",
                f"/applications/{Application.get().id}/interviews/new"]


@pytest.mark.parametrize("width", [360, 390])
def test_no_main_page_is_wider_than_a_phone(app, live_server, browser, runner, width):
    runner.invoke(args=["demo"])
    with app.app_context(), db.connection_context():
        # A long address and link, as people paste them, must wrap rather than widen the page.
        Contact.update(email="alexandra.konstantinopoulou-papadimitriou@partnerships."
                             "meridian-sports-and-entertainment.example",
                       linkedin_url="https://www.linkedin.com/in/alexandra-konstantinopoulou-"
                                    "papadimitriou-0123456789abcdef").where(
            Contact.name == "Bob Hale").execute()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for path in main_pages(app):
            page.goto(live_server + path)
            assert page.evaluate(TOO_WIDE) == [], f"{path} at {width} px"
    finally:
        context.close()


def test_the_contact_list_on_a_phone_shows_titles_and_no_empty_tags(app, live_server, browser,
                                                                   runner):
    runner.invoke(args=["demo"])
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(live_server + "/contacts")
    maria = page.locator("tbody tr", has_text="Maria Lopez")
    expect(maria.get_by_text("Executive Assistant to Bob Hale")).to_be_visible()
    expect(maria.locator("td[data-label=Tags]")).to_be_hidden()  # she has none
    bob = page.locator("tbody tr", has=page.get_by_role("link", name="Bob Hale", exact=True))
    expect(bob.locator("td[data-label=Tags]")).to_be_visible()
    # The Archived box sits right by its word.
    box = page.get_by_label("Archived").bounding_box()
    word = page.locator("label.check", has_text="Archived").bounding_box()
    assert box["x"] - word["x"] < 5 and box["width"] < 40
    # The buttons above the list keep their distance from the filters below them.
    buttons = page.locator(".page-head .actions").bounding_box()
    filters = page.locator("form.filters").bounding_box()
    assert filters["y"] - (buttons["y"] + buttons["height"]) >= 8
    context.close()
