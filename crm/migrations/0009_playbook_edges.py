"""The playbook's edges: the point of contact as a person, times of day, and each value's proof.

- application.next_contact (text such as "HR (Priya Shah)") becomes a link to
  the contact of that name; a text that names nobody is kept in the notes.
- interview.next_contact_id: an interview may name another point of contact.
- interviewer.accomplishments: one per value of that interviewer. An interview
  with one interviewer hands them its list (it answered that person's values);
  a panel's list stays on the interview, as strengths for every letter.
- touch.happened_at and application.closed_at: the local time of day, so a
  morning email is not taken for the letter written after an afternoon interview.
"""
import re

from peewee import *


def up(migrator, db):
    class Contact(Model):
        class Meta:
            database = db
            table_name = 'contact'

    migrator.migrate(
        migrator.add_column('application', 'next_contact_id', ForeignKeyField(
            Contact, field=Contact.id, null=True, on_delete='SET NULL')),
        migrator.add_column('application', 'closed_at', TimeField(null=True)),
        migrator.add_column('interview', 'next_contact_id', ForeignKeyField(
            Contact, field=Contact.id, null=True, on_delete='SET NULL')),
        migrator.add_column('interviewer', 'accomplishments', TextField(default='')),
        migrator.add_column('touch', 'happened_at', TimeField(null=True)))
    _link_next_contacts(db)
    _hand_accomplishments_to_lone_interviewers(db)
    migrator.migrate(migrator.drop_column('application', 'next_contact'))


def _link_next_contacts(db):
    people = db.execute_sql('SELECT id, name, company_id FROM contact').fetchall()
    rows = db.execute_sql("SELECT id, company_id, next_contact, notes FROM application "
                          "WHERE next_contact != ''").fetchall()
    for app_id, company_id, text, notes in rows:
        contact_id = named_contact(text, people, company_id)
        if contact_id is not None:
            db.execute_sql('UPDATE application SET next_contact_id = ? WHERE id = ?',
                           (contact_id, app_id))
        else:  # nobody by that name: keep what the user wrote where they can read it
            kept = f'Next point of contact: {text}'
            db.execute_sql('UPDATE application SET notes = ? WHERE id = ?',
                           (f'{notes}\n{kept}' if notes else kept, app_id))


def named_contact(text, people, company_id):
    """The one contact the text names ("Priya Shah", "HR (Priya Shah)"), at the company first."""
    wanted = text.casefold()
    inside = [part.strip().casefold() for part in re.findall(r'\(([^)]*)\)', text)]
    for matches in (lambda name: name == wanted.strip(),
                    lambda name: name in inside,
                    lambda name: re.search(rf'(?<!\w){re.escape(name)}(?!\w)', wanted)):
        found = [(pk, company) for pk, name, company in people if matches(name.casefold())]
        here = [pk for pk, company in found if company == company_id]
        choice = here or [pk for pk, _ in found]
        if len(choice) == 1:
            return choice[0]
        if choice:
            return None  # two people fit: better keep the text than pick the wrong one
    return None


def _hand_accomplishments_to_lone_interviewers(db):
    db.execute_sql(
        "UPDATE interviewer SET accomplishments = (SELECT accomplishments FROM interview "
        "WHERE interview.id = interviewer.interview_id) WHERE interview_id IN ("
        "SELECT interview_id FROM interviewer GROUP BY interview_id HAVING COUNT(*) = 1)")
    db.execute_sql(
        "UPDATE interview SET accomplishments = '' WHERE id IN ("
        "SELECT interview_id FROM interviewer GROUP BY interview_id HAVING COUNT(*) = 1)")


def down(migrator, db):
    migrator.migrate(migrator.add_column('application', 'next_contact',
                                         CharField(default='')))
    db.execute_sql('UPDATE application SET next_contact = COALESCE((SELECT name FROM contact '
                   'WHERE contact.id = application.next_contact_id), \'\')')
    migrator.migrate(
        migrator.drop_column('application', 'next_contact_id'),
        migrator.drop_column('application', 'closed_at'),
        migrator.drop_column('interview', 'next_contact_id'),
        migrator.drop_column('interviewer', 'accomplishments'),
        migrator.drop_column('touch', 'happened_at'))
