"""The `crm` command: run, serve, set up and fill the database."""

import ipaddress
import socket

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, routes_command, shell_command, with_appcontext
from flask.cli import run_command as flask_run

from crm import create_app, schema
from crm.settings import remember_served_at

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def init_app(app):
    """Register the commands on the app's CLI."""
    from crm.conferences.commands import events_group
    from crm.contact_commands import contacts_group
    from crm.digest import digest_command
    from crm.mail.commands import mail_group
    from crm.news.commands import feeds_group, refresh_command
    from crm.transfer.commands import COMMANDS as TRANSFER_COMMANDS

    for command in (init_db, migrate, serve, demo, digest_command, calendar_url,
                    feeds_group, refresh_command, contacts_group, events_group, mail_group,
                    *TRANSFER_COMMANDS):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database and its tables, or bring them up to date (safe to run again)."""
    applied = schema.migrate()
    click.echo(f"Database ready at {current_app.config['DATABASE_URL']}"
               f" ({len(applied)} migration(s) applied now).")


@click.command("migrate")
@with_appcontext
def migrate():
    """Apply pending schema migrations and list them all."""
    applied = set(schema.migrate())
    for step in schema.migration_runner().status():
        mark = "applied now" if step.name in applied else f"applied {step.applied:%Y-%m-%d}"
        click.echo(f"{step.name}: {mark}")


def prepare_database():
    """Before serving: apply pending migrations, or refuse when MIGRATE_ON_START is off."""
    if current_app.config["MIGRATE_ON_START"]:
        schema.migrate()
    elif waiting := schema.pending():
        raise click.ClickException(
            f"The database needs {len(waiting)} migration(s) ({', '.join(waiting)}): "
            "run `crm migrate` first.")


@click.command("run", params=flask_run.params, help=flask_run.help)
@click.pass_context
def run(ctx, **options):
    """The development server, on a database brought up to date first."""
    with ctx.ensure_object(ScriptInfo).load_app().app_context():
        prepare_database()
        remember_served_at(options.get("host") or "127.0.0.1", options.get("port") or 5000)
    ctx.invoke(flask_run, **options)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@with_appcontext
def serve(host, port, threads):
    """Serve the app with the production server (waitress)."""
    from crm.auth import password_hash

    prepare_database()
    refused = listen_refusal(host, password_set=password_hash() is not None)
    if refused:
        raise click.ClickException(refused)
    from waitress import serve as waitress_serve

    from crm import scheduler

    app = current_app._get_current_object()
    jobs = ", ".join(job.name for job in app.extensions.get("crm.jobs", [])) or "none"
    remember_served_at(host, port)
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
    """Print the secret calendar subscription URL, https and webcal://, on CRM_BASE_URL (else
    the address `crm run` or `crm serve` last listened on)."""
    from crm.calendar_feed import subscription_urls

    for url in subscription_urls():
        click.echo(url)


# Flask's own `run` is replaced by one that migrates first; its shell and routes stay.
main = FlaskGroup(create_app=create_app, add_default_commands=False,
                  help="Followthrough, a personal CRM for job seekers.")
for _command in (run, shell_command, routes_command):
    main.add_command(_command)
