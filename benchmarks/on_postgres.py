"""`make bench-postgres`: `make bench` against a throwaway PostgreSQL server of its own.

Starts one as the tests do (tests/pgserver.py: a temporary cluster on a free port
of 127.0.0.1, fsync off), points CRM_DATABASE_URL at it, runs benchmarks.run with
the same arguments, and removes the server. To measure your own server instead:
`CRM_DATABASE_URL=postgresql://user@host/db make bench`.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from pgserver import PostgresServer, available  # noqa: E402

from benchmarks import run  # noqa: E402


def main():
    """Run the benchmarks on a fresh server, then remove it."""
    if not available():
        sys.exit("PostgreSQL is missing: run scripts/ensure-postgres as root, "
                 "or `sudo apt-get install postgresql`")
    with PostgresServer() as server:
        os.environ["CRM_DATABASE_URL"] = server.url("postgres")
        run.main()


if __name__ == "__main__":
    main()
