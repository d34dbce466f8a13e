"""In a real browser: the Today page's draft, Done and Snooze."""

from playwright.sync_api import expect


def test_log_a_suggestion_as_done_from_today(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/")
    letter = page.locator("article.suggestion", has_text="Send Sam Okafor a follow-through letter")
    letter.locator("summary", has_text="Draft").click()
    expect(letter.locator("pre.draft")).to_contain_text("Dear Sam,")
    letter.get_by_role("link", name="Done…").click()
    expect(page.get_by_role("heading", name="Log a touch with Sam Okafor")).to_be_visible()
    page.get_by_role("button", name="Log touch").click()
    expect(page.get_by_text("Logged the touch with Sam Okafor.")).to_be_visible()
    expect(page.locator("article.suggestion",
                        has_text="Send Sam Okafor a follow-through letter")).to_have_count(0)


def test_snooze_moves_a_suggestion_off_today(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/")
    invite = page.locator("section.section-today article.suggestion",
                          has_text="Invite Sam Okafor to connect on LinkedIn")
    invite.get_by_role("button", name="Snooze").click()
    expect(page.get_by_text("Snoozed “Invite Sam Okafor to connect on LinkedIn”")).to_be_visible()
    expect(page.locator("section.section-today article.suggestion",
                        has_text="Invite Sam Okafor")).to_have_count(0)
    expect(page.locator("section.section-upcoming article.suggestion",
                        has_text="Invite Sam Okafor")).to_have_count(1)


def test_linkedin_note_counts_down_from_300(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/")
    invite = page.locator("section.section-today article.suggestion",
                          has_text="Invite Sam Okafor to connect on LinkedIn")
    invite.locator("summary", has_text="Draft").click()
    note = invite.locator("textarea.draft")
    note.fill("Hello Sam")
    expect(invite.get_by_text("291 of 300 characters left for LinkedIn.")).to_be_visible()
