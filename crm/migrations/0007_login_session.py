"""Signed-in browsers, kept on the server so that logging out ends a login for good."""
from peewee import *


def up(migrator, db):
    class LoginSession(Model):
        id = CharField(primary_key=True)
        user_agent = CharField(default='')
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        expires_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'login_session'
    db.create_tables([LoginSession])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('login_session'))
