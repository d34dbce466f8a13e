"""The pages: one blueprint per noun, on top of the core; pages import the core, never each other.

Each module holds its routes and what only its templates need; anything a
second page, a command or a job also uses lives in the core below (`crm.*`).
`forms`, `lookup`, `errors`, `dates` and `timeline` serve the pages and are not pages.
Templates mirror the modules: `templates/contacts/list.html` belongs to
`pages/contacts.py`.
"""

from crm.pages import (
    applications,
    board,
    calendar,
    companies,
    contacts,
    dates,
    duplicates,
    errors,
    event_calendars,
    events,
    forms,
    health,
    interviews,
    mail,
    news,
    search,
    settings,
    stats,
    today,
    touches,
    transfer,
    welcome,
)

BLUEPRINTS = (health, today, settings, contacts, duplicates, companies, applications, board,
              stats, interviews, touches, events, event_calendars, calendar, news, transfer,
              search, mail, welcome)


def init_app(app):
    """Register every page, the error pages and the forms' CSRF protection."""
    forms.init_app(app)
    dates.init_app(app)
    errors.init_app(app)
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
