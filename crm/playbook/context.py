"""Facts derived once from a contact's history and shared by every rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from crm.vocabulary import CLOSED_STATUSES, OPEN_STATUSES, RUNNING_STATUSES

from .facts import ApplicationFacts, History, InterviewFacts, TouchFacts
from .rules import Rules
from .suggestion import format_day


class cached_property:  # noqa: N801 - a drop-in for functools.cached_property
    """functools.cached_property without its lock, which Python 3.11 takes on every first
    read: a Context is read by one thread, and those locks were a tenth of the playbook's time.
    """

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


LETTER_CHANNELS = frozenset({"email", "letter"})
PHONE_CHANNELS = frozenset({"phone", "voicemail"})
# An invitation only asks to connect: it is not a try at getting an answer,
# and it does not hold back the next note.
NOT_A_NOTE = frozenset({"linkedin_invitation"})


@lru_cache(maxsize=1024)  # cadences are per contact, so the spans asked for vary a little
def days(n: int) -> timedelta:
    """A span of `n` days, made once: thousands of contacts ask for the same few spans."""
    return timedelta(days=n)


@dataclass(frozen=True)
class Run:
    """The outbound tries since the contact last spoke with the user.

    `started_by` is "interview", "reply" (an inbound touch or a meeting),
    "handover" (an interview of a process they are the point of contact for,
    whose letters went to the panel), or None when the two have never talked.
    """

    started_on: date | None
    started_by: str | None
    tries: tuple[TouchFacts, ...]

    @property
    def count(self) -> int:
        """Tries used: after a handover the panel's letters were the first."""
        return len(self.tries) + (self.started_by == "handover")


