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
    applications = _rows(db, 'application', ['id', 'company_id', 'next_contact', 'notes'])
    link_next_contacts(applications, _rows(db, 'contact', ['id', 'name', 'company_id']))
    _write(db, 'application', applications, ['next_contact_id', 'notes'])
    interviews = _rows(db, 'interview', ['id', 'accomplishments'])
    seats = _rows(db, 'interviewer', ['id', 'interview_id'])
    hand_over_accomplishments(interviews, seats)
    _write(db, 'interview', interviews, ['accomplishments'])
    _write(db, 'interviewer', seats, ['accomplishments'])
    migrator.migrate(migrator.drop_column('application', 'next_contact'))


def upgrade_backup(tables):
    """Bring a backup made before this migration to its shape, as `up` does to a database."""
    link_next_contacts(tables.get('application', []), tables.get('contact', []))
    hand_over_accomplishments(tables.get('interview', []), tables.get('interviewer', []))


def link_next_contacts(applications, contacts):
    """Replace each application row's next_contact text by the id of the contact it names;
    a text naming nobody (or two people) is kept at the end of the notes."""
    people = {}
    for c in contacts:
        people.setdefault(c['name'].casefold(), []).append((c['id'], c.get('company_id')))
    for row in applications:
        text = row.pop('next_contact', '') or ''
        row['next_contact_id'] = named_contact(text, people, row.get('company_id')) \
            if text else None
        if text and row['next_contact_id'] is None:
            kept = f'Next point of contact: {text}'
            row['notes'] = f"{row['notes']}\n{kept}" if row.get('notes') else kept


def hand_over_accomplishments(interviews, interviewers):
    """Give an interview's accomplishments to its interviewer when there is only one."""
    seats = {}
    for seat in interviewers:
        seats.setdefault(seat['interview_id'], []).append(seat)
    for row in interviews:
        alone = seats.get(row['id'], [])
        if len(alone) == 1:
            alone[0]['accomplishments'] = row.get('accomplishments') or ''
            row['accomplishments'] = ''
        for seat in alone:
            seat.setdefault('accomplishments', '')


def named_contact(text, people, company_id):
    """The one contact the text names ("Priya Shah", "HR (Priya Shah)"), at the company first.

    `people` maps each casefolded name to its (id, company id) pairs. The whole
    text, then a name in brackets, then a name anywhere inside the text.
    """
    wanted = text.casefold().strip()
    inside = [part.strip().casefold() for part in re.findall(r'\(([^)]*)\)', text)]
    for names in ([wanted], inside,
                  (name for name in people
                   if re.search(rf'(?<!\w){re.escape(name)}(?!\w)', wanted))):
        found = [pair for name in names for pair in people.get(name, [])]
        here = [pk for pk, company in found if company == company_id]
        choice = here or [pk for pk, _ in found]
        if len(choice) == 1:
            return choice[0]
        if choice:
            return None  # two people fit: better keep the text than pick the wrong one
    return None


def _rows(db, table, columns):
    cursor = db.execute_sql(f'SELECT {", ".join(columns)} FROM {table}')
    return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]


def _write(db, table, rows, columns):
    assignments = ', '.join(f'{column} = {db.param}' for column in columns)
    db.cursor().executemany(f'UPDATE {table} SET {assignments} WHERE id = {db.param}',
                            [(*[row[c] for c in columns], row['id']) for row in rows])


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
