"""How the pages write a date: one format throughout, the playbook's "Sat 28 Nov" (with the
year when it is not this year), and ", 10:00" after it for a moment of the day."""

from datetime import date, datetime

from flask import g
from jinja2 import pass_context

from crm.playbook.suggestion import format_day
from crm.settings import today_for_user


def written(value, today=None):
    """A date (or an ISO date text) as "Sat 28 Nov", a datetime with its time; None as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    today = today or _this_day()
    if isinstance(value, datetime):
        return format_day(value.date(), today) + value.strftime(", %H:%M")
    return format_day(value, today)


@pass_context
def when(context, value):
    """The template filter for `written`, using the page's `today` when it has one."""
    return written(value, context.get("today"))


def _this_day():
    # Looked up once per request, not once per date on the page.
    if "dates_today" not in g:
        g.dates_today = today_for_user()
    return g.dates_today


def init_app(app):
    """Give the templates the `when` filter."""
    app.add_template_filter(when)
