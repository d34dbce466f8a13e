"""`crm contacts duplicates`, `crm contacts merge` and `crm contacts unmerge`."""

import click
from flask.cli import with_appcontext

from crm import duplicates, merging
from crm.models import Contact, ContactMerge


@click.group("contacts")
def contacts_group():
    """Find and merge contacts that are one person twice."""


@contacts_group.command("duplicates")
@with_appcontext
def duplicates_command():
    """List likely duplicates: same email, same LinkedIn URL, same or similar name at a company."""
    pairs = duplicates.likely_pairs()
    for pair in pairs:
        click.echo(f"{pair.first.id} {pair.second.id}\t{label(pair.first)} / "
                   f"{label(pair.second)}: {'; '.join(pair.reasons)}")
    click.echo(f"{len(pairs)} likely duplicate pair{'' if len(pairs) == 1 else 's'}."
               + (" Merge one with: crm contacts merge KEEP OTHER" if pairs else ""))


def label(person):
    """A person as the list names them: "Bob Hale (Meridian)"."""
    return f"{person.name} ({person.company})" if person.company else person.name


@contacts_group.command("merge")
@click.argument("keep", type=int)
@click.argument("other", type=int)
@click.option("--dry-run", is_flag=True, help="Only say what would move; write nothing.")
@with_appcontext
def merge_command(keep, other, dry_run):
    """Merge contact OTHER into contact KEEP (ids as `crm contacts duplicates` lists them).

    KEEP's values stay; OTHER fills only KEEP's empty fields. Notes, tags, touches,
    interviews, application roles, events, articles and answers to suggestions all move
    to KEEP in one transaction. `crm contacts unmerge` undoes it.
    """
    kept, merged = (Contact.get_or_none(Contact.id == pk) for pk in (keep, other))
    for pk, contact in ((keep, kept), (other, merged)):
        if contact is None:
            raise click.ClickException(f"No contact #{pk}. Nothing was merged.")
    if keep == other:
        raise click.ClickException("A contact cannot be merged with itself. Nothing was merged.")
    mine, theirs = merging.values(kept), merging.values(merged)
    fills = [name for name in merging.FIELDS if not mine[name] and theirs[name]]
    filled = ", ".join(merging.FIELDS[name].lower() for name in fills)
    click.echo(f"{'Would merge' if dry_run else 'Merging'} {merged.name} (#{other}) into "
               f"{kept.name} (#{keep}): moves {merging.moving(merged).words()}"
               + (f"; fills in {filled}." if filled else "."))
    if not dry_run:
        record = merging.merge(kept, merged, set(fills))
        click.echo(f"Merged. Undo with: crm contacts unmerge {record.id}")


@contacts_group.command("unmerge")
@click.argument("merge_id", type=int)
@with_appcontext
def unmerge_command(merge_id):
    """Undo a merge: the merged contact comes back with everything that was theirs."""
    record = ContactMerge.get_or_none(ContactMerge.id == merge_id)
    if record is None:
        raise click.ClickException(f"No merge #{merge_id}. Nothing was changed.")
    try:
        name = merging.undo(record)
    except merging.MergeError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from None
    click.echo(f"Undid merge #{merge_id}: {name} is a contact of their own again.")
