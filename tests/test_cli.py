"""The `crm` command: setting up the database, the demo, and serving."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from crm.models import Application, Contact, Event, Interview, Touch
from crm.schema import MIGRATIONS_DIR

CRM = str(Path(sys.executable).with_name("crm"))


def free_port():
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crm(tmp_path, *args, **kwargs):
    """Run the installed `crm` script with its own instance folder."""
    env = {**os.environ, "CRM_INSTANCE_PATH": str(tmp_path)}
    return subprocess.run([CRM, *args], env=env, capture_output=True, text=True, timeout=60,
                          **kwargs)


def test_init_db_and_migrate_from_the_console_script(tmp_path):
    result = crm(tmp_path, "init-db")
    assert result.returncode == 0, result.stderr
    steps = len(list(Path(MIGRATIONS_DIR).glob("[0-9]*.py")))
    assert "Database ready" in result.stdout
    assert f"{steps} migration(s) applied now" in result.stdout
    assert (tmp_path / "crm.db").exists()
    result = crm(tmp_path, "migrate")
    assert result.returncode == 0 and "0001_initial: applied" in result.stdout
    assert "applied now" not in result.stdout


def test_help_lists_every_command(tmp_path):
    result = crm(tmp_path, "--help")
    for command in ("run", "serve", "init-db", "migrate", "demo"):
        assert f"  {command} " in result.stdout, command


def test_demo_loads_the_story_once(runner, database):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "Loaded the demo" in result.output
    assert {c.name for c in Contact.select()} >= {"Bob Hale", "Maria Lopez", "Priya Shah"}
    assert Application.get(Application.status == "rejected").position == (
        "Manager of Partnership Strategy and Service")
    interview = Interview.select().join(Application).where(Application.status == "rejected").get()
    assert interview.assistant.name == "Maria Lopez"
    assert [i.contact.name for i in interview.interviewers] == ["Bob Hale", "Dana Whitfield"]
    assert Event.select().count() == 1 and Touch.select().count() == 5
    assert "Yankees fan" in Contact.get(Contact.name == "Bob Hale").tag_names()
    again = runner.invoke(args=["demo"])
    assert "already loaded" in again.output and Contact.select().count() == 5


def test_serve_refuses_to_listen_beyond_localhost(runner):
    result = runner.invoke(args=["serve", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "Refusing to listen on 0.0.0.0" in result.output


def test_serve_runs_the_production_server_on_localhost(tmp_path):
    port = free_port()
    env = {**os.environ, "CRM_INSTANCE_PATH": str(tmp_path)}
    server = subprocess.Popen([CRM, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200 and b'"ok"' in r.read()
                    assert r.headers["Server"] == "Followthrough"
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("crm serve did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)
