"""The whole database as one versioned JSON document, and back again.

Every table of `crm.models.MODELS` is written, so a table added later is in the backup
without a change here. The format is documented in README.md ("The backup format").
"""

import json
from contextlib import suppress
from datetime import date, datetime, time

import peewee
from peewee import (
    BooleanField,
    DataError,
    DateField,
    DateTimeField,
    IntegrityError,
    SqliteDatabase,
    TimeField,
    sort_models,
)

from crm import fields, postgres
from crm.db import db
from crm.models import MODELS, Setting
from crm.schema import migration_runner
from crm.settings import stored_problem

FORMAT = "followthrough-backup"
VERSION = 1
BATCH = 500  # rows per INSERT
# Fields whose values JSON writes as ISO 8601 text, and how a restore reads them back.
PARSERS = {DateTimeField: datetime.fromisoformat, DateField: date.fromisoformat,
           TimeField: time.fromisoformat}


class BackupError(Exception):
    """A backup that cannot be restored here; the message says why and what to do."""


def write_backup(out):
    """Write every table to a text stream as JSON: one row a line, rows in primary-key order."""
    encode = json.JSONEncoder(ensure_ascii=False, default=iso).encode
    with reading():
        out.write(f'{{"format": "{FORMAT}", "version": {VERSION},'
                  f' "schema": {json.dumps(applied_migrations())}, "tables": {{')
        for number, model in enumerate(MODELS):
            out.write(f'{"," if number else ""}\n"{model._meta.table_name}": [')
            for index, row in enumerate(table_rows(model)):
                out.write(f'{"," if index else ""}\n{encode(row)}')
            out.write("\n]")
        out.write("\n}}\n")


def table_rows(model):
    """A table's rows as dicts of column values, in primary-key order."""
    fields = model._meta.sorted_fields
    columns = [field.column_name for field in fields]
    # Only dates, times and booleans need converting from what SQLite returns: calling every
    # field's python_value, as peewee's own rows do, doubled the time of a backup.
    converters = [(index, field.python_value) for index, field in enumerate(fields)
                  if isinstance(field, (*PARSERS, BooleanField))]
    sql, params = model.select(*fields).order_by(model._meta.primary_key).sql()
    for values in db.execute_sql(sql, params):
        values = list(values)
        for index, convert in converters:
            values[index] = convert(values[index])
        yield dict(zip(columns, values, strict=True))


