"""Every route, found in the URL map: CSRF on every change, login before every private page,
no change on GET, and the security headers with no inline script on every page.

Routes are enumerated from `app.url_map`, so a page added later is covered without
touching these tests; a new URL parameter only needs a sample value in `sample_values`.
"""

from urllib.parse import parse_qs, urlsplit

from flask import request, url_for
from support import CSRF_FIELD, contact_form, page_problems, route_urls, writes

from crm import create_app
from crm.auth import PUBLIC_ENDPOINTS, set_password
from crm.calendar_feed import feed_token
from crm.security import CONTENT_SECURITY_POLICY

CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def signed_in(app, client):
    """Set a password and log the client in with it."""
    with app.test_request_context():
        set_password("correct horse battery")
    response = client.submit("/login", {"password": "correct horse battery"})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_every_state_changing_route_refuses_a_missing_csrf_token(app, client, seeded):
    routes = route_urls(app, CHANGING_METHODS)
    assert len(routes) >= 20  # sanity: the enumeration found the app's forms
    for method, url, _ in routes:
        before = writes()
        response = client.open(url, method=method, data={"name": "Changed", "note": "Changed"})
        assert response.status_code == 400, (method, url, response.status_code)
        assert "did not come from this app" in response.get_data(as_text=True), url
        assert writes() == before, f"{method} {url} changed data without a CSRF token"


def test_a_csrf_token_from_another_session_is_refused(app, client, seeded):
    other = app.test_client()
    token = CSRF_FIELD.search(other.get("/contacts/new").get_data(as_text=True)).group(1)
    before = writes()
    response = client.post("/contacts/new", data={"name": "Mallory", "csrf_token": token})
    assert response.status_code == 400 and writes() == before


def test_no_get_route_changes_anything(app, client, seeded):
    routes = route_urls(app, {"GET"})
    before = writes()
    for _, url, _ in routes:
        client.get(url)
        assert writes() == before, f"GET {url} changed data"


def test_with_a_password_every_private_route_sends_strangers_to_login(app, client, seeded):
    with app.test_request_context():
        set_password("correct horse battery")
    routes = route_urls(app, {"GET"} | CHANGING_METHODS)
    private = [(method, url) for method, url, endpoint in routes
               if endpoint not in PUBLIC_ENDPOINTS] + [("GET", "/no-such-page")]
    assert len(private) >= 40
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    before = writes()
    for method, url in private:
        # A valid CSRF token, so that only the missing login stops the request.
        response = client.open(url, method=method, data={"csrf_token": token, "name": "x"})
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.location.startswith("/login"), (method, url, response.location)
        assert writes() == before, f"{method} {url} changed data without a login"
    location = urlsplit(client.get("/contacts?q=a").location)
    assert location.path == "/login" and parse_qs(location.query) == {"next": ["/contacts?q=a"]}


def test_with_a_password_the_public_routes_stay_open(app, client, seeded):
    with app.test_request_context():
        set_password("correct horse battery")
        token = feed_token()
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/login").status_code == 200
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.data.startswith(b"BEGIN:VCALENDAR")
    assert client.get("/calendar/wrong-token.ics").status_code == 404


def test_the_public_endpoints_all_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= PUBLIC_ENDPOINTS  # a renamed endpoint must be renamed here too


def test_every_page_has_the_security_headers_and_no_inline_script(app, client, seeded):
    urls = [url for _, url, _ in route_urls(app, {"GET"})] + ["/no-such-page"]
    pages = 0
    for url in urls:
        response = client.get(url)
        assert_security_headers(response, url)
        if response.mimetype == "text/html":
            pages += 1
            assert page_problems(response.get_data(as_text=True)) == [], url
    assert pages >= 20
    signed_in(app, client)
    for url in ("/", "/contacts", "/login"):
        response = client.get(url, follow_redirects=True)
        assert_security_headers(response, url)
        assert page_problems(response.get_data(as_text=True)) == [], url


def assert_security_headers(response, url):
    """The headers every response carries."""
    headers = response.headers
    assert_strict_policy(headers["Content-Security-Policy"], url)
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["X-Frame-Options"] == "DENY", url
    assert headers["Referrer-Policy"] == "no-referrer", url


def assert_strict_policy(policy, url=""):
    """No inline script or style, no framing, nothing from other sites (a view may be stricter)."""
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, url
    assert directives["default-src"] == "'self'", url
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", url
    assert directives["frame-ancestors"] == "'none'", url
    assert directives["form-action"] == "'self'", url


def test_the_policy_forbids_inline_script_and_framing():
    assert_strict_policy(CONTENT_SECURITY_POLICY)


def test_templates_have_no_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    for path in root.rglob("*.html"):
        if path.parts[-2] == "digest":
            continue  # an email, not a page: mail programs need inline styles
        assert page_problems(path.read_text()) == [], path


def test_forms_sent_over_https_need_no_referer(app, client):
    # Referrer-Policy: no-referrer means browsers send none; Flask-WTF wants one on https.
    page = client.get("/contacts/new", base_url="https://localhost")
    token = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
    response = client.post("/contacts/new", base_url="https://localhost",
                           data={**contact_form(), "csrf_token": token})
    assert response.status_code == 302


def where_am_i(app):
    """The app with a page telling what it believes the request's address and origin are."""
    @app.get("/_where")
    def where():
        return {"url": url_for("today.index", _external=True), "ip": request.remote_addr}
    return app.test_client()


def test_proxy_headers_are_ignored_unless_proxy_fix_is_on(app):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "crm.example.org",
               "X-Forwarded-For": "203.0.113.9"}
    assert where_am_i(app).get("/_where", headers=headers).json == {
        "url": "http://localhost/", "ip": "127.0.0.1"}
    proxied = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x",
                          "PROXY_FIX": True})
    client = where_am_i(proxied)
    # The stranger's own address counts: no password yet, so only this computer is answered.
    assert client.get("/_where", headers=headers).status_code == 403
    local = {**headers, "X-Forwarded-For": "127.0.0.1"}
    assert client.get("/_where", headers=local).json == {
        "url": "https://crm.example.org/", "ip": "127.0.0.1"}
