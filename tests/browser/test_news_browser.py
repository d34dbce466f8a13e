"""In a real browser: follow a company's feed from its page, and hostile feed text never runs."""

from playwright.sync_api import expect

from crm.db import db
from crm.models import Company, Contact
from tests.feedserver import FeedServer, Reply


def test_follow_a_feed_and_read_hostile_articles_safely(app, live_server, page):
    app.config.update(FEEDS_ALLOW_PRIVATE=True, FEEDS_TIMEOUT=2, NEWS_PRUNE_DAYS=100_000)
    with app.app_context(), db.connection_context():
        acme = Company.create(name="Acme Corp")
        Contact.create(name="Jane Doe", company=acme, status="long_term")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append("dialog: " + dialog.message))
    with FeedServer() as server:
        server.routes["/feed"] = Reply.file("rss_hostile.xml")
        page.goto(f"{live_server}/companies/{acme.id}")
        page.get_by_label("Feed or website address").fill(server.url("/feed"))
        page.get_by_role("button", name="Add feed").click()
        expect(page.get_by_role("status")).to_contain_text("1 new article")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="News", exact=True).click()
    expect(page.get_by_text("Quarterly results")).to_be_visible()  # its javascript: link dropped
    expect(page.locator("main")).to_contain_text("Revenue grew.")
    page.wait_for_timeout(300)  # give any injected script or image handler time to fire
    assert errors == []
    assert page.evaluate("document.querySelectorAll('main script, main iframe').length") == 0
    links = page.evaluate("[...document.querySelectorAll('main a')].map(a => a.href)")
    assert not [href for href in links if href.lower().startswith("javascript:")]
