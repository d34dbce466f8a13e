"""Scratch databases for the benchmarks: SQLite files, or on the server CRM_DATABASE_URL names.

`make bench` measures SQLite files in a temporary folder; with
`CRM_DATABASE_URL=postgresql://user@host/db` it makes its databases on that
server instead, named `bench_<what>` (dropped first, so never point it at a
server whose databases of those names matter), and the URL's own database
is only used to connect.
"""

import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from crm.db import db


def server_url():
    """CRM_DATABASE_URL when it names a PostgreSQL server, else None (SQLite)."""
    url = os.environ.get("CRM_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def engine():
    """The engine the benchmarks run on: "postgresql" or "sqlite"."""
    return "postgresql" if server_url() else "sqlite"


def _on_server(name):
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql):
    with psycopg.connect(server_url(), autocommit=True) as connection:
        connection.execute(sql)


def scratch(name, workdir):
    """The URL of a new, empty database called `name`."""
    if server_url():
        _admin(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "bench_{name}"')
        return _on_server(f"bench_{name}")
    path = Path(workdir) / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def copy(url, name, workdir):
    """The URL of a copy of the database at `url`, called `name`."""
    if url.startswith("sqlite"):
        target = Path(workdir) / f"{name}.db"
        with sqlite3.connect(url.removeprefix("sqlite:///")) as source, \
                sqlite3.connect(target) as copied:
            source.backup(copied)
        return f"sqlite:///{target}"
    source = urlsplit(url).path.lstrip("/")
    _admin(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)')
    # A template must have no other connection while it is copied.
    _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{source}' "
           "AND pid <> pg_backend_pid()")
    _admin(f'CREATE DATABASE "bench_{name}" TEMPLATE "{source}"')
    return _on_server(f"bench_{name}")


# The statements that fire triggers, which SQLite's trace shows again for each.
WRITES = ("INSERT", "UPDATE", "DELETE")


class _Statements(logging.Handler):
    """Keeps every statement peewee sends (it logs each one at DEBUG)."""

    def __init__(self, sent):
        super().__init__(logging.DEBUG)
        self.sent = sent

    def emit(self, record):
        self.sent.append(record.msg[0] if isinstance(record.msg, tuple) else record.msg)


@contextmanager
def counting_queries():
    """Collect the statements the app sends meanwhile (the list is filled on leaving); the
    benchmarks' and the tests' count of queries.

    SQLite's trace shows them, less those its search index runs inside one (they
    name the schema, 'main', which peewee never writes), and less the repeats of a
    write it shows for each trigger the write fires (once a row); on PostgreSQL,
    peewee's log. Either way, one statement sent is counted once.
    """
    sent = []
    if hasattr(db.connection(), "set_trace_callback"):
        statements = []
        db.connection().set_trace_callback(statements.append)
        try:
            yield sent
        finally:
            db.connection().set_trace_callback(None)
            previous = None
            for sql in statements:
                if "'main'." in sql or (sql == previous and sql.startswith(WRITES)):
                    continue
                sent.append(sql)
                previous = sql
        return
    logger, handler = logging.getLogger("peewee"), _Statements(sent)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield sent
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
