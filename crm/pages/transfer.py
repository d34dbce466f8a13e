"""The import and export page: upload, preview, confirm; contact files and the backup out."""

import io
import os
import re
import secrets
import time
from datetime import date

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from crm.fields import one_line
from crm.models import Contact
from crm.pages.forms import ConfirmForm
from crm.pages.lookup import get_or_404
from crm.transfer import applications, backup, exporter, importer
from crm.transfer.records import FormatError

bp = Blueprint("transfer", __name__, url_prefix="/transfer")

TOKEN = re.compile(r"^[\w-]{32}$")
STALE_SECONDS = 24 * 3600  # an upload nobody confirmed or cancelled within a day


class UploadForm(FlaskForm):
    file = FileField("LinkedIn Connections.csv, vCard (.vcf) or contacts CSV",
                     [FileRequired("Choose a file to import.")])


@bp.get("")
def index(form=None, error=None, status=200):
    """The import form, the export links and the backup link."""
    return render_template("transfer/index.html", form=form or UploadForm(), error=error,
                           limit=limit_mib()), status


@bp.post("/import")
def upload():
    """Read an uploaded file and keep it aside for the preview; nothing is written yet."""
    form = UploadForm()
    if not form.validate_on_submit():
        return index(form)
    # The name travels in the session cookie, which must stay small.
    data, filename = form.file.data.read(), (form.file.data.filename or "upload")[-100:]
    try:
        importer.read_upload(filename, data)
    except FormatError as error:
        return index(form, f"{filename}: {error} Nothing was imported.")
    discard()
    session["import"] = {"token": stash(data), "filename": filename}
    return redirect(url_for(".preview"))


@bp.get("/import/preview")
def preview():
    """What the upload would change: how many people are new, updated and skipped."""
    pending = session.get("import")
    data = read_stash(pending)
    if data is None:
        flash("Nothing is waiting to be imported: upload a file first.", "error")
        return redirect(url_for(".index"))
    plan = importer.plan(importer.read_upload(pending["filename"], data))
    return render_template("transfer/preview.html", plan=plan, form=ConfirmForm(),
                           format_name=importer.FORMAT_NAMES[plan.upload.fmt])


@bp.post("/import/confirm")
def confirm():
    """Import the previewed upload in one transaction."""
    pending = session.pop("import", None)
    data = read_stash(pending)
    # Whoever deletes the file imports it: a second click finds it gone.
    if not ConfirmForm().validate_on_submit() or data is None or not drop(pending):
        flash("Nothing was imported: the upload was already imported or cancelled.", "error")
        return redirect(url_for(".index"))
    plan = importer.write(importer.read_upload(pending["filename"], data))
    flash(f"Imported {pending['filename']}: {importer.summary(plan)}.", "success")
    return redirect(url_for("contacts.index", sort="added"))


@bp.post("/import/cancel")
def cancel():
    """Forget the previewed upload."""
    if ConfirmForm().validate_on_submit():
        discard()
        flash("Import cancelled; nothing was written.", "success")
    return redirect(url_for(".index"))


@bp.get("/contacts.csv")
def contacts_csv():
    """Every contact as a CSV spreadsheet."""
    return download(exporter.contacts_csv(), "text/csv", "contacts.csv")


@bp.get("/applications.csv")
def applications_csv():
    """Every application as a CSV spreadsheet."""
    return download(applications.applications_csv(), "text/csv", "applications.csv")


@bp.get("/contacts.vcf")
def contacts_vcard():
    """Every contact as one vCard file, for an address book."""
    return download(exporter.contacts_vcard(), "text/vcard", "contacts.vcf")


@bp.get("/contacts/<int:contact_id>.vcf")
def contact_vcard(contact_id):
    """One contact as a vCard."""
    contact = get_or_404(Contact, contact_id)
    query = Contact.select().where(Contact.id == contact.id)
    return download(exporter.contacts_vcard(query), "text/vcard", f"{contact.name}.vcf")


@bp.get("/backup.json")
def backup_json():
    """The whole database as a JSON backup, for `crm restore`."""
    out = io.StringIO()
    backup.write_backup(out)
    return download(out.getvalue(), "application/json",
                    f"followthrough-backup-{date.today().isoformat()}.json")


@bp.errorhandler(413)
def too_large(error):
    """An upload over MAX_CONTENT_LENGTH: the import page, saying what to do instead."""
    # formdata=None: the form must not read the refused body again.
    return index(UploadForm(formdata=None),
                 f"That file is larger than the {limit_mib()} MiB upload limit, so nothing was"
                 " imported. Import it on the command line with crm import FILE, which has no"
                 " limit, or raise the limit with CRM_MAX_CONTENT_LENGTH.", 413)


def limit_mib():
    """The upload limit in MiB, as the pages write it."""
    return f"{current_app.config['MAX_CONTENT_LENGTH'] / 2**20:g}"


def download(text, mimetype, filename):
    """Send text as a UTF-8 file download, named as RFC 6266 says (werkzeug's send_file)."""
    # send_file writes an ASCII filename= and a UTF-8 filename*=, but a line break in a
    # header fails the response: a name stored before the forms refused them would do that.
    return send_file(io.BytesIO(text.encode()), mimetype=f"{mimetype}; charset=utf-8",
                     as_attachment=True, download_name=one_line(filename))


def uploads_dir():
    """The instance folder where uploads wait between the preview and the confirmation."""
    path = os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def stash(data):
    """Keep an upload in a file named by a random token, readable by us only; return it."""
    sweep()
    token = secrets.token_urlsafe(24)
    fd = os.open(stash_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return token


def sweep():
    """Delete uploads nobody confirmed or cancelled within a day."""
    for entry in os.scandir(uploads_dir()):
        try:
            if time.time() - entry.stat().st_mtime > STALE_SECONDS:
                os.remove(entry.path)
        except OSError:
            pass  # another request swept or imported it first


def stash_path(token):
    """The file of a token; the token's shape is checked, so it cannot name another file."""
    if not isinstance(token, str) or not TOKEN.match(token):
        raise ValueError("not an upload token")
    return os.path.join(uploads_dir(), token + ".upload")


def read_stash(pending):
    """The bytes of the session's pending upload, or None."""
    try:
        with open(stash_path(pending["token"]), "rb") as f:
            return f.read()
    except (TypeError, KeyError, ValueError, OSError):
        return None


def drop(pending):
    """Delete a pending upload's file; whether this call deleted it."""
    try:
        os.remove(stash_path(pending["token"]))
    except (TypeError, KeyError, ValueError, OSError):
        return False
    return True


def discard():
    """Forget the session's pending upload, if any."""
    drop(session.pop("import", None))
