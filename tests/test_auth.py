"""The owner's password: setting it, logging in and out, the session cookie, the lockout."""

from datetime import datetime, timedelta

import pytest
from support import CSRF_FIELD, contact_form

from crm.auth import FailureLimit, password_hash, set_password
from crm.cli import listen_refusal
from crm.db import db
from crm.login_sessions import LoginSession
from crm.models import Contact

PASSWORD = "correct horse battery"
FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def with_password(app):
    """The owner has set a password.

    No app context stays pushed (unlike the `database` fixture): each request gets its
    own `g`, as in production, where Flask-WTF keeps the request's CSRF token.
    """
    with app.app_context():
        set_password(PASSWORD)


def log_in(client, password=PASSWORD, next_url="", **kwargs):
    """Send the login form as a browser would."""
    return client.submit("/login", {"password": password, "next": next_url}, **kwargs)


def logged_in_client(app, user_agent="werkzeug"):
    """Another browser, logged in."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert log_in(client).status_code == 302
    return client


def copy_of(app, client):
    """A second client holding a copy of the first one's session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


@pytest.fixture
def clock(monkeypatch):
    """The time login sessions see, moved by hand: `clock.now += timedelta(days=1)`."""

    class Clock:
        now = datetime(2026, 11, 22, 9, 0)

    monkeypatch.setattr("crm.login_sessions.utcnow", lambda: Clock.now)
    return Clock


def test_set_password_asks_twice_and_stores_only_a_scrypt_hash(runner, database):
    result = runner.invoke(args=["set-password"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password set" in result.output and PASSWORD not in result.output
    stored = password_hash()
    assert stored.startswith("scrypt:") and PASSWORD not in stored


@pytest.mark.parametrize("typed", ["", "short12", "       "])
def test_set_password_refuses_short_passwords_and_changes_nothing(runner, database, typed):
    result = runner.invoke(args=["set-password"], input=f"{typed}\n{typed}\n")
    assert result.exit_code != 0
    assert password_hash() is None


def test_set_password_refuses_two_different_entries(runner, database):
    result = runner.invoke(args=["set-password"], input=f"{PASSWORD}\nsomething else\n")
    assert result.exit_code != 0 and "do not match" in result.output
    assert password_hash() is None


def test_set_password_takes_no_password_on_the_command_line(runner, database):
    result = runner.invoke(args=["set-password", PASSWORD])
    assert result.exit_code != 0 and password_hash() is None


def test_without_a_password_the_app_is_open_and_login_goes_home(client):
    assert client.get("/contacts").status_code == 200
    assert client.get("/login").location == "/"
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_logging_in_returns_to_the_page_asked_for(client, with_password):
    asked = client.get("/contacts?status=active")
    assert asked.status_code == 302
    login_page = client.get(asked.location)
    assert login_page.status_code == 200 and 'type="password"' in login_page.get_data(True)
    response = log_in(client, next_url="/contacts?status=active", form_page=asked.location)
    assert response.status_code == 302 and response.location == "/contacts?status=active"
    page = client.get("/contacts")
    assert page.status_code == 200 and "Log out" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_a_wrong_password_is_refused_with_a_message(client, with_password):
    response = log_in(client, "not the password")
    assert response.status_code == 200
    assert "Wrong password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)",
    "/\t/evil.example", "evil.example"])
def test_login_never_sends_the_user_to_another_site(client, with_password, target):
    response = log_in(client, next_url=target)
    assert response.status_code == 302 and response.location == "/"


def test_the_session_cookie_is_httponly_samesite_lax_and_lasts_two_weeks(client, with_password):
    response = log_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires=" in cookie  # a permanent session, PERMANENT_SESSION_LIFETIME long
    assert client.application.permanent_session_lifetime.days == 14


def test_the_session_cookie_is_secure_over_https(app, with_password):
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    token = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
    response = client.post("/login", data={"password": PASSWORD, "csrf_token": token},
                           base_url="https://localhost")
    assert response.status_code == 302
    assert "; Secure" in response.headers["Set-Cookie"]


def test_logging_out_takes_a_post_with_a_csrf_token(client, with_password):
    log_in(client)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token: still logged in
    assert client.get("/").status_code == 200
    response = client.submit("/logout", {}, form_page="/")
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/").status_code == 302


def test_a_copied_cookie_is_refused_after_logging_out(app, client, with_password):
    log_in(client)
    thief = copy_of(app, client)
    assert thief.get("/contacts").status_code == 200  # the copy worked while logged in
    client.submit("/logout", {}, form_page="/")
    refused = thief.get("/contacts")
    assert refused.status_code == 302 and refused.location.startswith("/login")
    assert client.get("/contacts").status_code == 302


