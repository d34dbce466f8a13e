"""Interviews of an application: adding, editing and deleting them."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from crm.db import db
from crm.fields import time_zone_names
from crm.models import (
    Application,
    Contact,
    Interview,
    Interviewer,
    contacts_for,
    match_contacts,
    utcnow,
)
from crm.pages.dates import written
from crm.pages.forms import MAX_INTERVIEWERS, ConfirmForm, InterviewForm
from crm.pages.lookup import get_or_404
from crm.settings import user_timezone

bp = Blueprint("interviews", __name__)

TEXT_FIELDS = ("timezone", "kind", "location", "discussed", "accomplishments")
SEAT_FIELDS = ("values", "accomplishments", "concerns")


@bp.route("/applications/<int:application_id>/interviews/new", methods=["GET", "POST"])
def create(application_id):
    """Record an interview: when, with whom, and what they care about."""
    application = get_or_404(Application, application_id)
    form = InterviewForm(timezone=user_timezone().key)
    return edit_form(Interview(application=application), form, "Added")


@bp.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
def edit(interview_id):
    """Change an interview's time, people or notes."""
    interview = get_or_404(Interview, interview_id)
    seats = list(interview.interviewers.join(Contact).order_by(Interviewer.id))
    # Not obj=interview: its `assistant` and `interviewers` are rows, the form wants names.
    form = InterviewForm(
        on_date=interview.starts_at.date(),
        at_time=interview.starts_at.time() if interview.time_given else None,
        assistant=interview.assistant.name if interview.assistant else "",
        next_contact=interview.next_contact.name if interview.next_contact else "",
        interviewers=[{"name": s.contact.name, **{f: getattr(s, f) for f in SEAT_FIELDS}}
                      for s in seats],
        **{name: getattr(interview, name) for name in TEXT_FIELDS})
    return edit_form(interview, form, "Saved")


def edit_form(interview, form, verb):
    """Show the interview form, with a blank row for one more interviewer; save when valid.

    "Add another interviewer" adds a row in the browser; without script, it posts
    the form, which comes back as typed with one more row, nothing saved.
    """
    application = interview.application
    adding = request.method == "POST" and "add_row" in request.form
    rows_full = all(entry.form.name.data for entry in form.interviewers)
    if (adding or request.method == "GET" and rows_full) \
            and len(form.interviewers) < MAX_INTERVIEWERS:
        form.interviewers.append_entry()
    if not adding and form.validate_on_submit() and save_interview(interview, form):
        flash(f"{verb} the interview of {written(interview.starts_at.date())}.", "success")
        return redirect(url_for("applications.detail", application_id=application.id))
    return render_template("applications/interview_form.html", form=form, interview=interview,
                           application=application, time_zones=time_zone_names(),
                           max_interviewers=MAX_INTERVIEWERS,
                           contact_names=Contact.names_to_offer(application.company_id))


def save_interview(interview, form):
    """Write the interview and its interviewers in one transaction; False on ambiguous names."""
    application = interview.application
    rows = form.interviewer_rows()
    assistant_name = form.assistant.data
    found, errors = match_contacts([name for _, name in rows], application.company)
    for row, name in rows:
        row.name.errors = [errors[name]] if name in errors else []
    helper, assistant_errors = match_contacts([assistant_name] if assistant_name else [],
                                              application.company)
    form.assistant.errors = list(assistant_errors.values())
    next_name = form.next_contact.data
    named, next_errors = match_contacts([next_name] if next_name else [], application.company)
    form.next_contact.errors = list(next_errors.values())
    if errors or assistant_errors or next_errors:
        return False
    with db.atomic():
        interview.starts_at = Interview.start(form.on_date.data, form.at_time.data)
        for name in TEXT_FIELDS:
            setattr(interview, name, getattr(form, name).data)
        assistants = contacts_for(helper, application.company, "assistant")
        interview.assistant = assistants[0] if assistants else None
        interview.next_contact = next(iter(contacts_for(named, application.company,
                                                        "recruiter")), None)
        interview.updated_at = utcnow()
        interview.save()
        people = contacts_for(found, application.company, "interviewer")
        Interviewer.delete().where(Interviewer.interview == interview).execute()
        for (row, _), contact in zip(rows, people, strict=True):
            Interviewer.create(interview=interview, contact=contact,
                               **{f: row[f].data for f in SEAT_FIELDS})
        if application.status == "applied":
            # An interview means the process has moved on; the list should say so.
            application.status, application.updated_at = "interviewing", utcnow()
            application.save()
    return True


@bp.route("/interviews/<int:interview_id>/delete", methods=["GET", "POST"])
def delete(interview_id):
    """Delete an interview, after asking; the people stay."""
    interview = get_or_404(Interview, interview_id)
    application_id = interview.application_id
    form = ConfirmForm()
    when = written(interview.starts_at.date())
    if form.validate_on_submit():
        with db.atomic():
            interview.delete_instance()
        flash(f"Deleted the interview of {when}.", "success")
        return redirect(url_for("applications.detail", application_id=application_id))
    application = interview.application
    return render_template("delete.html", form=form, what=f"the interview of {when}",
                           consequence=f"{application.position} at {application.company.name}. "
                                       "Its interviewers and notes about them go too; "
                                       "the people stay in your contacts.",
                           cancel=url_for("applications.detail",
                                          application_id=application_id))
