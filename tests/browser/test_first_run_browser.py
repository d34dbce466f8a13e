"""In a real browser: the first run proposes the browser's time zone, saves, then the demo."""

import pytest
from playwright.sync_api import expect

from crm.db import db
from crm.settings import get_setting


@pytest.mark.parametrize("width", [1280, 390])
def test_first_run_with_the_browsers_time_zone_then_the_demo(app, live_server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  timezone_id="America/Chicago")
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        expect(page.get_by_role("heading", name="Welcome to Followthrough")).to_be_visible()
        expect(page.get_by_label("Your time zone")).to_have_value("America/Chicago")
        expect(page.get_by_label("The address your calendar app uses")).to_have_value(live_server)
        page.get_by_label("Your name, to sign the drafts").fill("Jordan Rivera")
        page.get_by_role("button", name="Save and start").click()
        expect(page.get_by_text("Welcome, Jordan Rivera")).to_be_visible()
        page.get_by_role("button", name="Load the demo").click()
        expect(page.get_by_text("Loaded the demo: 5 contacts")).to_be_visible()
        expect(page.get_by_role("button", name="Load the demo")).to_have_count(0)
        with app.app_context(), db.connection_context():
            assert get_setting("timezone") == "America/Chicago"
            assert get_setting("sender_name") == "Jordan Rivera"
        page.goto(live_server + "/settings")
        expect(page.get_by_label("Your time zone")).to_have_value("America/Chicago")
    finally:
        context.close()
