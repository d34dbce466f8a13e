"""In a real browser: moving a card on the board by button and by drag, and What works."""

from playwright.sync_api import expect


def card(page, position):
    return page.locator("article.pcard", has_text=position)


def test_move_a_card_by_its_button(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/applications/board")
    analyst = card(page, "Senior Partnerships Analyst")
    expect(page.locator('section[data-status="interviewing"]')).to_contain_text(
        "Senior Partnerships Analyst")
    analyst.get_by_role("button", name="to Offer").click()
    expect(page.get_by_text("Moved Senior Partnerships Analyst at Northwind Athletics to offer."))\
        .to_be_visible()
    expect(page.locator('section[data-status="offer"]')).to_contain_text(
        "Senior Partnerships Analyst")
    expect(page.locator('section[data-status="interviewing"] article.pcard')).to_have_count(0)


def test_move_a_card_by_dragging_it(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/applications/board")
    card(page, "Senior Partnerships Analyst").drag_to(
        page.locator('section[data-status="applied"]'))
    expect(page.get_by_text(
        "Moved Senior Partnerships Analyst at Northwind Athletics to applied.")).to_be_visible()
    expect(page.locator('section[data-status="applied"]')).to_contain_text(
        "Senior Partnerships Analyst")


def test_the_board_fits_a_phone(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/applications/board")
    # The columns scroll sideways inside the board; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    analyst = card(page, "Senior Partnerships Analyst")
    analyst.scroll_into_view_if_needed()
    analyst.get_by_role("button", name="to Rejected").click()
    expect(page.get_by_text("Now long-term contacts: Sam Okafor.", exact=False)).to_be_visible()


def test_what_works_draws_its_charts_with_their_figures(live_server, page, runner):
    runner.invoke(args=["demo"])
    page.goto(live_server + "/applications/stats")
    expect(page.locator("svg.chart")).to_have_count(7)
    for name in ("weekly", "open", "referral-answers", "referral-interviews", "source-answers",
                 "source-interviews", "wait"):
        chart = page.locator(f"#chart-{name}")
        expect(chart).to_be_visible()
        expect(page.locator(f"#figures-{name}")).to_be_visible()
        assert chart.bounding_box()["width"] > 200
    expect(page.locator("#figures-open")).to_contain_text("Interviewing")
    expect(page.locator("#figures-source-answers")).to_contain_text("Job board (1)")
    expect(page.get_by_text("of your interviews came through a person")).to_be_visible()
