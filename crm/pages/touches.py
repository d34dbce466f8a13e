"""Logging touches (letters, calls, replies), with a guard against writing too often."""


from flask import Blueprint, flash, redirect, render_template, request, url_for

from crm import followups
from crm.agenda import as_sent, draft_for
from crm.answers import pest_warning
from crm.db import db
from crm.models import Article, ArticleMatch, Contact, Touch
from crm.pages.dates import written
from crm.pages.forms import ConfirmForm, TouchForm
from crm.pages.lookup import as_id, get_or_404
from crm.playbook import too_soon
from crm.security import local_path
from crm.settings import now_for_user, rules, today_for_user

bp = Blueprint("touches", __name__)

FIELDS = ("happened_on", "happened_at", "channel", "direction", "note")


@bp.route("/contacts/<int:contact_id>/touches/new", methods=["GET", "POST"])
def create(contact_id):
    """Log a touch; the query string may fill in every field (the Today page's Done button)."""
    contact = get_or_404(Contact, contact_id)
    now = now_for_user()
    # "Done" on a suggestion logs it as made now, so the playbook can tell what came after.
    at = now.time().replace(second=0, microsecond=0) if request.args.get("suggestion_key") \
        else None
    form = (TouchForm(request.args, happened_on=now.date(), happened_at=at)
            if request.method == "GET" else TouchForm(happened_on=now.date()))
    if request.method == "GET" and at and "note" not in request.args:
        # "Done, but I changed it…": the draft as the playbook wrote it, to edit into what was sent.
        draft = draft_for(contact.id, request.args["suggestion_key"], now.date())
        form.note.data = as_sent(draft) if draft else ""
    return edit_form(contact, Touch(contact=contact), form)


@bp.route("/touches/<int:touch_id>/edit", methods=["GET", "POST"])
def edit(touch_id):
    """Change a logged touch."""
    touch = get_or_404(Touch, touch_id)
    form = TouchForm(obj=touch, next=request.args.get("next", ""))
    return edit_form(touch.contact, touch, form)


def edit_form(contact, touch, form):
    """Show the touch form; save it when valid and not too soon (or logged anyway)."""
    form.article_id.choices = article_choices(
        contact, touch.article_id, as_id(request.values.get("article_id")))
    warning = None
    back = local_path(form.next.data) or url_for("contacts.detail", contact_id=contact.id)
    if form.validate_on_submit():
        warning = spacing_warning(contact, touch, form)
        if warning is None or form.log_anyway.data:
            save_touch(contact, touch, form)
            return redirect(back)
    return render_template("touches/form.html", form=form, contact=contact, touch=touch,
                           warning=warning, back=back, confirm=ConfirmForm())


def save_touch(contact, touch, form):
    """Write the touch and the contact's last-contact date in one transaction."""
    fields = {name: getattr(form, name).data for name in FIELDS}
    fields["article"] = form.article_id.data
    fields["suggestion_key"] = form.suggestion_key.data or None
    verb = "Logged" if touch.id is None else "Saved"
    with db.atomic():
        if touch.id is None:
            contact.record_touch(**fields)
        else:
            for name, value in fields.items():
                setattr(touch, name, value)
            touch.save()
            contact.refresh_last_touch()
    flash(f"{verb} the touch with {contact.name}.", "success")


def spacing_warning(contact, touch, form):
    """The warning for an outbound note sooner than the playbook allows, or None."""
    on, channel = form.happened_on.data, form.channel.data
    if form.direction.data != "out":
        return None
    if touch.id is not None and (touch.happened_on, touch.direction, touch.channel) == (
            on, "out", channel):
        return None  # an edit of the note or article: the date was accepted before
    others = (Touch.select(Touch.happened_on, Touch.direction, Touch.channel)
              .where(Touch.contact == contact, Touch.id != (touch.id or 0)).tuples())
    gap = rules().min_gap_days
    found = too_soon(list(others), on, channel, gap)
    if found is None or suggested_for(contact, form.suggestion_key.data, on):
        return None
    return pest_warning(contact.name, found, today_for_user())


def suggested_for(contact, key, on):
    """Tell whether the playbook itself suggests this note by `on` (an agreed check-in date)."""
    if not key:
        return False
    found, _ = followups.for_contact(contact.id)
    return any(s.key == key and s.due <= on for s in found)


def article_choices(contact, *also):
    """Articles worth naming as sent: those matched to the contact, plus any already chosen."""
    matched = ArticleMatch.select(ArticleMatch.article).where(ArticleMatch.contact == contact)
    query = (Article.select(Article.id, Article.title, Article.link)
             .where(Article.id.in_(matched) | Article.id.in_([i for i in also if i]))
             .order_by(Article.published_at.desc()).limit(50))
    return [("", "None")] + [(a.id, a.title or a.link or f"Article {a.id}") for a in query]


@bp.post("/touches/<int:touch_id>/delete")
def delete(touch_id):
    """Delete a touch; the contact's last-contact date goes back to the touch before."""
    touch = get_or_404(Touch, touch_id)
    contact = touch.contact
    if ConfirmForm().validate_on_submit():
        with db.atomic():
            touch.delete_instance()
            contact.refresh_last_touch()
        flash(f"Deleted the touch of {written(touch.happened_on)} with {contact.name}.",
              "success")
    return redirect(local_path(request.args.get("next"))
                    or url_for("contacts.detail", contact_id=contact.id))
