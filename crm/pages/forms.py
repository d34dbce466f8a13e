"""Every form of the pages, CSRF protection for all of them, and the validator they share."""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from crm import documents
from crm.cli import is_loopback
from crm.fields import (
    InvalidValue,
    LineField,
    NoteField,
    check,
    checker,
    one_line,
    time_zone_names,
)
from crm.models import (
    Application,
    Company,
    Contact,
    Interview,
    Interviewer,
    MailAccount,
    Tag,
    Touch,
    addresses_taken,
    normal_email,
)
from crm.pages.lookup import as_id
from crm.settings import VALUES, get_setting
from crm.vocabulary import (
    APPLICATION_STATUSES,
    CHANNELS,
    CONTACT_STATUSES,
    CURRENCIES,
    DIRECTIONS,
    INTERVIEW_KINDS,
    MAIL_SECURITY,
    PREFERRED_CHANNELS,
    ROLES,
    SOURCES,
    WORK_MODES,
)

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
    contact_id = None  # the contact edited, set by the page: their own addresses are theirs
    name = StringField("Name", [DataRequired("A contact needs a name."), Accepts(Contact.name)],
                       filters=[stripped])
    title = StringField("Title", [Accepts(Contact.title)], filters=[stripped])
    company = StringField("Company", [Accepts(Company.name)], filters=[stripped])
    email = StringField("Email", [Accepts(Contact.email)], filters=[stripped])
    other_emails = TextAreaField("Other addresses", filters=[stripped],
                                 description="Other email addresses they write from, one a "
                                             "line: mail from any of them is theirs too.")
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

    def email_list(self):
        """The other addresses typed, one a line, each once, in lower case."""
        return list(dict.fromkeys(normal_email(line) for line in self.other_emails.data
                                  .splitlines() if line.strip()))

    def validate_other_emails(self, field):
        """Each is an address, and nobody else's: mail from it must mean one person."""
        accepts_each(Contact.email, self.email_list())
        taken = addresses_taken(self.email_list(), self.contact_id)
        if taken:
            raise ValidationError(f"{taken[0]} already belongs to another contact.")


class CompanyForm(FlaskForm):
    name = StringField("Name", [DataRequired("A company needs a name."), Accepts(Company.name)],
                       filters=[stripped])
    website = StringField("Website", [Accepts(Company.website)], filters=[stripped])
    notes = TextAreaField("Notes", [Accepts(Company.notes)])


class AboutYouForm(FlaskForm):
    """Who signs the drafts, where they live, and the address calendars reach the app at;
    asked on the first run and kept on the settings page."""

    sender_name = StringField("Your name, to sign the drafts",
                              [Accepts(VALUES["sender_name"])], filters=[stripped])
    # A select works without script; with it, the page proposes the browser's own zone.
    timezone = SelectField("Your time zone", [DataRequired("Choose your time zone."),
                                              Accepts(VALUES["timezone"])],
                           choices=options((name, name) for name in time_zone_names()),
                           validate_choice=False)
    base_url = StringField("The address your calendar app uses", filters=[stripped],
                           description="Calendar subscriptions and the digest's links use it. "
                                       "Left empty or as the address you open Followthrough "
                                       "at, links follow that address, whatever its port; "
                                       "give another if a calendar app elsewhere must reach "
                                       "it, like https://crm.example.org.")

    def validate_base_url(self, field):
        """The address this page was opened at is fine as it is; another must be a web address
        (`localhost` has no dot, so the rule for stored addresses alone would refuse it)."""
        if field.data.rstrip("/") not in ("", request.host_url.rstrip("/")):
            Accepts(VALUES["base_url"])(self, field)

    @property
    def propose_zone(self):
        """Shown fresh, with no zone saved yet: the page may propose the browser's."""
        return not self.is_submitted() and get_setting("timezone") is None


class SuggestionForm(FlaskForm):
    """Names the suggestion a Skip or Snooze button answers."""

    key = HiddenField(validators=[DataRequired(), Accepts(LineField(200))])
    next = HiddenField(validators=[Length(max=2000)])


