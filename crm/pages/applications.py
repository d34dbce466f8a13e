"""Applications: the list, an application's page, the form, and changing the status."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from peewee import Case

from crm import documents
from crm.db import db
from crm.models import (
    Application,
    ApplicationContact,
    Company,
    Contact,
    Interview,
    Interviewer,
    contacts_for,
    match_contacts,
    utcnow,
)
from crm.pages.forms import ApplicationForm, ConfirmForm, StatusForm, one_name_per_line
from crm.pages.lookup import as_id, get_or_404
from crm.pagination import page_number, paginate
from crm.settings import now_for_user
from crm.vocabulary import APPLICATION_STATUSES, CLOSED_STATUSES, OPEN_STATUSES

bp = Blueprint("applications", __name__, url_prefix="/applications")

FIELDS = ("position", "applied_on", "decision_expected_on", "check_in_on", "next_steps",
          "notes", "source", "posting_url", "location", "work_mode", "salary_min",
          "salary_max", "currency", "answered_on", "resume_version", "cover_letter_version",
          "job_description")


@bp.get("")
def index():
    """List applications, open ones first, optionally of one status."""
    status = request.args.get("status", "")
    query = (Application.select(Application, Company).join(Company)
             .order_by(Case(None, [(Application.status.in_(OPEN_STATUSES), 0)], 1),
                       Application.applied_on.desc(nulls="LAST"), Application.id.desc()))
    if status == "open":
        query = query.where(Application.status.in_(OPEN_STATUSES))
    elif status == "closed":
        query = query.where(Application.status.in_(CLOSED_STATUSES))
    elif status in dict(APPLICATION_STATUSES):
        query = query.where(Application.status == status)
    else:
        status = ""
    page = paginate(query, page_number(request.args.get("page")),
                    current_app.config["PER_PAGE"])
    return render_template("applications/list.html", page=page, status=status,
                           statuses=APPLICATION_STATUSES)


@bp.get("/<int:application_id>")
def detail(application_id):
    """An application's page: its dates, people and interviews."""
    application = get_or_404(Application, application_id)
    return render_detail(application, StatusForm(obj=application))


