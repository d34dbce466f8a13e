"""What a value must be to be stored, whichever way it comes in: a form, an import, a restore.

The rules are declared once, on the model fields in `crm.models`: peewee's own type, null and
choices, plus the field classes below for what peewee cannot say (one line or several, how
long, an email or web address, a time zone, a range of numbers). `check` applies them: the
forms wrap it as a validator (`crm.pages.forms.Accepts`), the importer and the restore call it on
every value. Pure: no database, request or clock.
"""

import re
from datetime import date, datetime, time
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import peewee
from email_validator import EmailNotValidError, validate_email

# What a database INTEGER holds; a larger id from a backup would overflow the driver.
INTEGER_RANGE = (-(2**63), 2**63 - 1)
# Migration 0001 made every CharField a VARCHAR(255): PostgreSQL refuses anything longer.
VARCHAR_LENGTH = 255
# One line: no control character (tab and line breaks included), nor a Unicode line or
# paragraph separator. A line break in a name breaks the headers and calendar lines it goes in.
NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Several lines: tabs and line breaks, but no other control character. PostgreSQL cannot
# store NUL, and escape sequences would drive the terminal that prints a digest.
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NUL = re.compile("\x00")
SHOWN_CHARACTERS = 40  # of a refused value, in a message: a 1 MB name is not echoed whole


class InvalidValue(ValueError):
    """A value a field does not accept; the message says what it takes."""


