"""Mail: the mailbox read (never its password), how far each folder was read, the messages
that became touches (headers and a snippet), contacts' other addresses, people to review."""
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

    class MailAccount(Model):
        host = CharField(max_length=255, default='')
        port = IntegerField(default=993)
        security = CharField(default='imaps')
        username = CharField(max_length=254, default='')
        address = CharField(max_length=254, default='')
        first_days = IntegerField(default=365)
        enabled = BooleanField(default=True)
        last_sync_at = DateTimeField(null=True)
        last_result = TextField(default='')
        last_error = TextField(default='')
        failures = IntegerField(default=0)
        next_try_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'mail_account'

    class MailFolder(Model):
        role = CharField(unique=True)
        name = CharField(max_length=255, default='')
        uid_validity = IntegerField(null=True)
        last_uid = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'mail_folder'

    class MailMessage(Model):
        message_id = CharField(unique=True)
        direction = CharField()
        sent_at = DateTimeField(index=True)
        sender = CharField(max_length=254, default='')
        sender_name = CharField(max_length=200, default='')
        recipients = TextField(default='')
        subject = TextField(default='')
        snippet = TextField(default='')
        in_reply_to = TextField(default='')
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'mail_message'

    class ContactAddress(Model):
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        email = CharField(max_length=254, unique=True)

        class Meta:
            database = db
            table_name = 'contact_address'

    class MailCandidate(Model):
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=200, default='')
        company = ForeignKeyField(Company, null=True, on_delete='SET NULL')
        reason = TextField(default='')
        last_subject = TextField(default='')
        seen_at = DateTimeField()
        ignored = BooleanField(default=False)

        class Meta:
            database = db
            table_name = 'mail_candidate'

    db.create_tables([MailAccount, MailFolder, MailMessage, ContactAddress, MailCandidate])
    migrator.migrate(migrator.add_column('touch', 'mail_message_id', ForeignKeyField(
        MailMessage, field=MailMessage.id, null=True, on_delete='SET NULL')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('touch', 'mail_message_id'))
    for table in ('mail_candidate', 'contact_address', 'mail_message', 'mail_folder',
                  'mail_account'):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