def render_detail(application, status_form):
    """The application's page, with the status form as given (it may carry errors)."""
    interviews = list(application.interviews.order_by(Interview.starts_at.desc()))
    seats = {}
    for seat in (Interviewer.select(Interviewer, Contact).join(Contact)
                 .where(Interviewer.interview.in_([i.id for i in interviews]))
                 .order_by(Interviewer.id)):
        seats.setdefault(seat.interview_id, []).append(seat)
    return render_template("applications/detail.html", application=application,
                           interviews=interviews, seats=seats, people=people_of(application),
                           status_form=status_form, form=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add an application; from a company or contact page the company is filled in."""
    form = ApplicationForm()
    if request.method == "GET":
        prefill_from_query(form)
    if form.validate_on_submit():
        application = save_application(Application(), form)
        if application:
            flash(f"Added the application for {application.position}.", "success")
            return redirect(url_for(".detail", application_id=application.id))
    return render_form(form, None)


def render_form(form, application):
    """The application form, offering the names of people already known."""
    company = Company.get_or_none(Company.name == (form.company.data or ""))
    return render_template("applications/form.html", form=form, application=application,
                           contact_names=Contact.names_to_offer(company.id if company else None))


def prefill_from_query(form):
    """Fill in the company, and the contact as a person involved, named in the query string."""
    company = Company.get_or_none(Company.id == as_id(request.args.get("company_id")))
    contact = Contact.get_or_none(Contact.id == as_id(request.args.get("contact_id")))
    if contact is not None:
        company = company or contact.company
        form.people.data = contact.name
    if company is not None:
        form.company.data = company.name


@bp.route("/<int:application_id>/edit", methods=["GET", "POST"])
def edit(application_id):
    """Change an application's details, status and people."""
    application = get_or_404(Application, application_id)
    form = ApplicationForm(obj=application)
    if request.method == "GET":
        form.company.data = application.company.name
        form.people.data = "\n".join(c.name for c in people_of(application))
        form.referrer.data = application.referrer.name if application.referrer else ""
        form.next_contact.data = application.next_contact.name \
            if application.next_contact else ""
    if form.validate_on_submit() and save_application(application, form):
        flash(f"Saved the application for {application.position}.", "success")
        return redirect(url_for(".detail", application_id=application.id))
    return render_form(form, application)


@bp.post("/<int:application_id>/status")
def change_status(application_id):
    """Move the application to another status, e.g. rejected."""
    application = get_or_404(Application, application_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return render_detail(application, form)
    with db.atomic():
        moved = application.change_status(form.status.data, form.closed_on.data,
                                          now_for_user())
    flash(f"Marked as {dict(APPLICATION_STATUSES)[application.status].lower()}.", "success")
    announce(moved)
    return redirect(url_for(".detail", application_id=application.id))


@bp.post("/<int:application_id>/move")
def move(application_id):
    """Move a card on the board to another status (a button, or a drag that presses one)."""
    application = get_or_404(Application, application_id)
    form = StatusForm()
    if not form.validate_on_submit():
        errors = " ".join(e for field_errors in form.errors.values() for e in field_errors)
        flash(f"{application.position} was not moved: {errors}", "error")
        return redirect(url_for("board.index"))
    with db.atomic():
        moved = application.change_status(form.status.data, form.closed_on.data,
                                          now_for_user())
    label = dict(APPLICATION_STATUSES)[application.status].lower()
    flash(f"Moved {application.position} at {application.company.name} to {label}.", "success")
    announce(moved)
    return redirect(url_for("board.index", _anchor=f"application-{application.id}"))


@bp.get("/<int:application_id>/resume", defaults={"kind": "resume"})
@bp.get("/<int:application_id>/cover-letter", defaults={"kind": "cover_letter"})
def document(application_id, kind):
    """Download the resume or cover letter file sent with the application, never shown inline."""
    application = get_or_404(Application, application_id)
    path = documents.path_of(getattr(application, f"{kind}_file"))
    if path is None:
        # Removed since the page was loaded, or restored from a backup without the files.
        flash(f"No {kind.replace('_', ' ')} file is stored for this application.", "error")
        return redirect(url_for(".detail", application_id=application.id))
    stored = getattr(application, f"{kind}_file")
    name = getattr(application, f"{kind}_filename") or f"{kind.replace('_', '-')}{path.suffix}"
    # An attachment, with the name as uploaded (RFC 6266: werkzeug adds filename* for
    # names that are not ASCII); no browser renders a user's file in the app's origin.
    return send_file(path, mimetype=documents.mimetype(stored), as_attachment=True,
                     download_name=name, max_age=0)


@bp.route("/<int:application_id>/delete", methods=["GET", "POST"])
def delete(application_id):
    """Delete an application and its interviews, after asking."""
    application = get_or_404(Application, application_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        company_id = application.company_id
        with db.atomic():
            application.delete_instance()
        for name in (application.resume_file, application.cover_letter_file):
            documents.remove(name)
        flash(f"Deleted the application for {application.position}.", "success")
        return redirect(url_for("companies.detail", company_id=company_id))
    return render_template("delete.html", form=form,
                           what=f"the application for {application.position}",
                           consequence=f"{application.position} at {application.company.name}. "
                                       "Its interviews go too; the people stay.",
                           cancel=url_for(".detail", application_id=application.id))


def people_of(application):
    """The contacts involved in the application without an interview, by name."""
    return list(Contact.select().join(ApplicationContact)
                .where(ApplicationContact.application == application).order_by(Contact.name))


def save_application(application, form):
    """Write the form to the application and its people in one transaction.

    Returns the application, or None when a typed name is ambiguous (the
    error is then on the people field and nothing is saved).
    """
    company_name = " ".join(form.company.data.split())
    company = Company.get_or_none(Company.name == company_name)
    people = form.people_names()
    # One lookup for both boxes, so a new name typed in each becomes one contact.
    found, errors = match_contacts(one_name_per_line("\n".join(
        [form.next_contact.data, *people])), company)
    if errors:
        form.people.errors = list(form.people.errors) + [
            errors[n] for n in errors if n.casefold() in {p.casefold() for p in people}]
        form.next_contact.errors = list(form.next_contact.errors) + [
            m for n, m in errors.items() if n.casefold() == form.next_contact.data.casefold()]
        return None
    referrer = [form.referrer.data] if form.referrer.data else []
    # A referrer is someone you know, often elsewhere: any contact of the name will do.
    referred_by, errors = match_contacts(referrer, None)
    if errors:
        form.referrer.errors = list(form.referrer.errors) + list(errors.values())
        return None
    stored, replaced = attach_documents(application, form)
    try:
        with db.atomic():
            application.company = Company.named(company_name)
            for name in FIELDS:
                setattr(application, name, getattr(form, name).data)
            referrers = contacts_for(referred_by, None, "other")
            application.referrer = referrers[0] if referrers else None
            rejected = application.set_status(form.status.data, form.closed_on.data,
                                               now_for_user())
            made = {name.casefold(): contact for name, contact in zip(
                found, contacts_for(found, application.company, "recruiter"), strict=True)}
            application.next_contact = made.get(form.next_contact.data.casefold())
            application.updated_at = utcnow()
            application.save()
            wanted = [made[name.casefold()] for name in people]
            (ApplicationContact.delete()
             .where(ApplicationContact.application == application,
                    ApplicationContact.contact.not_in([c.id for c in wanted])).execute())
            for contact in wanted:
                ApplicationContact.insert(application=application, contact=contact) \
                    .on_conflict_ignore().execute()
            # After the people are saved, so a recruiter typed in with the rejection counts.
            moved = application.keep_people_in_touch() if rejected else []
    except BaseException:
        for name in stored:
            documents.remove(name)  # no row names them: they would lie there forever
        raise
    for name in replaced:
        documents.remove(name)
    announce(moved)
    return application


def attach_documents(application, form):
    """Store the files chosen in the form and name them on the application (not saved yet).

    Returns the names stored now, and those of the files they replace or the form
    removes, to delete once the row is committed.
    """
    stored, replaced = [], []
    try:
        for kind in ("resume", "cover_letter"):
            upload = form.uploaded(kind)
            if not (upload or getattr(form, f"remove_{kind}").data):
                continue
            if getattr(application, f"{kind}_file"):
                replaced.append(getattr(application, f"{kind}_file"))
            name, data = upload or ("", b"")
            new = documents.store(name, data) if upload else ""
            if new:
                stored.append(new)
            setattr(application, f"{kind}_file", new)
            setattr(application, f"{kind}_filename", name)
    except OSError:
        for name in stored:  # the first file written, when the second could not be
            documents.remove(name)
        raise
    return stored, replaced


def announce(moved):
    """Tell the user who became a long-term contact."""
    if moved:
        names = ", ".join(c.name for c in moved)
        flash(f"Now long-term contacts: {names}. The playbook will suggest a "
              "“keep me in mind” letter, then a touch of value now and then.", "success")


