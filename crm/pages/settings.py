"""The settings page: the playbook's timings, the time zone, the signature, the resume, logins."""

from datetime import UTC

from flask import Blueprint, flash, g, redirect, render_template, url_for
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from crm.db import db
from crm.login_sessions import LoginSession
from crm.models import utcnow
from crm.pages.forms import AboutYouForm, ConfirmForm
from crm.playbook import Rules
from crm.settings import (
    RULES_PREFIX,
    get_setting,
    rules,
    save_about_you,
    set_setting,
    today_for_user,
    user_timezone,
)

bp = Blueprint("settings", __name__, url_prefix="/settings")


def settings_form_class():
    """A form with one field per playbook rule, plus the sender's name, time zone and address."""

    class SettingsForm(AboutYouForm):
        pass

    for rule in Rules.fields_for_settings():
        if isinstance(rule.default, bool):
            field = BooleanField(rule.label)
        else:
            field = IntegerField(rule.label, [
                InputRequired("Enter a whole number."),
                NumberRange(rule.minimum, rule.maximum,
                            f"Choose between {rule.minimum} and {rule.maximum}.")])
        setattr(SettingsForm, "rule_" + rule.name, field)
    return SettingsForm


@bp.route("", methods=["GET", "POST"])
def index():
    """The playbook's timings, the time zone, who signs the drafts, and where you are logged in."""
    current, zone = rules(), user_timezone()
    form = settings_form_class()(data={
        "sender_name": get_setting("sender_name", ""), "timezone": str(zone),
        "base_url": get_setting("base_url", ""),
        **{"rule_" + r.name: getattr(current, r.name) for r in Rules.fields_for_settings()}})
    if form.validate_on_submit():
        values = {r.name: form["rule_" + r.name].data for r in Rules.fields_for_settings()}
        try:
            Rules.from_mapping(values)  # cross-field checks (late before due)
        except ValueError as error:
            flash(str(error), "error")
        else:
            with db.atomic():
                for name, value in values.items():
                    set_setting(RULES_PREFIX + name, value)
                save_about_you(form.sender_name.data, form.timezone.data, form.base_url.data)
            flash("Settings saved.", "success")
            return redirect(url_for(".index"))
    return render_template("settings/index.html", form=form,
                           rule_fields=["rule_" + r.name for r in Rules.fields_for_settings()],
                           resume_updated_on=get_setting("resume_updated_on"),
                           resume_form=ConfirmForm(), logout_form=ConfirmForm(),
                           logins=LoginSession.live(utcnow()), this_login=g.get("login_session"),
                           zone=zone, local_time=local_time)


def local_time(moment, zone):
    """A stored (naive UTC) time in a time zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


@bp.post("/resume")
def resume_updated():
    """Mark the resume as updated today: suggests sending it to people in open processes."""
    if ConfirmForm().validate_on_submit():
        set_setting("resume_updated_on", today_for_user().isoformat())
        flash("Noted: the Today page suggests sending the new resume to open processes.",
              "success")
    return redirect(url_for(".index"))
