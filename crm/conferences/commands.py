"""`crm events import FILE|URL` and `crm events refresh`."""

import os

import click
from flask.cli import with_appcontext

from crm.conferences import sync
from crm.conferences.parse import CalendarError


@click.group("events")
def events_group():
    """Conferences and meetings from the calendars their organisers publish."""


@events_group.command("import")
@click.argument("source")
@with_appcontext
def import_command(source):
    """Import an .ics FILE once, or subscribe to a calendar URL (http, https or webcal).

    Events come in as "maybe": mark the ones you are going to or interested in on the
    Events page, and only those make suggestions and reach your calendar feed. A
    subscription is fetched again on schedule; moved events move, cancelled ones are
    marked, none is added twice. A file that cannot be read imports nothing and names
    the line.
    """
    subscribing = "://" in source and not os.path.exists(source)
    try:
        if subscribing:
            stored = sync.subscribe(source)
        else:
            with open(source, "rb") as file:
                stored = sync.import_file(file.read(), os.path.basename(source))
    except OSError as error:
        raise click.ClickException(f"Cannot read {source}: {error.strerror}.") from None
    except CalendarError as error:
        raise click.ClickException(f"{source}: {error} Nothing was imported.") from None
    verb = "Subscribed to" if subscribing else "Imported"
    click.echo(f"{verb} {stored.line()}. New events are \"maybe\": mark the ones you will "
               "attend on the Events page.")


@events_group.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Every subscription, due or not.")
@with_appcontext
def refresh_command(everything):
    """Fetch the calendar subscriptions that are due and update their events."""
    click.echo(sync.refresh(due_only=not everything) + ".")
