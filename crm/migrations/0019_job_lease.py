"""Leases on the background jobs, so several `crm serve` processes on one database run each
job once per interval, not once per process (see `crm.scheduler`)."""
from peewee import *


def up(migrator, db):
    class JobLease(Model):
        name = CharField(primary_key=True)
        until = DateTimeField()
        holder = CharField(default='')
        class Meta:
            database = db
            table_name = 'job_lease'
    db.create_tables([JobLease])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('job_lease'))
