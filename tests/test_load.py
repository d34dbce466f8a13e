"""Under load: `crm serve` answers every request while another process writes to its database.

A small version of `python -m benchmarks.load` (which sends 2,000 requests from 20
clients to a larger data set): the same code, 200 requests from 10 clients. On
PostgreSQL two `crm serve` processes share the database, the clients taking turns
between them as behind a proxy.
"""

from support import ON_POSTGRES

from benchmarks.load import run


def test_every_request_succeeds_and_every_write_is_kept_under_load(request, tmp_path,
                                                                   monkeypatch):
    servers = 1
    if ON_POSTGRES:
        server = request.getfixturevalue("postgres")
        monkeypatch.setenv("CRM_DATABASE_URL", server.url("postgres"))
        servers = 2
    report = run(requests=200, clients=10, scale=0.01, pause=0.01, workdir=tmp_path,
                 servers=servers)
    assert report["requests"] == 200
    assert report["failures"] == [], (tmp_path / "server.log").read_text()[-3000:]
    assert report["rows_written"]["touches"] > 0  # the writer really wrote meanwhile
    assert report["rows_found"] == report["rows_written"]
    assert set(report["latency_ms"]) == {"all", "contact list", "contact page", "Today",
                                         "calendar feed"}
