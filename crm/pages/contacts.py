"""The contact list, a contact's page, and adding, editing, archiving and deleting contacts."""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from crm import followups
from crm.agenda import UPCOMING_DAYS, answering, items_for
from crm.db import db
from crm.models import (
    Company,
    Contact,
    ContactAddress,
    ContactMerge,
    Tag,
    normal_email,
    normal_linkedin,
    tags_by_contact,
    utcnow,
)
from crm.occasions import group
from crm.pages.forms import ConfirmForm, ContactForm
from crm.pages.lookup import get_or_404
from crm.pages.timeline import timeline_for
from crm.pagination import page_number, paginate
from crm.settings import today_for_user, user_timezone
from crm.vocabulary import CONTACT_STATUSES, ROLES

bp = Blueprint("contacts", __name__, url_prefix="/contacts")

FILTERS = ("q", "status", "role", "company", "tag", "archived")


def get_contact(contact_id):
    """The contact with this id, or a 404 page."""
    return get_or_404(Contact, contact_id)


@bp.get("")
def index():
    """List contacts: search, filter, sort and paginate."""
    args = {name: request.args.get(name, "").strip() for name in FILTERS}
    sort = request.args.get("sort", "name")
    args["sort"] = sort if sort in Contact.SORTS else "name"
    query = Contact.browse(q=args["q"], status=args["status"], role=args["role"],
                           company=args["company"], tag=args["tag"], sort=args["sort"],
                           archived=args["archived"] == "1")
    page = paginate(query, page_number(request.args.get("page")),
                    current_app.config["PER_PAGE"])
    return render_template(
        "contacts/list.html", page=page, args=args,
        tags=tags_by_contact([c.id for c in page.items]),
        all_tags=[name for (name,) in Tag.select(Tag.name).order_by(Tag.name).tuples()],
        statuses=CONTACT_STATUSES, roles=ROLES, sorts=Contact.SORTS,
        filtered=any(args[name] for name in FILTERS))


@bp.get("/<int:contact_id>")
def detail(contact_id):
    """A contact's page: every field and the timeline of what happened."""
    contact = get_contact(contact_id)
    merges = contact.merges.order_by(ContactMerge.merged_at.desc())
    return render_template("contacts/detail.html", contact=contact,
                           tags=contact.tag_names(), timeline=timeline_for(contact),
                           merges=merges, form=ConfirmForm(), next_step=next_step(contact))


def next_step(contact):
    """What is due for this person now, grouped as on Today, or the next thing the playbook
    plans for them (None when it plans nothing)."""
    today = today_for_user()
    # The snapshot Today reads: kept up to date after every write, so usually no query.
    snapshot = followups.current(today)
    found = [s for s in snapshot.suggestions if s.contact_id == contact.id]
    horizon = today + timedelta(days=UPCOMING_DAYS)
    due = [s for s in found if s.due <= horizon or s.waits_for]
    later = min((s for s in found if s not in due), key=lambda s: s.due, default=None)
    items = items_for(due, snapshot.histories, today) if due else []
    return {"groups": group(items, snapshot.histories, today, user_timezone()),
            "later": later, "answering": answering(url_for(".detail", contact_id=contact.id),
                                                   today)}


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a contact, warning first when it looks like someone already here."""
    form = ContactForm(company=request.args.get("company", ""))
    duplicates = []
    if form.validate_on_submit():
        duplicates = Contact.possible_duplicates(
            email=form.email.data, linkedin_url=form.linkedin_url.data, name=form.name.data,
            company=Company.get_or_none(Company.name == form.company.data))
        if not duplicates or form.save_anyway.data:
            contact = save_contact(Contact(), form)
            flash(f"Added {contact.name}.", "success")
            return redirect(url_for(".detail", contact_id=contact.id))
    return render_template("contacts/form.html", form=form, contact=None,
                           duplicates=duplicates)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(contact_id):
    """Change a contact's details."""
    contact = get_contact(contact_id)
    form = ContactForm(obj=contact)
    form.contact_id = contact.id
    if request.method == "GET":
        form.company.data = contact.company.name if contact.company else ""
        form.tags.data = ", ".join(contact.tag_names())
        form.other_emails.data = "\n".join(ContactAddress.of(contact))
    if form.validate_on_submit():
        save_contact(contact, form)
        flash(f"Saved {contact.name}.", "success")
        return redirect(url_for(".detail", contact_id=contact.id))
    return render_template("contacts/form.html", form=form, contact=contact, duplicates=[])


@bp.post("/<int:contact_id>/archive")
def archive(contact_id):
    """Archive a contact, or bring an archived one back."""
    contact = get_contact(contact_id)
    if ConfirmForm().validate_on_submit():
        contact.archived_at = None if contact.archived else utcnow()
        with db.atomic():
            contact.save()
        flash(f"{'Archived' if contact.archived else 'Restored'} {contact.name}.", "success")
    return redirect(url_for(".detail", contact_id=contact.id))


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
def delete(contact_id):
    """Delete a contact and their history, after asking."""
    contact = get_contact(contact_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with db.atomic():
            contact.delete_instance()
        flash(f"Deleted {contact.name} and their history.", "success")
        return redirect(url_for(".index"))
    keep = "" if contact.archived else (
        " To hide them but keep their history, archive them instead.")
    return render_template(
        "delete.html", form=form, what=contact.name,
        consequence=f"This deletes {contact.name} and every touch, interview role and "
                    f"reminder state with them.{keep}",
        cancel=url_for(".detail", contact_id=contact.id))


def save_contact(contact, form):
    """Write the form's fields, company and tags to the contact in one transaction."""
    with db.atomic():
        contact.company = Company.named(form.company.data) if form.company.data else None
        for field in ("name", "title", "phone", "role", "preferred_channel", "status",
                      "may_follow_up", "linkedin_connected", "cadence_days", "notes"):
            setattr(contact, field, getattr(form, field).data)
        contact.email = normal_email(form.email.data or "")
        contact.linkedin_url = normal_linkedin(form.linkedin_url.data or "")
        contact.notes = contact.notes or ""
        contact.updated_at = utcnow()
        contact.save()
        contact.set_tags(form.tag_list())
        ContactAddress.set_for(contact, form.email_list())
        Contact.reindex(Contact.select().where(Contact.id == contact.id))
    return contact
