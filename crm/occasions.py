"""Suggestions grouped by what they answer, then by person, as Today and a contact's page show them.

One rejection, one interview, one news article, one event, a resume update, a
stay-in-touch batch: each is a group whose heading and reason are said once,
with a row per person holding that person's actions for it (the LinkedIn
invitation folded in beside the letter). Pure: page items and the playbook's
histories in, groups out.
"""

from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from crm.playbook import format_day

# What each kind asks of the user, for one person and for several ("{who}" is a
# name or "3 people").
ASKS = {
    "followthrough": ("send {who} a follow-through letter",
                      "send {who} a follow-through letter each"),
    "keep_in_mind": ("ask {who} to keep you in mind",) * 2,
    "referral_outcome": ("tell {who} how it ended",) * 2,
    "checkin": ("check in with {who}",) * 2,
    "send_resume": ("send {who} your updated resume",) * 2,
    "assistant_thanks": ("thank {who} for their hospitality",) * 2,
    "referral_thanks": ("thank {who} for referring you",) * 2,
    "linkedin": ("invite {who} to connect on LinkedIn",) * 2,
    "congratulate": ("congratulate {who}",) * 2,
    "congratulate_new_role": ("congratulate {who} on the new role",
                              "congratulate {who} on their new roles"),
    "see_you_at_event": ("tell {who} you hope to see them there",) * 2,
    "stay_in_touch_article": ("forward it to {who}",) * 2,
    "stay_in_touch": ("say hello to {who}",) * 2,
}
PHONE_CHECK_IN = ("call {who} to check in",) * 2


@dataclass
class Row:
    """One person's actions for one occasion: the main one first, then any folded in."""

    contact: object
    items: list

    @property
    def main(self):
        """The action the row's buttons answer."""
        return self.items[0]

    @property
    def extras(self):
        """Actions folded into the row beside the main one (the LinkedIn invitation)."""
        return self.items[1:]


@dataclass
class Group:
    """Everything one occasion asks: a heading, the reason when all rows share it, the rows."""

    key: tuple
    heading: str
    reason: str | None
    rows: list

    @property
    def due(self):
        """The earliest day an action of the group is due."""
        return min(row.main.suggestion.due for row in self.rows)

    @property
    def late(self):
        """Tell whether any action of the group is past its deadline."""
        return any(item.late for row in self.rows for item in row.items)

    @property
    def done_for_all(self):
        """The keys "Done for all" logs: each row's main action, but an invitation only
        where nothing else is asked (letters sent do not mean invitations sent)."""
        mains = [row.main.suggestion for row in self.rows]
        chosen = [s for s in mains if s.kind != "linkedin"] or mains
        return [s.key for s in chosen]

    @property
    def same_due(self):
        """Tell whether every row's main action is due the same day (said once, then)."""
        return len({row.main.suggestion.due for row in self.rows}) == 1


def occasion(suggestion):
    """What a suggestion answers, as a key shared by the suggestions of one occasion."""
    kind = suggestion.kind
    if kind == "keep_in_mind" or (kind == "linkedin" and suggestion.interview_id is None):
        return ("rejection", suggestion.application_id)
    if suggestion.interview_id is not None:
        return ("interview", suggestion.interview_id)
    if kind in ("checkin", "referral_thanks", "referral_outcome"):
        return (kind, suggestion.application_id)
    if suggestion.article_id is not None:
        return ("article", suggestion.article_id)
    if suggestion.event_id is not None:
        return ("event", suggestion.event_id)
    return (kind,)  # a batch: the updated resume, new roles, saying hello


def group(items, histories, today, tz):
    """Group page items by occasion, then person; groups and rows keep the items' order."""
    by_occasion = {}
    for item in items:
        by_occasion.setdefault(occasion(item.suggestion), []).append(item)
    groups = []
    for key, members in by_occasion.items():
        members.sort(key=lambda i: (i.contact.id, i.suggestion.importance))
        rows = [Row(found[0].contact, found) for found in
                (list(same) for _, same in groupby(members, key=lambda i: i.contact.id))]
        rows.sort(key=lambda r: (r.main.suggestion.due, r.contact.name.casefold()))
        # The reason most rows share is said once; a row with another says its own.
        reasons = Counter(row.main.suggestion.reason for row in rows).most_common()
        shared = reasons[0][0] if len(rows) == 1 or reasons[0][1] > 1 else None
        history = histories.get(rows[0].contact.id)
        heading = f"{_occasion_words(key, rows[0].main.suggestion, history, today, tz)}: " \
                  f"{_asks(rows)}"
        groups.append(Group(key, heading[0].upper() + heading[1:], shared, rows))
    groups.sort(key=lambda g: (g.due, g.rows[0].main.suggestion.importance, g.heading))
    return groups


def _asks(rows):
    """What the group asks, kind by kind: "ask 3 people to keep you in mind"."""
    parts = []
    for kind, found in groupby(sorted(rows, key=lambda r: r.main.suggestion.importance),
                               key=lambda r: r.main.suggestion.kind):
        found = list(found)
        phone = kind == "checkin" and all(r.main.suggestion.channel == "phone" for r in found)
        one, several = PHONE_CHECK_IN if phone else ASKS[kind]
        who = found[0].contact.name if len(found) == 1 else f"{len(found)} people"
        parts.append((one if len(found) == 1 else several).format(who=who))
    return " and ".join(parts)


def _occasion_words(key, suggestion, history, today, tz):
    """The occasion in a few words: "Meridian said no (Sat 28 Nov)"."""
    what = key[0]
    if what in ("rejection", "checkin", "referral_thanks", "referral_outcome"):
        app = _find(history.applications + history.referrals, suggestion.application_id)
        company = app.company if app else ""
        if what == "rejection":
            day = f" ({format_day(app.rejected_on, today)})" if app and app.rejected_on else ""
            return f"{company or 'They'} said no{day}"
        if what == "checkin":
            position = f", {app.position}" if app and app.position else ""
            return f"{company or 'Your application'}{position}"
        return f"Your referral to {company or 'the company'}"
    if what == "interview":
        interview = _find(history.interviews, suggestion.interview_id)
        if interview is None:
            return "Interview"
        day = format_day(interview.starts_at.astimezone(tz).date(), today)
        at = f" at {interview.company}" if interview.company else ""
        return f"Interview{at} ({day})"
    if what == "article":
        article = _find(history.articles, suggestion.article_id)
        return f"News: “{article.title}”" if article else "News"
    if what == "event":
        event = _find(history.events, suggestion.event_id)
        return f"{event.name} ({format_day(event.starts_on, today)})" if event else "An event"
    if what == "send_resume" and history.resume_updated_on:
        return f"Resume updated ({format_day(history.resume_updated_on, today)})"
    return {"send_resume": "Resume updated", "congratulate_new_role": "New roles"}.get(
        what, "Stay in touch")


def _find(records, record_id):
    return next((r for r in records if r.id == record_id), None)
