"""Applications and interviews: the list, an application's page, and their forms."""

import re
from datetime import UTC, date, datetime

from support import add_application, add_interview, application_form, interview_form, page, shown

from crm import followups
from crm.models import (
    Application,
    ApplicationContact,
    Company,
    Contact,
    Interview,
    Interviewer,
)

HOSTILE = "<script>alert(1)</script>"


def today():
    """Today as the app sees it (its TIMEZONE is UTC in the tests)."""
    return datetime.now(UTC).date()


def test_adding_an_application_from_a_company_page_fills_in_the_company(client, database):
    company = Company.create(name="Meridian")
    form = page(client, f"/companies/{company.id}")
    assert f"/applications/new?company_id={company.id}" in form
    assert 'value="Meridian"' in page(client, f"/applications/new?company_id={company.id}")
    application = add_application(client, decision_expected_on="2026-11-20",
                                  check_in_on="2026-11-18", next_contact="HR (Priya Shah)",
                                  next_steps="Wait for the second round.")
    html = page(client, f"/applications/{application.id}")
    for text in ("Partnership Strategy Manager", "Meridian", "Applied", shown('2026-11-01'),
                 shown('2026-11-20'), shown('2026-11-18'), "HR (Priya Shah)",
                 "Wait for the second round."):
        assert text in html
    assert "Partnership Strategy Manager" in page(client, f"/companies/{company.id}")


def test_adding_from_a_contact_page_lists_them_among_the_people(client, database):
    priya = Contact.create(name="Priya Shah", company=Company.create(name="Meridian"),
                           role="recruiter")
    assert f"/applications/new?contact_id={priya.id}" in page(client, f"/contacts/{priya.id}")
    form = page(client, f"/applications/new?contact_id={priya.id}")
    assert 'value="Meridian"' in form and "Priya Shah</textarea>" in form
    application = add_application(client, people="Priya Shah\nJo  Recruiter ")
    assert [c.name for c in Contact.select().join(ApplicationContact)
            .where(ApplicationContact.application == application).order_by(Contact.name)] == [
        "Jo Recruiter", "Priya Shah"]
    assert Contact.get(Contact.name == "Jo Recruiter").company.name == "Meridian"
    assert "Application: Partnership Strategy Manager at Meridian (applied)" in page(
        client, f"/contacts/{priya.id}")


def test_list_shows_open_applications_first_and_filters_by_status(client, database):
    add_application(client, position="Old job", status="rejected", applied_on="2026-09-01")
    add_application(client, position="Early job", status="interviewing", applied_on="2026-10-01")
    add_application(client, position="New job", status="applied", applied_on="2026-11-01")
    html = page(client, "/applications")
    positions = re.findall(r'<a href="/applications/\d+">([^<]+)</a>', html)
    assert positions == ["New job", "Early job", "Old job"]
    assert "Applications" in page(client, "/")  # in the navigation
    only = page(client, "/applications?status=rejected")
    assert "Old job" in only and "New job" not in only
    running = page(client, "/applications?status=open")
    assert "New job" in running and "Early job" in running and "Old job" not in running


