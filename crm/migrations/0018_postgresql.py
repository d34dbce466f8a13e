"""PostgreSQL's change log and search, what 0008 and 0014 made for SQLite alone.

On SQLite this does nothing. On PostgreSQL it makes the change log (numbered
at commit by `crm.postgres`, whose triggers are made from
`crm.changes.WATCHED` after every migration) and the search: `unaccent`, two
functions that turn text into words without accents or punctuation (as
SQLite's `unicode61 remove_diacritics 2` tokenizer does), and an index of
those words per searched table.
"""
from peewee import *

INDEXES = {
    'contact': ('search_text',),
    'company': ('name', 'notes'),
    'application': ('position', 'next_steps', 'notes'),
    'event': ('name', 'place', 'notes'),
    'article': ('title',),
}


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    # Deferrable foreign keys, as SQLite's defer_foreign_keys: a restore checks them at
    # commit, since a row may point at a later one of its own table.
    for table, name in db.execute_sql(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT condeferrable "
            "AND connamespace = current_schema()::regnamespace").fetchall():
        db.execute_sql(f'ALTER TABLE {table} ALTER CONSTRAINT "{name}" DEFERRABLE')
    db.execute_sql('CREATE SEQUENCE IF NOT EXISTS change_log_seq')
    # seq stays empty until the writing transaction commits (see crm.postgres).
    db.execute_sql('CREATE TABLE IF NOT EXISTS change_log (id BIGSERIAL PRIMARY KEY, '
                   'seq BIGINT UNIQUE, kind TEXT NOT NULL, ref INTEGER)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS change_log_unnumbered ON change_log (id) '
                   'WHERE seq IS NULL')
    db.execute_sql('CREATE EXTENSION IF NOT EXISTS unaccent')
    (schema,) = db.execute_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                               "WHERE extname = 'unaccent'").fetchone()
    # unaccent is only STABLE (its dictionary could change); an index needs IMMUTABLE,
    # which holds here as the dictionary is named and never edited. The text is taken in
    # the database's own collation: the names' case-insensitive one refuses regular
    # expressions.
    plain = (f'regexp_replace(lower({schema}.unaccent(\'{schema}.unaccent\'::regdictionary, '
             "array_to_string($1, ' ') COLLATE \"default\")), '[[:punct:][:space:]]+', ' ', 'g')")
    # COST: a scan calling it on every row costs far more than the planner's default
    # guess for a function, which made it prefer that scan to the index.
    db.execute_sql('CREATE OR REPLACE FUNCTION crm_search_words(VARIADIC text[]) '
                   'RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 '
                   f"AS $$ SELECT to_tsvector('simple'::regconfig, {plain}) $$")
    # Each typed word a prefix, all of them required.
    db.execute_sql("CREATE OR REPLACE FUNCTION crm_search_query(text) RETURNS tsquery "
                   "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
                   "SELECT to_tsquery('simple'::regconfig, "
                   "string_agg(quote_literal(word) || ':*', ' & ')) "
                   "FROM unnest(tsvector_to_array(crm_search_words($1))) AS word $$")
    for table, columns in INDEXES.items():
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_search" ON "{table}" '
                       f"USING gin (crm_search_words({', '.join(columns)}))")
