"""In a real browser: log in, use a form, log out, with every security header on."""

from playwright.sync_api import expect

from crm.auth import set_password


def test_log_in_add_a_contact_and_log_out(app, live_server, page):
    with app.app_context():
        set_password("correct horse battery")
    refused = []  # what the Content-Security-Policy blocked, as the console reports it
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(live_server + "/contacts")
    expect(page).to_have_url(live_server + "/login?next=/contacts")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server + "/contacts")

    # The form posts with no Referer (Referrer-Policy: no-referrer) and still passes CSRF.
    page.get_by_role("link", name="Add contact").click()
    page.get_by_label("Name").fill("Bob Hale")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Bob Hale")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(live_server + "/contacts")
    expect(page.get_by_label("Password")).to_be_visible()
    assert refused == []


def test_a_wrong_password_says_so(app, live_server, page):
    with app.app_context():
        set_password("correct horse battery")
    page.goto(live_server + "/login")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Wrong password.")).to_be_visible()


def test_log_out_everywhere_ends_a_copied_login(app, live_server, browser, page):
    with app.app_context():
        set_password("correct horse battery")
    page.goto(live_server + "/login")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    copy = browser.new_context()  # another machine holding a copy of the cookie
    copy.add_cookies(page.context.cookies())
    stolen = copy.new_page()
    stolen.goto(live_server + "/contacts")
    expect(stolen).to_have_url(live_server + "/contacts")

    page.goto(live_server + "/settings")
    expect(page.get_by_role("heading", name="Where you are logged in")).to_be_visible()
    expect(page.get_by_text("this browser")).to_have_count(1)
    page.get_by_role("button", name="Log out everywhere").click()
    expect(page.get_by_text("You are logged out on every browser, this one too.")).to_be_visible()
    stolen.goto(live_server + "/contacts")
    expect(stolen.get_by_label("Password")).to_be_visible()
    copy.close()
