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
BandCondition = Literal[
    "crisis", "relapse", "rent_arrears", "young_adult", "multiple_partners", "always"
]

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
    weekly_capacity: int = Field(ge=1)  # the default; a team lead may set another


class PriorityBand(_Model):
    """One band of the work order; the first band a task matches is its band."""

    id: str
    when: BandCondition


DEFAULT_BANDS = (
    PriorityBand(id="crisis", when="crisis"),
    PriorityBand(id="terugval", when="relapse"),
    PriorityBand(id="meervoudig", when="multiple_partners"),
    PriorityBand(id="overig", when="always"),
)


class ResolvedTasks(_Model):
    """Open tasks whose household the partners no longer report (arrears resolved everywhere).

    They go to the bottom of their team's order; with ``auto_close`` they are closed by the
    system ``after_days`` after the last partner dropped the household, with the DDAS result
    "Inwoner heeft zelf al betaald/betalingsregeling getroffen". ``unless_reached`` leaves a
    task open when a worker already reached the household: the worker then closes it.
    """

    auto_close: bool = False
    after_days: int = Field(default=28, ge=0)
    unless_reached: bool = True


#: Dutch words for the nazorg file's trajectory outcomes (FEEDS.md) and the crisis kinds.
DEFAULT_OUTCOMES_NL = {
    "schuldregeling_geslaagd": "schuldregeling geslaagd",
    "saneringskrediet": "saneringskrediet verstrekt",
    "budgetbeheer_afgerond": "budgetbeheer afgerond",
    "afgebroken": "traject voortijdig afgebroken",
}
#: Dutch words for arrears per DDAS partner type, used in "what is new" lines.
DEFAULT_ARREARS_NL = {
    "Huur": "huurachterstand",
    "Energie": "energieachterstand",
    "Water": "waterachterstand",
    "Zorg": "premieachterstand zorgverzekering",
    "Overige": "doorverwijzing door de bank",
}


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
    priority_bands: tuple[PriorityBand, ...] = DEFAULT_BANDS
    resolved_tasks: ResolvedTasks = ResolvedTasks()
    outcomes_nl: dict[str, str] = DEFAULT_OUTCOMES_NL
    arrears_nl: dict[str, str] = DEFAULT_ARREARS_NL

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
        if not self.priority_bands or self.priority_bands[-1].when != "always":
            raise ValueError("the last priority band must be 'when: always' so every task has one")
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


class PolicyNotInForceError(LookupError):
    """No version of the triage policy was in force on the night asked for."""


class PolicyBook(_Model):
    """Every version of the triage policy; a night uses the version in force on that night."""

    versions: tuple[TriagePolicy, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> PolicyBook:
        names = [policy.version for policy in self.versions]
        starts = [policy.effective_from for policy in self.versions]
        if len(set(names)) != len(names):
            raise ValueError("two policy files carry the same version")
        if len(set(starts)) != len(starts):
            raise ValueError("two policy versions take effect on the same day")
        return self

    def in_force(self, night: date) -> TriagePolicy:
        """The version with the latest ``effective_from`` on or before ``night``."""
        candidates = [p for p in self.versions if p.effective_from <= night]
        if not candidates:
            first = min(self.versions, key=lambda p: p.effective_from)
            raise PolicyNotInForceError(
                f"no triage policy is in force on {night.isoformat()}; the earliest version "
                f"({first.version}) takes effect on {first.effective_from.isoformat()}"
            )
        return max(candidates, key=lambda p: p.effective_from)

    def latest(self) -> TriagePolicy:
        return max(self.versions, key=lambda p: p.effective_from)
