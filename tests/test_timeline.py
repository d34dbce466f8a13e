"""A contact's timeline tells how the processes they were part of went."""

import re

from support import TODAY, add_application, add_interview, page, shown

from crm.models import Contact


def timeline(client, name):
    html = page(client, f"/contacts/{Contact.get(Contact.name == name).id}")
    section = html[html.index("<h2>Timeline</h2>"):]
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split())
            for item in re.findall(r"<li class=\"[a-z]+\">(.*?)</li>", section, re.S)]


def test_a_rejection_shows_on_the_timeline_of_everyone_in_the_process(client, database):
    application = add_application(client, applied_on="2026-11-01")
    add_interview(client, application, ("Bob Hale", "", ""), on_date="2026-11-10")
    client.submit(f"/applications/{application.id}/status",
                  {"status": "rejected", "closed_on": "2026-11-20"},
                  form_page=f"/applications/{application.id}")
    assert timeline(client, "Bob Hale")[:2] == [
        f"{shown('2026-11-20')} Meridian said no: Partnership Strategy Manager",
        f"{shown('2026-11-10')}, 10:00 Interviewed you for Partnership Strategy Manager"
        " at Meridian"]


def test_hearing_back_and_withdrawing_are_dated_steps(client, database):
    application = add_application(client, applied_on="2026-11-01", next_contact="Priya Shah")
    client.submit(f"/applications/{application.id}/status", {"status": "interviewing"},
                  form_page=f"/applications/{application.id}")
    client.submit(f"/applications/{application.id}/status",
                  {"status": "withdrawn", "closed_on": "2026-11-25"},
                  form_page=f"/applications/{application.id}")
    steps = timeline(client, "Priya Shah")
    assert f"{shown('2026-11-25')} You withdrew: Partnership Strategy Manager at Meridian" in steps
    assert any(step.endswith("Heard back from Meridian: Partnership Strategy Manager")
               for step in steps)
    assert steps[-1].startswith(f"{shown('2026-11-01')} Application: Partnership Strategy Manager")


def test_an_offer_is_a_dated_step_and_moving_again_keeps_its_day(client, database):
    application = add_application(client, applied_on="2026-11-01", next_contact="Priya Shah")
    for status in ("interviewing", "offer", "interviewing", "offer", "hired"):
        client.submit(f"/applications/{application.id}/status", {"status": status},
                      form_page=f"/applications/{application.id}")
    steps = timeline(client, "Priya Shah")
    today = shown(TODAY.isoformat())
    assert f"{today} Offer from Meridian: Partnership Strategy Manager" in steps
    assert f"{today} Hired: Partnership Strategy Manager at Meridian" in steps
    assert sum(step.startswith(f"{today} Offer from") for step in steps) == 1
