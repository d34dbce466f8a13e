"""Answering suggestions in one step: done (a touch holding the draft as sent), undone, and
skipped ones listed and brought back.

Done writes nothing but touches, each carrying its suggestion's key; so Undo
deletes exactly those touches and the suggestions come back by themselves. The
Undo button carries the touches' ids and keys signed with the app's secret, so
it can neither name other touches nor be forged.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from crm import playbook
from crm.agenda import as_sent
from crm.db import db
from crm.models import Contact, SuggestionState, Touch
from crm.playbook import format_day, too_soon
from crm.settings import rules, user_timezone

UNDO_HOURS = 24  # an Undo button left open in a tab stops working after a day


def pest_warning(name, found, today):
    """The anti-pest warning for a note that comes too soon (a `TooSoon`), in words."""
    gap = rules().min_gap_days
    return (f"Your last note to {name} was on {format_day(found.last_note_on, today)}; "
            f"the playbook would wait until {format_day(found.wait_until, today)}, "
            f"{gap} days later, so that following up never turns into pestering.")


def too_early(item, history, today):
    """The anti-pest warning if doing this suggestion today would pester, else None.

    A suggestion due by today is the playbook's own timing, so never too soon;
    one due later (Today's next days) is checked as a note typed by hand would be.
    """
    suggestion = item.suggestion
    if suggestion.due <= today:
        return None
    others = [(t.on, t.direction, t.channel) for t in history.touches]
    found = too_soon(others, today, suggestion.channel, rules().min_gap_days)
    return None if found is None else pest_warning(item.contact.name, found, today)


def log_done(items, histories, now):
    """Log each item as done now, its draft as the note, in one transaction; items that would
    pester are left alone. Return the touches written and the (item, warning) pairs refused."""
    today = now.date()
    refused = [(item, warning) for item in items
               if (warning := too_early(item, histories[item.contact.id], today))]
    skipped = {id(item) for item, _ in refused}
    touches = []
    at = now.time().replace(second=0, microsecond=0)
    with db.atomic():
        for item in items:
            if id(item) in skipped:
                continue
            s = item.suggestion
            touches.append(item.contact.record_touch(
                happened_on=today, happened_at=at, channel=s.channel, direction="out",
                note=as_sent(item.draft), article=s.article_id, suggestion_key=s.key))
    return touches, refused


def _signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="crm.undo-done")


def undo_token(touches):
    """What the Undo button sends back: the touches Done wrote, signed."""
    return _signer().dumps([[t.id, t.suggestion_key] for t in touches])


def undo(token):
    """Delete the touches an Undo token names, if still there; return how many went, or None
    when the token is not one this app signed in the last day."""
    try:
        pairs = _signer().loads(token, max_age=UNDO_HOURS * 3600)
    except BadSignature:  # also an expired one
        return None
    named = {(touch_id, key) for touch_id, key in pairs}
    with db.atomic():
        # The key too: an id SQLite reused for another touch since is not this one.
        touches = [t for t in Touch.select(Touch.id, Touch.suggestion_key, Touch.contact)
                   .where(Touch.id.in_([touch_id for touch_id, _ in named]))
                   if (t.id, t.suggestion_key) in named]
        if touches:
            Touch.delete().where(Touch.id.in_([t.id for t in touches])).execute()
            for contact in Contact.select().where(Contact.id.in_({t.contact_id for t in touches})):
                contact.refresh_last_touch()
    return len(touches)


def skipped(snapshot, today):
    """The skipped suggestions that would be open again if brought back, kept per snapshot.

    Each is what the playbook suggests for that person with the skip forgotten, so
    its reason and date are today's; a skip the story has since moved past is left out.
    """
    def make():
        skips = [(history, {k for k, state in history.states.items() if state.state == "skipped"})
                 for history in snapshot.histories.values()]
        skips = [(history, keys) for history, keys in skips if keys]
        if not skips:
            return []
        found, tz, timings = [], user_timezone(), rules()
        for history, keys in skips:
            kept = {k: v for k, v in history.states.items() if k not in keys}
            found += [s for s in playbook.suggest(history._replace(states=kept), today, tz,
                                                  timings) if s.key in keys]
        return sorted(found, key=lambda s: (s.due, s.key))

    return snapshot.derive("skipped", make)


def restore(key, contact_id):
    """Forget that a suggestion was skipped, so it is open again."""
    with db.atomic():
        SuggestionState.delete().where(
            (SuggestionState.key == key) & (SuggestionState.contact == contact_id)
            & (SuggestionState.state == "skipped")).execute()


def contacts_named(suggestions):
    """The contacts of some suggestions, by id, in one query."""
    ids = {s.contact_id for s in suggestions}
    return {c.id: c for c in Contact.select().where(Contact.id.in_(ids))} if ids else {}
