"""The first run: the user's name, time zone and address; and loading the demo from Today."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms.validators import ValidationError

from crm.demo import load_demo
from crm.models import Application, Company, Contact, Event
from crm.pages.forms import AboutYouForm, ConfirmForm
from crm.settings import base_url, get_setting, save_about_you, set_setting, user_timezone

bp = Blueprint("welcome", __name__, url_prefix="/welcome")

SKIPPED = "first_run.skipped"


class WelcomeForm(AboutYouForm):
    def validate_sender_name(self, field):
        """The name is what this step is for: asked for, or the step skipped."""
        if not field.data:
            raise ValidationError("Enter your name, or skip this step for now.")


@bp.app_template_global()
def welcome_form():
    """The first-run form as first shown: what is saved already, else the zone the browser
    proposes and the address this page was opened at."""
    return WelcomeForm(data={"sender_name": get_setting("sender_name", ""),
                             "timezone": str(user_timezone()), "base_url": base_url()})


@bp.app_template_global()
def first_run():
    """For Today's welcome box: "ask" (the first-run form, on an empty address book), "remind"
    (no name yet: a line linking to the form), "empty" (nobody yet: how to start), or None."""
    empty = not Contact.select().exists()
    if not (get_setting("sender_name") or get_setting(SKIPPED)):
        return "ask" if empty else "remind"
    return "empty" if empty else None


@bp.route("", methods=["GET", "POST"])
def index():
    """Ask for the user's name, time zone and the address calendars use; save them."""
    form = WelcomeForm() if request.method == "POST" else welcome_form()
    if not form.validate_on_submit():
        return render_template("welcome/index.html", form=form)
    save_about_you(form.sender_name.data, form.timezone.data, form.base_url.data)
    flash(f"Welcome, {form.sender_name.data}: your drafts are signed with your name, and "
          f"times are in {form.timezone.data}.", "success")
    return redirect(url_for("today.index"))


@bp.post("/skip")
def skip():
    """Leave the first-run questions for later: Settings has them."""
    if ConfirmForm().validate_on_submit():
        set_setting(SKIPPED, True)
        flash("Skipped for now: your name and time zone are on the Settings page.", "success")
    return redirect(url_for("today.index"))


@bp.post("/demo")
def demo():
    """Load the example job search, as `crm demo` does, into an empty address book only."""
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; try again.", "error")
    elif any(model.select().exists() for model in (Contact, Company, Application, Event)):
        flash("The demo loads only into an empty address book, and yours already holds "
              "people or companies: nothing was added.", "error")
    else:
        flash(load_demo(), "success")
    return redirect(url_for("today.index"))
