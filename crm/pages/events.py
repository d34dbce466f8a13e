"""Conferences and association meetings: the list, an event's page, adding, editing, deleting."""


from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Optional

from crm.db import db
from crm.fields import NoteField, time_zone_names
from crm.models import (
    Company,
    Contact,
    Event,
    EventAttendee,
    EventCompany,
    companies_at,
    contacts_for_labels,
    match_labels,
    people_at,
    split_label,
    upcoming_for,
    utcnow,
)
from crm.pages.forms import Accepts, ConfirmForm, accepts_each, one_name_per_line, stripped
from crm.pages.lookup import get_or_404
from crm.pagination import page_number, paginate
from crm.settings import today_for_user, user_timezone
from crm.vocabulary import ATTENDANCE, ATTENDING

bp = Blueprint("events", __name__, url_prefix="/events")

TIMING = ("start_on", "end_on", "start_time", "end_time", "timezone")
MAYBE_SHOWN = 100  # a busy calendar's events are many: the soonest are enough to choose from


class EventForm(FlaskForm):
    name = StringField("Name", [DataRequired("An event needs a name."), Accepts(Event.name)],
                       filters=[stripped])
    start_on = DateField("First day", [DataRequired("Enter the first day.")])
    end_on = DateField("Last day", [Optional()], description="Empty for a one-day event")
    start_time = TimeField("Starts at", [Optional()],
                           description="Leave both times empty for an all-day event")
    end_time = TimeField("Ends at", [Optional()])
    timezone = StringField("Time zone", [Accepts(Event.timezone)], filters=[stripped],
                           description="Where it is held, e.g. America/New_York; "
                                       "empty for your own",
                           render_kw={"list": "time-zones", "autocomplete": "off"})
    place = StringField("Place", [Accepts(Event.place)], filters=[stripped])
    url = StringField("Web page", [Accepts(Event.url)], filters=[stripped])
    notes = TextAreaField("Notes", [Accepts(Event.notes)])
    people = TextAreaField(
        "People likely there", [Accepts(NoteField())],
        description="One person per line; write “Name (Company)” when two share a name. "
                    "A name you do not have yet is added as a contact (at the company "
                    "in brackets, if any), as the interview form does.")
    companies = TextAreaField("Companies likely there", [Accepts(NoteField())],
                              description="One company per line: all their people count")

    def validate_people(self, field):
        """A name typed here may become a contact (and its company in brackets a company): it
        must pass the rules their own forms apply."""
        labels = [split_label(line) for line in one_name_per_line(field.data)]
        accepts_each(Contact.name, [name for name, _ in labels])
        accepts_each(Company.name, [company for _, company in labels if company])

    def validate(self, extra_validators=None):
        """Check the fields, then that the times make sense and every name is known."""
        valid = super().validate(extra_validators)
        start = self.start_on.data
        if start:
            for name, message in Event.timing_problems(start, self.end_on.data or start,
                                                       self.start_time.data,
                                                       self.end_time.data):
                self[name].errors.append(message)
                valid = False
        self.timezone.data = self.timezone.data or str(user_timezone())
        self.found_people, ambiguous = match_labels(one_name_per_line(self.people.data))
        self.people.errors.extend(ambiguous.values())
        self.found_companies = resolve_companies(lines(self.companies.data), self.companies)
        return valid and not self.people.errors and not self.companies.errors


def lines(text):
    """The non-empty lines of a text box, trimmed, without repeats."""
    return list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))


def resolve_companies(names, field):
    """Companies for the names, noting each unknown one on the field."""
    found = []
    for name in names:
        company = Company.get_or_none(Company.name == " ".join(name.split()))
        if company is None:
            field.errors.append(f"No company called “{name}”.")
        else:
            found.append(company)
    return found


def get_event(event_id):
    """The event with this id, or a 404 page."""
    return get_or_404(Event, event_id)


@bp.app_template_global()
def upcoming_events_for(contact):
    """For the contact page: the events still ahead that this contact is likely at."""
    return upcoming_for(contact.id, today_for_user())


