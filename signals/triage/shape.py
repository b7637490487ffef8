"""Task shape per household: which team, contact kind and deadline its picked-up signals call for.

The policy's task rules are tried in order (first match wins); then the modifiers apply to
whatever rule won: crisis shortens the deadline, personal contact replaces a first letter.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from signals.triage.policy import TaskCondition, TaskRule, TriagePolicy
from signals.triage.text import decimal_nl, euro_nl

CRISIS = "crisis"
PERSONAL_CONTACT = "geen_brief"
RULE_SEPARATOR = "+"


@dataclass(frozen=True)
class HouseholdFacts:
    """What the task rules look at, from a household's picked-up signals and its state."""

    case_type: str
    partner_count: int
    partners: tuple[str, ...]
    total_amount: float | None
    relapse: bool
    previous_outcome: str | None
    rent_months: float | None
    young_age: int | None
    crisis_kinds: tuple[str, ...]
    wijk: str | None


@dataclass(frozen=True)
class TaskShape:
    rule: str  # winning task rule id plus modifiers, e.g. "huur_twee_maanden+crisis"
    team: str
    contact_kind: str
    joint_with: str | None
    due_working_days: int
    reason_nl: str  # without the audit suffix


def household_facts(
    signals: pd.DataFrame, state: pd.Series | None, policy: TriagePolicy
) -> HouseholdFacts:
    """Facts of one household from its picked-up signals tonight and its household state."""
    # Tonight's partners and those the household state saw in its window: the reason text
    # ("bij N partners") and the task's signaalpartners then always agree.
    active = _text(state, "active_partners") or ""
    partners = tuple(sorted(set(signals["partner"].dropna()) | {p for p in active.split(",") if p}))
    rent = signals[signals["partner_type"].isin(policy.rent_arrears.partner_types)]
    rent_months = rent["arrears_months"].dropna()
    ages = signals["age_at_signal"].dropna()
    young = ages[(ages >= policy.young_adult.min_age) & (ages <= policy.young_adult.max_age)]
    crisis = signals[signals["crisis"].fillna(False).astype(bool)]
    wijk = signals["wijknaam"].dropna()
    amount = signals["amount"].dropna().sum() if signals["amount"].notna().any() else None
    if state is not None and pd.notna(state["total_amount"]):
        amount = float(state["total_amount"])
    return HouseholdFacts(
        case_type=_text(state, "case_type") or "enkelvoudig",
        partner_count=len(partners),
        partners=partners,
        total_amount=None if amount is None else float(amount),
        relapse=bool(state is not None and pd.notna(state["relapse"]) and state["relapse"]),
        previous_outcome=_text(state, "previous_trajectory_outcome"),
        rent_months=float(rent_months.max()) if not rent_months.empty else None,
        young_age=int(young.min()) if not young.empty else None,
        crisis_kinds=tuple(sorted(set(crisis["crisis_kind"].dropna()))) if len(crisis) else (),
        wijk=str(wijk.iloc[0]) if not wijk.empty else None,
    )


def _text(state: pd.Series | None, column: str) -> str | None:
    if state is None or pd.isna(state[column]):
        return None
    return str(state[column])


def _int(state: pd.Series | None, column: str) -> int | None:
    if state is None or pd.isna(state[column]):
        return None
    return int(state[column])


def _matches(condition: TaskCondition, facts: HouseholdFacts, policy: TriagePolicy) -> bool:
    if condition == "relapse":
        return facts.relapse
    if condition == "rent_arrears":
        # Round so a delivered 2,0 stored as 1.9999999 still counts as two months.
        months = facts.rent_months
        return months is not None and round(months, 2) >= policy.rent_arrears.min_months
    if condition == "young_adult":
        return facts.young_age is not None
    if condition == "multiple_partners":
        return facts.case_type in policy.multiple_partners.case_types or facts.partner_count >= 2
    return True  # "always"


def winning_rule(facts: HouseholdFacts, policy: TriagePolicy) -> TaskRule:
    """The first task rule, in policy order, that the household matches."""
    for rule in policy.task_rules:
        if _matches(rule.when, facts, policy):
            return rule
    raise AssertionError("the policy validator guarantees a final 'always' rule")


def shape_task(
    facts: HouseholdFacts, policy: TriagePolicy, rule: TaskRule | None = None
) -> TaskShape:
    """Team, contact kind, deadline and reason for a household (``rule`` forces the base rule)."""
    rule = rule or winning_rule(facts, policy)
    parts = [rule.id]
    reasons = [rule.reason_nl.format(**_placeholders(facts, rule))]
    contact_kind, due = rule.contact_kind, rule.due_working_days
    if facts.crisis_kinds:
        parts.append(CRISIS)
        due = min(due, policy.crisis.due_working_days)
        reasons.append(crisis_reason(facts.crisis_kinds, policy))
    if contact_kind == "Brief" and _needs_personal_contact(facts, policy):
        parts.append(PERSONAL_CONTACT)
        contact_kind = policy.personal_contact.contact_kind
        reasons.append(policy.personal_contact.reason_nl)
    return TaskShape(
        rule=RULE_SEPARATOR.join(parts),
        team=rule.team,
        contact_kind=contact_kind,
        joint_with=rule.joint_with,
        due_working_days=due,
        reason_nl="; ".join(reasons),
    )


def crisis_reason(kinds: tuple[str, ...], policy: TriagePolicy) -> str:
    named = ", ".join(policy.crisis.kinds_nl.get(kind, kind) for kind in kinds) or "eerder gemeld"
    return policy.crisis.reason_nl.format(
        crisis_kinds=named, due_working_days=policy.crisis.due_working_days
    )


def _needs_personal_contact(facts: HouseholdFacts, policy: TriagePolicy) -> bool:
    rule = policy.personal_contact
    return (
        facts.case_type in rule.case_types
        or facts.partner_count >= 2
        or (rule.relapse and facts.relapse)
    )


def _placeholders(facts: HouseholdFacts, rule: TaskRule) -> dict[str, object]:
    return {
        "previous_outcome": facts.previous_outcome or "onbekend",
        "arrears_months": "?" if facts.rent_months is None else decimal_nl(facts.rent_months),
        "joint_with": rule.joint_with or "",
        "age": "?" if facts.young_age is None else facts.young_age,
        "partner_count": facts.partner_count,
        "total_amount": "?" if facts.total_amount is None else euro_nl(facts.total_amount),
    }


def rule_parts(rule: str) -> tuple[str, set[str]]:
    """Split a stored rule string into its base task rule id and its modifiers."""
    base, *modifiers = str(rule).split(RULE_SEPARATOR)
    return base, set(modifiers)
