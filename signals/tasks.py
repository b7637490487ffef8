"""Outreach tasks: one open task per open case, carried over night to night.

A household whose signal is picked up tonight gets a task for its open case, or its open task
is re-shaped (same ``task_id``): the task can move up the policy's precedence list, never
down, its due date only earlier, and a crisis once on it stays. The text is always rebuilt
from the household's *current* picture, and ``news_nl`` says what was new that night.
A household a nazorg file lists tonight has its open task re-evaluated too (a relapse can
only move the task up). Tasks whose household the partners no longer report get
``resolved_since``.

Suggested instruments (Dutch names from the policy):
- Voorzieningenwijzer on every task: any arrears may hide unused allowances, the check is cheap.
- Microkrediet when the total arrears are at most the policy maximum (EUR 750) and the task is
  personal contact (the loan is only given with guidance, so a letter alone does not qualify).
- Geldfit zelftest when a bank referral is among the signals.
- Schuldhulpmaatje for multiple partners or a relapse.

Everything is computed for all households at once (no per-household loop).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from signals.ids import stable_id
from signals.membership import is_in
from signals.schema import TASK_SCHEMA, conform
from signals.triage.policy import TriagePolicy
from signals.triage.shape import CRISIS_KIND_ORDER, base_rule, shape_tasks, winning_rules
from signals.triage.text import audit_suffix, join_parts, union_lists
from signals.triage.working_days import add_working_days

OPEN = "open"
DONE = "afgerond"


def task_id_for(case_id: str, created_on: date) -> str:
    """Deterministic task id from its case and the night it was created."""
    return stable_id("taak", case_id, created_on.isoformat())


def build_tasks(
    facts: pd.DataFrame,
    reshape: pd.Series,
    news: pd.Series,
    open_cases: pd.DataFrame,
    open_tasks: pd.DataFrame,
    policy: TriagePolicy,
    night: date,
) -> pd.DataFrame:
    """New and re-shaped tasks after tonight (``TASK_SCHEMA``), one per household to shape.

    ``facts`` (``signals.triage.shape.FACT_COLUMNS`` + ``resolved_since``, index
    ``household_key``) describe the households involved tonight; ``reshape`` (bool, same
    index) says whose task to (re)shape; ``news`` the Dutch "what is new" text per household.
    ``open_cases`` are the open cases after tonight's case assignment, ``open_tasks`` the
    households' open tasks before tonight. Tasks of involved households that are not
    re-shaped only get their ``resolved_since`` brought up to date.
    """
    cases = open_cases[open_cases["status"].eq(OPEN).fillna(False).astype(bool)]
    case_of = pd.Series(cases["case_id"].to_numpy(), index=cases["household_key"].to_numpy())
    carried = conform(open_tasks, TASK_SCHEMA)
    carried = carried[carried["status"].eq(OPEN).fillna(False).astype(bool)]
    if carried["case_id"].duplicated().any():
        raise ValueError("more than one open task for a case")
    shaped_keys = facts.index[reshape.reindex(facts.index).fillna(False).astype(bool)]
    missing = set(shaped_keys.tolist()) - set(case_of.index.tolist())
    if missing:
        raise ValueError(f"{len(missing)} household(s) to shape have no open case")
    shaped = _shape(facts.loc[shaped_keys], case_of, carried, news, policy, night)
    keys = carried["household_key"]
    others = carried[is_in(keys, facts.index) & ~is_in(keys, shaped_keys)].copy()
    since = facts["resolved_since"].reindex(others["household_key"]).to_numpy()
    others["resolved_since"] = since
    return conform(pd.concat([shaped, others], ignore_index=True), TASK_SCHEMA)


def _shape(
    facts: pd.DataFrame,
    case_of: pd.Series,
    carried: pd.DataFrame,
    news: pd.Series,
    policy: TriagePolicy,
    night: date,
) -> pd.DataFrame:
    households = facts.index
    case_ids = pd.Series(case_of.reindex(households).to_numpy(), index=households, dtype="string")
    by_case = carried.drop_duplicates("case_id").set_index("case_id")
    old = by_case.reindex(case_ids.to_numpy())
    old.index = households
    has_old = old["task_id"].notna()

    # Precedence only rises: an open task's stronger rule stays its base rule.
    precedence = {rule.id: i for i, rule in enumerate(policy.task_rules)}
    new_base = winning_rules(facts, policy)
    old_base = base_rule(old["rule"])
    old_rank = old_base.map(precedence).astype("Float64")
    new_rank = new_base.map(precedence).astype("Float64")
    keep_old = (has_old & (old_rank < new_rank)).fillna(False).astype(bool)
    chosen = new_base.where(~keep_old, old_base)

    # A crisis once on the task stays on it.
    with_crisis = facts.copy()
    with_crisis["crisis_kinds"] = union_lists(
        facts["crisis_kinds"], old["crisis_kinds"], CRISIS_KIND_ORDER
    )
    shape = shape_tasks(with_crisis, policy, chosen)

    # The due date only moves earlier; but a new crisis on a task whose deadline has passed
    # gets the crisis deadline from tonight (the late deadline stays in the task's history).
    due = _due_dates(shape["due_working_days"], night, policy)
    old_due = old["due_date"]
    new_crisis = with_crisis["crisis_kinds"] != old["crisis_kinds"].astype("string").fillna("")
    fresh_deadline = (new_crisis & (old_due < pd.Timestamp(night))).fillna(False).astype(bool)
    keep_old_due = old_due.notna() & (old_due < due) & ~fresh_deadline
    due = due.where(~keep_old_due, old_due)
    created = old["created_on"].fillna(pd.Timestamp(night))
    task_ids = old["task_id"].astype("string")
    fresh = task_ids.isna()
    task_ids[fresh] = pd.Series(
        [task_id_for(str(c), night) for c in case_ids[fresh].tolist()], index=case_ids.index[fresh]
    )
    partners = union_lists(facts["partners"], old["signal_partners"])
    suffix = policy.version
    out = pd.DataFrame(
        {
            "task_id": task_ids,
            "case_id": case_ids,
            "household_key": households,
            "team": shape["team"],
            "contact_kind": shape["contact_kind"],
            "joint_with": shape["joint_with"],
            "due_date": due,
            "reason_nl": shape["reason_nl"] + " " + _audit_suffixes(shape["rule"], suffix),
            "news_nl": news.reindex(households).astype("string"),
            "suggestions": suggest_instruments(
                with_crisis, shape["contact_kind"], partners, policy
            ),
            "signal_partners": partners,
            "crisis_kinds": with_crisis["crisis_kinds"].replace("", pd.NA),
            "total_amount": facts["total_amount"],
            "wijk": facts["wijk"].fillna(old["wijk"]),
            "rule": shape["rule"],
            "policy_version": policy.version,
            "resolved_since": facts["resolved_since"],
            "score": old["score"],
            "model_version": old["model_version"],
            "score_reasons_nl": old["score_reasons_nl"],
            "status": OPEN,
            "created_on": created,
            "updated_on": pd.Timestamp(night),
            "version": old["version"],
        }
    )
    return out.reset_index(drop=True)


def _due_dates(working_days: pd.Series, night: date, policy: TriagePolicy) -> pd.Series:
    """``night`` plus each row's working days, computed once per distinct number of days."""
    liberation = policy.calendar.liberation_day
    distinct = {
        int(n): pd.Timestamp(add_working_days(night, int(n), liberation))
        for n in working_days.dropna().unique()
    }
    return working_days.map(distinct).astype("datetime64[ns]")


