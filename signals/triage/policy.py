"""The triage policy as a typed, validated model (built from a plain dict, e.g. parsed YAML).

Validation fails loudly on anything a worker would otherwise meet as a wrong task: an unknown
contact kind, a team without capacity, a reason template with a placeholder we never fill.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from signals.ddas import CONTACT_KINDS, PARTNER_TYPES

SignalCheck = Literal[
    "not_resident",
    "no_consent",
    "below_minimum_amount",
    "outside_day_window",
    "repeat_not_increased",
]
TaskCondition = Literal["relapse", "rent_arrears", "young_adult", "multiple_partners", "always"]

#: Placeholders each template may use (filled by the rules and task builder).
SIGNAL_PLACEHOLDERS = frozenset({"amount", "minimum_amount", "days", "lookback_days"})
TASK_PLACEHOLDERS = frozenset(
    {"previous_outcome", "arrears_months", "joint_with", "age", "partner_count", "total_amount"}
)
CRISIS_PLACEHOLDERS = frozenset({"crisis_kinds", "due_working_days"})


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_template(template: str, allowed: frozenset[str]) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    unknown = fields - allowed
    if unknown:
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    return template


def _check_contact_kind(kind: str) -> str:
    if kind not in CONTACT_KINDS:
        raise ValueError(f"{kind!r} is not a DDAS contact kind; use one of {CONTACT_KINDS}")
    return kind


class Calendar(_Model):
    country: Literal["NL"] = "NL"
    liberation_day: Literal["every_year", "lustrum"] = "every_year"


class SignalRule(_Model):
    id: str
    check: SignalCheck
    reason_nl: str

    @field_validator("reason_nl")
    @classmethod
    def _template(cls, value: str) -> str:
        return _check_template(value, SIGNAL_PLACEHOLDERS)


class DayWindow(_Model):
    min_days: int | None = Field(default=None, ge=0)
    max_days: int | None = Field(default=None, ge=0)


class AgeRange(_Model):
    min_age: int = Field(ge=0)
    max_age: int = Field(ge=0)


class RentArrears(_Model):
    partner_types: tuple[str, ...] = ("Huur",)
    min_months: float = Field(gt=0)


class MultiplePartners(_Model):
    case_types: tuple[str, ...] = ("meervoudig",)


class TaskRule(_Model):
    id: str
    when: TaskCondition
    team: str
    contact_kind: str
    follow_up_kind: str | None = None
    joint_with: str | None = None
    due_working_days: int = Field(ge=0)
    reason_nl: str

    @field_validator("contact_kind", "follow_up_kind")
    @classmethod
    def _kind(cls, value: str | None) -> str | None:
        return None if value is None else _check_contact_kind(value)

    @field_validator("reason_nl")
    @classmethod
    def _template(cls, value: str) -> str:
        return _check_template(value, TASK_PLACEHOLDERS)


class Crisis(_Model):
    due_working_days: int = Field(ge=0)
    reason_nl: str
    kinds_nl: dict[str, str]

    @field_validator("reason_nl")
    @classmethod
    def _template(cls, value: str) -> str:
        return _check_template(value, CRISIS_PLACEHOLDERS)


class PersonalContact(_Model):
    case_types: tuple[str, ...]
    relapse: bool = True
    contact_kind: str
    reason_nl: str

    @field_validator("contact_kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _check_contact_kind(value)


class Instrument(_Model):
    name: str


class Microkrediet(Instrument):
    max_total_amount: float = Field(gt=0)
    personal_contact_kinds: tuple[str, ...]


class Geldfit(Instrument):
    partners: tuple[str, ...]


class Instruments(_Model):
    voorzieningenwijzer: Instrument
    microkrediet: Microkrediet
    geldfit: Geldfit
    schuldhulpmaatje: Instrument


class Team(_Model):
    name: str
    weekly_capacity: int = Field(ge=1)


class TriagePolicy(_Model):
    """A municipality's triage policy; ``version`` is recorded on every decision and task."""

    version: str = Field(min_length=1)
    effective_from: date
    calendar: Calendar = Calendar()
    signal_rules: tuple[SignalRule, ...]
    picked_up_reason_nl: str
    minimum_amount: float = Field(ge=0)
    day_windows: dict[str, DayWindow] = {}
    repeat_lookback_days: int = Field(ge=0)
    young_adult: AgeRange
    rent_arrears: RentArrears
    multiple_partners: MultiplePartners
    task_rules: tuple[TaskRule, ...] = Field(min_length=1)
    crisis: Crisis
    personal_contact: PersonalContact
    instruments: Instruments
    teams: tuple[Team, ...] = Field(min_length=1)

    @field_validator("day_windows")
    @classmethod
    def _partner_types(cls, value: dict[str, DayWindow]) -> dict[str, DayWindow]:
        unknown = set(value) - set(PARTNER_TYPES)
        if unknown:
            raise ValueError(f"day_windows for unknown DDAS partner types {sorted(unknown)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TriagePolicy:
        ids = [rule.id for rule in self.signal_rules] + [rule.id for rule in self.task_rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique")
        if self.task_rules[-1].when != "always":
            raise ValueError("the last task rule must be 'when: always' so every case gets a task")
        teams = {team.name for team in self.teams}
        missing = {rule.team for rule in self.task_rules} - teams
        if missing:
            raise ValueError(f"task rules name teams without a capacity: {sorted(missing)}")
        return self

    def task_rule(self, rule_id: str) -> TaskRule:
        """The task rule with this id (KeyError when the policy has none)."""
        for rule in self.task_rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def precedence(self, rule_id: str) -> int:
        """Position of a task rule in the precedence list (0 = strongest)."""
        return [rule.id for rule in self.task_rules].index(rule_id)

    def weekly_capacity(self) -> dict[str, int]:
        return {team.name: team.weekly_capacity for team in self.teams}
