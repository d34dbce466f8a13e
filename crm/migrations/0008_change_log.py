"""The change log that tells readers whose suggestions changed, replacing 0003's counter.

The triggers that fill it are made from `crm.changes.WATCHED` after every
migration, so this script only makes the table and removes the old counter.
"""
from peewee import *

OLD_TABLES = ['company', 'contact', 'tag', 'contact_tag', 'application', 'application_contact',
              'interview', 'interviewer', 'feed', 'article', 'article_match', 'touch', 'event',
              'event_attendee', 'event_company', 'suggestion_state', 'setting']


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return  # other databases run without the log for now
    for table in OLD_TABLES:
        for event in ('insert', 'update', 'delete'):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{table}_{event}_counted"')
    db.execute_sql('DROP TABLE IF EXISTS change_counter')
    # AUTOINCREMENT: a sequence number is never reused, even after pruning.
    db.execute_sql('CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, '
                   'kind TEXT NOT NULL, ref INTEGER)')
