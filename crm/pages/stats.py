"""What works: applications a week, answers and interviews by source, time to an answer."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from flask import Blueprint, render_template
from peewee import Case, fn

from crm.followups import as_date, raw_rows
from crm.models import Application, Interview
from crm.settings import today_for_user
from crm.vocabulary import (
    ANSWERED_STATUSES,
    APPLICATION_STATUSES,
    OPEN_STATUSES,
    SOURCES,
    THROUGH_A_PERSON,
)

bp = Blueprint("stats", __name__, url_prefix="/applications")

WEEKS = 12
# Days from applying to the first answer, in the bands job seekers talk about.
WAIT_BANDS = (("Within 3 days", 3), ("4 to 7 days", 7), ("1 to 2 weeks", 14),
              ("2 to 4 weeks", 30), ("Longer", None))


@dataclass(frozen=True)
class Row:
    """One bar of a chart: its label, its value, and the figure written beside it."""

    label: str
    value: float
    figure: str


@bp.get("/stats")
def index():
    """The numbers a job seeker asks about their search, as charts with their figures."""
    today = today_for_user()
    counts = tallies()
    waits = days_to_answer()
    open_counts = open_processes()
    through = sum(held for (source, referred), (_, _, held) in counts.items()
                  if referred or source in THROUGH_A_PERSON)
    interviews = sum(held for _, _, held in counts.values())
    return render_template(
        "applications/stats.html", weekly=applications_a_week(today),
        by_source=rates(grouped(counts, lambda source, _: source), SOURCES),
        by_referral=rates(grouped(counts, lambda source, referred: "referral" if referred or
                                  source == "referral" else "cold"),
                          (("referral", "Referred by someone"), ("cold", "Without a referral"))),
        waits=wait_rows(waits), median_wait=median(waits) if waits else None,
        open_counts=open_counts, open_total=sum(row.value for row in open_counts),
        through=through, interviews=interviews,
        through_share=round(100 * through / interviews) if interviews else None)


def applications_a_week(today):
    """Applications sent in each of the last weeks (Monday to Sunday), oldest first."""
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(weeks=WEEKS - 1)
    counts = Counter()
    for day, count in (Application.select(Application.applied_on, fn.COUNT(Application.id))
                       .where(Application.applied_on >= start, Application.applied_on <= today)
                       .group_by(Application.applied_on).tuples()):
        counts[(day - start).days // 7] += count
    weeks = [start + timedelta(weeks=n) for n in range(WEEKS)]
    return [Row(f"{week:%-d %b}", counts[n], str(counts[n])) for n, week in enumerate(weeks)]


def tallies():
    """(source, whether someone referred you) -> [applications, answered, interviews], in two
    queries: every other figure adds these up."""
    referred = Application.referrer.is_null(False)
    # Applications from before the first-answer date was recorded count by their status.
    answered = (Application.answered_on.is_null(False)
                | Application.status.in_(sorted(ANSWERED_STATUSES)))
    counts = {}
    for source, has_referrer, sent, got in (
            Application.select(Application.source, referred, fn.COUNT(Application.id),
                               fn.SUM(Case(None, [(answered, 1)], 0)))
            .group_by(Application.source, referred).tuples()):
        counts[source, bool(has_referrer)] = [sent, got or 0, 0]
    for source, has_referrer, held in (
            Interview.select(Application.source, referred, fn.COUNT(Interview.id))
            .join(Application).group_by(Application.source, referred).tuples()):
        counts[source, bool(has_referrer)][2] = held
    return counts


def grouped(counts, key):
    """The tallies added up by key(source, referred)."""
    totals = {}
    for (source, referred), values in counts.items():
        total = totals.setdefault(key(source, referred), [0, 0, 0])
        for n, value in enumerate(values):
            total[n] += value
    return totals


def rates(groups, labels):
    """Rows of the answer rate and of interviews per application, for each labelled group."""
    answers, interviews = [], []
    for key, label in labels:
        sent, answered, held = groups.get(key, (0, 0, 0))
        if not sent:
            continue
        share = answered / sent
        answers.append(Row(f"{label} ({sent})", share, f"{round(100 * share)}% ({answered} of "
                                                       f"{sent})"))
        interviews.append(Row(f"{label} ({sent})", held / sent,
                              f"{held / sent:.2f} ({held} in {sent})"))
    return answers, interviews


def days_to_answer():
    """Days from applying to the first answer, for each application that has both dates."""
    # The driver's rows: converting thousands of dates through peewee cost most of the page.
    return [(as_date(answered) - as_date(applied)).days for applied, answered in raw_rows(
        Application.select(Application.applied_on, Application.answered_on)
        .where(Application.applied_on.is_null(False), Application.answered_on.is_null(False),
               Application.answered_on >= Application.applied_on))]


def wait_rows(waits):
    """The waits counted in bands."""
    counts = Counter(next(label for label, most in WAIT_BANDS if most is None or days <= most)
                     for days in waits)
    return [Row(label, counts[label], str(counts[label])) for label, _ in WAIT_BANDS]


def open_processes():
    """How many applications are open, per open status."""
    counts = dict(Application.select(Application.status, fn.COUNT(Application.id))
                  .where(Application.status.in_(OPEN_STATUSES))
                  .group_by(Application.status).tuples())
    return [Row(label, counts.get(value, 0), str(counts.get(value, 0)))
            for value, label in APPLICATION_STATUSES if value in OPEN_STATUSES]
