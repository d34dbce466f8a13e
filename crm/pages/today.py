"""The Today page: what to do now, why, and a ready draft; and the answers to suggestions."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from peewee import Case, fn

from crm import followups
from crm.agenda import items_for
from crm.mail.send import sender
from crm.models import Contact, Event
from crm.pages.forms import SnoozeForm, SuggestionForm
from crm.settings import today_for_user

bp = Blueprint("today", __name__)

UPCOMING_DAYS = 7
SHOWN_PER_SECTION = 30  # a big backlog shows its first rows and a link to the rest


def sections(found, today):
    """Split suggestions into overdue, due today, the next days, and those waiting behind an
    overdue one (they come due once it is done, snoozed or skipped)."""
    horizon = today + timedelta(days=UPCOMING_DAYS)
    free = [s for s in found if s.waits_for is None]
    return {
        "overdue": [s for s in free if s.due < today],
        "today": [s for s in free if s.due == today],
        "upcoming": [s for s in free if today < s.due <= horizon],
        "waiting": [s for s in found if s.waits_for is not None],
    }


def warmth(today):
    """How many contacts were last touched this week, month, quarter, or longer ago."""
    bands = [("This week", 7), ("This month", 30), ("This quarter", 91)]
    columns = [fn.SUM(Case(None, [(Contact.last_touch_on >= today - timedelta(days=days), 1)],
                           0)).alias(f"b{n}") for n, (_, days) in enumerate(bands)]
    row = (Contact.select(fn.COUNT(Contact.id).alias("total"), *columns)
           .where(Contact.archived_at.is_null()).dicts().get())
    counts = [row[f"b{n}"] or 0 for n in range(len(bands))]
    result = [(bands[0][0], counts[0])]
    result += [(label, counts[n] - counts[n - 1]) for n, (label, _) in enumerate(bands) if n]
    result.append(("Colder or never", (row["total"] or 0) - counts[-1]))
    return result


@bp.get("/")
def index():
    """What to do now: overdue, due today and the next week, each with why and a draft."""
    today = today_for_user()
    snapshot = followups.current(today)
    split = sections(snapshot.suggestions, today)
    show_all = request.args.get("all") == "1"
    shown = {name: rows if show_all else rows[:SHOWN_PER_SECTION]
             for name, rows in split.items()}
    items = items_for([s for rows in shown.values() for s in rows], snapshot.histories, today)
    by_key = {item.suggestion.key: item for item in items}
    bands = warmth(today)  # its counts add up to every contact not archived
    upcoming_events = (Event.attending().where(Event.end_on >= today)
                       .order_by(Event.start_on).limit(5))
    return render_template(
        "today/index.html", today=today, totals={k: len(v) for k, v in split.items()},
        sections={name: [by_key[s.key] for s in rows] for name, rows in shown.items()},
        show_all=show_all, warmth=bands, upcoming=upcoming_events,
        contact_count=sum(count for _, count in bands), snooze=SnoozeForm(), form=SuggestionForm(),
        default_snooze=today + timedelta(days=7), can_send=sender() is not None)


def open_suggestion(key, contact_id):
    """The open suggestion with this key for this contact, or a 404 page."""
    found, _ = followups.for_contact(contact_id)
    for suggestion in found:
        if suggestion.key == key:
            return suggestion
    abort(404)


def answer_page(contact_id, verb):
    """Ask before snoozing or skipping a suggestion named by a link (the digest's)."""
    found, _ = followups.for_contact(contact_id)
    suggestion = next((s for s in found if s.key == request.args.get("key")), None)
    if suggestion is None:  # an old digest's link: already answered, or the story moved on
        flash("That suggestion is no longer open: it was done, snoozed or skipped, or "
              "something new changed it. Here is what is open now.", "error")
        return redirect(url_for(".index"))
    today = today_for_user()
    form = SnoozeForm(key=suggestion.key, until=today + timedelta(days=7))
    return render_template("today/answer.html", suggestion=suggestion, verb=verb, form=form,
                           contact=Contact.get_by_id(contact_id), today=today)


@bp.route("/suggestions/<int:contact_id>/snooze", methods=["GET", "POST"])
def snooze(contact_id):
    """Put a suggestion off until a date (a link shows the form first)."""
    if request.method == "GET":
        return answer_page(contact_id, "snooze")
    form = SnoozeForm()
    valid = form.validate_on_submit()
    if valid and form.until.data <= today_for_user():
        form.until.errors.append("Pick a date after today.")
        valid = False
    if not valid:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".index"))
    suggestion = open_suggestion(form.key.data, contact_id)
    followups.answer(suggestion.key, contact_id, "snoozed", until=form.until.data)
    flash(f"Snoozed “{suggestion.title}” until {form.until.data:%a %-d %b}.", "success")
    return redirect(url_for(".index"))


@bp.route("/suggestions/<int:contact_id>/skip", methods=["GET", "POST"])
def skip(contact_id):
    """Skip a suggestion: it does not come back unless something new happens."""
    if request.method == "GET":
        return answer_page(contact_id, "skip")
    form = SuggestionForm()
    if form.validate_on_submit():
        suggestion = open_suggestion(form.key.data, contact_id)
        followups.answer(suggestion.key, contact_id, "skipped")
        flash(f"Skipped “{suggestion.title}”.", "success")
    return redirect(url_for(".index"))
