"""Forms of the contact pages, and CSRF protection for every form in the app."""

import re

from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from crm.vocabulary import CONTACT_STATUSES, PREFERRED_CHANNELS, ROLES

csrf = CSRFProtect()

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def init_app(app):
    """Turn on CSRF checks for every POST."""
    csrf.init_app(app)


def options(pairs):
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def email_address(form, field):
    """Accept an empty field or something shaped like an email address."""
    if field.data and not EMAIL_PATTERN.match(field.data.strip()):
        raise ValidationError("Enter an email address like name@example.com.")


def stripped(value):
    """Trim surrounding white space from text input; a field left out of the form is empty."""
    return value.strip() if isinstance(value, str) else ""


class ContactForm(FlaskForm):
    name = StringField("Name", [DataRequired("A contact needs a name."), Length(max=200)],
                       filters=[stripped])
    title = StringField("Title", [Length(max=200)], filters=[stripped])
    company = StringField("Company", [Length(max=200)], filters=[stripped])
    email = StringField("Email", [Length(max=254), email_address], filters=[stripped])
    phone = StringField("Phone", [Length(max=50)], filters=[stripped])
    linkedin_url = StringField(
        "LinkedIn URL",
        [Optional(), URL(message="Enter a full URL, like https://www.linkedin.com/in/name."),
         Length(max=500)],
        filters=[stripped])
    role = SelectField("Role", choices=options(ROLES), default="other")
    preferred_channel = SelectField("Preferred channel", choices=options(PREFERRED_CHANNELS),
                                    default="")
    status = SelectField("Status", choices=options(CONTACT_STATUSES), default="active")
    may_follow_up = BooleanField("May follow up", default=True)
    linkedin_connected = BooleanField("Connected on LinkedIn")
    cadence_days = IntegerField(
        "Stay in touch every (days)",
        [Optional(), NumberRange(7, 3650, "Choose between 7 and 3650 days.")])
    tags = StringField("Tags and interests", [Length(max=500)], filters=[stripped],
                       description="Comma-separated, e.g. sports sponsorship, Yankees fan")
    notes = TextAreaField("Personal notes", [Length(max=20000)])
    save_anyway = BooleanField("Save anyway: this is a different person")

    def tag_list(self):
        """The tags typed, split on commas."""
        return [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]


class CompanyForm(FlaskForm):
    name = StringField("Name", [DataRequired("A company needs a name."), Length(max=200)],
                       filters=[stripped])
    website = StringField(
        "Website", [Optional(), URL(message="Enter a full URL, like https://example.com."),
                    Length(max=500)], filters=[stripped])
    notes = TextAreaField("Notes", [Length(max=20000)])


class SuggestionForm(FlaskForm):
    """Names the suggestion a Skip or Snooze button answers."""

    key = HiddenField(validators=[DataRequired(), Length(max=200)])


class SnoozeForm(SuggestionForm):
    until = DateField("Snooze until", [DataRequired("Pick the date to be reminded again.")])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: archive, delete and other buttons."""
