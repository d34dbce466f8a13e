"""What job trackers record about an application: the posting, pay, source and referrer, the
first answer, the resume and cover letter sent, the job description. Existing rows keep
everything and get empty values."""
from peewee import *


def up(migrator, db):
    class Contact(Model):
        class Meta:
            database = db
            table_name = 'contact'

    migrator.migrate(
        migrator.add_column('application', 'posting_url', CharField(default='')),
        migrator.add_column('application', 'location', CharField(default='')),
        migrator.add_column('application', 'work_mode', CharField(default='')),
        migrator.add_column('application', 'salary_min', IntegerField(null=True)),
        migrator.add_column('application', 'salary_max', IntegerField(null=True)),
        migrator.add_column('application', 'currency', CharField(default='')),
        migrator.add_column('application', 'source', CharField(default='')),
        migrator.add_column('application', 'referrer_id', ForeignKeyField(
            Contact, field=Contact.id, null=True, on_delete='SET NULL')),
        migrator.add_column('application', 'answered_on', DateField(null=True)),
        migrator.add_column('application', 'resume_version', CharField(default='')),
        migrator.add_column('application', 'cover_letter_version', CharField(default='')),
        migrator.add_column('application', 'resume_file', CharField(default='')),
        migrator.add_column('application', 'resume_filename', CharField(default='')),
        migrator.add_column('application', 'cover_letter_file', CharField(default='')),
        migrator.add_column('application', 'cover_letter_filename', CharField(default='')),
        migrator.add_column('application', 'job_description', TextField(default='')),
        migrator.add_index('application', ('source',), False))
    if isinstance(db, SqliteDatabase):
        # The change log's triggers now also name the referrer; crm.schema makes them anew.
        for event in ('update', 'delete'):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "application_{event}_logged"')


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('application', 'application_source'),
        *(migrator.drop_column('application', column) for column in (
            'posting_url', 'location', 'work_mode', 'salary_min', 'salary_max', 'currency',
            'source', 'referrer_id', 'answered_on', 'resume_version', 'cover_letter_version',
            'resume_file', 'resume_filename', 'cover_letter_file', 'cover_letter_filename',
            'job_description')))
