"""Job changes: the company and position a contact left, kept in their history."""
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
    db.create_tables([JobChange])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('job_change'))
