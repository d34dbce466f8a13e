"""Search indexes (SQLite FTS5) that ignore accents and case; `crm.search` keeps them current.

The triggers that fill them are made from `crm.search.INDEXED` after every
migration, as the change log's are, so this script only makes and fills them.
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
    if not isinstance(db, SqliteDatabase):
        return  # other databases search by scanning for now
    for table, columns in INDEXES.items():
        index = f'{table}_search'
        db.execute_sql(
            f"CREATE VIRTUAL TABLE \"{index}\" USING fts5({', '.join(columns)}, "
            f"content='{table}', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')")
        db.execute_sql(f"INSERT INTO \"{index}\"(\"{index}\") VALUES ('rebuild')")
