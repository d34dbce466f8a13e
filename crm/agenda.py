"""The suggestions made ready to act on: each with its contact, its draft and the links to do it.

Today, the digest and the calendar feed show the same things to do; this is
where a suggestion gets its draft (the user's own letter templates first) and
its "Done" link.
"""

import os
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for

from crm import followups
from crm.drafts import Draft, letters_environment, mailto, render_draft, shipped_letters_dir
from crm.mail.send import sender
from crm.models import Contact
from crm.settings import sender_name

SNOOZE_DAYS = 7  # what a snooze proposes
UPCOMING_DAYS = 7  # Today shows what is due in the next week; so does a contact's page


@dataclass
class Item:
    """A suggestion as the page shows it: who, what, why, the draft and its links.

    `snooze_url` and `skip_url` open a page that asks first, so a link in the
    digest never changes anything by itself.
    """

    suggestion: object
    contact: object
    draft: Draft
    mailto: str
    done_url: str
    snooze_url: str
    skip_url: str
    late: bool


def letters():
    """Letter templates: the user's own in instance/letters first, then the shipped ones."""
    own = os.path.join(current_app.instance_path, "letters")
    # Kept between requests so templates compile once (Jinja reloads an edited
    # file by itself); a file added to or removed from the user's folder
    # changes which template wins, so the listing is part of the key.
    overrides = tuple(sorted(os.listdir(own))) if os.path.isdir(own) else ()
    cached = current_app.extensions.get("crm.letters")
    if cached is None or cached[0] != overrides:
        cached = (overrides, letters_environment([own, shipped_letters_dir()]))
        current_app.extensions["crm.letters"] = cached
    return cached[1]


def items_for(found, histories, today, external=False):
    """Turn suggestions into page items, drafts rendered, with one query for the contacts."""
    contacts = {c.id: c for c in Contact.select().where(
        Contact.id.in_({s.contact_id for s in found}))}
    env, name = letters(), sender_name()
    items = []
    for suggestion in found:
        contact = contacts[suggestion.contact_id]
        draft = render_draft(suggestion, histories[suggestion.contact_id], name, env, today)
        answer = {"contact_id": suggestion.contact_id, "key": suggestion.key,
                  "_external": external}
        items.append(Item(suggestion, contact, draft, mailto(contact.email, draft),
                          done_url(suggestion, external), url_for("today.snooze", **answer),
                          url_for("today.skip", **answer), suggestion.is_late(today)))
    return items


def answering(back, today):
    """What the answer buttons of Today and a contact's page need: the day, the default
    snooze date, whether letters can be sent from here, and the page to come back to."""
    return {"today": today, "snooze_until": today + timedelta(days=SNOOZE_DAYS), "back": back,
            "can_send": sender() is not None}


def draft_for(contact_id, key, today):
    """The draft of the contact's open suggestion with this key, or None."""
    found, history = followups.for_contact(contact_id, today)
    chosen = [s for s in found if s.key == key]
    return items_for(chosen, {contact_id: history}, today)[0].draft if chosen else None


def as_sent(draft):
    """A draft as a touch's note: the subject line, if any, then the letter."""
    return f"Subject: {draft.subject}\n\n{draft.body}" if draft.subject else draft.body


def done_url(suggestion, external=False):
    """The touch form, prefilled to log this suggestion as done (its note is the draft)."""
    fields = {"suggestion_key": suggestion.key, "channel": suggestion.channel,
              "next": url_for("today.index")}
    if suggestion.article_id:
        fields["article_id"] = suggestion.article_id
    return url_for("touches.create", contact_id=suggestion.contact_id, _external=external,
                   **fields)
