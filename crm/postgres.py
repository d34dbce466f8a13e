"""What PostgreSQL needs said in its own SQL; every other module stays the same on both engines.

SQLite's pieces live beside the code that needs them (`changes`, `search`,
`db`); these are their PostgreSQL twins, kept in one place:

- the change log's triggers, numbered in commit order (see `install_change_log`);
- search through PostgreSQL's full-text search, accents ignored by `unaccent`
  (the functions and indexes are made by migration 0018);
- sequences set past the highest id after a restore, and fresh statistics;
- text parameters without NUL, which PostgreSQL cannot store or compare.

The case-insensitive collation SQLite has built in, `nocase`, which the models
name for company, contact and tag names, is made by migration 0001.
"""

from contextlib import contextmanager

import psycopg
from peewee import Expression, PostgresqlDatabase, fn
from psycopg.types.string import StrDumperUnknown

# Any fixed numbers: the keys of our advisory locks.
CHANGE_LOG_LOCK = 0x43524D01
MIGRATION_LOCK = 0x43524D02


def is_postgres(database):
    """Whether `database` (a peewee database, not the proxy) is PostgreSQL."""
    return isinstance(database, PostgresqlDatabase)


@contextmanager
def one_migrator(database):
    """Hold the migrations' lock meanwhile on PostgreSQL, so that two servers started at once
    migrate one after the other, the second finding nothing left to do."""
    if not is_postgres(database):
        yield
        return
    database.execute_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
    try:
        yield
    finally:
        database.execute_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")


class _TextWithoutNul(StrDumperUnknown):
    """Text sent to the server without NUL characters, which PostgreSQL cannot hold."""

    def dump(self, obj):
        return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)


def drop_nul_from_text():
    """Send every text parameter without NUL: the fields refuse NUL in what is stored, and a
    refused value looked up again (a company name typed with one) must not fail the page."""
    psycopg.adapters.register_dumper(str, _TextWithoutNul)


def install_change_log(database, watched, rows, kept):
    """Create the change log's triggers as `crm.changes.WATCHED` asks (safe to repeat).

    A row's sequence number is given as its transaction commits, one
    transaction at a time (an advisory lock held to the end of the commit), so
    the numbers a reader sees are in commit order: a reader that has seen
    number n has seen every change numbered below it. Numbered as written, a
    long transaction could commit number 5 after a reader had moved past 6.
    """
    with database.atomic():
        for model, (events, marks) in watched.items():
            table = model._meta.table_name
            for event in events:
                verb = event.split()[0]
                values = ", ".join(f"('{kind}', {ref.format(row=row)})"
                                   for row in rows[verb] for kind, ref in marks)
                name = f"{table}_{verb.lower()}_logged"
                database.execute_sql(
                    f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql '
                    f"AS $$ BEGIN INSERT INTO change_log (kind, ref) VALUES {values}; "
                    "RETURN NULL; END $$")
                database.execute_sql(
                    f'CREATE OR REPLACE TRIGGER "{name}" AFTER {event} ON "{table}" '
                    f'FOR EACH ROW EXECUTE FUNCTION "{name}"()')
        database.execute_sql(
            "CREATE OR REPLACE FUNCTION change_log_numbered() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ DECLARE last bigint; BEGIN "
            # It fires once per new row, at commit; the first numbers them all. (Scanning
            # again for rows left unnumbered would cost a bulk import minutes.)
            "IF current_setting('crm.change_log_numbered', true) = 'yes' THEN RETURN NULL; "
            "END IF; PERFORM set_config('crm.change_log_numbered', 'yes', true); "
            f"PERFORM pg_advisory_xact_lock({CHANGE_LOG_LOCK}); "
            "WITH numbered AS (UPDATE change_log SET seq = nextval('change_log_seq') "
            "WHERE seq IS NULL RETURNING seq) SELECT max(seq) INTO last FROM numbered; "
            # The log prunes itself, so no reader ever has to write.
            f"IF last IS NOT NULL THEN DELETE FROM change_log WHERE seq <= last - {kept}; "
            "END IF; RETURN NULL; END $$")
        database.execute_sql("DROP TRIGGER IF EXISTS change_log_numbered ON change_log")
        database.execute_sql(
            "CREATE CONSTRAINT TRIGGER change_log_numbered AFTER INSERT ON change_log "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_log_numbered()")


def search_condition(model, columns, text):
    """A condition: the model's rows whose columns hold every word of `text` as a prefix."""
    return Expression(fn.crm_search_words(*(getattr(model, c) for c in columns)), "@@",
                      fn.crm_search_query(text))


def reset_sequences(database, models):
    """Set each model's id sequence past its highest id, so the next insert does not collide."""
    for model in models:
        table, pk = model._meta.table_name, model._meta.primary_key
        if getattr(pk, "field_type", "") != "AUTO":
            continue
        # The next id is one past the highest, or 1 where there is none above 0.
        highest = f'(SELECT MAX("{pk.column_name}") FROM "{table}")'
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column_name}'), "
            f"GREATEST({highest}, 1), COALESCE({highest} >= 1, false))")


def analyze(database):
    """Bring the planner's statistics and the tables' visibility maps up to date after a
    bulk load (a restore), rather than wait for autovacuum: until then the planner guesses
    the tables empty and scans them whole, and no page is known all-visible, which slows
    every read through an index (the suggestions' touches at full size: 23 ms, then 12)."""
    database.execute_sql("VACUUM ANALYZE")
