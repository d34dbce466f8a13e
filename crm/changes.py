"""Which rows changed since a moment, and whose suggestions that can alter: the change log.

Every write to a table the playbook reads adds a row to `change_log` through a
trigger, naming what it is about (a contact, an application, an event, ...).
The triggers are made from `WATCHED` below, the one place that says which
changes matter, so no page or command has to remember to say what it changed,
and a write from outside the app (another process, `sqlite3`) is seen too.
A reader keeps the sequence number it last saw and asks which contacts
changed since then (`changed_since`), or that it must start over.
"""

from peewee import OperationalError, ProgrammingError

from crm import postgres
from crm.db import db
from crm.models import (
    Application,
    ApplicationContact,
    Article,
    ArticleMatch,
    Company,
    Contact,
    ContactAddress,
    ContactMerge,
    ContactTag,
    DistinctPair,
    Event,
    EventAttendee,
    EventCalendar,
    EventCompany,
    Feed,
    Interview,
    Interviewer,
    JobChange,
    MailAccount,
    MailCandidate,
    MailFolder,
    MailMessage,
    Setting,
    SuggestionState,
    Tag,
    Touch,
    application_people,
)

ALL = "all"  # a change that may alter anyone's suggestions: start over
# The log keeps this many rows; a reader further behind starts over.
KEPT = 10_000
# Past this many changes, recomputing everything is cheaper than patching.
PATCH_LIMIT = 300

# table: (the events that matter, [(what the change is about, its id as SQL over
# the row `{row}`)]). An update marks the row as it was and as it is, so a touch
# moved from one person to another marks both. A deletion's cascade deletes the
# rows that name people (touches, links, seats), which mark those people.
EVERY = ("INSERT", "UPDATE", "DELETE")
_SEAT_APPLICATION = "(SELECT application_id FROM interview WHERE id = {row}.interview_id)"
WATCHED = {
    Contact: (EVERY, [("contact", "{row}.id")]),
    Touch: (EVERY, [("contact", "{row}.contact_id")]),
    ContactTag: (EVERY, [("contact", "{row}.contact_id")]),
    SuggestionState: (EVERY, [("contact", "{row}.contact_id")]),
    ArticleMatch: (EVERY, [("contact", "{row}.contact_id")]),
    EventAttendee: (EVERY, [("contact", "{row}.contact_id")]),
    JobChange: (EVERY, [("contact", "{row}.contact_id")]),  # a new role to congratulate on
    # The referrer is marked too: they are no person *in* the application, and the one
    # replaced by an edit must lose their suggestions. The point of contact is named on
    # the application and on an interview: naming another person changes both people's
    # check-ins (the old row marks the one let go).
    Application: (EVERY, [("application", "{row}.id"), ("contact", "{row}.referrer_id"),
                          ("contact", "{row}.next_contact_id")]),
    ApplicationContact: (EVERY, [("application", "{row}.application_id"),
                                 ("contact", "{row}.contact_id")]),
    Interview: (EVERY, [("application", "{row}.application_id"),
                        ("contact", "{row}.assistant_id"), ("contact", "{row}.next_contact_id")]),
    Interviewer: (EVERY, [("application", _SEAT_APPLICATION), ("contact", "{row}.contact_id")]),
    Event: (EVERY, [("event", "{row}.id")]),  # the feed lists every event
    EventCompany: (EVERY, [("company", "{row}.company_id")]),
    Article: (("UPDATE", "DELETE"), [("article", "{row}.id")]),
    Tag: (("UPDATE",), [("tag", "{row}.id")]),
    # A company's new name reaches the letters, reasons and articles of many
    # people, a feed's new company its articles, and settings hold the rules
    # and the signature: rare changes, after which everything is recomputed.
    Company: (("UPDATE",), [(ALL, "NULL")]),
    Feed: (("UPDATE OF company_id",), [(ALL, "NULL")]),
    Setting: (EVERY, [(ALL, "NULL")]),
}
# Tables that no suggestion reads; a test checks every model is in one of the two.
# A merge writes the rows it moves, which are watched; its own record is only read to undo
# it, which pairs are not duplicates matters to the duplicates page alone, and a calendar's
# fetch state to its refresh (its events are watched). Mail reaches the playbook only as the
# touches it makes, which are watched.
UNWATCHED = frozenset({ContactMerge, DistinctPair, EventCalendar, ContactAddress, MailAccount,
                       MailCandidate, MailFolder, MailMessage})
