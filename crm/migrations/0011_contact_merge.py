"""Merged duplicates, recorded so that a merge can be undone."""
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
    db.create_tables([ContactMerge])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('contact_merge'))
