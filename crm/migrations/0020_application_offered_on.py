"""Applications: the day an offer came (`offered_on`), set when one moves to "offer", so the
contact's timeline shows every change of status on its day. Existing applications keep
everything; one already at "offer" gets no day, as none was recorded."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('application', 'offered_on', DateField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('application', 'offered_on'))