@bp.get("")
def index():
    """Events you go to, soonest first; then the maybes from your calendars; past ones below."""
    today = today_for_user()
    ahead = Event.select().where(Event.end_on >= today).order_by(Event.start_on, Event.id)
    upcoming = list(ahead.where(Event.attendance.in_(ATTENDING)))
    maybe = ahead.where(Event.attendance == "maybe", Event.status != "cancelled")
    past = (Event.select().where(Event.end_on < today, Event.attendance.in_(ATTENDING))
            .order_by(Event.start_on.desc(), Event.id.desc()))
    page = paginate(past, page_number(request.args.get("page")), current_app.config["PER_PAGE"])
    return render_template("events/list.html", upcoming=upcoming, past=page,
                           maybe=list(maybe.limit(MAYBE_SHOWN)), maybe_total=maybe.count(),
                           people=people_at([e.id for e in upcoming]), form=ConfirmForm(),
                           choices=ATTENDANCE)


@bp.get("/<int:event_id>")
def detail(event_id):
    """An event's page: when, where, who is likely there."""
    event = get_event(event_id)
    return render_template("events/detail.html", event=event,
                           people=people_at([event.id]).get(event.id, []),
                           companies=companies_at(event), form=ConfirmForm(), choices=ATTENDANCE)


@bp.post("/<int:event_id>/attendance")
def attendance(event_id):
    """Say whether you are going: only going and interested make suggestions and the feed."""
    event = get_event(event_id)
    answer = request.form.get("attendance", "")
    if answer not in dict(ATTENDANCE):
        abort(400)
    if ConfirmForm().validate_on_submit():
        with db.atomic():
            Event.update(attendance=answer, updated_at=utcnow()).where(
                Event.id == event.id).execute()
        flash(f"{event.name}: {dict(ATTENDANCE)[answer].lower()}.", "success")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//")
                    else url_for(".detail", event_id=event.id))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a conference or meeting."""
    form = EventForm()
    if request.method == "GET":
        form.timezone.data = str(user_timezone())
    if form.validate_on_submit():
        event = save_event(Event(), form)
        flash(f"Added {event.name}.", "success")
        return redirect(url_for(".detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None, zones=time_zone_names())


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id):
    """Change an event; a new time raises its SEQUENCE so calendars take the change."""
    event = get_event(event_id)
    form = EventForm(obj=event)
    if request.method == "GET":
        form.people.data = "\n".join(c.label() for c in
                                     Contact.select().join(EventAttendee)
                                     .where(EventAttendee.event == event).order_by(Contact.name))
        form.companies.data = "\n".join(company.name for company in companies_at(event))
    if form.validate_on_submit():
        save_event(event, form)
        flash(f"Saved {event.name}.", "success")
        return redirect(url_for(".detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=event, zones=time_zone_names())


@bp.route("/<int:event_id>/delete", methods=["GET", "POST"])
def delete(event_id):
    """Delete an event, after asking."""
    event = get_event(event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with db.atomic():
            event.delete_instance()
        flash(f"Deleted {event.name}.", "success")
        return redirect(url_for(".index"))
    return render_template(
        "delete.html", form=form, what=event.name,
        consequence="This deletes the event and its links to people and companies; the people "
                    "themselves stay. It leaves your calendar at the next refresh.",
        cancel=url_for(".detail", event_id=event.id))


def save_event(event, form):
    """Write the form to the event and its links in one transaction."""
    before = tuple(getattr(event, name) for name in TIMING) if event.id else None
    with db.atomic():
        for name in ("name", "start_on", "start_time", "end_time", "timezone", "place", "url",
                     "notes"):
            setattr(event, name, getattr(form, name).data)
        event.end_on = form.end_on.data or form.start_on.data
        event.notes = event.notes or ""
        if before is not None and before != tuple(getattr(event, name) for name in TIMING):
            event.sequence += 1
        event.updated_at = utcnow()
        event.save()
        EventAttendee.delete().where(EventAttendee.event == event).execute()
        EventCompany.delete().where(EventCompany.event == event).execute()
        people = contacts_for_labels(form.found_people, "other")
        for contact in {c.id: c for c in people}.values():  # "Bob" and "Bob (Meridian)": once
            EventAttendee.create(event=event, contact=contact)
        for company in form.found_companies:
            EventCompany.create(event=event, company=company)
    return event

