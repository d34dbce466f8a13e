"""An example job search built from the story in the seed articles, for `crm demo`."""

from datetime import date, datetime, time, timedelta

from crm.db import db
from crm.models import (
    Application,
    ApplicationContact,
    Company,
    Contact,
    Event,
    EventAttendee,
    EventCompany,
    Interview,
    Interviewer,
)

DEMO_COMPANY = "Meridian Sports & Entertainment"

# One value a line, each answered by the accomplishment on the same line below,
# as in the article's ideal follow-through letter.
VALUES = (
    "Committed to improve every day\n"
    "Exude passion\n"
    "Integrity (do things the right way, even if it's the hard way)\n"
    "Outwork everyone\n"
    "Intensity, effort, productivity")
ACCOMPLISHMENTS = (
    "Selected for a 10-week training program for high-potential junior talent\n"
    "Secured positions with key players in sports sponsorship\n"
    "Implemented a sponsorship asset tracking process for ABC Bank business units\n"
    "Recruited the largest new member class in my fraternity's history\n"
    "Promoted from Assistant Account Executive to Account Executive after one year at Acme")

PEOPLE = [
    # name, title, company, role, email, tags, notes
    ("Bob Hale", "VP, Partnerships", DEMO_COMPANY, "hiring_manager", "bob.hale@example.com",
     ["sports sponsorship", "Yankees fan"],
     "Took his family to the Yankees game the night before the interview. Wants to turn "
     "the Partnerships group into an internal agency."),
    ("Dana Whitfield", "Director, Partnership Services", DEMO_COMPANY, "interviewer",
     "dana.whitfield@example.com", ["partnership services"],
     "Asked about experience managing several sponsorship accounts at once."),
    ("Maria Lopez", "Executive Assistant to Bob Hale", DEMO_COMPANY, "assistant",
     "maria.lopez@example.com", [], "Brought coffee and walked me to the interview room."),
    ("Priya Shah", "Talent Acquisition Partner", DEMO_COMPANY, "recruiter",
     "priya.shah@example.com", [], "Next point of contact for the hiring process."),
    ("Sam Okafor", "Head of Brand Partnerships", "Northwind Athletics", "hiring_manager",
     "sam.okafor@example.com", ["sports sponsorship", "marathons"],
     "Runs marathons; mentioned the Chicago marathon sponsorship deal."),
]


def load_demo(today=None):
    """Load the example into the database once; say what was loaded."""
    today = today or date.today()
    if Company.get_or_none(Company.name == DEMO_COMPANY):
        return "The demo data is already loaded."
    with db.atomic():
        people = {}
        for name, title, company, role, email, tags, notes in PEOPLE:
            contact = Contact.create(name=name, title=title, company=Company.named(company),
                                     role=role, email=email, notes=notes,
                                     preferred_channel="email")
            contact.set_tags(tags)
            people[name] = contact
        Contact.reindex(Contact.select())
        load_story(people, today)
    return f"Loaded the demo: {len(PEOPLE)} contacts at 2 companies, 2 applications, 1 event."


def load_story(people, today):
    """The Meridian interview that ended in a rejection, and an open Northwind process."""
    bob, dana, maria, priya, sam = (people[p[0]] for p in PEOPLE)
    interview_day = today - timedelta(days=30)
    meridian = Application.create(
        company=bob.company, position="Manager of Partnership Strategy and Service",
        status="rejected", applied_on=interview_day - timedelta(days=14),
        closed_on=today - timedelta(days=2),
        next_contact=priya,
        next_steps="Stay in touch with HR (Priya) about the hiring process.",
        source="recruiter", answered_on=interview_day - timedelta(days=6),
        location="New York, NY", work_mode="onsite", resume_version="2026 sponsorship")
    ApplicationContact.create(application=meridian, contact=priya)
    interview = Interview.create(
        application=meridian, starts_at=datetime.combine(interview_day, time(10, 0)),
        timezone="America/New_York", kind="onsite", location="Meridian HQ, New York",
        assistant=maria,
        discussed="The restructuring: turning the Partnerships group into an internal agency.")
    Interviewer.create(interview=interview, contact=bob, values=VALUES,
                       accomplishments=ACCOMPLISHMENTS, concerns="No agency-side experience yet.")
    Interviewer.create(interview=interview, contact=dana, values="Service to partners",
                       accomplishments="Kept all twelve ABC Bank sponsorship accounts renewed "
                                       "through a budget freeze")
    for contact, days_after, channel, note in [
        (bob, 1, "email", "Follow-through letter: the Yankees game, the internal agency "
                          "vision, the five core values."),
        (dana, 1, "email", "Follow-through letter."),
        (maria, 1, "email", "Thank-you for the hospitality."),
        (bob, 8, "voicemail", "Still interested; asked how the process is going."),
    ]:
        contact.record_touch(happened_on=interview_day + timedelta(days=days_after),
                             channel=channel, note=note)
    priya.record_touch(happened_on=today - timedelta(days=2), channel="email", direction="in",
                       note="They went with an internal candidate.")

    northwind = Application.create(
        company=sam.company, position="Senior Partnerships Analyst", status="interviewing",
        applied_on=today - timedelta(days=20), decision_expected_on=today + timedelta(days=10),
        source="job_board", answered_on=today - timedelta(days=12), location="Chicago, IL",
        work_mode="hybrid", salary_min=85_000, salary_max=100_000, currency="USD",
        posting_url="https://example.com/jobs/northwind-partnerships-analyst",
        next_steps="Send the marathon sponsorship figures Sam asked for.")
    second = Interview.create(
        application=northwind, starts_at=datetime.combine(today - timedelta(days=1),
                                                          time(14, 30)),
        timezone="America/Chicago", kind="video",
        accomplishments="Promoted from Assistant Account Executive to Account Executive "
                        "after one year at Acme",
        discussed="Measuring the return on the marathon sponsorship.")
    Interviewer.create(interview=second, contact=sam, values="Data-driven decisions",
                       accomplishments="Built the sponsorship-return report our sales team "
                                       "still uses every week",
                       concerns="Asked whether I have worked with running events.")

    summit = Event.create(
        name="Sports Sponsorship Summit", start_on=today + timedelta(days=24),
        end_on=today + timedelta(days=25), start_time=time(9, 0), end_time=time(17, 0),
        timezone="America/New_York", place="Javits Center, New York",
        url="https://example.com/sponsorship-summit")
    EventAttendee.create(event=summit, contact=bob)
    EventCompany.create(event=summit, company=sam.company)
