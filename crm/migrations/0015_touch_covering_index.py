"""Touches: the index on (contact, day) widened to every column the playbook reads, so the
suggestions read a contact's touches from the index alone, never from the table rows.

The old index is its prefix, so whatever used it uses the new one.
"""
from peewee import *
from playhouse.migrate import make_index_name

PLAYBOOK_COLUMNS = ('contact_id', 'happened_on', 'happened_at', 'channel', 'direction',
                    'article_id', 'suggestion_key')


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index('touch', 'touch_contact_id_happened_on'),
        migrator.add_index('touch', PLAYBOOK_COLUMNS, False))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('touch', make_index_name('touch', PLAYBOOK_COLUMNS)),
        migrator.add_index('touch', ('contact_id', 'happened_on'), False))
