"""Conferences from their own calendars: the calendars subscribed to or imported, and on each
event the calendar it came from, its UID there, whether it is cancelled, and whether the
user is going. Events already here were typed in by the user, so they stay "going"."""
from peewee import *


def up(migrator, db):
    class EventCalendar(Model):
        name = CharField(max_length=200)
        url = CharField(max_length=255, null=True, unique=True)
        etag = CharField(default='')
        last_modified = CharField(default='')
        last_checked_at = DateTimeField(null=True)
        last_success_at = DateTimeField(null=True)
        next_check_at = DateTimeField(null=True, index=True)
        error_count = IntegerField(default=0)
        last_error = TextField(default='')
        paused = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'event_calendar'
    db.create_tables([EventCalendar])
    migrator.migrate(
        migrator.add_column('event', 'calendar_id', ForeignKeyField(
            EventCalendar, field=EventCalendar.id, null=True, on_delete='SET NULL')),
        migrator.add_column('event', 'uid', CharField(null=True)),
        migrator.add_column('event', 'status', CharField(default='confirmed')),
        migrator.add_column('event', 'attendance', CharField(default='going')),
        migrator.add_index('event', ('uid',), True),
        migrator.add_index('event', ('attendance',), False))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('event', 'event_attendance'),
        migrator.drop_index('event', 'event_uid'),
        migrator.drop_column('event', 'attendance'),
        migrator.drop_column('event', 'status'),
        migrator.drop_column('event', 'uid'),
        migrator.drop_column('event', 'calendar_id'))
    migrator.migrate(migrator.drop_table('event_calendar'))
