"""Helpers shared by the tests (conftest.py holds the fixtures)."""


def contact_form(**fields):
    """The contact form's fields, as the browser sends them, with some overridden."""
    data = {"name": "Ada Lovelace", "title": "", "company": "", "email": "", "phone": "",
            "linkedin_url": "", "role": "other", "preferred_channel": "", "status": "active",
            "may_follow_up": "y", "cadence_days": "", "tags": "", "notes": ""}
    data.update(fields)
    return data


def writes():
    """How many rows the test's database connection has written so far."""
    from crm.db import db

    return db.connection().total_changes
