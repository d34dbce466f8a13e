"""The rows a URL names: ids read from paths and query strings, and the 404 when none."""

from flask import abort

MAX_ID = 2**63 - 1  # SQLite's largest integer: bigger ids in a URL cannot match a row


def as_id(value):
    """Read a row id from a query-string value; anything else is None."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


def get_or_404(model, row_id):
    """The row of this model with this id, or a 404 page."""
    row = model.get_or_none(model.id == row_id) if row_id <= MAX_ID else None
    if row is None:
        abort(404)
    return row
