"""Rules for a running process: after the interview, check-ins, rejection, a new resume."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from operator import itemgetter

from .context import PHONE_CHANNELS, Context, days
from .facts import ApplicationFacts, InterviewFacts
from .suggestion import Suggestion, position_phrase


def followthrough_letters(ctx: Context) -> Iterator[Suggestion]:
    """A customised follow-through letter the day after each interview this contact conducted."""
    rules, contact = ctx.rules, ctx.contact
    for interview in ctx.current_interviews("interviewer"):
        held = ctx.interview_day(interview)
        if ctx.process_closed(interview) or ctx.wrote_after_interview(interview):
            continue
        local_start = interview.starts_at.astimezone(ctx.tz)
        late = (local_start + timedelta(hours=rules.followthrough_late_hours)).date()
        yield Suggestion(
            key=f"followthrough:interview:{interview.id}:contact:{contact.id}",
            contact_id=contact.id,
            kind="followthrough",
            title=f"Send {contact.name} a follow-through letter",
            due=held + timedelta(days=rules.followthrough_due_days),
            late=late,
            fixed=True,
            reason=(
                f"Interview on {ctx.day(held)}{_about(interview)}; the follow-through letter "
                f"is due {_days_after(rules.followthrough_due_days)} and late after "
                f"{ctx.day(late)}."
            ),
            channel="email",
            interview_id=interview.id,
            application_id=interview.application_id,
        )


def linkedin_invitation(ctx: Context) -> Iterator[Suggestion]:
    """One LinkedIn invitation with a personal note, after an interview or a rejection."""
    if not (ctx.history.interviews or ctx.history.applications) or ctx.invited_on_linkedin:
        return  # nothing happened to connect about, or already connected or invited
    rules, contact = ctx.rules, ctx.contact
    occasions: list[tuple[date, InterviewFacts | ApplicationFacts]] = [
        (ctx.interview_day(i), i)
        for i in ctx.current_interviews("interviewer")
        if not ctx.process_closed(i)
    ]
    rejection = ctx.latest_rejection
    if rejection and ctx.in_process_role:
        occasions.append((rejection.rejected_on, rejection))
    if not occasions:
        return
    # One invitation is enough: the latest occasion already past, else the next one.
    past = [o for o in occasions if o[0] <= ctx.today]
    on, occasion = max(past, key=itemgetter(0)) if past else min(occasions, key=itemgetter(0))
    if isinstance(occasion, InterviewFacts):
        key = f"linkedin:interview:{occasion.id}:contact:{contact.id}"
        due = on + days(min(rules.followthrough_due_days, rules.linkedin_within_days))
        late = on + days(rules.linkedin_within_days)
        reason = (
            f"Interview on {ctx.day(on)}{_about(occasion)}; invite them to connect within "
            f"{_days(rules.linkedin_within_days)}, reminding them who you are and that you "
            "want to stay in touch whatever the outcome."
        )
        interview_id, application_id = occasion.id, occasion.application_id
    else:
        key = f"linkedin:application:{occasion.id}:contact:{contact.id}"
        due, late = on + days(rules.keep_in_mind_days), None
        reason = (
            f"Not selected{_about(occasion)} ({ctx.day(on)}); connect on LinkedIn so "
            "they stay a contact for future openings."
        )
        interview_id, application_id = None, occasion.id
    yield Suggestion(
        key=key,
        contact_id=contact.id,
        kind="linkedin",
        title=f"Invite {contact.name} to connect on LinkedIn",
        due=due,
        late=late,
        fixed=True,
        reason=reason,
        channel="linkedin_invitation",
        interview_id=interview_id,
        application_id=application_id,
    )


def assistant_thanks(ctx: Context) -> Iterator[Suggestion]:
    """A short thank-you for their hospitality to the assistant who looked after you."""
    rules, contact = ctx.rules, ctx.contact
    for interview in ctx.current_interviews("assistant"):
        held = ctx.interview_day(interview)
        within = rules.assistant_thanks_within_days
        due = held + timedelta(days=min(rules.followthrough_due_days, within))
        if _closed_before(ctx, interview, due) or ctx.wrote_after_interview(interview):
            continue
        yield Suggestion(
            key=f"assistant_thanks:interview:{interview.id}:contact:{contact.id}",
            contact_id=contact.id,
            kind="assistant_thanks",
            title=f"Thank {contact.name} for their hospitality",
            due=due,
            late=held + timedelta(days=within),
            fixed=True,
            reason=(
                f"They looked after you at the interview on {ctx.day(held)}; a short "
                f"thank-you within {_days(within)} leaves a good impression with someone "
                "who has the hiring manager's ear."
            ),
            channel="email",
            interview_id=interview.id,
            application_id=interview.application_id,
        )


def check_in(ctx: Context) -> Iterator[Suggestion]:
    """While the process runs: check in on the agreed date, else a week after the last note."""
    apps = _followed_up_here(ctx, ctx.running)
    if not (apps and ctx.contact.may_follow_up and ctx.in_process_role):
        return
    # A date agreed with them is their answer: it stands after three unanswered tries.
    check = _agreed_check_in(ctx, apps, agreed_only=ctx.tries_exhausted)
    if check is None and not ctx.interview_ahead and not ctx.tries_exhausted:
        check = _weekly_check_in(ctx, apps[-1])  # with an interview ahead, nothing to chase
    if check is not None:
        yield check


def _agreed_check_in(
    ctx: Context, apps: list[ApplicationFacts], agreed_only: bool
) -> Suggestion | None:
    """The earliest agreed check-in or expected decision date nobody has talked since."""
    pending = [
        (on, agreed_with_them, app)
        for app in apps
        for on, agreed_with_them in ((app.check_in_on, True), (app.decision_expected_on, False))
        if on and not ctx.touched_since(on) and (agreed_with_them or not agreed_only)
    ]
    if not pending:
        return None
    on, agreed_with_them, app = min(pending, key=lambda p: (p[0], not p[1], p[2].id))
    if agreed_with_them:
        # They chose the date, so it stands even if it falls soon after your last note.
        due, reason = on, f"You agreed to check in on {ctx.day(on)}{_about(app)}."
        if agreed_only:
            reason += " They chose the date, so it stands although your tries went unanswered."
    else:
        due = max(on, ctx.not_before(ctx.last_outbound_on) or on)
        reason = (
            f"The decision{_about(app)} was expected on {ctx.day(on)}; say you are still "
            "interested and ask how the process is going."
        )
        if due != on:
            gap = _days(ctx.rules.min_gap_days)
            reason += f" Wait until {ctx.day(due)} to keep {gap} after your last note."
    key = f"checkin:application:{app.id}:contact:{ctx.contact.id}:on:{on.isoformat()}"
    return _check_in_suggestion(ctx, key, due, reason, app, fixed=agreed_with_them)


def _weekly_check_in(ctx: Context, app: ApplicationFacts) -> Suggestion | None:
    """A week after the last note, the next of the unanswered tries."""
    run, rules = ctx.run, ctx.rules
    if not run.tries and run.started_by not in ("reply", "handover"):
        return None  # after an interview the follow-through letter is the first try
    if run.tries or run.started_by == "reply":
        after = ctx.last_touch_on
    else:  # a week after the panel's letters went out
        after = max(run.started_on + timedelta(days=rules.followthrough_due_days),
                    ctx.last_touch_on or run.started_on)
    due = after + timedelta(days=rules.checkin_interval_days)
    due = max(due, ctx.not_before(ctx.last_outbound_on) or due)
    number = run.count + 1
    if run.tries:
        last = run.tries[-1]
        since = f"No answer since your {_channel_words(last.channel)} on {ctx.day(last.on)}"
    elif run.started_by == "handover":
        since = (f"You named them as the point of contact after the interview on "
                 f"{ctx.day(run.started_on)}, and the follow-through letters were the first try")
    else:
        since = f"Last heard from them on {ctx.day(run.started_on)}"
    key = f"checkin:contact:{ctx.contact.id}:run:{run.started_on or 'start'}:try:{number}"
    reason = (
        f"{since}; say you are still interested and ask how the process is going "
        f"(try {number} of {rules.max_unanswered_tries})."
    )
    return _check_in_suggestion(ctx, key, due, reason, app, fixed=False)


def _check_in_suggestion(
    ctx: Context, key: str, due: date, reason: str, app: ApplicationFacts, fixed: bool
) -> Suggestion:
    channel = _check_in_channel(ctx)
    name = ctx.contact.name
    if channel == "phone":
        reason += " Call once and leave one calm message offering anything else they need."
    return Suggestion(
        key=key,
        contact_id=ctx.contact.id,
        kind="checkin",
        title=f"Call {name} to check in" if channel == "phone" else f"Check in with {name}",
        due=due,
        reason=reason,
        channel=channel,
        fixed=fixed,
        application_id=app.id,
    )


def _check_in_channel(ctx: Context) -> str:
    """The article's order is letter, phone message, email; one call per process, as in
    "leave one (only one) follow up call": a reply resets the tries, not the call."""
    call_left = ctx.calls_this_process < ctx.rules.max_phone_calls
    preferred = ctx.contact.preferred_channel
    if preferred in PHONE_CHANNELS or (not preferred and ctx.run.count):
        return "phone" if call_left else "email"
    return preferred or "email"


def keep_in_mind(ctx: Context) -> Iterator[Suggestion]:
    """After a rejection, a letter the next day asking them to keep you in mind."""
    app = ctx.latest_rejection
    if app is None or not ctx.in_process_role:
        return
    if ctx.wrote_after(app.rejected_on, app.rejected_at):
        return  # a note written that morning, before the news, is not this letter
    contact = ctx.contact
    yield Suggestion(
        key=f"keepinmind:application:{app.id}:contact:{contact.id}",
        contact_id=contact.id,
        kind="keep_in_mind",
        title=f"Ask {contact.name} to keep you in mind",
        due=app.rejected_on + timedelta(days=ctx.rules.keep_in_mind_days),
        fixed=True,
        reason=(
            f"Not selected{_about(app)} ({ctx.day(app.rejected_on)}); say you enjoyed "
            "meeting them and ask them to keep you in mind for future positions."
        ),
        channel="email",
        application_id=app.id,
    )


def send_resume(ctx: Context) -> Iterator[Suggestion]:
    """After a resume update, send the new version to people in processes still open."""
    updated = ctx.history.resume_updated_on
    contact = ctx.contact
    if not (updated and ctx.rules.suggest_resume_updates and contact.may_follow_up):
        return
    apps = [
        a
        for a in _followed_up_here(ctx, ctx.open)
        if a.applied_on is None or a.applied_on < updated  # they already have the new one
    ]
    if not apps or not ctx.in_process_role or ctx.tries_exhausted:
        return
    app = apps[-1]
    due = max(updated, ctx.not_before(ctx.last_outbound_on) or updated)
    yield Suggestion(
        key=f"resume:{updated.isoformat()}:contact:{contact.id}",
        contact_id=contact.id,
        kind="send_resume",
        title=f"Send {contact.name} your updated resume",
        due=due,
        reason=(
            f"You updated your resume on {ctx.day(updated)} and the process{_about(app)} "
            "is still open; send the revamped version."
        ),
        channel="email",
        application_id=app.id,
    )


def _closed_before(ctx: Context, interview: InterviewFacts, due: date) -> bool:
    """Tell whether the process closed before a thank-you came due: a rejection after that
    day does not take back thanks for hospitality that was given either way."""
    if not ctx.process_closed(interview):
        return False
    app = ctx.application(interview.application_id)
    return app.rejected_on is None or app.rejected_on < due


def _followed_up_here(ctx: Context, apps: list[ApplicationFacts]) -> list[ApplicationFacts]:
    """Applications whose follow-ups go to this contact (all, unless one person is named)."""
    return [a for a in apps if a.check_in_with in (None, ctx.contact.id)]


def _about(record: InterviewFacts | ApplicationFacts) -> str:
    phrase = position_phrase(record.position, record.company)
    return f" for {phrase}" if phrase else ""


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _days_after(n: int) -> str:
    return {0: "the same day", 1: "the day after"}.get(n, f"{n} days after")


def _channel_words(channel: str) -> str:
    return channel.replace("linkedin_", "LinkedIn ").replace("_", " ")
