"""Merging two contacts into one, and undoing it.

Everything that names the merged contact moves to the one kept: every table
with a foreign key to contacts, found from the models themselves, so a table
added later (mail, say) moves too without this module knowing it. A row that
would repeat one the kept contact already has (the same tag, the same
interview seat) is dropped instead. The merge is recorded, row ids and all,
so that undoing it puts every row back where it was.
"""

import json
from dataclasses import dataclass

from peewee import Tuple

from crm.db import db
from crm.models import (
    MODELS,
    Company,
    Contact,
    ContactMerge,
    DistinctPair,
    SuggestionState,
    utcnow,
)

# What the merge page lets the user pick from either side, and how it names them.
FIELDS = {"name": "Name", "title": "Title", "company": "Company", "email": "Email",
          "phone": "Phone", "linkedin_url": "LinkedIn URL", "role": "Role",
          "preferred_channel": "Preferred channel", "status": "Status",
          "cadence_days": "Keep in touch every (days)", "may_follow_up": "May follow up",
          "linkedin_connected": "Connected on LinkedIn"}
# Taken from whichever side has it, the kept side first: nobody picks this.
FILLED = ("linkedin_connected_on",)
# Each table's rows in words, one and many; a table not named here says its own name.
LABELS = {"touch": ("touch", "touches"), "contact_tag": ("tag", "tags"),
          "suggestion_state": ("answer to a suggestion", "answers to suggestions"),
          "article_match": ("article match", "article matches"),
          "event_attendee": ("event", "events"),
          "application_contact": ("application role", "application roles"),
          "interviewer": ("interview seat", "interview seats"),
          "interview": ("interview hosted", "interviews hosted"),
          "job_change": ("job change", "job changes"),
          "contact_merge": ("earlier merge", "earlier merges"),
          "distinct_pair": ("not-a-duplicate decision", "not-a-duplicate decisions")}


class MergeError(Exception):
    """A merge or an undo that cannot be done; the message says why."""


@dataclass
class Moving:
    """What merging would move from one contact to another: rows per table, in words."""

    counts: dict

    def words(self):
        """"3 touches, 1 interview seat", or "nothing else"."""
        found = []
        for table, n in self.counts.items():
            one, many = LABELS.get(table, (table.replace("_", " "),) * 2)
            if n:
                found.append(f"{n} {one if n == 1 else many}")
        return ", ".join(found) or "nothing else"


def references():
    """Every (model, foreign key) pointing at contacts."""
    return [(model, field) for model in MODELS for field in model._meta.refs
            if field.rel_model is Contact]


def moving(other):
    """What merging `other` into another contact would move, counted by table."""
    counts = {}
    for model, field in references():
        table = model._meta.table_name
        counts[table] = counts.get(table, 0) + model.select().where(field == other.id).count()
    return Moving(counts)


def values(contact):
    """The contact's pickable fields, the company as its name."""
    found = {name: getattr(contact, name) for name in FIELDS if name != "company"}
    found["company"] = contact.company.name if contact.company_id else ""
    return found


def merge(keep, other, picks):
    """Merge `other` into `keep`, taking the fields `picks` names from `other`; return the record.

    `picks` is the set of field names whose value comes from `other`. Notes are
    kept from both sides. One transaction: it all happens or none of it.
    """
    if keep.id == other.id:
        raise MergeError("A contact cannot be merged with itself.")
    unknown = set(picks) - set(FIELDS)
    if unknown:
        raise MergeError(f"Unknown field {sorted(unknown)[0]!r}.")
    with db.atomic():
        # As the database has them now, not as the caller read them some time ago.
        keep, other = Contact.get_by_id(keep.id), Contact.get_by_id(other.id)
        record = {"merged": row_of(Contact, other.id), "kept": row_of(Contact, keep.id),
                  "moved": {}, "dropped": [], "keys": {}}
        chosen = {**values(keep), **{name: values(other)[name] for name in picks}}
        chosen["company"] = Company.named(chosen["company"]) if chosen["company"] else None
        for name in FILLED:
            chosen[name] = getattr(keep, name) or getattr(other, name)
        chosen["last_touch_on"] = max(filter(None, (keep.last_touch_on, other.last_touch_on)),
                                      default=None)
        chosen["notes"] = "\n\n".join(dict.fromkeys(n for n in (keep.notes, other.notes) if n))
        move_rows(keep.id, other.id, record)
        Contact.update(**chosen, updated_at=utcnow()).where(Contact.id == keep.id).execute()
        Contact.delete().where(Contact.id == other.id).execute()
        Contact.reindex(Contact.select().where(Contact.id == keep.id))
        return ContactMerge.create(kept=keep.id, merged_id=other.id, merged_name=other.name,
                                   record=json.dumps(record, default=str))


