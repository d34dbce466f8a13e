"""The `crm import`, `crm export` and `crm restore` commands."""

import io
import json
import os
import sys

import click
from flask.cli import with_appcontext

from crm import schema
from crm.transfer import backup, exporter, importer
from crm.transfer.applications import applications_csv
from crm.transfer.records import FormatError

EXAMPLES = 5  # people named per group in the summary


@click.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Only say what would change; write nothing.")
@with_appcontext
def import_command(file, dry_run):
    """Import LinkedIn's Connections.csv, a vCard file or a contacts CSV.

    People already here (same email, same LinkedIn URL, or same name at the same company)
    are updated, not duplicated. A file with one broken row imports nothing.
    """
    name = os.path.basename(file.name)
    try:
        upload = importer.read_upload(name, file.read())
        if dry_run:
            done = importer.plan(upload)
        else:
            # On stderr, so that stdout carries the summary alone; click draws the bar only
            # on a terminal.
            with click.progressbar(length=len(upload.records), label=f"Importing {name}",
                                   file=sys.stderr) as bar:
                done = importer.write(upload, bar.update)
                bar.update(bar.length - bar.pos)  # rows that repeated someone wrote nothing
    except FormatError as error:
        raise click.ClickException(f"{name}: {error} Nothing was imported.") from None
    for label, people in (("New", done.new), ("Updated", done.updated),
                          ("Skipped", done.skipped)):
        if people:
            click.echo(f"{label}: {examples(people, details=people is done.updated)}")
    for person in done.moved:
        click.echo(f"New role: {importer.move_words(person)}")
    click.echo(f"{'Would import' if dry_run else 'Imported'}: {importer.summary(done)}.")


def examples(people, details=False):
    """The first few people of a group (with what the import adds to each), and how many more."""
    named = [f"{p.name} (adds {', '.join(p.added())})" if details else p.name
             for p in people[:EXAMPLES]]
    more = f" and {len(people) - EXAMPLES} more" if len(people) > EXAMPLES else ""
    return "; ".join(named) + more


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "vcard"]), default="json",
              show_default=True,
              help="json: a full backup of every table; csv or vcard: the contacts.")
@click.option("--applications", is_flag=True,
              help="With --format csv: the applications instead of the contacts.")
@click.option("--output", "-o", type=click.File("wb"), default="-",
              help="Write to this file instead of standard output.")
@with_appcontext
def export_command(fmt, output, applications):
    """Write a full JSON backup (for crm restore), every contact as CSV or vCard, or every
    application as CSV."""
    if fmt == "json":
        # newline="": the backup's line ends are the same on every system.
        text = io.TextIOWrapper(output, encoding="utf-8", newline="")
        backup.write_backup(text)
        text.flush()
        text.detach()  # leave the stream open for click to close
    elif applications:
        if fmt != "csv":
            raise click.UsageError("--applications goes with --format csv.")
        output.write(applications_csv().encode())
    else:
        contacts = exporter.contacts_csv() if fmt == "csv" else exporter.contacts_vcard()
        output.write(contacts.encode())


@click.command("restore")
@click.argument("file", type=click.File("rb"))
@click.option("--replace", is_flag=True,
              help="Delete everything in the database first, in the same transaction.")
@with_appcontext
def restore_command(file, replace):
    """Load a backup made by `crm export --format json` into an empty database."""
    try:
        document = json.load(file)
    except ValueError as error:  # invalid JSON or not UTF-8
        raise click.ClickException(
            f"{file.name} is not a JSON backup ({error}). Nothing was restored.") from None
    schema.migrate()  # a new instance's database gets its tables first
    try:
        counts = backup.restore(document, replace=replace)
    except backup.BackupError as error:
        raise click.ClickException(f"{error} Nothing was restored.") from None
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables, among them"
               f" {counts.get('contact', 0)} contacts, {counts.get('company', 0)} companies"
               f" and {counts.get('touch', 0)} touches.")


COMMANDS = (import_command, export_command, restore_command)
