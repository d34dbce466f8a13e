"""The digest: the suggestions for a period as text, JSON or HTML, and sending it by email."""

import json
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import click
from flask import current_app, render_template
from flask.cli import with_appcontext

from crm import followups, scheduler
from crm.agenda import items_for
from crm.occasions import group
from crm.settings import base_url, get_setting, set_setting, today_for_user, user_timezone
from crm.smtp import deliver

FORMATS = ("text", "json", "html")


def build(as_of, days):
    """The suggestions due by `as_of` + `days` (overdue ones included), with drafts, and
    grouped by occasion and person as Today shows them."""
    until = as_of + timedelta(days=days)
    snapshot = followups.current(as_of)
    due = [s for s in snapshot.suggestions if s.due <= until]
    items = items_for(due, snapshot.histories, as_of, external=True)
    return {"as_of": as_of, "until": until, "items": items,
            "groups": group(items, snapshot.histories, as_of, user_timezone())}


def render(digest, fmt):
    """The digest in one of FORMATS."""
    if fmt == "json":
        return json.dumps({
            "as_of": digest["as_of"].isoformat(), "until": digest["until"].isoformat(),
            "suggestions": [as_json(item, digest["as_of"]) for item in digest["items"]]},
            indent=2, ensure_ascii=False)
    template = "digest/email.html" if fmt == "html" else "digest/email.txt"
    return render_template(template, **digest)


def as_json(item, as_of):
    """One suggestion as the JSON digest gives it: everything the Today page shows."""
    s = item.suggestion
    return {
        "key": s.key, "contact": item.contact.name, "contact_id": item.contact.id,
        "email": item.contact.email, "kind": s.kind, "channel": s.channel, "title": s.title,
        "due": s.due.isoformat(), "late": s.late.isoformat() if s.late else None,
        "is_late": item.late, "overdue": s.due < as_of and s.waits_for is None,
        "waits_for": s.waits_for, "reason": s.reason,
        "subject": item.draft.subject, "draft": item.draft.body,
        "private_notes": item.draft.private_notes, "mailto": item.mailto if item.contact.email
        else None, "done_url": item.done_url, "snooze_url": item.snooze_url,
        "skip_url": item.skip_url,
    }


def send(digest):
    """Email the digest (HTML with a plain-text part) through the configured SMTP server."""
    config = current_app.config
    message = EmailMessage()
    count = len(digest["items"])
    message["Subject"] = (f"Followthrough: {count} follow-up{'s' if count != 1 else ''} "
                          f"for the week of {digest['as_of']:%-d %B}")
    message["From"] = config["MAIL_FROM"]
    message["To"] = config["DIGEST_TO"]
    message.set_content(render(digest, "text"))
    message.add_alternative(render(digest, "html"), subtype="html")
    deliver(message)
    set_setting("digest.last_sent", digest["as_of"].isoformat())


def init_app(app):
    """Let `crm serve` send the digest on schedule (checked hourly)."""
    scheduler.register(app, "digest", 3600, scheduled)


def can_send(app):
    """Whether SMTP and a recipient are configured."""
    return bool(app.config["SMTP_HOST"] and app.config["DIGEST_TO"])


def scheduled(app):
    """The job `crm serve` runs: send the digest when one is due, if email is set up."""
    if not can_send(app):
        return
    today = today_for_user()
    last = get_setting("digest.last_sent")
    every = timedelta(days=app.config["DIGEST_EVERY_DAYS"])
    if last is None or today - type(today).fromisoformat(last) >= every:
        with linking(app):
            send(build(today, app.config["DIGEST_DAYS"]))


def linking(app):
    """A request context on the app's address, so links in the digest are absolute and right."""
    with app.app_context():
        address = base_url()
    return app.test_request_context(base_url=address)


@click.command("digest")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day to plan from (default: today).")
@click.option("--days", type=click.IntRange(0, 365), default=7, show_default=True,
              help="How many days ahead to include; overdue ones always are.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--send", "send_it", is_flag=True, help="Email the HTML digest (needs SMTP).")
@with_appcontext
def digest_command(as_of, days, fmt, send_it):
    """Print the follow-ups for a period, or email them with --send."""
    as_of = as_of.date() if as_of else today_for_user()
    with linking(current_app):
        digest = build(as_of, days)
        if not send_it:
            click.echo(render(digest, fmt))
            return
        if not can_send(current_app):
            raise click.ClickException(
                "Email is not set up: set CRM_SMTP_HOST and CRM_DIGEST_TO (see README).")
        try:
            send(digest)
        except (OSError, smtplib.SMTPException) as error:
            raise click.ClickException(f"Could not send the digest: {error}") from None
    click.echo(f"Sent the digest ({len(digest['items'])} follow-ups) to "
               f"{current_app.config['DIGEST_TO']}.")
