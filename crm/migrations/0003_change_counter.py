"""Retired: made a change counter and its triggers; 0008 replaced both with the change log.

Kept, doing nothing, so a database that applied it and a new one agree on the
history, and the number is never reused.
"""


def up(migrator, db):
    pass