def test_logging_out_everywhere_ends_every_login(app, client, with_password):
    log_in(client)
    laptop, phone = logged_in_client(app), logged_in_client(app)
    thief = copy_of(app, phone)
    assert client.post("/logout/everywhere").status_code == 400  # no CSRF token: nothing ends
    assert laptop.get("/contacts").status_code == 200
    response = client.submit("/logout/everywhere", {}, form_page="/settings")
    assert response.status_code == 302 and response.location == "/login"
    assert "You are logged out on every browser" in client.get("/login").get_data(as_text=True)
    for browser in (client, laptop, phone, thief):
        assert browser.get("/contacts").status_code == 302
    assert log_in(laptop).status_code == 302  # the password still works


def test_the_settings_page_lists_where_you_are_logged_in(app, client, with_password):
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX_ON_LINUX
    log_in(client)
    logged_in_client(app, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
                          "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 "
                          "Safari/604.1")
    page = client.get("/settings").get_data(as_text=True)
    assert "Firefox on Linux <span class=\"badge\">this browser</span>" in page
    assert "Safari on iPhone" in page and page.count("this browser") == 1
    assert "Log out everywhere" in page


@pytest.mark.parametrize("agent, name", [
    (FIREFOX_ON_LINUX, "Firefox on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Safari/605.1.15", "Safari on macOS"),
    ("curl/8.5.0", "An unknown browser"),
    ("", "An unknown browser")])
def test_a_login_is_shown_by_its_browser_and_system(agent, name):
    assert LoginSession(user_agent=agent).browser == name


def test_a_login_unused_for_two_weeks_ends(app, client, with_password, clock):
    log_in(client)
    clock.now += timedelta(days=13)
    assert client.get("/contacts").status_code == 200  # used: two more weeks from now
    clock.now += timedelta(days=14) - timedelta(seconds=1)
    assert client.get("/contacts").status_code == 200
    clock.now += timedelta(days=14)
    assert client.get("/contacts").status_code == 302
    assert log_in(client).status_code == 302


def test_a_login_ends_after_a_month_however_often_it_is_used(app, client, with_password, clock):
    log_in(client)
    for _ in range(29):
        clock.now += timedelta(days=1)
        assert client.get("/contacts").status_code == 200
    clock.now += timedelta(days=1)
    assert client.get("/contacts").status_code == 302


def test_last_use_is_written_at_most_once_a_minute(app, client, with_password, clock):
    log_in(client)
    started = clock.now

    def last_seen():
        with app.app_context(), db.connection_context():
            return LoginSession.get().last_seen_at

    clock.now += timedelta(seconds=59)
    client.get("/contacts")
    assert last_seen() == started
    clock.now += timedelta(seconds=1)
    client.get("/contacts")
    assert last_seen() == clock.now


def test_logging_in_again_forgets_expired_logins(app, with_password, clock):
    logged_in_client(app)
    clock.now += timedelta(days=15)
    logged_in_client(app)
    with app.app_context(), db.connection_context():
        assert LoginSession.select().count() == 1


@pytest.mark.parametrize("login", ["made-up", 12345, None, ["a", "b"]])
def test_a_cookie_naming_no_live_login_is_not_signed_in(client, with_password, login):
    with client.session_transaction() as session:
        session["login"] = login
    assert client.get("/contacts").status_code == 302
    assert client.get("/login").status_code == 200


def test_changing_the_password_signs_out_every_session(app, client, with_password):
    log_in(client)
    with app.app_context():
        set_password("a brand new password")
    assert client.get("/").status_code == 302
    assert log_in(client, "a brand new password").status_code == 302


def test_a_session_from_another_secret_key_is_not_signed_in(app, client, with_password):
    log_in(client)
    app.secret_key = "another key"
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_address_out_for_a_while(app, client, with_password):
    for _ in range(4):
        assert log_in(client, "wrong password").status_code == 200
    locked = log_in(client, "wrong password")
    assert locked.status_code == 429
    assert "Too many attempts, try again in 15 minutes." in locked.get_data(as_text=True)
    # The window counts from the first failure, a moment before: a second may have passed.
    assert 15 * 60 - 2 <= int(locked.headers["Retry-After"]) <= 15 * 60
    # Locked out even with the right password, until the window has passed.
    assert log_in(client, PASSWORD).status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert log_in(other, PASSWORD).status_code == 302  # one address cannot lock out another
    failures = app.extensions["crm.login_failures"]
    start = failures.clock()
    failures.clock = lambda: start + 14 * 60
    assert "try again in 1 minute." in log_in(client, PASSWORD).get_data(as_text=True)
    failures.clock = lambda: start + 15 * 60 + 1
    assert log_in(client, PASSWORD).status_code == 302


