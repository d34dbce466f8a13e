"""Search as a person types: accents and case ignored, words in any order, each word a prefix.

SQLite's FTS5 indexes the searched columns of each table (`INDEXED` below) in a
table of its own, `<table>_search` (made by migration 0014), with the `unicode61` tokenizer removing
diacritics, so "muller" finds "Zoë Müller" and "zoe mul" does too. Triggers,
made from `INDEXED` after every migration, keep each index in step with its
table whoever writes. PostgreSQL gets the same from its own full-text search:
an index of each table's words with accents, case and punctuation removed
(`unaccent`; migration 0018, `crm.postgres.search_condition`).
"""

import re

from peewee import OP, SQL, Expression, SqliteDatabase

from crm import postgres
from crm.db import db
from crm.models import Application, Article, Company, Contact, Event

# table -> the columns searched. Contacts are searched through `search_text`, which
# already gathers their name, title, email, company, tags and notes.
INDEXED = {
    Contact: ("search_text",),
    Company: ("name", "notes"),
    Application: ("position", "next_steps", "notes"),
    Event: ("name", "place", "notes"),
    Article: ("title",),
}
TOKENIZER = "unicode61 remove_diacritics 2"
WORD = re.compile(r"\w+")


def index_name(model):
    """The FTS5 table that indexes a model's searched columns."""
    return f"{model._meta.table_name}_search"


def install_triggers():
    """Create the triggers that keep each index in step with its table (safe to repeat).

    Run after every migration, like the change log's: SQLite drops a table's
    triggers when a migration rebuilds the table.
    """
    if not isinstance(db.obj, SqliteDatabase):
        return
    with db.atomic():
        for model, columns in INDEXED.items():
            table, index = model._meta.table_name, index_name(model)
            if not db.table_exists(index):
                continue  # before migration 0014
            names = ", ".join(columns)
            new = ", ".join(f"new.{c}" for c in columns)
            old = ", ".join(f"old.{c}" for c in columns)
            forget = (f'INSERT INTO "{index}"("{index}", rowid, {names}) '
                      f"VALUES ('delete', old.id, {old});")
            remember = f'INSERT INTO "{index}"(rowid, {names}) VALUES (new.id, {new});'
            for event, body in (("INSERT", remember), ("DELETE", forget),
                                ("UPDATE", forget + " " + remember)):
                db.execute_sql(
                    f'CREATE TRIGGER IF NOT EXISTS "{table}_{event.lower()}_searched" '
                    f'AFTER {event} ON "{table}" BEGIN {body} END')


def words(text):
    """The words of what was typed, lower-cased; punctuation and FTS syntax dropped."""
    return WORD.findall((text or "").casefold())


def matching(model, text):
    """A condition: rows of the model whose searched columns hold every word typed (as
    prefixes), in any order; True when nothing was typed, False for punctuation alone."""
    typed = words(text)
    if not typed:
        return bool(not (text or "").strip())
    if postgres.is_postgres(db.obj):
        return postgres.search_condition(model, INDEXED[model], " ".join(typed))
    # Each word quoted, so nothing typed can be read as FTS syntax; * makes it a prefix.
    query = " ".join(f'"{word}"*' for word in typed)
    index = index_name(model)
    return Expression(model.id, OP.IN, SQL(
        f'(SELECT rowid FROM "{index}" WHERE "{index}" MATCH ?)', [query]))
