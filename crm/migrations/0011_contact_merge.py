"""Merged duplicates, recorded so that a merge can be undone, and pairs that are not duplicates."""
from peewee import *


def up(migrator, db):
    class Contact(Model):
        class Meta:
            database = db
            table_name = 'contact'

    class ContactMerge(Model):
        kept = ForeignKeyField(Contact, on_delete='CASCADE', index=True)
        merged_id = IntegerField()
        merged_name = CharField(max_length=200)
        record = TextField()
        merged_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = 'contact_merge'
    class DistinctPair(Model):
        first = ForeignKeyField(Contact, on_delete='CASCADE')
        second = ForeignKeyField(Contact, on_delete='CASCADE', index=True)
        decided_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'distinct_pair'
            indexes = ((('first', 'second'), True),)
    db.create_tables([ContactMerge, DistinctPair])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('distinct_pair'), migrator.drop_table('contact_merge'))
