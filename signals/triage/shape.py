"""Task shape per household: which team, contact kind and deadline its arrears call for.

Facts come from the household's *current* picture (what the partners that still list it say
now, see :func:`signals.state.current_signals`), never from an older row that happened to be
decided tonight, so the text on a task is always true of today.

The policy's task rules are tried in order (first match wins); then the modifiers apply to
whatever rule won: crisis shortens the deadline, personal contact replaces a first letter.
Everything is computed for all households at once (one row per household).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from signals.grouping import join_per_group
from signals.triage.policy import TaskCondition, TaskRule, TriagePolicy
from signals.triage.text import (
    decimal_nl_series,
    euro_nl_series,
    fill_template,
    join_parts,
    union_lists,
)

CRISIS = "crisis"
PERSONAL_CONTACT = "geen_brief"
RULE_SEPARATOR = "+"
CRISIS_KIND_ORDER = ("ontruiming", "eindelevering", "cak")

#: One row per household (index ``household_key``): what the task rules look at.
FACT_COLUMNS: dict[str, str] = {
    "case_type": "string",
    "partner_count": "Int64",
    "partners": "string",  # sorted, comma-separated partner ids
    "total_amount": "Float64",
    "relapse": "boolean",
    "previous_outcome": "string",  # trajectory outcome code (nazorg file)
    "rent_months": "Float64",
    "young_age": "Int64",
    "crisis_kinds": "string",  # sorted, comma-separated; "" when none
    "wijk": "string",
}


def household_facts(
    current: pd.DataFrame, states: pd.DataFrame, policy: TriagePolicy
) -> pd.DataFrame:
    """Facts per household from its current signals and its household state.

    ``current`` are linked signals (the household's current picture); ``states`` follow
    ``HOUSEHOLD_STATE_SCHEMA``. Every household of ``states`` gets a row.
    """
    state = states.drop_duplicates("household_key").set_index("household_key")
    facts = pd.DataFrame(index=state.index.astype("string"))
    facts["case_type"] = state["case_type"].fillna("enkelvoudig")
    # Partners in the state's window and those of the current picture: the reason text
    # ("bij N partners") and the task's signaalpartners then always agree.
    now = current[["household_key", "partner"]].dropna().drop_duplicates()
    now = now.sort_values(["household_key", "partner"], kind="stable")
    listed = join_per_group(now["household_key"], now["partner"], ",").reindex(state.index)
    facts["partners"] = union_lists(state["active_partners"].fillna(""), listed)
    counted = (facts["partners"].str.count(",") + 1).where(facts["partners"] != "", 0)
    floor = state["partner_count"].fillna(0).astype("Int64").reindex(counted.index)
    facts["partner_count"] = counted.where(counted >= floor, floor)
    amount = state["total_amount"].astype("Float64")
    summed = current.groupby("household_key")["amount"].sum(min_count=1).astype("Float64")
    facts["total_amount"] = amount.fillna(summed.reindex(state.index))
    facts["relapse"] = state["relapse"].astype("boolean").fillna(False)
    facts["previous_outcome"] = state["previous_trajectory_outcome"]
    rent = current[current["partner_type"].isin(policy.rent_arrears.partner_types)]
    facts["rent_months"] = rent.groupby("household_key")["arrears_months"].max()
    ages = current["age_at_signal"]
    young = current[
        (ages >= policy.young_adult.min_age) & (ages <= policy.young_adult.max_age)
    ].dropna(subset=["age_at_signal"])
    facts["young_age"] = young.groupby("household_key")["age_at_signal"].min()
    facts["crisis_kinds"] = crisis_kinds_of(current).reindex(facts.index).fillna("")
    facts["wijk"] = current.dropna(subset=["wijknaam"]).groupby("household_key")["wijknaam"].first()
    return facts.astype(FACT_COLUMNS)  # type: ignore[arg-type]


def crisis_kinds_of(signals: pd.DataFrame) -> pd.Series:
    """Per household: its signals' crisis kinds, in a fixed order, comma-separated."""
    present = signals.dropna(subset=["crisis_kind"])[["household_key", "crisis_kind"]]
    present = present.drop_duplicates()
    households = pd.Index(present["household_key"].unique())
    others = sorted(set(present["crisis_kind"]) - set(CRISIS_KIND_ORDER))
    parts = []
    for kind in (*CRISIS_KIND_ORDER, *others):
        has = pd.Index(present.loc[present["crisis_kind"] == kind, "household_key"])
        parts.append(pd.Series(kind, index=has, dtype="string").reindex(households))
    if not parts:
        return pd.Series(dtype="string")
    return join_parts(parts, ",")


def join_kinds(kinds: set[str]) -> str:
    """Crisis kinds in the same fixed order as :func:`crisis_kinds_of`."""
    known = [kind for kind in CRISIS_KIND_ORDER if kind in kinds]
    return ",".join([*known, *sorted(kinds - set(CRISIS_KIND_ORDER))])


def condition_mask(condition: str, facts: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    """Which households meet a task-rule condition."""
    if condition == "relapse":
        return facts["relapse"].fillna(False).astype(bool)
    if condition == "rent_arrears":
        # Round so a delivered 2,0 stored as 1.9999999 still counts as two months.
        months = facts["rent_months"].round(2)
        return (months >= policy.rent_arrears.min_months).fillna(False).astype(bool)
    if condition == "young_adult":
        return facts["young_age"].notna()
    if condition == "multiple_partners":
        case_type = facts["case_type"].isin(policy.multiple_partners.case_types)
        return (case_type | (facts["partner_count"] >= 2)).fillna(False).astype(bool)
    if condition == "crisis":
        return facts["crisis_kinds"].fillna("") != ""
    return pd.Series(True, index=facts.index)  # "always"


def winning_rules(facts: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    """Per household, the id of the first task rule (policy order) it matches."""
    conditions = [condition_mask(rule.when, facts, policy).to_numpy() for rule in policy.task_rules]
    ids = [rule.id for rule in policy.task_rules]
    chosen = np.select(conditions, ids, default=ids[-1])
    return pd.Series(chosen, index=facts.index, dtype="string")


def shape_tasks(
    facts: pd.DataFrame, policy: TriagePolicy, base_rules: pd.Series | None = None
) -> pd.DataFrame:
    """Team, contact kind, deadline and reason per household.

    ``base_rules`` forces the base rule per household (e.g. an open task's stronger rule);
    by default each household's winning rule. The crisis modifier applies when the household
    has crisis kinds. ``reason_nl`` is without the audit suffix.
    """
    base = winning_rules(facts, policy) if base_rules is None else base_rules.astype("string")
    by_id = {rule.id: rule for rule in policy.task_rules}
    unknown = set(base.dropna()) - set(by_id)
    if unknown:
        raise ValueError(f"task rules {sorted(unknown)} are not in policy {policy.version}")
    out = pd.DataFrame(index=facts.index)
    out["base_rule"] = base
    out["team"] = base.map({k: r.team for k, r in by_id.items()})
    out["contact_kind"] = base.map({k: r.contact_kind for k, r in by_id.items()})
    out["joint_with"] = base.map({k: r.joint_with for k, r in by_id.items()})
    out["due_working_days"] = base.map({k: r.due_working_days for k, r in by_id.items()})
    reason = pd.Series("", index=facts.index, dtype="string")
    values = _placeholders(facts, policy)
    for rule_id, rule in by_id.items():
        rows = base == rule_id
        if rows.any():
            reason[rows] = fill_template(rule.reason_nl, _at(values, rows, rule), facts.index[rows])
    crisis = facts["crisis_kinds"].fillna("") != ""
    out.loc[crisis, "due_working_days"] = out.loc[crisis, "due_working_days"].clip(
        upper=policy.crisis.due_working_days
    )
    reason = reason.where(~crisis, reason + "; " + crisis_reasons(facts["crisis_kinds"], policy))
    personal = (out["contact_kind"] == "Brief") & needs_personal_contact(facts, policy)
    out.loc[personal, "contact_kind"] = policy.personal_contact.contact_kind
    reason = reason.where(~personal, reason + "; " + policy.personal_contact.reason_nl)
    out["rule"] = rule_text(base, crisis, personal)
    out["reason_nl"] = reason
    return out


def rule_text(base: pd.Series, crisis: pd.Series, personal: pd.Series) -> pd.Series:
    """The stored rule: base rule id plus modifiers, e.g. ``huur_twee_maanden+crisis``."""
    text = base.astype("string")
    text = text.where(~crisis, text + RULE_SEPARATOR + CRISIS)
    return text.where(~personal, text + RULE_SEPARATOR + PERSONAL_CONTACT)


def crisis_reasons(kinds: pd.Series, policy: TriagePolicy) -> pd.Series:
    """ "Crisissignaal (ontruiming aangevraagd, …): eerste contact binnen 3 werkdagen"."""
    named_by_kinds = {
        text: ", ".join(policy.crisis.kinds_nl.get(k, k) for k in text.split(",") if k)
        for text in kinds.dropna().unique()
    }
    named = kinds.map(named_by_kinds).astype("string").fillna("")
    return fill_template(
        policy.crisis.reason_nl,
        {"crisis_kinds": named, "due_working_days": policy.crisis.due_working_days},
        kinds.index,
    )


def needs_personal_contact(facts: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    rule = policy.personal_contact
    several = facts["case_type"].isin(rule.case_types) | (facts["partner_count"] >= 2)
    relapse = facts["relapse"].fillna(False).astype(bool) & rule.relapse
    return (several.fillna(False).astype(bool) | relapse).astype(bool)


def _placeholders(facts: pd.DataFrame, policy: TriagePolicy) -> dict[str, pd.Series]:
    outcome = facts["previous_outcome"]
    return {
        "previous_outcome": outcome.map(policy.outcomes_nl)
        .astype("string")
        .fillna(outcome)
        .fillna("onbekend"),
        "arrears_months": decimal_nl_series(facts["rent_months"]),
        "age": facts["young_age"].astype("string").fillna("?"),
        "partner_count": facts["partner_count"].astype("string"),
        "total_amount": euro_nl_series(facts["total_amount"], missing="?"),
    }


def _at(
    values: dict[str, pd.Series], rows: pd.Series, rule: TaskRule
) -> dict[str, pd.Series | str | int | float]:
    picked: dict[str, pd.Series | str | int | float] = {
        name: column[rows] for name, column in values.items()
    }
    picked["joint_with"] = rule.joint_with or ""
    return picked


def rule_parts(rule: str) -> tuple[str, set[str]]:
    """Split a stored rule string into its base task rule id and its modifiers."""
    base, *modifiers = str(rule).split(RULE_SEPARATOR)
    return base, set(modifiers)


def base_rule(rules: pd.Series) -> pd.Series:
    """The base task rule id of stored rule strings."""
    return rules.astype("string").str.split(RULE_SEPARATOR, regex=False).str[0]


def condition_of(policy: TriagePolicy) -> dict[str, TaskCondition]:
    return {rule.id: rule.when for rule in policy.task_rules}
