"""The database object, its pragmas, and a connection per request."""

import os

from flask import g
from peewee import DatabaseProxy, OperationalError, SqliteDatabase
from playhouse.db_url import connect
from playhouse.migrations import Runner

db = DatabaseProxy()

# WAL lets readers and one writer work at once; the busy timeout makes a
# second writer (the web process while `crm refresh` runs) wait instead of
# failing with "database is locked".
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
    "cache_size": -16000,
}


def default_url(instance_path):
    """Return the peewee URL of the SQLite file in the instance folder."""
    return "sqlite:///" + os.path.join(instance_path, "crm.db")


def open_database(url):
    """Create a database from a peewee URL, with our SQLite pragmas."""
    if url.startswith("sqlite"):
        # BEGIN IMMEDIATE: a deferred transaction that reads, then writes, can
        # fail at once with SQLITE_BUSY when another process wrote in between;
        # taking the write lock up front waits on the busy timeout instead.
        return connect(url, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    return connect(url)


def init_app(app):
    """Bind the database to the app and open/close it around each request."""
    db.initialize(open_database(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect():
        # Close in teardown only what this request opened: a CLI command or a
        # test may already hold the connection.
        g.db_connected = db.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        if g.pop("db_connected", False) and not db.is_closed():
            db.close()


MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def migration_runner():
    """Return peewee's runner over our numbered migration scripts."""
    return Runner(db.obj, MIGRATIONS_DIR, table_name="schema_migration")


def migrate():
    """Apply the pending migrations, each in its own transaction; return their names."""
    with db.connection_context():
        applied = migration_runner().up()
        count_changes()
        return applied


def count_changes():
    """Make sure every table moves the change counter (see migration 0003).

    SQLite drops a table's triggers when a migration rebuilds the table (as
    adding a NOT NULL column does), and a new table has none: creating the
    missing ones after every migration keeps the caches honest.
    """
    if not isinstance(db.obj, SqliteDatabase) or not db.table_exists("change_counter"):
        return
    from crm.models import MODELS

    with db.atomic():
        for model in MODELS:
            table = model._meta.table_name
            for event in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(
                    f'CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_counted '
                    f'AFTER {event} ON "{table}" '
                    "BEGIN UPDATE change_counter SET version = version + 1; END")


def data_version():
    """A number that changes whenever any user table changes, or None without the counter."""
    try:
        return db.execute_sql("SELECT version FROM change_counter").fetchone()[0]
    except OperationalError:
        return None