def test_a_right_password_forgets_earlier_failures(app, client, with_password):
    for _ in range(4):
        log_in(client, "wrong password")
    log_in(client)
    client.submit("/logout", {}, form_page="/")
    for _ in range(4):
        assert log_in(client, "wrong password").status_code == 200


def test_failures_slide_out_of_the_window():
    now = [1000.0]
    limit = FailureLimit(attempts=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        limit.add("10.0.0.1")
        now[0] += 10
    assert limit.wait("10.0.0.1") == pytest.approx(30)
    now[0] += 31
    assert limit.wait("10.0.0.1") == 0


def test_failing_from_thousands_of_addresses_does_not_unlock_a_locked_one():
    now = [1000.0]
    limit = FailureLimit(clock=lambda: now[0])
    for _ in range(5):
        limit.add("203.0.113.9")
    assert limit.wait("203.0.113.9") == pytest.approx(15 * 60)
    for n in range(10_001):  # more addresses than the table holds, each failing once
        limit.add(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    now[0] += 60
    assert limit.wait("203.0.113.9") == pytest.approx(14 * 60)
    assert len(limit.failures) <= 10_001


def test_too_many_failures_from_many_addresses_stop_every_login_for_a_minute(app, client,
                                                                               with_password):
    log_in(client)  # already logged in: stays so
    now = [1000.0]
    app.extensions["crm.login_failures"] = FailureLimit(clock=lambda: now[0])
    attacker = app.test_client()
    statuses = []
    for n in range(10):  # two tries each from five addresses: none is locked out alone
        attacker.environ_base["REMOTE_ADDR"] = f"198.51.100.{n // 2}"
        statuses.append(log_in(attacker, f"guess number {n}").status_code)
        now[0] += 1
    assert statuses == [200] * 9 + [429]
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    refused = log_in(owner)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 50
    assert ("Too many attempts from many addresses, try again in 1 minute."
            in refused.get_data(as_text=True))
    assert client.get("/contacts").status_code == 200
    now[0] += 50
    assert log_in(owner).status_code == 302


def test_failure_counts_stay_bounded_in_memory():
    limit = FailureLimit(attempts=2, window=60, max_addresses=100)
    for n in range(1000):
        limit.add(f"10.0.{n // 256}.{n % 256}")
    assert len(limit.failures) <= 101


def test_ipv6_addresses_are_limited_by_their_64_bit_prefix(app, client, with_password):
    for n in range(5):
        client.environ_base["REMOTE_ADDR"] = f"2001:db8::{n + 1}"
        log_in(client, "wrong password")
    client.environ_base["REMOTE_ADDR"] = "2001:db8::99"
    assert log_in(client, PASSWORD).status_code == 429


def test_the_password_hash_never_shows_on_a_page(app, client, with_password):
    log_in(client)
    stored = password_hash()
    for url in ("/", "/settings", "/transfer"):
        assert stored not in client.get(url).get_data(as_text=True), url


def test_without_a_password_only_this_computer_is_answered(app, client):
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    refused = stranger.get("/contacts")
    assert refused.status_code == 403 and "crm set-password" in refused.get_data(as_text=True)
    assert stranger.get("/healthz").status_code == 200
    assert client.get("/contacts").status_code == 200  # 127.0.0.1
    client.environ_base["REMOTE_ADDR"] = "::1"
    assert client.get("/contacts").status_code == 200


def test_serve_may_listen_beyond_localhost_only_with_a_password():
    for host in ("127.0.0.1", "localhost", "::1"):
        assert listen_refusal(host, password_set=False) is None
    refusal = listen_refusal("0.0.0.0", password_set=False)
    assert "Refusing to listen on 0.0.0.0" in refusal and "crm set-password" in refusal
    assert listen_refusal("0.0.0.0", password_set=True) is None
    assert listen_refusal("192.0.2.10", password_set=False) is not None


def test_crm_serve_refuses_0_0_0_0_until_a_password_is_set(runner, database, monkeypatch):
    served = {}
    monkeypatch.setattr("waitress.serve", lambda app, **options: served.update(options))
    monkeypatch.setattr("crm.scheduler.start", lambda app: None)
    refused = runner.invoke(args=["serve", "--host", "0.0.0.0", "--port", "8765"])
    assert refused.exit_code != 0 and "crm set-password" in refused.output
    assert served == {}
    runner.invoke(args=["set-password"], input=f"{PASSWORD}\n{PASSWORD}\n")
    accepted = runner.invoke(args=["serve", "--host", "0.0.0.0", "--port", "8765"])
    assert accepted.exit_code == 0, accepted.output
    assert served["host"] == "0.0.0.0" and served["port"] == 8765


def test_a_signed_in_owner_can_use_the_forms(client, with_password):
    log_in(client)
    assert client.submit("/contacts/new", contact_form()).status_code == 302
    assert Contact.get().name == "Ada Lovelace"
