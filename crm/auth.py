"""The owner's password: `crm set-password`, login and logout, and the guard before every page.

With no password set the app stays open, for use on localhost only (`crm serve`
refuses other addresses until one is set). Who is signed in is kept on the server
(`crm.login_sessions`); the cookie only names the login.
"""

import ipaddress
import math
import threading
import time
from collections import deque

import click
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from crm import login_sessions
from crm.db import db
from crm.security import local_path
from crm.settings import get_setting, set_setting

# The only pages a stranger may reach once a password is set. Calendar apps
# cannot log in: the feed's secret token is its key.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "health.healthz", "health.favicon", "static",
                              "calendar.feed"})
PASSWORD_KEY = "auth.password_hash"
MIN_LENGTH, MAX_LENGTH = 8, 1024
ATTEMPTS, WINDOW_SECONDS = 5, 15 * 60  # failed logins allowed per address in the window
# Failed logins allowed from all addresses together: someone holding many addresses
# (an IPv6 /48 is 65,536 of them) gets no more guesses than this.
OVERALL_ATTEMPTS, OVERALL_WINDOW_SECONDS = 10, 60

bp = Blueprint("auth", __name__)


def init_app(app):
    """Guard every request, count failed logins, and add `crm set-password`."""
    app.extensions["crm.login_failures"] = FailureLimit()
    app.before_request(require_login)
    app.after_request(keep_private_pages_out_of_caches)
    app.context_processor(lambda: {"signed_in": g.get("signed_in", False)})
    app.register_blueprint(bp)
    app.cli.add_command(set_password_command)


def password_hash():
    """The stored hash of the owner's password, or None while none is set."""
    return get_setting(PASSWORD_KEY)


def set_password(password):
    """Store a new password (scrypt hash); every session signed in with the old one ends."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"A password needs at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"A password can have at most {MAX_LENGTH} characters.")
    with db.atomic():
        set_setting(PASSWORD_KEY, generate_password_hash(password, method="scrypt"))
        login_sessions.end_all()


def require_login():
    """Send a visitor without a session to the login page, once a password is set."""
    # Public pages skip the database too: /healthz must answer 503, not fail, when it is down.
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    stored = password_hash()
    if stored is None:
        return None if from_this_machine() else no_password_yet()
    if session_signed_in():
        return None
    wanted = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=wanted))


def session_signed_in():
    """Whether the cookie names a live login (remembered for the request, with the login)."""
    g.login_session = login_sessions.find(session.get("login"))
    g.signed_in = g.login_session is not None
    return g.signed_in


def from_this_machine():
    """Whether the request comes from this computer (through the proxy, with PROXY_FIX on)."""
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def no_password_yet():
    """Refuse another machine while no password is set, whatever server or proxy let it in."""
    message = ("Followthrough has no password yet, so it only answers this computer. "
               "Run `crm set-password` on the server to use it from elsewhere.")
    return render_template("errors.html", code=403, title="No password set",
                           message=message), 403


def keep_private_pages_out_of_caches(response):
    """Pages seen signed in are not stored, so Back after logging out shows nothing."""
    if g.get("signed_in") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


class LoginForm(FlaskForm):
    password = PasswordField("Password", [DataRequired("Enter your password."),
                                          Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password", "autofocus": True})
    next = HiddenField()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Ask for the password; a few wrong ones from one address lock that address out a while."""
    stored = password_hash()
    form = LoginForm(next=request.args.get("next", ""))
    target = local_path(form.next.data) or url_for("today.index")
    if stored is None or session_signed_in():
        return redirect(target)
    if request.method == "POST":
        failures = current_app.extensions["crm.login_failures"]
        address = client_address()
        if refusal := locked_out(form, failures, address):
            return refusal
        if form.validate_on_submit():
            if check_password_hash(stored, form.password.data):
                failures.clear(address)
                session.clear()  # a fresh session: nothing planted before login survives
                session.permanent = True
                session["login"] = login_sessions.start(request.user_agent.string)
                return redirect(target)
            failures.add(address)
            if refusal := locked_out(form, failures, address):
                return refusal
            form.password.errors = ["Wrong password."]
    return render_template("auth/login.html", form=form)


def locked_out(form, failures, address):
    """The login page refusing to check more passwords for now (429), or None when it may."""
    if wait := failures.wait(address):
        reason = "Too many attempts"
    elif wait := failures.overall_wait():
        reason = "Too many attempts from many addresses"
    else:
        return None
    minutes = max(1, math.ceil(wait / 60))
    form.password.errors = [
        f"{reason}, try again in {minutes} minute{'s' if minutes > 1 else ''}."]
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(math.ceil(wait))}


@bp.post("/logout")
def logout():
    """End this browser's login on the server (the CSRF check already ran, as for every POST)."""
    login_sessions.end(session.get("login"))
    session.clear()
    flash("You are logged out.", "success")
    return redirect(url_for(".login"))


@bp.post("/logout/everywhere")
def logout_everywhere():
    """End every login, this browser's too: for a lost laptop or a copied cookie."""
    login_sessions.end_all()
    session.clear()
    flash("You are logged out on every browser, this one too.", "success")
    return redirect(url_for(".login"))


def client_address():
    """Who is trying: the IP address, or its /64 for IPv6, where one host holds a whole /64."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class FailureLimit:
    """Failed logins in sliding windows, per address and over all of them, kept in memory.

    A refused attempt checks no password and counts nothing, so the overall cap bounds
    how many failures, and so how many locked-out addresses, the table can hold.
    """

    def __init__(self, attempts=ATTEMPTS, window=WINDOW_SECONDS, overall=OVERALL_ATTEMPTS,
                 overall_window=OVERALL_WINDOW_SECONDS, clock=time.monotonic,
                 max_addresses=10_000):
        self.attempts, self.window, self.clock = attempts, window, clock
        self.overall_window = overall_window
        self.max_addresses = max_addresses  # bounds memory when many addresses fail
        self.failures = {}  # address -> times of its recent failures, at most `attempts`
        self.everyone = deque(maxlen=overall)  # times of the latest failures from anywhere
        self.lock = threading.Lock()

    def wait(self, address):
        """Seconds before this address may try again; 0 when it may now."""
        with self.lock:
            return self._wait(self._times(address), self.window)

    def overall_wait(self):
        """Seconds before anyone may try again after too many failures from everywhere; 0 if now."""
        with self.lock:
            return self._wait(self.everyone, self.overall_window)

    def add(self, address):
        """Count a failed attempt."""
        with self.lock:
            now = self.clock()
            self.failures[address] = times = self._times(address)
            times.append(now)
            self.everyone.append(now)
            if len(self.failures) > self.max_addresses:
                # Forget every address that is not locked out, never one that is: failing
                # from thousands of other addresses must not unlock it.
                self.failures = {known: kept for known, kept in self.failures.items()
                                 if self._wait(kept, self.window)}

    def clear(self, address):
        """Forget the failures of an address that got the password right."""
        with self.lock:
            self.failures.pop(address, None)

    def _times(self, address):
        return self.failures.get(address) or deque(maxlen=self.attempts)

    def _wait(self, times, window):
        """Seconds until a full deque of failure times has room: its oldest leaves the window."""
        now = self.clock()
        while times and times[0] <= now - window:
            times.popleft()
        return times[0] + window - now if len(times) == times.maxlen else 0


@click.command("set-password")
def set_password_command():
    """Set or change the owner's password (asked twice, never on the command line)."""
    password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        set_password(password)
    except ValueError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from None
    click.echo("Password set. Every page now asks for it, except /healthz and the calendar "
               "feed; `crm serve` may now listen beyond localhost.")
