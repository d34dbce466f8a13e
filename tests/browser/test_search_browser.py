"""In a real browser: the search box in the navigation finds people however their name is typed."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("width", [1280, 390])
def test_the_navigation_search_finds_zoe_muller_typed_without_accents(live_server, page, runner,
                                                                      width):
    runner.invoke(args=["demo"])
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server + "/contacts/new")
    page.get_by_label("Name").fill("Zoë Müller")
    page.get_by_label("Company").fill("Ångström Labs")
    page.get_by_role("button", name="Add contact").click()

    box = page.get_by_role("searchbox", name="Search everything")
    box.fill("muller zoe")
    box.press("Enter")
    expect(page.get_by_role("heading", name="People 1")).to_be_visible()
    page.get_by_role("link", name="Zoë Müller").click()
    expect(page.get_by_role("heading", name="Zoë Müller")).to_be_visible()

    page.get_by_role("searchbox", name="Search everything").fill("meridian")
    page.get_by_role("searchbox", name="Search everything").press("Enter")
    expect(page.get_by_role("link", name="Meridian Sports & Entertainment")).to_be_visible()
    # Nothing wider than the screen, the sideways-scrolling navigation included.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
