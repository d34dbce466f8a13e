"""`crm mail sync` and `crm mail import FILE`."""

import sys
from contextlib import ExitStack

import click
from flask.cli import with_appcontext

from crm.mail.archive import ArchiveError, import_messages
from crm.mail.sync import sync
from crm.models import MailAccount, normal_email


@click.group("mail")
def mail_group():
    """Log letters and replies from your mailbox: sync over IMAP, or import an export."""


@mail_group.command("sync")
@with_appcontext
def sync_command():
    """Read what is new in the mailbox set on the Mail page and log its touches."""
    summary = _with_progress("Reading mail", sync)
    for problem in summary.problems:
        click.echo(f"skipped {problem}")
    click.echo(summary.line())
    if summary.error:
        sys.exit(1)


@mail_group.command("import")
@click.argument("file", type=click.Path(exists=True))
@click.option("--address", "addresses", multiple=True, metavar="EMAIL",
              help="An address of yours (repeatable); default: the one on the Mail page.")
@with_appcontext
def import_command(file, addresses):
    """Log the touches of an mbox file (Gmail Takeout) or a folder of .eml files."""
    account = MailAccount.current()
    own = {normal_email(a) for a in addresses} or (account.own_addresses() if account else set())
    if not own:
        raise click.ClickException(
            "Say which address is yours, to tell your letters from replies: "
            "--address you@example.com (or set it on the Mail page).")
    try:
        summary = _with_progress("Importing mail",
                                 lambda progress: import_messages(file, own, progress))
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    for problem in summary.problems:
        click.echo(f"skipped {problem}")
    click.echo(summary.line())


def _with_progress(label, run):
    """Run with a progress bar on a terminal, quietly otherwise."""
    if not sys.stdout.isatty():
        return run(None)
    with ExitStack() as stack:
        bars = []

        def progress(done, total):
            if not bars:
                bars.append(stack.enter_context(click.progressbar(length=total, label=label)))
            bars[0].update(done - bars[0].pos)

        return run(progress)
