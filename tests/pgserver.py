"""A real PostgreSQL server on 127.0.0.1 for the tests and benchmarks: a throwaway cluster.

Made as in ../shared/recipes/postgresql.md: `initdb` in a temporary folder, the
server on a free port of 127.0.0.1 with its socket in that folder, trust
authentication, fsync off (tests only: never in a user's configuration). The
server refuses to run as root, so as root it runs as the `postgres` user.
`make test` installs PostgreSQL through scripts/ensure-postgres.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import psycopg


def bin_dir():
    """The folder of PostgreSQL's server programs, or None where they are missing."""
    wanted = os.environ.get("CRM_PG_BIN")
    found = [wanted] if wanted else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    return next((d for d in found if os.path.exists(os.path.join(d, "pg_ctl"))), None)


def available():
    """Whether a PostgreSQL server can be started here."""
    if bin_dir() is None:
        return False
    return os.geteuid() != 0 or _has_user("postgres")


def _has_user(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A cluster of its own, started on enter and removed on exit.

    `url(name)` is the peewee URL of one of its databases; `create(name,
    template)` and `drop(name)` make and remove them.
    """

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="crm-pg-")
        self.port = _free_port()
        self.bin = bin_dir()

    def _run(self, *command):
        if os.geteuid() == 0:  # the server refuses root: run it as postgres
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, capture_output=True, cwd="/")

    def __enter__(self):
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        data = os.path.join(self.folder, "data")
        # C.UTF-8: text sorts by code point, as SQLite does.
        self._run(os.path.join(self.bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200")
        try:
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", data, "-l",
                      os.path.join(self.folder, "log"), "-w", "-o", options, "start")
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc):
        try:
            self._run(os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.folder, "data"),
                      "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name):
        """The peewee URL of database `name` on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def admin(self, sql):
        """Run one statement outside any transaction (CREATE/DROP DATABASE need that)."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(sql)

    def create(self, name, template=None):
        """Create database `name`, a copy of `template` when one is named; return its URL."""
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop(self, name):
        """Remove database `name`, ending whatever connections are still open to it."""
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
