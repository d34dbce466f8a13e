"""A counter that every write to a user table moves, so computed views can be cached.

Triggers keep it current whoever writes (the web app, a `crm` command), and a
reader knows its cache is stale with one cheap query. After every migration
`crm.db.count_changes` adds the triggers any table lacks (a new table, or one
a migration rebuilt, which drops its triggers in SQLite).
"""
from peewee import *

TABLES = ['company', 'contact', 'tag', 'contact_tag', 'application', 'application_contact',
          'interview', 'interviewer', 'feed', 'article', 'article_match', 'touch', 'event',
          'event_attendee', 'event_company', 'suggestion_state', 'setting']


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return  # other databases run without the cache
    db.execute_sql('CREATE TABLE change_counter ('
                   'id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)')
    db.execute_sql('INSERT INTO change_counter (id, version) VALUES (1, 0)')
    for table in TABLES:
        for event in ('INSERT', 'UPDATE', 'DELETE'):
            db.execute_sql(
                f'CREATE TRIGGER {table}_{event.lower()}_counted AFTER {event} ON "{table}" '
                'BEGIN UPDATE change_counter SET version = version + 1; END')
