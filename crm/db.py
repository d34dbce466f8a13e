"""The database object, its pragmas, and a connection per request."""

import json
import os

from flask import abort, g
from peewee import OP, SQL, DatabaseProxy, Expression, NodeList, OperationalError, SqliteDatabase
from playhouse.db_url import connect

from crm import postgres

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
    """Create a database from a peewee URL: SQLite with our pragmas, or PostgreSQL."""
    if url.startswith("sqlite"):
        # BEGIN IMMEDIATE: a deferred transaction that reads, then writes, can
        # fail at once with SQLITE_BUSY when another process wrote in between;
        # taking the write lock up front waits on the busy timeout instead.
        return connect(url, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
    if url.startswith(("postgres://", "postgresql://")):
        postgres.drop_nul_from_text()
        return connect(url)
    raise ValueError(f"CRM_DATABASE_URL must name a SQLite file (sqlite:///...) or a PostgreSQL "
                     f"database (postgresql://...), not {url.split(':', 1)[0]!r}.")


def init_app(app):
    """Bind the database to the app and open/close it around each request."""
    db.initialize(open_database(app.config["DATABASE_URL"]))

    @app.before_request
    def _connect():
        # Close in teardown only what this request opened: a CLI command or a
        # test may already hold the connection.
        try:
            g.db_connected = db.connect(reuse_if_open=True)
        except OperationalError:  # a database server down or out of reach: 503, not 500
            app.logger.exception("The database did not answer")
            abort(503)

    @app.teardown_appcontext
    def _close(exc):
        if g.pop("db_connected", False) and not db.is_closed():
            db.close()


def among(field, ids):
    """`field IN ids`, with the ids as one parameter however many there are.

    Building a query with thousands of parameters costs peewee more than
    running it; SQLite reads one JSON array through `json_each` instead, and
    PostgreSQL one array, written as its text: the driver's own array of Python
    integers weighs each element's size in Python (15 ms of a profiled recompute).
    """
    if isinstance(db.obj, SqliteDatabase):
        return Expression(field, OP.IN,
                          SQL("(SELECT value FROM json_each(?))", [json.dumps(list(ids))]))
    return NodeList((field, SQL("= ANY(%s::bigint[])",
                                ["{" + ",".join(map(str, map(int, ids))) + "}"])))


def unindexed(column):
    """The column, kept off its index: SQLite's planner picks a poor index when a better one
    exists, and a unary + hides the column from it. PostgreSQL weighs them itself, and has
    no unary + for every type."""
    if isinstance(db.obj, SqliteDatabase):
        return NodeList((SQL("+"), column))
    return column
