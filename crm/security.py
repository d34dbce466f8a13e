"""Response headers, the session cookie's flags, trusting a reverse proxy when told to, and
keeping the calendar's secret out of the logs."""

import logging
import re
from urllib.parse import urlsplit

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere: app.js and app.css are the only ones.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; "
                           "form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The calendar's secret URL must never leave in a Referer.
    "Referrer-Policy": "no-referrer",
}


# The feed's address, /calendar/<token>.ics: the token is its only key (crm/calendar.py).
FEED_PATH = re.compile(r"(/calendar/)[^/\s?#\"']+(\.ics)")
# The request log of `crm run` (werkzeug), the app's error log and waitress's (`crm serve`).
LOGGERS = ("werkzeug", "waitress")


class RedactFeedToken(logging.Filter):
    """Replace the calendar token in a log line, and in its traceback, by [token]."""

    def filter(self, record):
        """Rewrite the record's message in place; never drop it."""
        message = record.getMessage()
        redacted = FEED_PATH.sub(r"\1[token]\2", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = FEED_PATH.sub(r"\1[token]\2", record.exc_text)
        return True


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the Secure flag whenever the request came over https."""

    def get_cookie_secure(self, app):
        """Secure when configured so, or when this request is https (directly or via the proxy)."""
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and request.is_secure))


def init_app(app):
    """Add the headers to every response; trust X-Forwarded-* only when PROXY_FIX is on."""
    if app.config.get("PROXY_FIX"):
        # One proxy in front (nginx on the same machine); more hops would be spoofable.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1,
                                x_prefix=1)
    # Flask-WTF's https check wants a Referer on every POST, which no-referrer never sends;
    # the session-bound token and the SameSite cookie stop cross-site forms on their own.
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)
    # Whoever reads the logs must not get the feed. A filter acts on the records of its own
    # logger only, so each logger that writes request paths gets one.
    for logger in (app.logger, *map(logging.getLogger, LOGGERS)):
        if not any(isinstance(f, RedactFeedToken) for f in logger.filters):
            logger.addFilter(RedactFeedToken())


def add_security_headers(response):
    """Set the security headers, leaving any a view chose for itself."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def local_path(target):
    """The target when it is a path on this site, else None: never send the user elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.com" is "//evil.com".
    if "\\" in target or any(ord(ch) <= 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not (parts.scheme or parts.netloc) else None
