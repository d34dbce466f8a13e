"""In a real browser: the interview form takes as many interviewers as the panel had."""

from playwright.sync_api import expect
from support import shown


def test_five_interviewers_added_in_one_go_with_a_date_and_no_time(app, live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/applications")
    page.get_by_role("link", name="Manager of Partnership Strategy").first.click()
    page.get_by_role("link", name="Add interview", exact=True).click()
    for _ in range(3):
        page.get_by_role("button", name="Add another interviewer").click()
    names = page.get_by_label("Interviewer", exact=True)
    expect(names).to_have_count(5)
    for number in range(5):
        names.nth(number).fill(f"Panelist {number + 1}")
    page.get_by_label("Date").fill("2026-11-10")
    page.get_by_role("button", name="Add interview").click()
    expect(page.get_by_text(f"Added the interview of {shown('2026-11-10')}.")).to_be_visible()
    for number in range(5):
        expect(page.get_by_role("link", name=f"Panelist {number + 1}")).to_be_visible()
