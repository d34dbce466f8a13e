"""Likely duplicates: the list, comparing two contacts side by side, merging and undoing."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from crm import duplicates, merging
from crm.db import db
from crm.models import Contact, ContactMerge
from crm.pages.forms import ConfirmForm
from crm.pages.lookup import as_id, get_or_404
from crm.pagination import page_number

bp = Blueprint("duplicates", __name__, url_prefix="/contacts")

PER_PAGE = 50
SIDES = ("first", "second")
RECENT_MERGES = 20


@bp.get("/duplicates")
def index():
    """Every likely duplicate pair, strongest reasons first, and the recent merges to undo."""
    pairs = duplicates.likely_pairs()
    pages = max(1, -(-len(pairs) // PER_PAGE))
    number = min(page_number(request.args.get("page")), pages)
    merges = (ContactMerge.select(ContactMerge, Contact).join(Contact)
              .order_by(ContactMerge.merged_at.desc(), ContactMerge.id.desc())
              .limit(RECENT_MERGES))
    return render_template("duplicates/list.html", total=len(pairs), number=number,
                           pages=pages, pairs=pairs[(number - 1) * PER_PAGE:number * PER_PAGE],
                           merges=list(merges), form=ConfirmForm())


def chosen_pair(source):
    """The two contacts named by `first` and `second` (None when not both are given), or 404."""
    first, second = as_id(source.get("first")), as_id(source.get("second"))
    if first is None or second is None:
        return None
    return get_or_404(Contact, first), get_or_404(Contact, second)


@bp.route("/merge", methods=["GET", "POST"])
def merge():
    """Show two contacts side by side; merge them with the values picked, in one transaction."""
    source = request.form if request.method == "POST" else request.args
    pair = chosen_pair(source)
    if pair is None:
        flash("Pick two contacts to compare from the list of likely duplicates.", "error")
        return redirect(url_for(".index"))
    form, error = ConfirmForm(), None
    if pair[0].id == pair[1].id:
        abort(404)
    sides = {side: merging.values(contact) for side, contact in zip(SIDES, pair, strict=True)}
    picks = {name: source.get(f"pick_{name}", default_side(sides, name))
             for name in merging.FIELDS}
    keep_side = source.get("keep", "first")
    if form.validate_on_submit():
        if keep_side not in SIDES or not set(picks.values()) <= set(SIDES):
            error = "Pick one side for each field and the contact to keep."
        else:
            keep, other = pair if keep_side == "first" else pair[::-1]
            other_side = SIDES[1 - SIDES.index(keep_side)]
            record = merging.merge(keep, other, {name for name, side in picks.items()
                                                 if side == other_side})
            flash(f"Merged {record.merged_name} into {keep.name}. The merge can be undone "
                  "from this page.", "success")
            return redirect(url_for("contacts.detail", contact_id=keep.id))
    return render_template(
        "duplicates/merge.html", pair=pair, sides=sides, picks=picks, keep=keep_side,
        fields=merging.FIELDS, form=form, error=error,
        moving=[merging.moving(contact) for contact in pair]), 400 if error else 200


def default_side(sides, name):
    """The first contact's value, unless only the second has one."""
    return "second" if not sides["first"][name] and sides["second"][name] else "first"


@bp.post("/duplicates/distinct")
def distinct():
    """Say two contacts are different people: the pair leaves the duplicates list."""
    pair = chosen_pair(request.form)
    if pair is None:
        abort(400)
    first, second = pair
    if ConfirmForm().validate_on_submit() and first.id != second.id:
        with db.atomic():
            duplicates.mark_distinct(first.id, second.id)
        flash(f"{first.name} and {second.name} will not be listed as duplicates again.",
              "success")
    return redirect(url_for(".index"))


@bp.post("/merges/<int:merge_id>/undo")
def undo(merge_id):
    """Split a merge again: the merged contact comes back with everything that was theirs."""
    record = get_or_404(ContactMerge, merge_id)
    if ConfirmForm().validate_on_submit():
        try:
            name = merging.undo(record)
        except merging.MergeError as error:
            flash(f"{error}", "error")
        else:
            flash(f"Undid the merge: {name} is a contact of their own again.", "success")
    return redirect(url_for(".index"))

