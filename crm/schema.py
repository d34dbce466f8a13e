"""Creating and upgrading the database: the numbered migrations, then the change log's triggers.

Only the commands that set up or serve the database call `migrate` (`crm
init-db`, `crm migrate`, `crm run`, `crm serve`): building the app never
changes the schema.
"""

import os

from playhouse.migrations import Runner

from crm import changes, postgres, search
from crm.db import db

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def migration_runner():
    """Return peewee's runner over our numbered migration scripts."""
    return Runner(db.obj, MIGRATIONS_DIR, table_name="schema_migration")


def pending():
    """The names of the migrations not yet applied."""
    with db.connection_context():
        return [step.name for step in migration_runner().status() if not step.applied]


def migrate():
    """Apply the pending migrations, each in its own transaction; return their names."""
    with db.connection_context(), postgres.one_migrator(db.obj):
        applied = migration_runner().up()
        # SQLite drops a table's triggers when a migration rebuilds it; PostgreSQL keeps
        # them, so there only a migration can call for new ones.
        if applied or not postgres.is_postgres(db.obj):
            changes.install_triggers()
            search.install_triggers()
        return applied