class Context:
    """One contact's history seen on one day, with the questions the rules ask of it."""

    def __init__(self, history: History, today: date, tz: tzinfo, rules: Rules) -> None:
        self.history = history
        self.contact = history.contact
        self.today = today
        self.tz = tz
        self.rules = rules
        touches = history.touches
        self.touches = sorted(touches, key=_in_order) if len(touches) > 1 else list(touches)
        self.notes = [
            t for t in self.touches if not (t.direction == "out" and t.channel in NOT_A_NOTE)
        ]
        self._local_days: dict[datetime, date] = {}
        # Several rules ask for the same role's interviews: each list is built once.
        self._interviews_as: dict[str, list[InterviewFacts]] = {}
        self._current: dict[str, list[InterviewFacts]] = {}

    def day(self, value: date) -> str:
        """Format a date for a reason or title."""
        return format_day(value, self.today)

    def local_day(self, moment: datetime) -> date:
        """The date of a moment where the user lives; the rules ask it of each interview often."""
        day = self._local_days.get(moment)
        if day is None:
            day = self._local_days[moment] = moment.astimezone(self.tz).date()
        return day

    def interview_day(self, interview: InterviewFacts) -> date:
        """The date of the interview where the user lives, which is what "the day after" means."""
        return self.local_day(interview.starts_at)

    def interviews_as(self, role: str) -> list[InterviewFacts]:
        """Interviews this contact took part in as "interviewer" or "assistant", oldest first."""
        if not self.history.interviews:
            return []  # most people: long-term contacts with no process running
        found = self._interviews_as.get(role)
        if found is None:
            cid = self.contact.id
            if role == "interviewer":
                found = [i for i in self.history.interviews if cid in i.interviewer_ids]
            else:
                found = [
                    i
                    for i in self.history.interviews
                    if i.assistant_id == cid and cid not in i.interviewer_ids
                ]
            found = self._interviews_as[role] = sorted(found, key=_start)
        return found

    def current_interviews(self, role: str) -> list[InterviewFacts]:
        """The latest interview already held and any still ahead: a later one makes notes moot."""
        interviews = self.interviews_as(role)
        if not interviews:
            return []
        found = self._current.get(role)
        if found is None:
            held = [i for i in interviews if self.interview_day(i) <= self.today]
            ahead = [i for i in interviews if self.interview_day(i) > self.today]
            found = self._current[role] = held[-1:] + ahead
        return found

    @cached_property
    def taken_part(self) -> list[InterviewFacts]:
        """Interviews this contact took part in, in either role."""
        if not self.history.interviews:
            return []
        return self.interviews_as("interviewer") + self.interviews_as("assistant")

    def application(self, application_id: int | None) -> ApplicationFacts | None:
        """The contact's application with this id, if the caller gave it."""
        for app in self.history.applications:
            if app.id == application_id:
                return app
        return None

    def process_closed(self, interview: InterviewFacts) -> bool:
        """Tell whether the interview's application was rejected, withdrawn or won."""
        app = self.application(interview.application_id)
        return app is not None and app.status in CLOSED_STATUSES

    @cached_property
    def running(self) -> list[ApplicationFacts]:
        """Applications still waiting for a decision, oldest first."""
        if not self.history.applications:
            return []  # most people: long-term contacts with no process running
        running = (a for a in self.history.applications if a.status in RUNNING_STATUSES)
        return sorted(running, key=_id)

    @cached_property
    def open(self) -> list[ApplicationFacts]:
        """Applications still waiting for a decision or holding an offer, oldest first."""
        return sorted((a for a in self.history.applications if a.status in OPEN_STATUSES), key=_id)

    @cached_property
    def latest_rejection(self) -> ApplicationFacts | None:
        """The most recent dated rejection, if any."""
        if not self.history.applications:
            return None
        rejected = [
            a for a in self.history.applications if a.status == "rejected" and a.rejected_on
        ]
        return max(rejected, key=lambda a: (a.rejected_on, a.id), default=None)

    @cached_property
    def in_process_role(self) -> bool:
        """Assistants get a thank-you, not the candidate's check-ins and letters."""
        return self.contact.role != "assistant"

    @cached_property
    def is_long_term(self) -> bool:
        """Long-term by choice, or after a rejection; a new running process comes first."""
        if self.running:
            return False
        if self.contact.status == "long_term":
            return True
        return self.in_process_role and any(
            a.status == "rejected" for a in self.history.applications
        )

    @cached_property
    def last_touch_on(self) -> date | None:
        """The date of the latest note either way."""
        return self.notes[-1].on if self.notes else None

    @cached_property
    def last_outbound_on(self) -> date | None:
        """The date of the latest note the user sent."""
        return max((t.on for t in self.notes if t.direction == "out"), default=None)

    def not_before(self, last: date | None) -> date | None:
        """The first day a new note keeps the minimum gap after `last`."""
        return last + days(self.rules.min_gap_days) if last else None

    def wrote_after(self, day: date, at: time | None) -> bool:
        """Tell whether the user sent an email or letter after the moment `day`, `at`.

        On that day itself only a touch with a later time counts: a morning email
        confirming the time is not the letter, and a note without a time may
        have been either, so the suggestion stays (Done or Skip settles it).
        """
        return any(
            t.direction == "out"
            and t.channel in LETTER_CHANNELS
            and (t.on > day or (t.on == day and None not in (t.at, at) and t.at > at))
            for t in self.touches
        )

    def wrote_since(self, day: date) -> bool:
        """Tell whether the user sent an email or letter on or after `day`, at any time."""
        return self.wrote_after(day - timedelta(days=1), None)

    def wrote_after_interview(self, interview: InterviewFacts) -> bool:
        """Tell whether a letter went out after the interview began, in the user's time."""
        start = interview.starts_at.astimezone(self.tz)
        return self.wrote_after(start.date(), start.time().replace(tzinfo=None))

    def touched_since(self, day: date) -> bool:
        """Tell whether any note either way happened on or after `day`."""
        return any(t.on >= day for t in self.notes)

    @cached_property
    def invited_on_linkedin(self) -> bool:
        """Already connected, or an invitation already went out."""
        return self.contact.linkedin_connected or any(
            t.channel == "linkedin_invitation" and t.direction == "out" for t in self.touches
        )

    @cached_property
    def sent_article_ids(self) -> frozenset[int]:
        """Articles already sent to this contact, never to be suggested again."""
        return frozenset(t.article_id for t in self.touches if t.article_id is not None)

    @cached_property
    def finished_keys(self) -> frozenset[str]:
        """Keys marked done or skipped, or carried by a logged touch."""
        keys = {t.suggestion_key for t in self.touches if t.suggestion_key}
        if self.history.states:
            keys.update(k for k, s in self.history.states.items() if s.state in ("done", "skipped"))
        return frozenset(keys)

    def finished(self, key: str) -> bool:
        """Tell whether the suggestion with this key was done or skipped."""
        return key in self.finished_keys

    @cached_property
    def handovers(self) -> list[date]:
        """Days of held interviews in processes this contact is the point of contact for,
        without sitting on the panel: the letters went to the panel, the chasing is theirs."""
        own = {self.interview_day(i) for i in self.taken_part}
        return [
            day
            for app in self.running
            if app.check_in_with == self.contact.id
            for starts_at in app.interviews_at
            if (day := self.local_day(starts_at)) <= self.today and day not in own
        ]

    @cached_property
    def run(self) -> Run:
        """Walk the story in order; a conversation starts a new run of tries."""
        held = [
            (self.interview_day(i), 0, "interview")
            for i in self.taken_part
            if self.interview_day(i) <= self.today
        ]
        held += [(day, 0, "handover") for day in self.handovers]
        events = held + [(t.on, 1, t) for t in self.notes]
        started_on, started_by, tries = None, None, []
        # Stable sort keeps the touches' own order; an interview opens its day.
        for day, _, touch in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(touch, str):
                started_on, started_by, tries = day, touch, []
            elif touch.direction == "in" or touch.channel == "meeting":
                started_on, started_by, tries = day, "reply", []
            else:
                tries.append(touch)
        return Run(started_on, started_by, tuple(tries))

    @cached_property
    def tries_exhausted(self) -> bool:
        """Three tries and you are done, until they answer."""
        return self.run.count >= self.rules.max_unanswered_tries

    @cached_property
    def calls_this_process(self) -> int:
        """Calls and voicemails since the running processes began: one call per process,
        whatever replies came in between."""
        starts = [a.applied_on for a in self.running if a.applied_on]
        starts += [self.local_day(at) for a in self.running for at in a.interviews_at]
        since = min(starts, default=None)
        return sum(
            1
            for t in self.notes
            if t.direction == "out"
            and t.channel in PHONE_CHANNELS
            and (since is None or t.on >= since)
        )

    @cached_property
    def interview_ahead(self) -> bool:
        """Tell whether an interview with this contact, or of a process they are the point
        of contact for, is still ahead: until it is held there is nothing to chase."""
        mine = (self.interview_day(i) for i in self.taken_part)
        named = (
            self.local_day(at)
            for app in self.running
            if app.check_in_with == self.contact.id
            for at in app.interviews_at
        )
        return any(day > self.today for day in (*mine, *named))


def _id(app: ApplicationFacts) -> int:
    return app.id


def _start(interview: InterviewFacts) -> datetime:
    return interview.starts_at


def _in_order(touch: TouchFacts) -> tuple:
    """Touches by day and time; without a time, assume your note went out before their
    reply arrived: a reply logged the day you wrote answers what you wrote."""
    default = time.max if touch.direction == "in" else time.min
    return (touch.on, touch.at or default, touch.direction == "in", touch.id)
