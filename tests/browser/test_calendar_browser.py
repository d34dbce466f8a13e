"""In a real browser: add an event with the date and time pickers, then take it to a calendar."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect


def test_add_a_timed_event_then_download_it_and_subscribe(live_server, page, runner):
    runner.invoke(args=["demo"])
    day = datetime.now(UTC).date() + timedelta(days=30)
    page.goto(live_server + "/")
    page.get_by_role("link", name="Events").click()
    page.get_by_role("link", name="Add event").click()
    page.get_by_label("Name").fill("Partnership Week")
    page.get_by_label("First day").fill(day.isoformat())
    page.get_by_label("Starts at").fill("17:00")
    page.get_by_label("Ends at").fill("09:00")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("People likely there").fill("Bob Hale")
    page.get_by_role("button", name="Add event").click()
    expect(page.get_by_text("The event must end after it starts.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Partnership Week")

    page.get_by_label("Ends at").fill("19:30")
    page.get_by_role("button", name="Add event").click()
    expect(page.get_by_role("heading", name="Partnership Week")).to_be_visible()
    expect(page.get_by_text("17:00–19:30").first).to_be_visible()
    expect(page.get_by_role("link", name="Bob Hale")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar").click()
    assert download.value.suggested_filename == "partnership-week.ics"
    assert "SUMMARY:Partnership Week" in Path(download.value.path()).read_text()

    page.get_by_role("link", name="Calendar", exact=True).click()
    address = page.get_by_label("Calendar address").input_value()
    token = address.rsplit("/", 1)[1]
    feed = page.request.get(f"{live_server}/calendar/{token}")
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:Partnership Week" in feed.text()

    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_text("The calendar has a new address.")).to_be_visible()
    assert page.request.get(f"{live_server}/calendar/{token}").status == 404
