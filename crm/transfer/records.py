"""The plain record every contact parser returns, and the error every parser raises."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date


class FormatError(Exception):
    """A file that cannot be imported; the message names the row or card and the reason."""


@dataclass(frozen=True, kw_only=True)
class PersonRecord:
    """One person read from (or to be written to) a contact file."""

    name: str
    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    title: str = ""
    urls: tuple[str, ...] = ()
    linkedin_url: str = ""
    note: str = ""
    connected_on: date | None = None
    tags: tuple[str, ...] = ()
    # Where the record came from, for messages only: two records with the same data are equal.
    row: int = field(default=0, compare=False)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Strip values and drop empty ones and repeats (ignoring case), keeping the first spelling."""
    seen: dict[str, str] = {}
    for value in values:
        value = value.strip()
        if value:
            seen.setdefault(value.casefold(), value)
    return tuple(seen.values())
