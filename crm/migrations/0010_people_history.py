"""People over the years: job changes (the company and position left), merged duplicates
(recorded so that a merge can be undone) and pairs the user said are not duplicates."""
from peewee import *


def up(migrator, db):
    class Company(Model):
        class Meta:
            database = db
            table_name = 'company'

    class Contact(Model):
        class Meta:
            database = db
            table_name = 'contact'

    class JobChange(Model):
        contact = ForeignKeyField(Contact, on_delete='CASCADE', index=True)
        old_company = ForeignKeyField(Company, null=True, on_delete='SET NULL', index=True)
        old_title = CharField(max_length=200, default='')
        new_company = ForeignKeyField(Company, null=True, on_delete='SET NULL')
        new_title = CharField(max_length=200, default='')
        changed_on = DateField(index=True)
        source = CharField(max_length=200, default='')

        class Meta:
            database = db
            table_name = 'job_change'

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
    db.create_tables([JobChange, ContactMerge, DistinctPair])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('distinct_pair'), migrator.drop_table('contact_merge'),
                     migrator.drop_table('job_change'))