class SnoozeForm(SuggestionForm):
    until = DateField("Snooze until", [DataRequired("Pick the date to be reminded again.")])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: archive, delete and other buttons."""


DATE_MESSAGE = "Enter a date like 2026-11-20."
MAX_ANSWERS = 500  # suggestions one button may answer: far more than a page shows
MAX_INTERVIEWERS = 12


def optional_date(label, description=""):
    """An optional date field that says what it expects when the text is not a date."""
    return DateField(label, [Optional()], invalid_value_message=DATE_MESSAGE,
                     description=description)


def optional_id(value):
    """Coerce a select's value to an id, or None for the empty choice."""
    if value in ("", None):
        return None
    if as_id(str(value)) is None:
        raise ValueError("Not a valid choice.")
    return int(value)


def text(value):
    """Trim typed text; a field the browser did not send is empty, not None."""
    return value.strip() if isinstance(value, str) else ""


def squeezed(value):
    """Trim a name and collapse the spaces inside it, so names compare as written."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def one_name_per_line(typed):
    """The names typed one per line, in order, each once whatever its case."""
    names = {}
    for line in (typed or "").splitlines():
        name = " ".join(line.split())
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def short_keys(form, field):
    """Each suggestion key a form names is one line of reasonable length."""
    if len(field.data) > MAX_ANSWERS or any(len(key) > 200 or "\n" in key for key in field.data):
        raise ValidationError("Those are not suggestions from this page.")


class AnswersForm(FlaskForm):
    """Names one suggestion or a group's ("Done for all"), and the page to go back to."""

    key = SelectMultipleField(validate_choice=False, validators=[
        DataRequired("Choose what to answer."), short_keys])
    next = HiddenField(validators=[Length(max=2000)], filters=[text])


class SnoozeAllForm(AnswersForm):
    until = DateField("Snooze until", [DataRequired("Pick the date to be reminded again.")])


class UndoForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=20000)])
    next = HiddenField(validators=[Length(max=2000)], filters=[text])


class ApplicationForm(FlaskForm):
    company = StringField("Company", [DataRequired("Which company is this with?"),
                                      Accepts(Company.name)], filters=[squeezed])
    position = StringField("Position", [DataRequired("Name the position."),
                                        Accepts(Application.position)], filters=[text])
    status = SelectField("Status", choices=options(APPLICATION_STATUSES), default="applied")
    applied_on = optional_date("Applied on")
    decision_expected_on = optional_date("Decision expected on")
    check_in_on = optional_date("Agreed check-in date",
                                "The day you said you would check in, if you agreed one.")
    closed_on = optional_date("Closed on", "Filled in with today when the application is "
                                           "rejected, withdrawn or hired.")
    next_contact = StringField("Next point of contact", [Accepts(Contact.name)],
                               filters=[squeezed],
                               description="The one person you stay in touch with about the "
                                           "process, e.g. the recruiter: they get the check-ins "
                                           "and the call, the others their letter. A new name "
                                           "is added as a contact at the company.")
    people = TextAreaField("People involved without an interview", [Accepts(NoteField(5000))],
                           description="One name per line, e.g. the recruiter. Names you "
                                       "already have are linked; new ones are added as "
                                       "contacts at the company.", filters=[text])
    next_steps = TextAreaField("Next steps", [Accepts(Application.next_steps)], filters=[text])
    notes = TextAreaField("Notes", [Accepts(Application.notes)], filters=[text])

    # The posting and how it came about, in their own fieldset (templates/applications/form.html).
    source = SelectField("Source", choices=options(SOURCES), default="")
    referrer = StringField("Referred by", [Accepts(Contact.name)], filters=[squeezed],
                           description="The person who referred you. A name you do not have "
                                       "yet is added as a contact.")
    posting_url = StringField("Posting URL", [Accepts(Application.posting_url)],
                              filters=[text])
    location = StringField("Location", [Accepts(Application.location)], filters=[text])
    work_mode = SelectField("On site, hybrid or remote", choices=options(WORK_MODES),
                            default="")
    salary_min = IntegerField("Salary from", [Optional(), Accepts(Application.salary_min)],
                              description="A year, in whole units.")
    salary_max = IntegerField("Salary to", [Optional(), Accepts(Application.salary_max)])
    currency = SelectField("Currency", choices=options(CURRENCIES), default="")
    answered_on = optional_date("First answer on", "The day they first answered, whatever "
                                                   "the answer; filled in when it moves on "
                                                   "from applied.")
    resume_version = StringField("Resume version sent", [Accepts(Application.resume_version)],
                                 filters=[text], description='A label, e.g. "2026-11 sports".')
    cover_letter_version = StringField("Cover letter version sent",
                                       [Accepts(Application.cover_letter_version)],
                                       filters=[text])
    job_description = TextAreaField("Job description", [Accepts(Application.job_description)],
                                    filters=[text], description="Pasted from the posting: it "
                                                                "may be gone when you interview.")
    resume_upload = FileField("Resume file", description=(
        f"The file you sent: PDF or Word (.docx), up to {documents.MAX_BYTES // 2**20} MB. "
        "Only you can download it."))
    remove_resume = BooleanField("Remove the stored resume file")
    cover_letter_upload = FileField("Cover letter file", description="PDF or Word (.docx).")
    remove_cover_letter = BooleanField("Remove the stored cover letter file")

    def uploaded(self, kind):
        """The checked upload for "resume" or "cover_letter" as (file name, bytes), or None."""
        return getattr(self, f"_{kind}_upload", None)

    def _check_upload(self, kind, field):
        """Read and check a chosen file once; remember it for saving."""
        upload = field.data
        if not getattr(upload, "filename", ""):
            return
        data = upload.read(documents.MAX_BYTES + 1)
        # The name as the user knows it, one line, without a path some browsers add.
        name = one_line(upload.filename.replace("\\", "/").rsplit("/", 1)[-1])[:200]
        try:
            documents.check(name, data)
        except documents.DocumentError as error:
            raise ValidationError(str(error)) from None
        setattr(self, f"_{kind}_upload", (name, data))

    def validate_resume_upload(self, field):
        """A resume file must be a PDF or DOCX within the size cap."""
        self._check_upload("resume", field)

    def validate_cover_letter_upload(self, field):
        """A cover letter file must be a PDF or DOCX within the size cap."""
        self._check_upload("cover_letter", field)

    def people_names(self):
        """The names typed in the people box."""
        return one_name_per_line(self.people.data)

    def validate_people(self, field):
        """Each line may become a contact: it must be a name a contact can have."""
        accepts_each(Contact.name, self.people_names())

    def validate_salary_max(self, field):
        """A range ends at or above where it starts."""
        low, high = self.salary_min.data, field.data
        if low is not None and high is not None and high < low:
            raise ValidationError("Enter the top of the range: at least the “from” amount.")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=options(APPLICATION_STATUSES))
    closed_on = optional_date("Closed on")


