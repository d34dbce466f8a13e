"""The interview form: as many interviewers as the panel had, a date without a time, and the
user's own time zone to start with."""

import re
from datetime import timedelta

from support import add_application, add_interview, interview_form, page, shown

from crm import followups
from crm.models import Contact, Interview, Interviewer
from crm.settings import set_setting, today_for_user

PANEL = [(f"Panelist {n}", f"Value {n}", "") for n in range(1, 6)]


def test_five_interviewers_are_saved_in_one_go(client, database):
    application = add_application(client)
    response = add_interview(client, application, *PANEL)
    assert response.status_code == 302
    seats = Interviewer.select().join(Contact).order_by(Interviewer.id)
    assert [(s.contact.name, s.values) for s in seats] == [(n, v) for n, v, _ in PANEL]
    assert {c.company.name for c in Contact.select()} == {"Meridian"}


def test_add_another_without_script_brings_the_form_back_with_one_more_row(client, database):
    application = add_application(client)
    url = f"/applications/{application.id}/interviews/new"
    html = page(client, url)
    assert 'name="interviewers-1-name"' in html and 'name="interviewers-2-name"' not in html
    assert "Save and edit again" not in html
    response = client.submit(url, {**interview_form(*PANEL[:2]), "add_row": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and Interview.select().count() == 0
    assert 'value="Panelist 2"' in html and 'name="interviewers-2-name"' in html
    assert "Please correct" not in html


def test_an_interview_without_a_time_shows_its_date_alone(client, database):
    application = add_application(client)
    response = add_interview(client, application, PANEL[0], on_date="2026-11-10", at_time="")
    assert response.status_code == 302
    assert f"Added the interview of {shown('2026-11-10')}." in page(client, response.location)
    interview = Interview.get()
    assert not interview.time_given
    detail = page(client, f"/applications/{application.id}")
    assert f"{shown('2026-11-10')} <span" in detail and "23:59" not in detail
    edit = page(client, f"/interviews/{interview.id}/edit")
    assert 'name="at_time" type="time" value=""' in edit
    contact = Contact.get(Contact.name == "Panelist 1")
    timeline = page(client, f"/contacts/{contact.id}")
    assert f"<time>{shown('2026-11-10')}</time>" in timeline and "23:59" not in timeline


def test_a_letter_the_same_day_as_an_interview_without_a_time_does_not_end_the_suggestion(
        client, database):
    """The time unknown, a letter that day may have come before it (a confirmation): the
    follow-through letter stays suggested until Done or Skip settles it."""
    today = today_for_user()
    application = add_application(client)
    add_interview(client, application, PANEL[0], at_time="", timezone="UTC",
                  on_date=(today - timedelta(days=1)).isoformat())
    contact = Contact.get(Contact.name == "Panelist 1")
    contact.record_touch(happened_on=today - timedelta(days=1), happened_at="18:00",
                         channel="email", direction="out")
    kinds = [s.kind for s in followups.for_contact(contact.id)[0]]
    assert "followthrough" in kinds
    contact.record_touch(happened_on=today, channel="email", direction="out")
    assert "followthrough" not in [s.kind for s in followups.for_contact(contact.id)[0]]


def test_a_new_interview_starts_in_the_users_time_zone(client, database):
    set_setting("timezone", "Europe/Paris")
    application = add_application(client)
    html = page(client, f"/applications/{application.id}/interviews/new")
    assert re.search(r'<input id="timezone"[^>]* value="Europe/Paris"', html)


def test_a_time_still_has_to_be_a_time(client, database):
    application = add_application(client)
    html = add_interview(client, application, PANEL[0], at_time="teatime").get_data(True)
    assert "Enter a time like 14:30, or leave it empty." in html
    assert Interview.select().count() == 0
