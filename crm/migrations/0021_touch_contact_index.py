"""Touches: the index on the contact alone dropped. The index on (contact, day, ...) that 0015
widened starts with the contact, so it serves every lookup by contact, and PostgreSQL no
longer picks the narrow one to read all of a person's touches when it wants the recent ones."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.drop_index('touch', 'touch_contact_id'))


def down(migrator, db):
    migrator.migrate(migrator.add_index('touch', ('contact_id',), False))