class InterviewerForm(Form):
    name = StringField("Interviewer", [Accepts(Contact.name)], filters=[squeezed])
    values = TextAreaField("Values they care about", [Accepts(Interviewer.values)],
                           description="One per line.", filters=[text])
    accomplishments = TextAreaField("Accomplishment per value",
                                    [Accepts(Interviewer.accomplishments)],
                                    description="One per line: line 1 proves their first "
                                                "value, and so on.", filters=[text])
    concerns = TextAreaField("Concerns they raised", [Accepts(Interviewer.concerns)],
                             description="One per line.", filters=[text])

    def validate_name(self, field):
        """Notes about nobody would be lost: ask whose they are."""
        if not field.data and (self.values.data or self.accomplishments.data
                               or self.concerns.data):
            raise ValidationError("Whose values and concerns are these? Enter a name.")


class InterviewForm(FlaskForm):
    on_date = DateField("Date", [InputRequired("Enter the day of the interview.")],
                        invalid_value_message=DATE_MESSAGE)
    at_time = TimeField("Time", [Optional()], format=["%H:%M", "%H:%M:%S"],
                        invalid_value_message="Enter a time like 14:30, or leave it empty.",
                        description="Optional. Without it, a letter sent that same day is not "
                                    "taken for the follow-through letter: Done settles it.")
    timezone = StringField("Time zone", [DataRequired("Choose a time zone."),
                                         Accepts(Interview.timezone)], filters=[text])
    kind = SelectField("Kind", choices=options(INTERVIEW_KINDS), default="onsite")
    location = StringField("Location", [Accepts(Interview.location)], filters=[text])
    interviewers = FieldList(FormField(InterviewerForm), min_entries=2,
                             max_entries=MAX_INTERVIEWERS)
    assistant = StringField("Assistant or receptionist", [Accepts(Contact.name)],
                            filters=[squeezed],
                            description="Whoever welcomed you; they get a thank-you note.")
    discussed = TextAreaField("What you discussed", [Accepts(Interview.discussed)],
                              filters=[text])
    accomplishments = TextAreaField("Strengths for every interviewer",
                                    [Accepts(Interview.accomplishments)],
                                    description="One per line; every letter lists them after "
                                                "that interviewer's own values.", filters=[text])
    next_contact = StringField("Next point of contact after this interview",
                               [Accepts(Contact.name)], filters=[squeezed],
                               description="Leave empty to keep the application's. The check-ins "
                                           "go to this one person from now on.")

    def interviewer_rows(self):
        """The interviewer rows with a name, as (row form, name)."""
        return [(entry.form, entry.form.name.data) for entry in self.interviewers
                if entry.form.name.data]

    def validate_interviewers(self, field):
        """An interview has someone on the other side of the table, each named once."""
        names = [name.casefold() for _, name in self.interviewer_rows()]
        if not names:
            raise ValidationError("An interview needs at least one interviewer.")
        if len(set(names)) < len(names):
            raise ValidationError("Each interviewer can be named only once.")

    def validate_assistant(self, field):
        """Whoever interviewed you is an interviewer, even if they also brought the coffee."""
        if field.data and field.data.casefold() in {n.casefold() for _, n in
                                                    self.interviewer_rows()}:
            raise ValidationError("Already named as an interviewer; leave this empty or "
                                  "name someone else.")


