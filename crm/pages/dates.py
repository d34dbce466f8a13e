"""How the pages write a date: one format throughout, "Sat 28 Nov 2026", and ", 10:00" after it
for a moment of the day."""

from datetime import date, datetime

DAY = "%a %-d %b %Y"


def when(value):
    """A date (or an ISO date text) as "Sat 28 Nov 2026", a datetime with its time; None as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.strftime(DAY + ", %H:%M")
    return value.strftime(DAY)


def init_app(app):
    """Give the templates the `when` filter."""
    app.add_template_filter(when)