def move_rows(keep_id, other_id, record):
    """Point every row naming `other_id` at `keep_id`, dropping those that would repeat."""
    for model, field in references():
        mine = model.select().where(field == other_id)
        if model is SuggestionState:
            rekey_states(mine, keep_id, other_id, record)
        for index_fields in unique_with(model, field):
            others = [f for f in index_fields if f is not field]
            kept = model.select(*others).where(field == keep_id)
            columns = Tuple(*others) if len(others) > 1 else others[0]
            for row in mine.where(columns.in_(kept)).dicts():
                drop(model, row, record)
        if model is DistinctPair:
            for row in mine.where((model.first == keep_id) | (model.second == keep_id)).dicts():
                drop(model, row, record)  # merging says they are the same person after all
        ids = [pk for (pk,) in mine.select(model._meta.primary_key).tuples()]
        if ids:
            record["moved"][f"{model._meta.table_name}.{field.name}"] = ids
            model.update({field: keep_id}).where(model._meta.primary_key.in_(ids)).execute()


def rekey_states(states, keep_id, other_id, record):
    """Answers to suggestions move with new keys: a key names the contact it is about."""
    taken = {key for (key,) in SuggestionState.select(SuggestionState.key).tuples()}
    for state in list(states):
        key = state.key.replace(f"contact:{other_id}", f"contact:{keep_id}")
        if key == state.key:
            continue
        if key in taken:
            drop(SuggestionState, row_of(SuggestionState, state.id), record)
        else:
            record["keys"][str(state.id)] = state.key
            SuggestionState.update(key=key).where(SuggestionState.id == state.id).execute()
            taken.add(key)


def unique_with(model, field):
    """The unique indexes of a model that include the field, as lists of fields."""
    found = []
    for names, unique in model._meta.indexes:
        fields = [model._meta.fields[name] for name in names]
        if unique and field in fields:
            found.append(fields)
    return found


def drop(model, row, record):
    """Delete a row that would repeat one of the kept contact's, keeping it in the record."""
    record["dropped"].append([model._meta.table_name, row])
    model.delete().where(model._meta.primary_key == row["id"]).execute()


def row_of(model, pk):
    """A row as a dict of field names to values."""
    return model.select().where(model._meta.primary_key == pk).dicts().get()


def undo(merge_record):
    """Split a merge: the merged contact back with its id, every row back where it was."""
    record = json.loads(merge_record.record)
    merged = record["merged"]
    models = {model._meta.table_name: model for model in MODELS}
    with db.atomic():
        if Contact.get_or_none(Contact.id == merged["id"]) is not None:
            raise MergeError(f"Contact #{merged['id']} exists again; this merge cannot be "
                             "undone.")
        if record["kept"]["id"] != merge_record.kept_id:
            raise MergeError(f"{record['kept']['name']} was merged into another contact since;"
                             " undo that merge first.")
        Contact.insert(**merged).execute()
        kept = record["kept"]
        Contact.update(**{k: v for k, v in kept.items() if k != "id"}).where(
            Contact.id == kept["id"]).execute()
        for place, ids in record["moved"].items():
            table, _, name = place.partition(".")
            model = models[table]
            model.update({model._meta.fields[name]: merged["id"]}).where(
                model._meta.primary_key.in_(ids)).execute()
        for state_id, key in record["keys"].items():
            SuggestionState.update(key=key).where(SuggestionState.id == int(state_id)).execute()
        for table, row in record["dropped"]:
            models[table].insert(**row).execute()
        merge_record.delete_instance()
        both = Contact.select().where(Contact.id.in_([merged["id"], kept["id"]]))
        Contact.reindex(both)
        for contact in both:
            contact.refresh_last_touch()
    return merged["name"]
