"""Forms of the contact pages, CSRF protection for every form, and the validator they share."""

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
from wtforms.validators import DataRequired, Optional, ValidationError

from crm.fields import InvalidValue, LineField, check, checker
from crm.models import Company, Contact, Tag
from crm.vocabulary import CONTACT_STATUSES, PREFERRED_CHANNELS, ROLES

csrf = CSRFProtect()


def init_app(app):
    """Turn on CSRF checks for every POST."""
    csrf.init_app(app)


def options(pairs):
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class Accepts:
    """A validator: the value must pass the rules of the model field it is stored in.

    Imports and restores check their values against the same fields (`crm.fields.check`);
    an empty value is left to DataRequired or Optional.
    """

    def __init__(self, model_field):
        self.check = checker(model_field)
        limit = getattr(model_field, "max_length", None)
        # Rendered as the input's maxlength, as wtforms' Length does.
        self.field_flags = {"maxlength": limit} if limit else {}

    def __call__(self, form, field):
        if field.data in (None, ""):
            return
        try:
            self.check(field.data)
        except InvalidValue as error:
            raise ValidationError(str(error)) from None


def accepts_each(model_field, values):
    """Raise ValidationError unless every value passes the model field's rules."""
    for value in values:
        try:
            check(model_field, value)
        except InvalidValue as error:
            raise ValidationError(f"“{value[:40]}”: {error}") from None


def stripped(value):
    """Trim surrounding white space from text input; a field left out of the form is empty."""
    return value.strip() if isinstance(value, str) else ""


class ContactForm(FlaskForm):
    name = StringField("Name", [DataRequired("A contact needs a name."), Accepts(Contact.name)],
                       filters=[stripped])
    title = StringField("Title", [Accepts(Contact.title)], filters=[stripped])
    company = StringField("Company", [Accepts(Company.name)], filters=[stripped])
    email = StringField("Email", [Accepts(Contact.email)], filters=[stripped])
    phone = StringField("Phone", [Accepts(Contact.phone)], filters=[stripped])
    linkedin_url = StringField("LinkedIn URL", [Accepts(Contact.linkedin_url)],
                               filters=[stripped],
                               description="The full address, like https://www.linkedin.com/in/name")
    role = SelectField("Role", choices=options(ROLES), default="other")
    preferred_channel = SelectField("Preferred channel", choices=options(PREFERRED_CHANNELS),
                                    default="")
    status = SelectField("Status", choices=options(CONTACT_STATUSES), default="active")
    may_follow_up = BooleanField("May follow up", default=True)
    linkedin_connected = BooleanField("Connected on LinkedIn")
    cadence_days = IntegerField("Stay in touch every (days)",
                                [Optional(), Accepts(Contact.cadence_days)])
    tags = StringField("Tags and interests", [Accepts(LineField(500))], filters=[stripped],
                       description="Comma-separated, e.g. sports sponsorship, Yankees fan")
    notes = TextAreaField("Personal notes", [Accepts(Contact.notes)])
    save_anyway = BooleanField("Save anyway: this is a different person")

    def tag_list(self):
        """The tags typed, split on commas."""
        return [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]

    def validate_tags(self, field):
        """Each tag is stored on its own, with its own limit."""
        accepts_each(Tag.name, self.tag_list())


class CompanyForm(FlaskForm):
    name = StringField("Name", [DataRequired("A company needs a name."), Accepts(Company.name)],
                       filters=[stripped])
    website = StringField("Website", [Accepts(Company.website)], filters=[stripped])
    notes = TextAreaField("Notes", [Accepts(Company.notes)])


class SuggestionForm(FlaskForm):
    """Names the suggestion a Skip or Snooze button answers."""

    key = HiddenField(validators=[DataRequired(), Accepts(LineField(200))])


class SnoozeForm(SuggestionForm):
    until = DateField("Snooze until", [DataRequired("Pick the date to be reminded again.")])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: archive, delete and other buttons."""
