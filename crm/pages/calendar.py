"""The Calendar page: how to subscribe, the feed itself, and one-item .ics downloads."""

import hmac
import ipaddress
import re
from urllib.parse import quote, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import BooleanField

from crm import followups
from crm.calendar_feed import (
    alarms_on,
    cached_feed,
    calendar_events,
    namespace,
    reminders,
    rotate_token,
    subscription_urls,
)
from crm.ics import render_single
from crm.models import Event
from crm.pages.forms import ConfirmForm
from crm.pages.lookup import get_or_404
from crm.settings import get_setting, set_setting, today_for_user

bp = Blueprint("calendar", __name__)


class AlarmsForm(FlaskForm):
    alarms = BooleanField("Add alarms: 09:00 on a reminder's day, 30 minutes before an event")


def only_this_machine(url):
    """Whether a URL points at this computer, where Google's servers cannot reach it."""
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def calendar_response(body, filename=None):
    """An iCalendar response; with a filename, a file to download."""
    response = Response(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_name(text):
    """A safe .ics file name from a title."""
    return (re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "item") + ".ics"


@bp.get("/calendar/<token>.ics")
def feed(token):
    """The subscribable feed; a wrong or old token answers a plain 404."""
    stored = get_setting("calendar.token") or ""
    if not stored or not hmac.compare_digest(token.encode(), stored.encode()):
        abort(404)
    body, etag, last_modified = cached_feed(today_for_user())
    response = calendar_response(body)
    response.headers["ETag"] = etag
    response.last_modified = last_modified
    # Anyone holding the body has the user's contacts: no shared cache may keep it.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["Referrer-Policy"] = "no-referrer"
    return response.make_conditional(request)


@bp.get("/calendar/reminder/<key>.ics")
def reminder_file(key):
    """One reminder as a file to add to a calendar by hand, with the feed's UID."""
    snapshot = followups.current(today_for_user())
    suggestion = next((s for s in snapshot.suggestions if s.key == key), None)
    if suggestion is None:
        abort(404)
    item = reminders([suggestion], snapshot.histories)[0]
    body = render_single(item, namespace=namespace(), alarms=alarms_on())
    return calendar_response(body, file_name(suggestion.title))


@bp.get("/events/<int:event_id>.ics")
def event_file(event_id):
    """One event as a file to add to a calendar by hand, with the feed's UID."""
    event = get_or_404(Event, event_id)
    body = render_single(calendar_events([event])[0], namespace=namespace(), alarms=alarms_on())
    return calendar_response(body, file_name(event.name))


@bp.get("/calendar")
def index():
    """How to subscribe, the links, the alarms switch, and what comes next in the calendar."""
    feed_url, webcal_url = subscription_urls()
    today = today_for_user()
    found = followups.current(today).suggestions
    response = make_response(render_template(
        "calendar/index.html", feed_url=feed_url, webcal_url=webcal_url,
        google_url="https://calendar.google.com/calendar/r?cid=" + quote(webcal_url, safe=""),
        local_only=only_this_machine(feed_url),
        coming=coming(found, today),
        alarms_form=AlarmsForm(alarms=alarms_on()), rotate_form=ConfirmForm()))
    # The page holds the secret URL: links leaving it must not carry it along.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def coming(suggestions, today, count=10):
    """The next reminders and events, as (day, "event" or "reminder", item), in date order."""
    events = (Event.attending().where(Event.end_on >= today)
              .order_by(Event.start_on, Event.id).limit(count))
    items = [(max(event.start_on, today), "event", event) for event in events]
    items += [(s.due, "reminder", s) for s in suggestions if s.due >= today][:count]
    return sorted(items, key=lambda item: (item[0], item[1]))[:count]


@bp.post("/calendar/alarms")
def alarms():
    """Turn alarms in the feed on or off."""
    form = AlarmsForm()
    if form.validate_on_submit():
        set_setting("calendar.alarms", form.alarms.data)
        flash("Alarms are on." if form.alarms.data else "Alarms are off.", "success")
    return redirect(url_for(".index"))


@bp.post("/calendar/rotate")
def rotate():
    """Make a new secret address; the old one stops working at once."""
    if ConfirmForm().validate_on_submit():
        rotate_token()
        flash("The calendar has a new address. The old one no longer works: subscribe again "
              "in each calendar app with the link below.", "success")
    return redirect(url_for(".index"))