def test_invalid_application_keeps_what_was_typed_and_saves_nothing(client, database):
    response = client.submit("/applications/new", application_form(
        position="", applied_on="last tuesday", notes="Met at the fair"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Name the position." in html and "Enter a date like 2026-11-20." in html
    assert 'value="last tuesday"' in html and "Met at the fair" in html
    assert Application.select().count() == 0 and Company.select().count() == 0


def test_a_check_in_date_before_the_application_date_is_accepted(client, database):
    application = add_application(client, applied_on="2026-11-10", check_in_on="2026-11-01")
    assert Application.get_by_id(application.id).check_in_on == date(2026, 11, 1)


def test_interview_with_two_interviewers_and_an_assistant(client, database):
    application = add_application(client)
    bob = Contact.create(name="Bob Hale", company=application.company, role="hiring_manager")
    response = add_interview(
        client, application,
        ("Bob Hale", "Integrity\nOutwork everyone", "No agency experience"),
        ("Dana Whitfield", "Service to partners", ""),
        assistant="Maria Lopez", discussed="The internal agency",
        accomplishments="Asset tracking process\nLargest member class")
    assert response.status_code == 302
    html = page(client, f"/applications/{application.id}")
    for text in (f"{shown('2026-11-10')}, 10:00", "America/New_York", "Meridian HQ", "Bob Hale",
                 "Integrity\nOutwork everyone", "No agency experience", "Dana Whitfield",
                 "Service to partners", "Maria Lopez", "The internal agency",
                 "Asset tracking process\nLargest member class"):
        assert text in html, text
    dana = Contact.get(Contact.name == "Dana Whitfield")
    maria = Contact.get(Contact.name == "Maria Lopez")
    assert (dana.company_id, dana.role) == (application.company_id, "interviewer")
    assert (maria.company_id, maria.role) == (application.company_id, "assistant")
    assert Contact.get_by_id(bob.id).role == "hiring_manager"  # an existing contact keeps theirs
    assert Application.get_by_id(application.id).status == "interviewing"
    for person in (bob, dana):
        assert "Interviewed you for Partnership Strategy Manager at Meridian" in page(
            client, f"/contacts/{person.id}")
    assert "Hosted your interview for Partnership Strategy Manager" in page(
        client, f"/contacts/{maria.id}")


def test_editing_an_interview_changes_its_people_and_time(client, database):
    application = add_application(client)
    add_interview(client, application, ("Bob Hale", "", ""), ("Dana Whitfield", "", ""),
                  assistant="Maria Lopez")
    interview = Interview.get()
    form = page(client, f"/interviews/{interview.id}/edit")
    assert 'value="Bob Hale"' in form and 'value="Dana Whitfield"' in form
    assert 'name="interviewers-2-name"' in form  # a blank row for one more
    response = client.submit(f"/interviews/{interview.id}/edit", interview_form(
        ("Dana Whitfield", "Service", "Too junior?"), ("Sam Okafor", "", ""),
        at_time="15:30", timezone="Europe/London"))
    assert response.status_code == 302
    interview = Interview.get_by_id(interview.id)
    assert (interview.starts_at, interview.timezone) == (datetime(2026, 11, 10, 15, 30),
                                                         "Europe/London")
    assert interview.assistant is None
    seats = {s.contact.name: s.concerns for s in interview.interviewers}
    assert seats == {"Dana Whitfield": "Too junior?", "Sam Okafor": ""}
    assert Contact.select().count() == 4  # nobody is created twice


def test_invalid_interview_keeps_what_was_typed_and_saves_nothing(client, database):
    application = add_application(client)
    response = add_interview(client, application, ("", "Integrity", ""),
                             on_date="10/11/2026", timezone="Mars/Olympus",
                             discussed="The agency")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An interview needs at least one interviewer." in html
    assert "Whose values and concerns are these? Enter a name." in html
    assert "Enter a date like 2026-11-20." in html
    assert "Choose a time zone like America/New_York" in html
    assert 'value="10/11/2026"' in html and 'value="Mars/Olympus"' in html
    assert "Integrity</textarea>" in html and "The agency</textarea>" in html
    assert Interview.select().count() == 0 and Contact.select().count() == 0


def test_an_interviewer_named_twice_or_as_assistant_is_refused(client, database):
    application = add_application(client)
    html = add_interview(client, application, ("Bob Hale", "", ""), ("bob hale", "", ""),
                         assistant="Bob Hale").get_data(as_text=True)
    assert "Each interviewer can be named only once." in html
    assert "Already named as an interviewer" in html
    assert Interview.select().count() == 0


def test_a_name_shared_by_two_contacts_at_the_company_is_an_error(client, database):
    application = add_application(client)
    for _ in range(2):
        Contact.create(name="Alex Kim", company=application.company)
    html = add_interview(client, application, ("Alex Kim", "", "")).get_data(as_text=True)
    assert "2 contacts are called Alex Kim" in html
    assert Interview.select().count() == 0 and Contact.select().count() == 2


def test_a_name_picks_the_contact_at_the_company_before_others(client, database):
    application = add_application(client)
    Contact.create(name="Alex Kim", company=Company.create(name="Elsewhere"))
    here = Contact.create(name="Alex Kim", company=application.company)
    add_interview(client, application, ("alex kim", "", ""))
    assert [s.contact_id for s in Interviewer.select()] == [here.id]


def test_rejection_makes_the_people_long_term_but_not_the_assistant(client, database):
    application = add_application(client, people="Priya Shah")
    add_interview(client, application, ("Bob Hale", "", ""), ("Dana Whitfield", "", ""),
                  assistant="Maria Lopez")
    Contact.update(status="do_not_contact").where(Contact.name == "Dana Whitfield").execute()
    response = client.submit(f"/applications/{application.id}/status",
                             {"status": "rejected", "closed_on": ""},
                             form_page=f"/applications/{application.id}")
    html = client.get(response.location).get_data(as_text=True)
    assert "Marked as rejected." in html
    assert "Now long-term contacts: Bob Hale, Priya Shah." in html
    statuses = {c.name: c.status for c in Contact.select()}
    assert statuses == {"Priya Shah": "long_term", "Bob Hale": "long_term",
                        "Dana Whitfield": "do_not_contact", "Maria Lopez": "active"}
    assert Application.get_by_id(application.id).closed_on == today()
    assert "long-term" in page(client, "/contacts?status=long_term")


def test_closing_date_can_be_chosen_and_reopening_clears_it(client, database):
    application = add_application(client, status="withdrawn", closed_on="2026-11-05")
    assert Application.get_by_id(application.id).closed_on == date(2026, 11, 5)
    client.submit(f"/applications/{application.id}/status",
                  {"status": "interviewing", "closed_on": "2026-11-05"},
                  form_page=f"/applications/{application.id}")
    assert Application.get_by_id(application.id).closed_on is None
    response = client.submit(f"/applications/{application.id}/status",
                             {"status": "hired", "closed_on": "soon"},
                             form_page=f"/applications/{application.id}")
    assert response.status_code == 200
    assert "Enter a date like 2026-11-20." in response.get_data(as_text=True)
    assert Application.get_by_id(application.id).status == "interviewing"


def test_rejecting_through_the_edit_form_also_turns_people_long_term(client, database):
    application = add_application(client)
    response = client.submit(f"/applications/{application.id}/edit",
                             application_form(status="rejected", people="Priya Shah"))
    assert response.status_code == 302
    assert Contact.get(Contact.name == "Priya Shah").status == "long_term"


def test_deleting_an_interview_or_application_asks_first(client, database):
    application = add_application(client)
    add_interview(client, application, ("Bob Hale", "", ""))
    interview = Interview.get()
    assert f"Delete the interview of {shown('2026-11-10')}?" in page(
        client, f"/interviews/{interview.id}/delete")
    client.submit(f"/interviews/{interview.id}/delete", {})
    assert Interview.select().count() == 0 and Contact.select().count() == 1
    client.submit(f"/applications/{application.id}/delete", {})
    assert Application.select().count() == 0 and Contact.select().count() == 1


def test_next_point_of_contact_reaches_the_followthrough_letter(app, client, database):
    application = add_application(client, next_contact="Priya Shah", people="priya shah",
                                  next_steps="Second round in December")
    add_interview(client, application, ("Bob Hale", "", ""))
    bob, priya = (Contact.get(Contact.name == name) for name in ("Bob Hale", "Priya Shah"))
    assert Contact.select().count() == 2 and priya.role == "recruiter"
    assert Application.get_by_id(application.id).next_contact_id == priya.id
    with app.test_request_context():
        _, history = followups.for_contact(bob.id, today=date(2026, 11, 11))
    assert [i.next_contact for i in history.interviews] == ["Priya Shah"]
    assert [a.check_in_with for a in history.applications] == [priya.id]


def test_garbage_ids_and_parameters_never_break_a_page(client, database):
    application = add_application(client)
    huge = "9" * 30
    for url in ("/applications/999", f"/applications/{'9' * 25}", f"/interviews/{huge}/edit",
                "/interviews/5/edit", "/interviews/5/delete", f"/applications/{huge}/edit"):
        assert client.get(url).status_code == 404, url
    for url in ("/applications?status=<b>&page=-3", "/applications?page=abc",
                f"/applications/new?company_id={huge}&contact_id=abc",
                "/applications/new?company_id=-1&contact_id=1e3",
                f"/applications/{application.id}/interviews/new?x=1"):
        assert client.get(url).status_code == 200, url
    response = client.post(f"/applications/{application.id}/status", data={"status": "x"})
    assert response.status_code == 400  # no CSRF token


def test_typed_text_comes_out_escaped_on_every_page(client, database):
    application = add_application(client, company=HOSTILE, position=HOSTILE,
                                  next_contact=HOSTILE, people=HOSTILE, next_steps=HOSTILE,
                                  notes=HOSTILE)
    add_interview(client, application, (HOSTILE + " 1", HOSTILE, HOSTILE),
                  assistant=HOSTILE + " 2", location=HOSTILE, discussed=HOSTILE,
                  accomplishments=HOSTILE)
    interview = Interview.get()
    refused = add_interview(client, application, (HOSTILE + " 3", "", ""), timezone=HOSTILE)
    assert "<script>alert" not in refused.get_data(as_text=True)
    contact_pages = [f"/contacts/{c.id}" for c in Contact.select()]
    assert len(contact_pages) == 3
    for url in ["/applications", f"/applications/{application.id}",
                f"/applications/{application.id}/edit", f"/applications/{application.id}/delete",
                f"/interviews/{interview.id}/edit", f"/interviews/{interview.id}/delete",
                f"/companies/{application.company_id}", "/contacts", *contact_pages]:
        html = page(client, url)
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_an_ambiguous_point_of_contact_is_refused_and_keeps_what_was_typed(client, database):
    for company in ("Northwind", "Acme"):
        Contact.create(name="Priya Shah", company=Company.named(company))
    response = client.submit("/applications/new", application_form(
        next_contact="Priya Shah", notes="Typed with care"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 contacts are called Priya Shah" in body
    assert 'value="Priya Shah"' in body and "Typed with care" in body
    assert Application.select().count() == 0


def test_the_point_of_contact_can_change_per_interview(client, database):
    application = add_application(client, next_contact="Priya Shah")
    add_interview(client, application, ("Bob Hale", "", ""))
    add_interview(client, application, ("Bob Hale", "", ""), on_date="2026-11-17",
                  next_contact="Dana Whitfield")
    second = Interview.get(Interview.starts_at > "2026-11-15")
    assert second.next_contact.name == "Dana Whitfield"
    assert Contact.get(Contact.name == "Dana Whitfield").role == "recruiter"
    html = page(client, f"/applications/{application.id}")
    assert "Next point of contact after this interview" in html and "Dana Whitfield" in html
    form = page(client, f"/interviews/{second.id}/edit")
    assert re.search(r'name="next_contact"[^>]*value="Dana Whitfield"', form)
