"""Migration 0009 keeps every word the user typed: the next point of contact becomes a person
when the name matches one, and accomplishments move to the interviewer they answered."""

import pytest

from crm import create_app, schema
from crm.db import db
from crm.models import Application, Interview, Interviewer
from crm.schema import migration_runner

BEFORE = "0008_change_log"


@pytest.fixture
def old_database(tmp_path, monkeypatch):
    """A database as 0008 left it, with the app to migrate it."""
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}", "SECRET_KEY": "x"})
    with app.app_context(), db.connection_context():
        migration_runner().up(BEFORE)
        yield app


def insert(table, **values):
    columns = ", ".join(f"\"{name}\"" for name in values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                            tuple(values.values()))
    return cursor.lastrowid


def stamp():
    return {"created_at": "2026-11-01 09:00:00", "updated_at": "2026-11-01 09:00:00"}


def test_next_contact_text_is_linked_to_the_person_it_names(old_database):
    meridian = insert("company", name="Meridian", website="", notes="", **stamp())
    other = insert("company", name="Northwind", website="", notes="", **stamp())
    people = {name: insert("contact", name=name, company_id=company, title="", email="",
                           phone="", linkedin_url="", role="other", preferred_channel="",
                           may_follow_up=1, linkedin_connected=0, status="active", notes="",
                           search_text="", **stamp())
              for name, company in [("Priya Shah", meridian), ("Priya Shah", other),
                                    ("Bob Hale", meridian), ("Dana Whitfield", meridian),
                                    ("Sam Okafor", other)]}

    def application(company, next_contact, notes=""):
        return insert("application", company_id=company, position="Analyst", status="applied",
                      next_steps="", next_contact=next_contact, notes=notes, **stamp())

    in_brackets = application(meridian, "HR (Priya Shah)")
    exact = application(other, "sam okafor")
    inside = application(meridian, "Bob Hale in Partnerships", notes="Second round")
    nobody = application(meridian, "The recruiter")
    blank = application(meridian, "")
    solo = insert("interview", application_id=in_brackets, starts_at="2026-11-10 10:00:00",
                  timezone="UTC", kind="onsite", location="", discussed="",
                  accomplishments="Built a tracker\nWon an award", **stamp())
    insert("interviewer", interview_id=solo, contact_id=people["Bob Hale"],
           values="Integrity", concerns="")
    panel = insert("interview", application_id=exact, starts_at="2026-11-11 10:00:00",
                   timezone="UTC", kind="onsite", location="", discussed="",
                   accomplishments="Led a team", **stamp())
    for name in ("Bob Hale", "Dana Whitfield"):
        insert("interviewer", interview_id=panel, contact_id=people[name], values="Grit",
               concerns="")

    assert schema.migrate()[0] == "0009_playbook_edges"

    def linked(app_id):
        found = Application.get_by_id(app_id)
        return (found.next_contact.name if found.next_contact else None), found.notes

    meridian_priya = Application.get_by_id(in_brackets).next_contact
    assert (meridian_priya.name, meridian_priya.company_id) == ("Priya Shah", meridian)
    assert linked(exact) == ("Sam Okafor", "")
    assert linked(inside) == ("Bob Hale", "Second round")
    assert linked(nobody) == (None, "Next point of contact: The recruiter")
    assert linked(blank) == (None, "")
    # One interviewer: the list answered their values. A panel's list stays for everyone.
    assert Interviewer.get(Interviewer.interview == solo).accomplishments == (
        "Built a tracker\nWon an award")
    assert Interview.get_by_id(solo).accomplishments == ""
    assert {s.accomplishments for s in Interviewer.select().where(
        Interviewer.interview == panel)} == {""}
    assert Interview.get_by_id(panel).accomplishments == "Led a team"
