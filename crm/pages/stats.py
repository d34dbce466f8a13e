"""What works: applications a week, answers and interviews by source, time to an answer."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from flask import Blueprint, render_template
from peewee import Case, fn

from crm.models import Application, Interview
from crm.settings import today_for_user
from crm.vocabulary import APPLICATION_STATUSES, OPEN_STATUSES, SOURCES, THROUGH_A_PERSON

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
    by_source, by_referral = answers_and_interviews()
    waits = days_to_answer()
    open_counts = open_processes()
    through, interviews = interviews_through_a_person()
    return render_template(
        "applications/stats.html", weekly=applications_a_week(today),
        by_source=by_source, by_referral=by_referral, waits=wait_rows(waits),
        median_wait=median(waits) if waits else None, open_counts=open_counts,
        open_total=sum(row.value for row in open_counts), through=through,
        interviews=interviews,
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


def rates(groups, labels):
    """Per group: (applications, answered, interviews) -> rows of answers and interviews."""
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


def answers_and_interviews():
    """Answer rate and interviews per application, by source and by referral against cold."""
    answered = (Application.answered_on.is_null(False)
                | Application.status.in_(["interviewing", "offer", "hired"]))
    referred = (Application.source == "referral") | Application.referrer.is_null(False)
    kind = Case(None, [(referred, "referral")], "cold")
    held = dict(Interview.select(Application.source, fn.COUNT(Interview.id))
                .join(Application).group_by(Application.source).tuples())
    held_kind = dict(Interview.select(kind, fn.COUNT(Interview.id))
                     .join(Application).group_by(kind).tuples())
    sums = (fn.COUNT(Application.id), fn.SUM(Case(None, [(answered, 1)], 0)))
    by_source = {source: (sent, got or 0, held.get(source, 0)) for source, sent, got in
                 Application.select(Application.source, *sums)
                 .group_by(Application.source).tuples()}
    by_kind = {key: (sent, got or 0, held_kind.get(key, 0)) for key, sent, got in
               Application.select(kind, *sums).group_by(kind).tuples()}
    return (rates(by_source, SOURCES),
            rates(by_kind, (("referral", "Referred by someone"), ("cold", "Without a referral"))))


def days_to_answer():
    """Days from applying to the first answer, for each application that has both dates."""
    return [(answered - applied).days for applied, answered in
            Application.select(Application.applied_on, Application.answered_on)
            .where(Application.applied_on.is_null(False), Application.answered_on.is_null(False),
                   Application.answered_on >= Application.applied_on).tuples()]


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


def interviews_through_a_person():
    """(interviews in applications a person brought, all interviews)."""
    person = (Application.source.in_(sorted(THROUGH_A_PERSON))
              | Application.referrer.is_null(False))
    through, total = (Interview.select(fn.SUM(Case(None, [(person, 1)], 0)),
                                       fn.COUNT(Interview.id))
                      .join(Application).tuples().get())
    return through or 0, total
