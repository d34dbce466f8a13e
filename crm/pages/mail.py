"""The Mail page: where the mailbox is, Test connection, Sync now, switch off and forget; and
the people the mail turned up, to add as contacts or ignore."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from crm.agenda import draft_for
from crm.db import db
from crm.mail import secret
from crm.mail.connect import MailError, close, connect
from crm.mail.read import find_folders
from crm.mail.send import SendProblem, send_letter, sender
from crm.mail.sync import plural, sync
from crm.models import (
    Contact,
    ContactAddress,
    MailAccount,
    MailCandidate,
    MailFolder,
    MailMessage,
    normal_email,
)
from crm.pages.forms import ConfirmForm, MailForm, SendForm
from crm.pages.lookup import get_or_404
from crm.pagination import paginate
from crm.settings import local_time, today_for_user

bp = Blueprint("mail", __name__, url_prefix="/mail")
FIELDS = ("host", "port", "security", "username", "address", "first_days", "enabled")


@bp.route("", methods=["GET", "POST"])
def index():
    """The mailbox settings; Save keeps them, Test connection tries them as typed."""
    account = MailAccount.current()
    form = MailForm(obj=account)
    if form.validate_on_submit():
        if request.form.get("action") == "test":
            _test(form)
        else:
            _save(form)
            flash("Mail settings saved." + ("" if secret.password() else
                  " Give the app password too, then Sync now."), "success")
            return redirect(url_for(".index"))
    elif form.errors:
        flash("Please correct the fields marked below; nothing was saved.", "error")
    return render_template("mail/index.html", form=form, account=account,
                           password_source=secret.source(), folders=list(MailFolder.select()),
                           stored=MailMessage.select().count(),
                           to_review=MailCandidate.to_review().count(), confirm=ConfirmForm(),
                           local_time=local_time)


def _save(form):
    """Keep the settings (in the database) and a new password (in the instance folder)."""
    with db.atomic():
        existing = MailAccount.current()
        account = existing or MailAccount(id=1)
        changed = (account.host, account.username) != (form.host.data, form.username.data)
        for name in FIELDS:
            setattr(account, name, getattr(form, name).data)
        account.address = normal_email(form.address.data or "")
        account.failures, account.next_try_at = 0, None
        account.save(force_insert=existing is None)
        if changed:  # another mailbox: its UIDs mean nothing for the old one
            MailFolder.delete().execute()
    if form.password.data:
        secret.save(form.password.data)


def _test(form):
    """Log in with the settings as typed, list the folders to read, and say what happened."""
    typed = MailAccount(**{name: getattr(form, name).data for name in FIELDS})
    config = current_app.config
    try:
        client = connect(typed, form.password.data or secret.password(),
                         config["IMAP_CA_FILE"], float(config["IMAP_TIMEOUT"]))
    except MailError as error:
        flash(f"Test failed: {error}", "error")
        return
    try:
        folders = find_folders(client)
    except Exception as error:  # shown, not raised: the user is testing what may be broken
        flash(f"Logged in, but could not list the folders: {error}", "error")
        return
    finally:
        close(client)
    sent = folders.get("sent")
    flash(f"Connected to {typed.host} as {typed.username}: it reads INBOX and "
          + (f"{sent} (your sent mail)." if sent else "no Sent folder (none was found)."),
          "success")


@bp.route("/send/<int:contact_id>", methods=["GET", "POST"])
def send(contact_id):
    """Send a letter to a contact from your address (the draft of a suggestion, to edit)."""
    contact = get_or_404(Contact, contact_id)
    form = SendForm()
    if request.method == "GET":
        draft = draft_for(contact_id, request.args.get("key", ""), today_for_user())
        form.key.data = request.args.get("key", "") if draft else ""
        form.subject.data, form.body.data = (draft.subject, draft.body) if draft else ("", "")
    account = sender()
    if account is None:
        flash("To send from here, set SMTP_HOST (see README) and your mailbox on this page.",
              "error")
    elif not contact.email:
        flash(f"{contact.name} has no email address yet.", "error")
    elif form.validate_on_submit():
        try:
            copied = send_letter(contact, form.subject.data, form.body.data,
                                 form.key.data or None)
        except SendProblem as problem:
            flash(str(problem), "error")
        else:
            flash(f"Sent “{form.subject.data}” to {contact.name} and logged it. {copied}",
                  "success")
            return redirect(url_for("today.index"))
    return render_template("mail/send.html", form=form, contact=contact, account=account)


@bp.post("/sync")
def sync_now():
    """Read what is new in the mailbox now, whatever the schedule."""
    if ConfirmForm().validate_on_submit():
        summary = sync()
        flash(summary.line(), "error" if summary.error else "success")
    return redirect(url_for(".index"))


@bp.route("/forget", methods=["GET", "POST"])
def forget():
    """Switch mail off, after asking: delete the settings, the stored messages, the people to
    review and the password file; the touches stay, unlinked."""
    form = ConfirmForm()
    if form.validate_on_submit():
        with db.atomic():
            deleted = MailMessage.delete().execute()
            for model in (MailCandidate, MailFolder, MailAccount):
                model.delete().execute()
        secret.forget()
        extra = (" IMAP_PASSWORD is still set in instance/config.py or the environment: "
                 "remove it there." if secret.source() else "")
        flash(f"Mail switched off: {plural(deleted, 'stored message')} deleted, and the "
              f"password file. The touches they made stay in your contacts' histories.{extra}",
              "success")
        return redirect(url_for(".index"))
    stored = MailMessage.select().count()
    return render_template(
        "delete.html", form=form, what="the mail Followthrough read",
        consequence=f"Reading mail stops, and these go: the mailbox settings, the saved "
                    f"password file, {plural(stored, 'stored message')} and the people to "
                    "review. The touches they made stay in your contacts' histories.",
        cancel=url_for(".index"))


@bp.get("/people")
def people():
    """People the mail turned up: add them as contacts, or ignore them."""
    page = paginate(MailCandidate.to_review(), request.args.get("page", 1, type=int),
                    current_app.config["PER_PAGE"])
    return render_template("mail/people.html", page=page, confirm=ConfirmForm())


@bp.post("/people/<int:candidate_id>/add")
def add_person(candidate_id):
    """Make a contact of someone the mail turned up."""
    person = get_or_404(MailCandidate, candidate_id)
    if ConfirmForm().validate_on_submit():
        with db.atomic():
            existing = (Contact.get_or_none(Contact.email == person.email)
                        or Contact.select().join(ContactAddress)
                        .where(ContactAddress.email == person.email).first())
            contact = existing or Contact.create(
                name=person.name or person.email.split("@")[0], email=person.email,
                company=person.company_id)
            Contact.reindex(Contact.select().where(Contact.id == contact.id))
            person.delete_instance()
        flash(f"{contact.name} is {'already' if existing else 'now'} a contact.", "success")
    return redirect(url_for(".people"))


@bp.post("/people/<int:candidate_id>/ignore")
def ignore_person(candidate_id):
    """Never offer this address again."""
    person = get_or_404(MailCandidate, candidate_id)
    if ConfirmForm().validate_on_submit():
        with db.atomic():
            MailCandidate.update(ignored=True).where(MailCandidate.id == person.id).execute()
        flash(f"Ignored {person.email}: it will not be offered again.", "success")
    return redirect(url_for(".people"))
