"""Articles matched to the contacts they are worth sending to."""
from peewee import *


def up(migrator, db):
    class Article(Model):
        class Meta:
            database = db
            table_name = 'article'

    class Contact(Model):
        class Meta:
            database = db
            table_name = 'contact'

    class ArticleMatch(Model):
        article = ForeignKeyField(Article, on_delete='CASCADE')
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        kind = CharField(default='forward')
        reason = CharField(default='')
        class Meta:
            database = db
            table_name = 'article_match'
            indexes = ((('article', 'contact'), True),)
    db.create_tables([ArticleMatch])