class LineField(peewee.CharField):
    """One line of text that people type or import: a name, a title, a phone number."""

    def __init__(self, max_length=200, blank=True, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.blank = blank


class NoteField(peewee.TextField):
    """Text of several lines that people type or import: notes, what was discussed."""

    def __init__(self, max_length=20000, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length


class EmailField(LineField):
    """An email address, checked by the email-validator package (no network)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=254, **kwargs)  # RFC 5321's limit on a whole address


class WebAddressField(LineField):
    """An http(s) address: other schemes could run script from a link."""

    def __init__(self, **kwargs):
        super().__init__(max_length=VARCHAR_LENGTH, **kwargs)


class TimeZoneField(LineField):
    """An IANA time zone name, like America/New_York."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, blank=False, **kwargs)


class RangeField(peewee.IntegerField):
    """A whole number between a minimum and a maximum, with the unit messages name."""

    def __init__(self, minimum, maximum, unit="", **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum, self.unit = minimum, maximum, unit


def naive(moment):
    """Whether a datetime or time has no zone: the database keeps naive UTC or wall times."""
    return moment.tzinfo is None


# The Python values each kind of column takes, in the order the classes are tested.
TYPES = (
    (peewee.BooleanField, lambda v: isinstance(v, bool), "true or false"),
    (peewee.IntegerField, lambda v: isinstance(v, int) and not isinstance(v, bool),
     "a whole number"),
    (peewee.DateTimeField, lambda v: isinstance(v, datetime) and naive(v),
     "a date and time like 2026-11-20T14:30:00"),
    (peewee.DateField, lambda v: isinstance(v, date) and not isinstance(v, datetime),
     "a date like 2026-11-20"),
    (peewee.TimeField, lambda v: isinstance(v, time) and naive(v), "a time like 14:30:00"),
    ((peewee.CharField, peewee.TextField), lambda v: isinstance(v, str), "text"),
)


def check(field, value):
    """Raise InvalidValue unless the field (of a model, or standing alone) accepts the value."""
    checker(field)(value)


def checker(field):
    """check() for one field, its rules looked up once: a restore runs it on every value."""
    # An id left out of a row is given by the database.
    required = not (field.null or isinstance(field, peewee.AutoField))
    if isinstance(field, peewee.ForeignKeyField):
        field = field.rel_field  # a link holds the id of the row it points at
    accepts, words = next(((accepts, words) for kind, accepts, words in TYPES
                           if isinstance(field, kind)), (None, ""))
    rules = [rule for rule in (text_rule(field), number_rule(field), choice_rule(field)) if rule]

    def run(value):
        if value is None:
            if required:
                raise InvalidValue("A value is needed here.")
            return
        if accepts is not None and not accepts(value):
            raise InvalidValue(f"Expected {words}.")
        for rule in rules:
            rule(value)

    return run


def text_rule(field):
    """The character, length and format rules of a text field; None for other fields."""
    if not isinstance(field, peewee.CharField | peewee.TextField):
        return None
    # Text the app stores for itself (a feed's article, the search index) only may not hold
    # NUL, which PostgreSQL cannot store; what people type follows the stricter rules.
    forbidden, message = (
        (NOT_ONE_LINE, "Use one line: no line breaks, tabs or other control characters.")
        if isinstance(field, LineField) else
        (NOT_TEXT if isinstance(field, NoteField) else NUL,
         "Remove the control characters (such as NUL) from this text."))
    limit = field.max_length if isinstance(field, LineField | NoteField) else None
    blank = getattr(field, "blank", True)
    shape = next((shape for kind, shape in SHAPES if isinstance(field, kind)), None)

    def rule(value):
        if forbidden.search(value):
            raise InvalidValue(message)
        if limit is not None and len(value) > limit:
            raise InvalidValue(f"Use at most {limit} characters (this has {len(value)}).")
        if not value and not blank:
            raise InvalidValue("This cannot be empty.")
        if value and shape is not None:
            shape(value)

    return rule


def number_rule(field):
    """The range of an integer field, its own or the database's; None for other fields."""
    if not isinstance(field, peewee.IntegerField):
        return None
    low, high = INTEGER_RANGE
    unit = ""
    if isinstance(field, RangeField):
        low, high, unit = field.minimum, field.maximum, f" {field.unit}".rstrip()

    def rule(value):
        if not low <= value <= high:
            raise InvalidValue(f"Choose between {low} and {high}{unit}.")

    return rule


def choice_rule(field):
    """Only the field's choices, when it has some; else None."""
    if not field.choices:
        return None
    allowed = frozenset(choice for choice, _ in field.choices)
    message = "Choose one of " + ", ".join(repr(choice) for choice, _ in field.choices) + "."

    def rule(value):
        if value not in allowed:
            raise InvalidValue(message)

    return rule


def email_address(text):
    """Raise InvalidValue unless the text is one email address, without a name or query."""
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error).rstrip(".")
        raise InvalidValue("Enter an email address like name@example.com"
                           f" ({reason[:1].lower()}{reason[1:]}).") from None


def web_address(text):
    """Raise InvalidValue unless the text is a full http(s) address with a host name."""
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        host, parts = "", None
    # Checked on the text itself: urlsplit silently drops tabs and line breaks.
    if (parts is None or parts.scheme not in ("http", "https") or "." not in host.strip(".")
            or any(char.isspace() for char in text)):
        raise InvalidValue("Enter a full web address, like https://example.com/page.")


def time_zone(text):
    """Raise InvalidValue unless the text is an IANA time zone name."""
    if text not in known_time_zones():
        raise InvalidValue("Choose a time zone like America/New_York or Europe/Paris.")


@cache
def known_time_zones():
    """Every IANA time zone name this system knows."""
    return frozenset(available_timezones())


@cache
def time_zone_names():
    """Every IANA time zone name this system knows, sorted, for the forms' suggestions."""
    return tuple(sorted(known_time_zones()))


# The formats some text fields hold, checked once the text is known to be one short line.
SHAPES = ((EmailField, email_address), (WebAddressField, web_address), (TimeZoneField, time_zone))


def one_line(text):
    """The text with every run of control characters, line breaks and spaces as one space."""
    return " ".join(NOT_ONE_LINE.sub(" ", text).split())


def refusal(where, name, value, error):
    """A message naming where a refused value came from, the field, the value and the rule."""
    if value is None:
        return f"{where}, {name}: {error}"
    shown = value if not isinstance(value, str) or len(value) <= SHOWN_CHARACTERS else (
        value[:SHOWN_CHARACTERS] + "…")
    return f"{where}, {name} {shown!r}: {error}"