def _audit_suffixes(rules: pd.Series, version: str) -> pd.Series:
    """``(beleid <version>, regel <rule>)`` per row, built once per distinct rule."""
    return rules.map({str(r): audit_suffix(version, str(r)) for r in rules.dropna().unique()})


def suggest_instruments(
    facts: pd.DataFrame, contact_kind: pd.Series, partners: pd.Series, policy: TriagePolicy
) -> pd.Series:
    """The "; "-separated instruments a worker can offer each household."""
    tools = policy.instruments
    index = facts.index
    amount = facts["total_amount"]
    micro = (amount <= tools.microkrediet.max_total_amount).fillna(False).astype(
        bool
    ) & contact_kind.isin(tools.microkrediet.personal_contact_kinds)
    listed = "," + partners.astype("string").fillna("") + ","
    geldfit = pd.Series(False, index=index)
    for partner in tools.geldfit.partners:
        geldfit |= listed.str.contains(f",{partner},", regex=False).fillna(False).astype(bool)
    multiple = (facts["partner_count"] >= 2).fillna(False).astype(bool) | facts["case_type"].isin(
        policy.multiple_partners.case_types
    )
    maatje = multiple | facts["relapse"].fillna(False).astype(bool)

    def named(name: str, mask: pd.Series | None = None) -> pd.Series:
        text = pd.Series(name, index=index, dtype="string")
        return text if mask is None else text.where(mask)

    return join_parts(
        [
            named(tools.voorzieningenwijzer.name),
            named(tools.microkrediet.name, micro),
            named(tools.geldfit.name, geldfit),
            named(tools.schuldhulpmaatje.name, maatje),
        ]
    )
