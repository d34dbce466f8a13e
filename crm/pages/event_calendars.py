"""Calendars organisers publish: import an .ics file, subscribe to a URL, refresh, unsubscribe."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from peewee import JOIN, fn
from wtforms import StringField
from wtforms.validators import DataRequired

from crm.conferences import sync
from crm.conferences.parse import CalendarError
from crm.db import db
from crm.models import Event, EventCalendar
from crm.pages.forms import ConfirmForm, stripped
from crm.pages.lookup import get_or_404

bp = Blueprint("event_calendars", __name__, url_prefix="/events/calendars")


class CalendarFileForm(FlaskForm):
    file = FileField("Calendar file (.ics)", [FileRequired("Choose an .ics file to import.")])


class SubscribeForm(FlaskForm):
    url = StringField("Calendar address", [DataRequired("Give the calendar's address.")],
                      filters=[stripped],
                      description="The .ics or webcal:// link an association, Meetup group, "
                                  "Eventbrite or a Google or Outlook calendar publishes")


@bp.get("")
def index(upload=None, subscription=None, status=200):
    """The calendars imported or subscribed to, and the forms to add one."""
    counts = fn.COUNT(Event.id).alias("count")
    calendars = (EventCalendar.select(EventCalendar, counts)
                 .join(Event, JOIN.LEFT_OUTER, on=(Event.calendar == EventCalendar.id))
                 .group_by(EventCalendar.id).order_by(EventCalendar.name))
    return render_template("event_calendars/index.html", calendars=list(calendars),
                           upload=upload or CalendarFileForm(),
                           subscription=subscription or SubscribeForm(),
                           form=ConfirmForm()), status


@bp.post("/import")
def import_file():
    """Import the events of an .ics file once, all or nothing."""
    form = CalendarFileForm()
    if not form.validate_on_submit():
        return index(upload=form, status=400)
    name = (form.file.data.filename or "calendar.ics")[-100:]
    try:
        stored = sync.import_file(form.file.data.read(), name)
    except CalendarError as error:
        form.file.errors.append(f"{name}: {error} Nothing was imported.")
        return index(upload=form, status=400)
    flash(f"Imported {stored.line()}. Mark the events you will attend.", "success")
    return redirect(url_for("events.index"))


@bp.post("/subscribe")
def subscribe():
    """Subscribe to a published calendar, read now and then on schedule."""
    form = SubscribeForm()
    if not form.validate_on_submit():
        return index(subscription=form, status=400)
    try:
        stored = sync.subscribe(form.url.data)
    except CalendarError as error:
        form.url.errors.append(f"{error} Nothing was subscribed to.")
        return index(subscription=form, status=400)
    flash(f"Subscribed to {stored.line()}. Mark the events you will attend.", "success")
    return redirect(url_for("events.index"))


@bp.post("/<int:calendar_id>/refresh")
def refresh(calendar_id):
    """Fetch a subscription now, paused or not."""
    calendar = get_or_404(EventCalendar, calendar_id)
    if ConfirmForm().validate_on_submit() and calendar.url:
        flash(f"{sync.refresh(calendar_ids=[calendar.id])}.", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:calendar_id>/delete")
def delete(calendar_id):
    """Forget a calendar and its maybes; the events you go to or are interested in stay."""
    calendar = get_or_404(EventCalendar, calendar_id)
    if ConfirmForm().validate_on_submit():
        with db.atomic():
            gone = (Event.delete().where(Event.calendar == calendar,
                                         Event.attendance == "maybe").execute())
            calendar.delete_instance()
        flash(f"Removed {calendar.name} and its {gone} maybe event{'' if gone == 1 else 's'}; "
              "the events you answered stay.", "success")
    return redirect(url_for(".index"))
