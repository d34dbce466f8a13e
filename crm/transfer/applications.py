"""Applications out of the database as a CSV spreadsheet, one row each, for Excel."""

from collections import defaultdict

from peewee import fn

from crm.models import Application, Company, Contact, Interview, application_people
from crm.transfer.csvfile import write_contacts_csv
from crm.vocabulary import LABELS

COLUMNS = ("Company", "Position", "Status", "Applied on", "First answer on",
           "Decision expected on", "Check-in on", "Closed on", "Source", "Referred by",
           "Posting URL", "Location", "Work mode", "Salary from", "Salary to", "Currency",
           "Resume version", "Cover letter version", "Next point of contact", "People",
           "Interviews", "Next steps", "Notes", "Job description")


def applications_csv():
    """Every application as CSV text, newest first, with its people and interview count."""
    applications = list(Application.select(Application, Company).join(Company)
                        .order_by(Application.applied_on.desc(nulls="LAST"),
                                  Application.id.desc()))
    referrers = dict(Contact.select(Contact.id, Contact.name).where(
        Contact.id.in_(Application.select(Application.referrer))).tuples())
    people = defaultdict(list)
    involved = application_people(Application.select(Application.id))
    for app_id, name in (Contact.select(involved.c.application, Contact.name)
                         .join(involved, on=(Contact.id == involved.c.contact))
                         .order_by(Contact.name).tuples()):
        people[app_id].append(name)
    interviews = dict(Interview.select(Interview.application, fn.COUNT(Interview.id))
                      .group_by(Interview.application).tuples())
    return write_contacts_csv((row(a, referrers.get(a.referrer_id, ""), people[a.id],
                                   interviews.get(a.id, 0)) for a in applications), COLUMNS)


def row(application, referrer, people, interviews):
    """One application as the CSV's cells."""
    return {
        "Company": application.company.name, "Position": application.position,
        "Status": LABELS["application_status"][application.status],
        "Applied on": application.applied_on, "First answer on": application.answered_on,
        "Decision expected on": application.decision_expected_on,
        "Check-in on": application.check_in_on, "Closed on": application.closed_on,
        "Source": LABELS["source"][application.source] if application.source else "",
        "Referred by": referrer,
        "Posting URL": application.posting_url, "Location": application.location,
        "Work mode": LABELS["work_mode"][application.work_mode] if application.work_mode else "",
        "Salary from": application.salary_min, "Salary to": application.salary_max,
        "Currency": application.currency, "Resume version": application.resume_version,
        "Cover letter version": application.cover_letter_version,
        "Next point of contact": application.next_contact, "People": "; ".join(people),
        "Interviews": interviews, "Next steps": application.next_steps,
        "Notes": application.notes, "Job description": application.job_description}
