"""In a real browser: set up the mailbox, test it, sync, and review the people it turned up."""

from playwright.sync_api import expect
from support import letter

from crm.db import db
from crm.models import Company, Contact


def test_set_up_test_sync_and_review_people(app, live_server, page, dovecot):
    box = dovecot.mailbox()
    with app.app_context(), db.connection_context():
        acme = Company.create(name="Acme", website="https://acme.example")
        Contact.create(name="Bob Hale", email="bob@acme.example", company=acme)
    box.append("INBOX", letter("Bob Hale <bob@acme.example>", box.user, "Re: Thursday"),
               letter("Kim Lee <kim@acme.example>", box.user, "Introduction"))
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server}/mail")
    page.get_by_label("IMAP server").fill("127.0.0.1")
    page.get_by_label("Port").fill(str(dovecot.port))
    page.get_by_label("Encryption").select_option("plain")
    page.get_by_label("User name").fill(box.user)
    page.get_by_label("App password").fill("wrong password")
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("status")).to_contain_text("refused the login")
    expect(page.get_by_label("User name")).to_have_value(box.user)  # kept as typed
    page.get_by_label("App password").fill(box.password)
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("status")).to_contain_text("it reads INBOX and Sent")
    page.get_by_label("App password").fill(box.password)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Mail settings saved.")
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("status")).to_contain_text("1 touch logged")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="1 person to review").click()
    expect(page.locator("main")).to_contain_text("Writes from acme.example, the domain of Acme")
    page.get_by_role("button", name="Add as contact").click()
    expect(page.get_by_role("status")).to_contain_text("Kim Lee is now a contact.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
