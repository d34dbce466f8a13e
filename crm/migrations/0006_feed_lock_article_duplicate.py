"""Feed refresh: a per-feed lock, and articles repeated through a second feed."""
from peewee import *


def up(migrator, db):
    class Article(Model):
        class Meta:
            database = db
            table_name = 'article'

    migrator.migrate(
        # Two processes (`crm serve` and `crm refresh`) must not fetch one feed at once.
        migrator.add_column('feed', 'locked_until', DateTimeField(null=True)),
        # The same story through a second feed is kept, pointing at the first copy,
        # so it is listed once; deleting the first copy shows the second again.
        migrator.add_column('article', 'duplicate_of_id', ForeignKeyField(
            Article, field=Article.id, null=True, on_delete='SET NULL')))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('article', 'duplicate_of_id'),
        migrator.drop_column('feed', 'locked_until'))
