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

from crm import answers, followups
from crm.agenda import UPCOMING_DAYS, answering, items_for
from crm.db import db
from crm.models import Contact, Event
from crm.occasions import group
from crm.pages.dates import written
from crm.pages.forms import AnswersForm, SnoozeAllForm, SnoozeForm, SuggestionForm, UndoForm
from crm.security import local_path
from crm.settings import now_for_user, today_for_user, user_timezone

bp = Blueprint("today", __name__)

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
    tz = user_timezone()
    bands = warmth(today)  # its counts add up to every contact not archived
    upcoming_events = (Event.attending().where(Event.end_on >= today)
                       .order_by(Event.start_on).limit(5))
    return render_template(
        "today/index.html", today=today, totals={k: len(v) for k, v in split.items()},
        hidden={k: len(split[k]) - len(v) for k, v in shown.items()},
        sections={name: group([by_key[s.key] for s in rows], snapshot.histories, today, tz)
                  for name, rows in shown.items()},
        show_all=show_all, warmth=bands, upcoming=upcoming_events,
        contact_count=sum(count for _, count in bands),
        skipped=len(answers.skipped(snapshot, today)),
        answering=answering(url_for(".index"), today))


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
    if not valid_snooze(form):
        return redirect(back(form))
    suggestion = open_suggestion(form.key.data, contact_id)
    followups.answer(suggestion.key, contact_id, "snoozed", until=form.until.data)
    flash(f"Snoozed “{suggestion.title}” until {written(form.until.data)}.", "success")
    return redirect(back(form))


@bp.route("/suggestions/<int:contact_id>/skip", methods=["GET", "POST"])
def skip(contact_id):
    """Skip a suggestion: it does not come back unless something new happens."""
    if request.method == "GET":
        return answer_page(contact_id, "skip")
    form = SuggestionForm()
    if form.validate_on_submit():
        suggestion = open_suggestion(form.key.data, contact_id)
        followups.answer(suggestion.key, contact_id, "skipped")
        flash(f"Skipped “{suggestion.title}”: it is under Skipped on Today if you want it back.",
              "success")
    return redirect(back(form))


def valid_snooze(form):
    """Whether a snooze form holds a date after today; if not, say why on the next page."""
    valid = form.validate_on_submit()
    if valid and form.until.data <= today_for_user():
        form.until.errors.append("Pick a date after today.")
        valid = False
    if not valid:
        flash(errors_of(form), "error")
    return valid


def back(form):
    """The page the answered button was on (Today or a contact's page)."""
    return local_path(form.next.data) or url_for(".index")


def errors_of(form):
    """A form's error messages as one line."""
    return " ".join(e for errors in form.errors.values() for e in errors)


def chosen(keys):
    """The open suggestions with these keys, ready to act on, or a 404 page if one is not."""
    today = today_for_user()
    snapshot = followups.current(today)
    wanted = set(keys)
    found = [s for s in snapshot.suggestions if s.key in wanted]
    if len(found) != len(wanted):
        abort(404)
    return items_for(found, snapshot.histories, today), snapshot.histories


@bp.post("/suggestions/done")
def done():
    """Log one suggestion, or a group's, as done at once: the draft is the note. Offer Undo."""
    form = AnswersForm()
    if not form.validate_on_submit():
        flash(errors_of(form), "error")
        return redirect(back(form))
    items, histories = chosen(form.key.data)
    touches, refused = answers.log_done(items, histories, now_for_user())
    for item, warning in refused:
        flash(f"Not logged: “{item.suggestion.title}”. {warning} If you have sent it anyway, "
              "use “Done, but I changed it…” and tick “Log it anyway”.", "error")
    if touches:
        names = [t.contact.name for t in touches]
        what = (f"“{items[0].suggestion.title}”" if len(items) == 1
                else f"{len(touches)} things, for {', '.join(names)}")
        flash({"text": f"Done: {what}. The draft is logged as what you sent.",
               "token": answers.undo_token(touches)}, "undo")
    return redirect(back(form))


@bp.post("/suggestions/snooze")
def snooze_all():
    """Put off every suggestion of a group until a date."""
    form = SnoozeAllForm()
    if not valid_snooze(form):
        return redirect(back(form))
    items, _ = chosen(form.key.data)
    with db.atomic():
        followups.answer_all([(item.suggestion.key, item.contact.id) for item in items],
                             "snoozed", until=form.until.data)
    flash(f"Snoozed {len(items)} until {written(form.until.data)}.", "success")
    return redirect(back(form))


@bp.post("/suggestions/undo")
def undo():
    """Take back what Done just logged: its touches go, and the suggestions come back."""
    form = UndoForm()
    deleted = answers.undo(form.token.data) if form.validate_on_submit() else None
    if deleted is None:
        flash("That Undo no longer works (it lasts a day). Delete the touch from the "
              "person's timeline instead.", "error")
    elif deleted:
        flash(f"Undone: {deleted} touch{'es' if deleted > 1 else ''} deleted, and what "
              f"{'they' if deleted > 1 else 'it'} answered is back on Today.", "success")
    else:
        flash("Nothing to undo: those touches were already deleted.", "error")
    return redirect(back(form))


@bp.get("/suggestions/skipped")
def skipped():
    """The suggestions skipped, to bring back any of them."""
    today = today_for_user()
    found = answers.skipped(followups.current(today), today)
    return render_template("today/skipped.html", skipped=found, today=today,
                           contacts=answers.contacts_named(found), form=SuggestionForm())


@bp.post("/suggestions/<int:contact_id>/restore")
def restore(contact_id):
    """Bring a skipped suggestion back to Today."""
    form = SuggestionForm()
    if form.validate_on_submit():
        today = today_for_user()
        found = [s for s in answers.skipped(followups.current(today), today)
                 if s.key == form.key.data and s.contact_id == contact_id]
        if not found:
            abort(404)
        answers.restore(found[0].key, contact_id)
        flash(f"Brought back “{found[0].title}”.", "success")
    return redirect(url_for(".skipped"))
