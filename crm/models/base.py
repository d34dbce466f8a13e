"""What every table shares: the base model, the date columns, and the clock as stored."""

from datetime import UTC, date, datetime

import peewee
from peewee import Model

from crm.db import db


def utcnow():
    """Return the current UTC time as a naive datetime, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


class DateField(peewee.DateField):
    """A date column read with `date.fromisoformat`.

    peewee tries strptime formats one by one on SQLite's text, which made
    reading dates a large share of computing the suggestions.
    """

    def python_value(self, value):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                pass
        return super().python_value(value)


class DateTimeField(peewee.DateTimeField):
    """A date-and-time column read with `datetime.fromisoformat` (see DateField)."""

    def python_value(self, value):
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        return super().python_value(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def row_problem(cls, row):
        """What is wrong across a row's fields (name -> value), as (field, message), or None."""
        return None