def iso(value):
    """Dates, times and datetimes as ISO 8601 text, for the JSON encoder."""
    if isinstance(value, date | time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def restore(document, replace=False):
    """Load a parsed backup into the database in one transaction, or raise BackupError."""
    tables = check(document)
    try:
        with db.atomic():
            if not replace and not is_empty():
                raise BackupError(
                    "The database is not empty. Restore into a new, empty database, or use"
                    " --replace to delete everything in this one first.")
            # Checked at commit: a row may point at a later one of its own table.
            if isinstance(db.obj, SqliteDatabase):
                db.execute_sql("PRAGMA defer_foreign_keys = ON")
            else:
                db.execute_sql("SET CONSTRAINTS ALL DEFERRED")  # deferrable since 0018
            for model in reversed(sort_models(MODELS)):
                model.delete().execute()
            counts = {model._meta.table_name: insert(model, tables.get(model._meta.table_name, []))
                      for model in sort_models(MODELS)}
            if postgres.is_postgres(db.obj):
                postgres.reset_sequences(db.obj, MODELS)  # rows came with their ids
    except IntegrityError as error:
        raise BackupError(f"The backup's rows do not fit together: {error}.") from None
    if postgres.is_postgres(db.obj):
        postgres.analyze(db.obj)
    return counts


def insert(model, rows):
    """Check a table's backup rows as the forms would, then insert them in batches; count them."""
    columns = model._meta.sorted_fields
    # Each column's parser and rules looked up once, not once a value.
    prepared = [(field, next((parse for kind, parse in PARSERS.items() if isinstance(field, kind)),
                             None), fields.checker(field)) for field in columns]
    values = [row_values(model, prepared, number, row) for number, row in enumerate(rows, 1)]
    if model is Setting:
        # Settings are JSON text: what the settings page would refuse, pages would fail on.
        problem = stored_problem({row["key"]: row["value"] for row in rows})
        if problem:
            raise BackupError(f"Table setting, key {problem[0]!r}: {problem[1]}")
    # One prepared statement run for every row: building each INSERT through peewee's
    # query builder took four times as long as SQLite took to store the rows.
    quote = db.obj.quote
    sql = (f"INSERT INTO {quote[0]}{model._meta.table_name}{quote[1]}"
           f" ({', '.join(quote[0] + f.column_name + quote[1] for f in columns)})"
           f" VALUES ({', '.join([db.obj.param] * len(columns))})")
    cursor = db.cursor()
    for start in range(0, len(values), BATCH):
        try:
            with peewee.__exception_wrapper__:  # the driver's errors as peewee's, as elsewhere
                cursor.executemany(sql, values[start:start + BATCH])
        except (IntegrityError, DataError) as error:
            raise BackupError(f"Table {model._meta.table_name}: {error}.") from None
    return len(values)


def check(document):
    """Refuse what is not a backup this version can read; return its tables."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f'This is not a Followthrough backup: no "format": "{FORMAT}".')
    version = document.get("version")
    if type(version) is int and version > VERSION:  # type: true is not a version
        raise BackupError(f"This backup is in format version {version!r}, newer than this"
                          f" Followthrough reads ({VERSION}). Upgrade Followthrough first.")
    if type(version) is not int or version < 1:
        raise BackupError(f'The backup\'s "version" is not a format version: {version!r}.')
    schema = document.get("schema") or []
    if not isinstance(schema, list) or not all(isinstance(name, str) for name in schema):
        raise BackupError('The backup\'s "schema" is not a list of migration names.')
    known = {step.name for step in migration_runner().status()}
    newer = [name for name in schema if name not in known]
    if newer:
        raise BackupError(f"This backup comes from a newer database schema (it has migration"
                          f" {newer[0]}). Upgrade Followthrough, then restore it.")
    tables = document.get("tables")
    names = {model._meta.table_name for model in MODELS}
    if not isinstance(tables, dict) or not all(isinstance(rows, list) for rows in
                                               tables.values()):
        raise BackupError('The backup has no "tables" object of row lists.')
    unknown = sorted(set(tables) - names)
    if unknown:
        raise BackupError(f"The backup has a table this version does not know: {unknown[0]}.")
    return upgraded(tables, schema)


def upgraded(tables, schema):
    """The backup's rows in today's shape: each migration the backup predates and that
    reshapes data (`upgrade_backup`) does to the rows what it did to databases."""
    if not schema:
        return tables  # a backup that does not say its schema is taken as current
    for step in migration_runner().status():
        if step.name not in schema:
            upgrade = getattr(step.load(), "upgrade_backup", None)
            if upgrade is not None:
                upgrade(tables)
    return tables


def row_values(model, columns, number, row):
    """A backup row as database values, or BackupError naming the table, row and field.

    `columns` are the model's (field, parser or None, checker) triples, in column order.
    """
    where = f"Table {model._meta.table_name}, row {number}"
    if not isinstance(row, dict):
        raise BackupError(f"{where}: not an object of column values.")
    unknown = row.keys() - model._meta.columns.keys()
    if unknown:
        raise BackupError(f"{where}: unknown column {sorted(unknown)[0]!r}.")
    values = {}
    for field, parse, check in columns:
        if field.column_name not in row:  # a backup from before the column was added
            value = field.default() if callable(field.default) else field.default
        else:
            value = row[field.column_name]
            if parse is not None and isinstance(value, str):
                # JSON writes dates and times as ISO 8601 text; what does not parse stays
                # text, which the check refuses, saying what the field takes.
                with suppress(ValueError):
                    value = parse(value)
        try:
            check(value)
        except fields.InvalidValue as error:
            raise BackupError(fields.refusal(where, f"field {field.column_name}",
                                             row.get(field.column_name), error)) from None
        values[field.name] = value
    problem = model.row_problem(values)
    if problem:
        name, message = problem
        raise BackupError(fields.refusal(where, f"field {model._meta.fields[name].column_name}",
                                         row.get(name), message))
    return [field.db_value(values[field.name]) for field, _, _ in columns]


def is_empty():
    """Whether no table has a row."""
    return not any(model.select().exists() for model in MODELS)


def applied_migrations():
    """The names of the migrations applied to this database, in order: its schema version."""
    return [step.name for step in migration_runner().status() if step.applied]


def reading():
    """A transaction for one consistent read, without taking SQLite's write lock."""
    if isinstance(db.obj, SqliteDatabase):
        return db.atomic(lock_type="DEFERRED")
    return db.atomic()
