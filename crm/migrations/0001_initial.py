"""The first schema: every table of the product (frozen copies of the models)."""
from peewee import *


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        # SQLite's NOCASE, which the names below use: ICU's level-2 strength ignores case
        # (and only case); a unique column then refuses "acme" beside "Acme".
        db.execute_sql("CREATE COLLATION IF NOT EXISTS nocase (provider = icu, "
                       "locale = 'und-u-ks-level2', deterministic = false)")

    class Company(Model):
        name = CharField(unique=True, collation='NOCASE')
        website = CharField(default='')
        notes = TextField(default='')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'company'
    db.create_tables([Company])

    class Application(Model):
        company = ForeignKeyField(Company, on_delete='CASCADE')
        position = CharField()
        status = CharField(index=True, default='applied')
        applied_on = DateField(null=True)
        decision_expected_on = DateField(null=True)
        check_in_on = DateField(null=True)
        closed_on = DateField(null=True)
        next_steps = TextField(default='')
        notes = TextField(default='')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'application'
    db.create_tables([Application])

    class Contact(Model):
        name = CharField(index=True, collation='NOCASE')
        title = CharField(default='')
        company = ForeignKeyField(Company, null=True, on_delete='SET NULL')
        email = CharField(index=True, default='')
        phone = CharField(default='')
        linkedin_url = CharField(index=True, default='')
        role = CharField(index=True, default='other')
        preferred_channel = CharField(default='')
        may_follow_up = BooleanField(default=True)
        linkedin_connected_on = DateField(null=True)
        linkedin_connected = BooleanField(default=False)
        cadence_days = IntegerField(null=True)
        status = CharField(index=True, default='active')
        notes = TextField(default='')
        search_text = TextField(default='')
        last_touch_on = DateField(index=True, null=True)
        archived_at = DateTimeField(index=True, null=True)
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'contact'
    db.create_tables([Contact])

    class ApplicationContact(Model):
        application = ForeignKeyField(Application, on_delete='CASCADE')
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'application_contact'
            indexes = ((('application', 'contact'), True),)
    db.create_tables([ApplicationContact])

    class Feed(Model):
        company = ForeignKeyField(Company, null=True, on_delete='CASCADE')
        url = CharField(unique=True)
        title = CharField(default='')
        site_url = CharField(default='')
        kind = CharField(default='feed')
        etag = CharField(default='')
        last_modified = CharField(default='')
        last_checked_at = DateTimeField(null=True)
        last_success_at = DateTimeField(null=True)
        next_check_at = DateTimeField(index=True, null=True)
        error_count = IntegerField(default=0)
        last_error = TextField(default='')
        paused = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'feed'
    db.create_tables([Feed])

    class Article(Model):
        feed = ForeignKeyField(Feed, on_delete='CASCADE')
        identity = CharField()
        link = CharField(index=True, default='')
        title = CharField(default='')
        summary_html = TextField(default='')
        published_at = DateTimeField(index=True)
        first_seen_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'article'
            indexes = ((('feed', 'identity'), True),)
    db.create_tables([Article])

    class Tag(Model):
        name = CharField(unique=True, collation='NOCASE')
        class Meta:
            database = db
            table_name = 'tag'
    db.create_tables([Tag])

    class ContactTag(Model):
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        tag = ForeignKeyField(Tag, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'contact_tag'
            indexes = ((('contact', 'tag'), True),)
    db.create_tables([ContactTag])

    class Event(Model):
        name = CharField()
        start_on = DateField(index=True)
        end_on = DateField()
        start_time = TimeField(null=True)
        end_time = TimeField(null=True)
        timezone = CharField(default='UTC')
        place = CharField(default='')
        url = CharField(default='')
        notes = TextField(default='')
        sequence = IntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'event'
    db.create_tables([Event])

    class EventAttendee(Model):
        event = ForeignKeyField(Event, on_delete='CASCADE')
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'event_attendee'
            indexes = ((('event', 'contact'), True),)
    db.create_tables([EventAttendee])

    class EventCompany(Model):
        event = ForeignKeyField(Event, on_delete='CASCADE')
        company = ForeignKeyField(Company, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'event_company'
            indexes = ((('event', 'company'), True),)
    db.create_tables([EventCompany])

    class Interview(Model):
        application = ForeignKeyField(Application, on_delete='CASCADE')
        starts_at = DateTimeField()
        timezone = CharField(default='UTC')
        kind = CharField(default='onsite')
        location = CharField(default='')
        assistant = ForeignKeyField(Contact, null=True, on_delete='SET NULL')
        discussed = TextField(default='')
        accomplishments = TextField(default='')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'interview'
    db.create_tables([Interview])

    class Interviewer(Model):
        interview = ForeignKeyField(Interview, on_delete='CASCADE')
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        values = TextField(default='')
        concerns = TextField(default='')
        class Meta:
            database = db
            table_name = 'interviewer'
            indexes = ((('interview', 'contact'), True),)
    db.create_tables([Interviewer])

    class Setting(Model):
        key = CharField(primary_key=True)
        value = TextField()
        class Meta:
            database = db
            table_name = 'setting'
    db.create_tables([Setting])

    class SuggestionState(Model):
        key = CharField(unique=True)
        contact = ForeignKeyField(Contact, null=True, on_delete='CASCADE')
        state = CharField()
        until = DateField(null=True)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'suggestion_state'
    db.create_tables([SuggestionState])

    class Touch(Model):
        contact = ForeignKeyField(Contact, on_delete='CASCADE')
        happened_on = DateField()
        channel = CharField(default='email')
        direction = CharField(default='out')
        note = TextField(default='')
        article = ForeignKeyField(Article, null=True, on_delete='SET NULL')
        suggestion_key = CharField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'touch'
            indexes = ((('contact', 'happened_on'), False),)
    db.create_tables([Touch])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('touch'))
    migrator.migrate(migrator.drop_table('suggestion_state'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('interviewer'))
    migrator.migrate(migrator.drop_table('interview'))
    migrator.migrate(migrator.drop_table('event_company'))
    migrator.migrate(migrator.drop_table('event_attendee'))
    migrator.migrate(migrator.drop_table('event'))
    migrator.migrate(migrator.drop_table('contact_tag'))
    migrator.migrate(migrator.drop_table('tag'))
    migrator.migrate(migrator.drop_table('article'))
    migrator.migrate(migrator.drop_table('feed'))
    migrator.migrate(migrator.drop_table('application_contact'))
    migrator.migrate(migrator.drop_table('contact'))
    migrator.migrate(migrator.drop_table('application'))
    migrator.migrate(migrator.drop_table('company'))
