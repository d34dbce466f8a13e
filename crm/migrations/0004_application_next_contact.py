"""The next point of contact of an application ("HR (Priya Shah)"), named in the letters."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('application', 'next_contact', CharField(default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('application', 'next_contact'))
