"""The board: open applications in a column per status, each card with its people and next step."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template
from peewee import fn

from crm import followups
from crm.db import among
from crm.models import Application, Company, Contact, Interview, application_people
from crm.pages.forms import StatusForm
from crm.playbook import format_day
from crm.settings import today_for_user
from crm.vocabulary import APPLICATION_STATUSES, CLOSED_STATUSES, OPEN_STATUSES

bp = Blueprint("board", __name__, url_prefix="/applications")

COLUMNS = tuple((value, label) for value, label in APPLICATION_STATUSES if value in OPEN_STATUSES)
CLOSED_SHOWN = 30  # the folded closed column shows the latest; the list has the rest
# On a card, buttons to the other open columns and these closing ones; the rest is on its page.
CLOSING = {"applied": ("rejected",), "interviewing": ("rejected",),
           "offer": ("hired", "rejected")}


@dataclass(frozen=True)
class Face:
    """A person on a card: initials, full name, and whether a suggestion for them is due."""

    contact_id: int
    name: str
    due: bool

    @property
    def initials(self):
        """Up to two letters, from the first and last words of the name."""
        words = self.name.split()
        return "".join(w[0] for w in (words[:1] + words[1:][-1:])).upper() if words else "?"


@dataclass(frozen=True)
class Card:
    """An application as the board shows it."""

    application: Application
    next_step: str
    next_on: date | None
    faces: tuple
    moves: tuple  # (status, label) the card's buttons move it to


@bp.get("/board")
def index():
    """Open applications by status, closed ones folded away, with their people and next steps."""
    today = today_for_user()
    open_apps = list(on_cards().where(Application.status.in_(OPEN_STATUSES))
                     .order_by(Application.applied_on.desc(nulls="LAST"), Application.id.desc()))
    closed = list(on_cards().where(Application.status.in_(CLOSED_STATUSES))
                  .order_by(Application.closed_on.desc(nulls="LAST"), Application.id.desc())
                  .limit(CLOSED_SHOWN))
    closed_total = Application.select().where(Application.status.in_(CLOSED_STATUSES)).count()
    shown = open_apps + closed
    cards = make_cards(shown, today)
    columns = [(value, label, [cards[a.id] for a in open_apps if a.status == value])
               for value, label in COLUMNS]
    return render_template("applications/board.html", columns=columns,
                           closed=[cards[a.id] for a in closed],
                           closed_total=closed_total, form=StatusForm(), today=today,
                           format_day=format_day)


def on_cards():
    """Applications with their company, only the columns a card shows: a pasted job
    description can be long, and a board has a hundred cards."""
    return Application.select(
        Application.id, Application.position, Application.status, Application.applied_on,
        Application.check_in_on, Application.decision_expected_on, Application.closed_on,
        Application.next_steps, Application.referrer, Company.id, Company.name).join(Company)


def make_cards(applications, today):
    """A card per application, in a fixed number of queries however many there are."""
    ids = [a.id for a in applications]
    snapshot = followups.current(today)
    due = snapshot.derive(f"due contacts {today}", lambda: frozenset(
        s.contact_id for s in snapshot.suggestions if s.due <= today))
    people = defaultdict(list)
    for app_id, contact_id in application_people(ids).tuples():
        people[app_id].append(contact_id)
    for application in applications:
        if application.referrer_id:
            people[application.id].append(application.referrer_id)
    wanted = {cid for cids in people.values() for cid in cids}
    names = dict(Contact.select(Contact.id, Contact.name).where(among(Contact.id, wanted))
                 .tuples())
    interviews = dict(Interview.select(Interview.application, fn.MIN(Interview.starts_at))
                      .where(among(Interview.application, ids), Interview.starts_at >= today)
                      .group_by(Interview.application).tuples())
    cards = {}
    for application in applications:
        step, on = next_step(application, interviews.get(application.id), today)
        faces = sorted({Face(cid, names[cid], cid in due) for cid in people[application.id]
                        if cid in names}, key=lambda f: f.name.casefold())
        cards[application.id] = Card(application, step, on, tuple(faces),
                                     moves_from(application.status))
    return cards


def next_step(application, interview_at, today):
    """What comes next and when: the first line of the next steps, else the next dated event."""
    dated = [(on, label) for on, label in (
        (as_day(interview_at), "Interview"), (application.check_in_on, "Check in"),
        (application.decision_expected_on, "Decision expected")) if on and on >= today]
    on, label = min(dated, key=lambda pair: pair[0]) if dated else (None, "")
    typed = application.next_steps.strip().splitlines()
    return (typed[0] if typed else label), on


def as_day(value):
    """The day of a datetime as SQLite returns it from MIN() (text), or None."""
    if value is None:
        return None
    return date.fromisoformat(str(value)[:10])


def moves_from(status):
    """The (status, button text) a card offers: the other open columns, arrows pointing
    their way, then the closing ones."""
    order = [value for value, _ in COLUMNS]
    here = order.index(status) if status in order else None
    moves = [(value, f"← {label}" if here is not None and n < here else
              f"{label} →" if here is not None else label)
             for n, (value, label) in enumerate(COLUMNS) if value != status]
    labels = dict(APPLICATION_STATUSES)
    return tuple(moves + [(value, labels[value]) for value in CLOSING.get(status, ())])

