"""`crm feeds` (add, list, import, export) and `crm refresh`."""

import sys
from contextlib import ExitStack

import click
from flask.cli import with_appcontext
from peewee import JOIN

from crm.models import Company, Feed, utcnow
from crm.news import feeds
from crm.news.opml import OpmlError
from crm.news.sync import plural, refresh


@click.group("feeds")
def feeds_group():
    """Follow company news feeds: add, list, import and export them."""


@feeds_group.command("add")
@click.argument("url")
@click.option("--company", help="The company the feed is about (created if new).")
@with_appcontext
def add(url, company):
    """Follow a feed, by its own address or a website that announces one; fetch it now.

    Offline, or with the site not answering, the address is saved as typed with a
    warning, and the next `crm refresh` fetches it."""
    owner = Company.named(company) if company and company.strip() else None
    try:
        feed, others, warning = feeds.add_feed(url, owner)
    except feeds.FeedProblem as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Added {feed.url}" + (f" for {owner.name}." if owner else "."))
    if others:
        click.echo("The page also announces: " + ", ".join(others))
    click.echo(f"Warning: {warning}" if warning else feeds.fetch_now(feed))


@feeds_group.command("list")
@with_appcontext
def list_feeds():
    """One line per feed: its address, its company and how it is doing."""
    now = utcnow()
    query = (Feed.select(Feed, Company).join(Company, JOIN.LEFT_OUTER)
             .order_by(Company.name.asc(nulls="first"), Feed.url))
    if not query.exists():
        click.echo("No feeds yet: follow one with `crm feeds add URL --company NAME`, "
                   "or import a feed reader's list with `crm feeds import FILE.opml`.")
        return
    for feed in query:
        company = feed.company.name if feed.company else "-"
        click.echo(f"{feed.url}\t{company}\t{feeds.status(feed, now).words}")


@feeds_group.command("import")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_command(file):
    """Follow the feeds of an OPML file; an outline holding feeds names their company."""
    try:
        report = feeds.import_opml(file.read())
    except OpmlError as error:
        raise click.ClickException(f"Nothing imported from {file.name}: {error}") from None
    click.echo(report.line() + " Run `crm refresh` to fetch them now.")


@feeds_group.command("export")
@click.argument("file", type=click.File("wb"), default="-")
@with_appcontext
def export_command(file):
    """Write every feed as OPML, grouped by company, to FILE (default: the screen)."""
    file.write(feeds.export_opml())


@click.command("refresh")
@click.option("--all", "every", is_flag=True, help="Fetch every unpaused feed, due or not.")
@click.option("--workers", type=click.IntRange(1, 64), help="Feeds fetched at once.")
@with_appcontext
def refresh_command(every, workers):
    """Fetch the feeds that are due and store their new articles.

    Exits with 1 when feeds were tried and every one failed (the network is
    down, say), so a scheduler notices; one failure among others is a 0.
    """
    if sys.stdout.isatty():
        summary = _with_bar(every, workers)
        for outcome in summary.outcomes:  # the bar shows no errors: list them after it
            if outcome.error:
                click.echo(f"failed {outcome.url}: {outcome.error}")
    else:
        summary = refresh(due_only=not every, workers=workers, progress=_print_line)
    click.echo(summary.line())
    if summary.failed and not (summary.fetched or summary.not_modified):
        raise click.exceptions.Exit(1)


def _with_bar(every, workers):
    # The bar is made once refresh knows how many feeds it holds.
    with ExitStack() as stack:
        bars = []

        def progress(done, total, outcome):
            if outcome is None:
                bars.append(stack.enter_context(click.progressbar(
                    length=total, label="Refreshing feeds", item_show_func=lambda url: url)))
            else:
                bars[0].update(1, outcome.url)

        return refresh(due_only=not every, workers=workers, progress=progress)


def _print_line(done, total, outcome):
    if outcome is None:
        click.echo(f"Refreshing {plural(total, 'feed')}.")
    elif outcome.error:
        click.echo(f"[{done}/{total}] failed {outcome.url}: {outcome.error}")
    else:
        click.echo(f"[{done}/{total}] {outcome.state} {outcome.url} ({outcome.new_articles} new)")