ROWS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def install_triggers():
    """Create the triggers `WATCHED` asks for (safe to repeat).

    Run after every migration: SQLite drops a table's triggers when a migration
    rebuilds it, and a new table has none. PostgreSQL's are in crm.postgres.
    """
    if not db.table_exists("change_log"):
        return
    if postgres.is_postgres(db.obj):
        postgres.install_change_log(db.obj, WATCHED, ROWS, KEPT)
        return
    with db.atomic():
        for model, (events, marks) in WATCHED.items():
            table = model._meta.table_name
            for event in events:
                verb = event.split()[0]
                values = ", ".join(f"('{kind}', {ref.format(row=row)})"
                                   for row in ROWS[verb] for kind, ref in marks)
                db.execute_sql(
                    f'CREATE TRIGGER IF NOT EXISTS "{table}_{verb.lower()}_logged" '
                    f'AFTER {event} ON "{table}" '
                    f"BEGIN INSERT INTO change_log (kind, ref) VALUES {values}; END")
        # The log prunes itself, so no reader ever has to write.
        db.execute_sql(
            'CREATE TRIGGER IF NOT EXISTS "change_log_pruned" AFTER INSERT ON change_log '
            f"BEGIN DELETE FROM change_log WHERE seq <= NEW.seq - {KEPT}; END")


def latest():
    """The sequence number of the last change, or None where there is no log."""
    try:
        return db.execute_sql("SELECT COALESCE(MAX(seq), 0) FROM change_log").fetchone()[0]
    except (OperationalError, ProgrammingError):  # not migrated yet
        return None


def changed_since(seq, upto):
    """The contact ids whose suggestions the changes after `seq` up to `upto` may alter.

    None means start over: a change that concerns everyone, more changes
    than patching is worth, or a log already pruned past `seq`.
    """
    if seq is None or upto is None or upto - seq > PATCH_LIMIT:
        return None
    rows = db.execute_sql(f"SELECT seq, kind, ref FROM change_log "
                          f"WHERE seq > {db.param} AND seq <= {db.param}", (seq, upto)).fetchall()
    if len(rows) != upto - seq:
        return None  # pruned, or a gap: the count of rows tells
    refs = {}
    for _, kind, ref in rows:
        if kind == ALL:
            return None
        if ref is not None:
            refs.setdefault(kind, set()).add(ref)
    return _people(refs)


def _people(refs):
    """The contacts the marked rows are about, in a query per kind of row."""
    people = set(refs.get("contact", ()))
    queries = []
    if refs.get("application"):
        found = application_people(list(refs["application"]))
        queries.append(found.select_from(found.c.contact))
    if refs.get("event"):
        events = list(refs["event"])
        queries.append(EventAttendee.select(EventAttendee.contact)
                       .where(EventAttendee.event.in_(events)))
        queries.append(Contact.select(Contact.id).join(
            EventCompany, on=(EventCompany.company == Contact.company))
            .where(EventCompany.event.in_(events)))
    if refs.get("company"):
        queries.append(Contact.select(Contact.id)
                       .where(Contact.company.in_(list(refs["company"]))))
    if refs.get("article"):
        queries.append(ArticleMatch.select(ArticleMatch.contact)
                       .where(ArticleMatch.article.in_(list(refs["article"]))))
    if refs.get("tag"):
        queries.append(ContactTag.select(ContactTag.contact)
                       .where(ContactTag.tag.in_(list(refs["tag"]))))
    for query in queries:
        people.update(pk for (pk,) in query.tuples())
    return people