class TouchForm(FlaskForm):
    happened_on = DateField("Date", [InputRequired("Enter the day it happened.")],
                            invalid_value_message=DATE_MESSAGE)
    happened_at = TimeField("Time", [Optional()], format=["%H:%M", "%H:%M:%S"],
                            invalid_value_message="Enter a time like 14:30, or leave it empty.",
                            description="Optional: tells a letter after an interview from an "
                                        "email before it.")
    channel = SelectField("Channel", choices=options(CHANNELS), default="email")
    direction = SelectField("Direction", choices=options(DIRECTIONS), default="out")
    note = TextAreaField("Note", [Accepts(Touch.note)], filters=[text])
    article_id = SelectField("Article sent", coerce=optional_id, choices=[])
    suggestion_key = HiddenField(validators=[Accepts(LineField(200))], filters=[text])
    next = HiddenField(validators=[Length(max=2000)], filters=[text])
    log_anyway = BooleanField("Log it anyway")


class MailForm(FlaskForm):
    """Where the mailbox is; the password is written to the instance folder, never shown."""

    host = StringField("IMAP server", [DataRequired("Give the server's name."),
                                       Accepts(MailAccount.host),
                                       Regexp(r"^[A-Za-z0-9.:\[\]-]+$",
                                              message="Only the server's name, like imap.gmail.com"
                                                      " (no https:// and no spaces).")],
                       filters=[stripped], description="For example imap.gmail.com, "
                       "imap.fastmail.com or outlook.office365.com")
    port = IntegerField("Port", [InputRequired("Give the port, usually 993."),
                                 NumberRange(1, 65535, "A port is between 1 and 65535.")],
                        default=993)
    security = SelectField("Encryption", choices=options(MAIL_SECURITY), default="imaps")
    username = StringField("User name", [DataRequired("Give the user name, often your address."),
                                         Accepts(MailAccount.username)], filters=[stripped])
    password = PasswordField("App password", [Accepts(LineField(1000))],
                             description="Leave empty to keep the password already saved.")
    address = StringField("Your email address", [Accepts(MailAccount.address)],
                          filters=[stripped],
                          description="Letters from it are yours; empty: the user name.")
    first_days = IntegerField("The first time, read the last (days)",
                              [InputRequired("Enter a whole number."),
                               NumberRange(1, 3650, "Choose between 1 and 3650.")], default=365)
    enabled = BooleanField("Check for new mail every 15 minutes while the server runs",
                           default=True)

    def validate_security(self, field):
        """Plain IMAP would send the password in the clear: only to this computer."""
        if field.data == "plain" and self.host.data and not is_loopback(self.host.data):
            raise ValidationError("Without encryption the password would cross the network "
                                  "in the clear: choose IMAPS or STARTTLS.")


class SendForm(FlaskForm):
    """A letter to send from the app; the suggestion it answers, if any."""

    subject = StringField("Subject", [DataRequired("Give the letter a subject."),
                                      Accepts(LineField(900))], filters=[stripped])
    body = TextAreaField("Letter", [DataRequired("Write the letter first."),
                                    Accepts(NoteField())], filters=[text])
    key = HiddenField(validators=[Accepts(LineField(200))], filters=[text])
