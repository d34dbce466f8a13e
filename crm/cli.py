"""The `crm` command: run, serve, set up and fill the database."""

import ipaddress
import socket

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from crm import create_app
from crm.db import migration_runner

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def init_app(app):
    """Register the commands on the app's CLI."""
    from crm.digest import digest_command
    from crm.news.commands import feeds_group, refresh_command
    from crm.transfer.commands import COMMANDS as TRANSFER_COMMANDS

    for command in (init_db, migrate, serve, demo, digest_command, calendar_url,
                    feeds_group, refresh_command, *TRANSFER_COMMANDS):
        app.cli.add_command(command)


@click.command("init-db")
def init_db():
    """Create the database and its tables (safe to run again)."""
    applied = current_app.extensions["crm.migrated"]
    click.echo(f"Database ready at {current_app.config['DATABASE_URL']}"
               f" ({len(applied)} migration(s) applied now).")


@click.command("migrate")
def migrate():
    """Apply pending schema migrations and list them all."""
    # create_app applied the pending ones before this command ran.
    applied = set(current_app.extensions["crm.migrated"])
    for step in migration_runner().status():
        mark = "applied now" if step.name in applied else f"applied {step.applied:%Y-%m-%d}"
        click.echo(f"{step.name}: {mark}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
def serve(host, port, threads):
    """Serve the app with the production server (waitress)."""
    from crm.auth import password_hash

    refused = listen_refusal(host, password_set=password_hash() is not None)
    if refused:
        raise click.ClickException(refused)
    from waitress import serve as waitress_serve

    from crm import scheduler

    app = current_app._get_current_object()
    jobs = ", ".join(job.name for job in app.extensions.get("crm.jobs", [])) or "none"
    click.echo(f"Serving Followthrough on http://{host}:{port} (background jobs: {jobs})")
    scheduler.start(app)
    waitress_serve(app, host=host, port=port, threads=threads, ident="Followthrough")


def listen_refusal(host, password_set):
    """Why the server may not listen on this host, or None when it may."""
    if password_set or is_loopback(host):
        return None
    return (f"Refusing to listen on {host}: no password is set, so anyone who can reach that "
            "address could read your contacts. Run `crm set-password` first, or listen on "
            "127.0.0.1 (the default).")


def is_loopback(host):
    """Whether every address the host name resolves to is on this machine only."""
    if host in LOCAL_HOSTS:
        return True
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


@click.command("demo")
def demo():
    """Load an example job search: an interview, its people, a rejection, a conference."""
    from crm.demo import load_demo

    click.echo(load_demo())


@click.command("calendar-url")
@with_appcontext
def calendar_url():
    """Print the secret calendar subscription URL, https and webcal://, made from CRM_BASE_URL."""
    from crm.calendar import subscription_urls

    for url in subscription_urls():
        click.echo(url)


main = FlaskGroup(create_app=create_app, help="Followthrough, a personal CRM for job seekers.")
