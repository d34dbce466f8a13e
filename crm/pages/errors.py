"""Friendly pages for the errors a user can run into."""

from flask import render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    404: ("Not found", "There is nothing at this address. It may have been deleted."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "That upload is larger than the limit."),
    500: ("Something went wrong", "The error was logged; nothing you typed was half-saved."),
    503: ("Database unavailable", "The database is not answering. Nothing was saved; "
                                  "try again in a moment."),
}


def init_app(app):
    """Render our error page for the common HTTP errors and refused forms."""
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: error_page(code))
    app.register_error_handler(CSRFError, csrf_error)


def error_page(code, message=None):
    """The error page for an HTTP status code."""
    title, default = MESSAGES[code]
    return render_template("errors.html", code=code, title=title,
                           message=message or default), code


def csrf_error(error):
    """A form sent without a valid CSRF token: explain instead of a bare 400."""
    return error_page(400, "This form has expired or did not come from this app. "
                           "Go back, reload the page and send it again.")
