"""The playbook's timings in one place: defaults from the advice, changeable in settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def _setting(default: int | bool, label: str, low: int = 0, high: int = 0) -> Any:
    return field(default=default, metadata={"label": label, "low": low, "high": high})


class RuleField(NamedTuple):
    """One setting as a settings page shows it."""

    name: str
    label: str
    default: int | bool
    minimum: int | None
    maximum: int | None


@dataclass(frozen=True, kw_only=True)
class Rules:
    """Every timing of the follow-up playbook; the defaults are the seeds' advice."""

    followthrough_due_days: int = _setting(
        1, "Follow-through letter: days after the interview", 0, 14
    )
    followthrough_late_hours: int = _setting(
        48, "Follow-through letter: late after this many hours", 1, 336
    )
    linkedin_within_days: int = _setting(2, "LinkedIn invitation: days after the interview", 0, 30)
    assistant_thanks_within_days: int = _setting(
        2, "Thank-you to the assistant: days after the interview", 0, 30
    )
    checkin_interval_days: int = _setting(7, "Check in this many days after your last note", 1, 90)
    min_gap_days: int = _setting(7, "Never two notes to one person within (days)", 0, 90)
    max_unanswered_tries: int = _setting(
        3, "Stop after this many unanswered tries (the letter is the first)", 1, 10
    )
    max_phone_calls: int = _setting(1, "Phone calls per process", 0, 5)
    keep_in_mind_days: int = _setting(1, "'Keep me in mind' letter: days after a rejection", 0, 30)
    referral_thanks_days: int = _setting(
        1, "Thank whoever referred you: days after you apply", 0, 30
    )
    referral_outcome_days: int = _setting(
        1, "Tell whoever referred you how it ended: days after it closes", 0, 30
    )
    long_term_cadence_days: int = _setting(
        90, "Stay in touch with long-term contacts every (days)", 7, 730
    )
    event_lead_days: int = _setting(14, "'Hope to see you at' note: days before the event", 0, 180)
    news_max_age_days: int = _setting(30, "Only suggest news up to this many days old", 1, 365)
    suggest_resume_updates: bool = _setting(
        True, "Suggest sending an updated resume to open processes"
    )

    def __post_init__(self) -> None:
        for spec in self.fields_for_settings():
            value = getattr(self, spec.name)
            if isinstance(spec.default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{spec.label} must be yes or no.")
            elif not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{spec.label} must be a whole number.")
            elif not spec.minimum <= value <= spec.maximum:
                raise ValueError(f"{spec.label} must be between {spec.minimum} and {spec.maximum}.")
        if self.followthrough_late_hours < 24 * self.followthrough_due_days:
            raise ValueError("The follow-through letter cannot be late before it is due.")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Rules:
        """Build rules from stored settings or a form, ignoring keys that are not rules."""
        values = {}
        for spec in cls.fields_for_settings():
            if spec.name in mapping:
                values[spec.name] = _parse(spec, mapping[spec.name])
        return cls(**values)

    @classmethod
    def fields_for_settings(cls) -> tuple[RuleField, ...]:
        """List each rule with its label, default and range, in display order."""
        return tuple(
            RuleField(
                name=f.name,
                label=f.metadata["label"],
                default=f.default,
                minimum=None if isinstance(f.default, bool) else f.metadata["low"],
                maximum=None if isinstance(f.default, bool) else f.metadata["high"],
            )
            for f in fields(cls)
        )


DEFAULT_RULES = Rules()


def _parse(spec: RuleField, raw: Any) -> int | bool:
    """Turn a stored or typed value into the rule's type; form fields arrive as text."""
    if isinstance(spec.default, bool):
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ValueError(f"{spec.label} must be yes or no, not {raw!r}.")
    if isinstance(raw, str) and re.fullmatch(r"-?[0-9]+", raw.strip()):
        return int(raw.strip())
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise ValueError(f"{spec.label} must be a whole number, not {raw!r}.")
