"""Outreach tasks: one open task per open case, carried over night to night.

A picked-up signal for a case without an open task creates one; for a case with an open task
it updates that task (same ``task_id``): the task can move up the policy's precedence list,
never down, and its due date only earlier. Then all open tasks are re-prioritised.

Suggested instruments (Dutch names from the policy):
- Voorzieningenwijzer on every task: any arrears may hide unused allowances, the check is cheap.
- Microkrediet when the total arrears are at most the policy maximum (EUR 750) and the task is
  personal contact (the loan is only given with guidance, so a letter alone does not qualify).
- Geldfit zelftest when a bank referral is among the signals.
- Schuldhulpmaatje for multiple partners or a relapse.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from signals.ddas import STATUS_PICKED_UP
from signals.ids import stable_id
from signals.schema import LINKED_SIGNAL_SCHEMA, TASK_SCHEMA, conform
from signals.triage.policy import TriagePolicy
from signals.triage.priority import OPEN, assign_priority
from signals.triage.shape import (
    CRISIS,
    PERSONAL_CONTACT,
    RULE_SEPARATOR,
    HouseholdFacts,
    TaskShape,
    crisis_reason,
    household_facts,
    rule_parts,
    shape_task,
)
from signals.triage.text import audit_suffix
from signals.triage.working_days import add_working_days

_SUFFIX_START = " (beleid "


def task_id_for(case_id: str, created_on: date) -> str:
    """Deterministic task id from its case and the night it was created."""
    return stable_id("taak", case_id, created_on.isoformat())


def build_tasks(
    signals: pd.DataFrame,
    decisions: pd.DataFrame,
    household_state: pd.DataFrame,
    cases: pd.DataFrame,
    open_tasks: pd.DataFrame,
    policy: TriagePolicy,
    night: date,
    scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All open tasks after tonight (``TASK_SCHEMA``), ordered by priority.

    ``cases`` are the cases after :func:`signals.cases.assign_cases`; ``open_tasks`` the tasks
    carried over from earlier nights; ``scores`` optionally ``household_key``, ``score``.
    """
    picked = _picked_signals(signals, decisions)
    case_of = _open_case_by_household(cases)
    carried = conform(open_tasks, TASK_SCHEMA)
    still_open = carried[carried["status"].eq(OPEN).fillna(False).astype(bool)]
    if still_open["case_id"].duplicated().any():
        raise ValueError("more than one open task for a case")
    task_of_case: dict[str, int] = dict(
        zip(still_open["case_id"].astype(str), still_open.index.tolist(), strict=True)
    )
    states = household_state.drop_duplicates("household_key").reset_index(drop=True)
    state_of: dict[str, int] = {str(k): i for i, k in enumerate(states["household_key"])}
    rows: dict[str, dict[str, object]] = {}
    for household, group in picked.groupby("household_key", sort=True):
        key = str(household)
        if key not in case_of:
            raise ValueError("a picked-up signal's household has no open case; assign cases first")
        state = states.iloc[state_of[key]] if key in state_of else None
        facts = household_facts(group, state, policy)
        case_id = case_of[key]
        existing = carried.iloc[task_of_case[case_id]] if case_id in task_of_case else None
        rows[case_id] = _task_row(case_id, key, facts, existing, policy, night)
    untouched = carried.drop(index=[task_of_case[c] for c in rows if c in task_of_case])
    updated = conform(pd.DataFrame(list(rows.values())), TASK_SCHEMA)
    tasks = pd.concat([untouched, updated], ignore_index=True)
    tasks = _attach_scores(tasks, scores)
    tasks = assign_priority(tasks, policy)
    tasks = tasks.sort_values(["priority", "task_id"], kind="stable", na_position="last")
    return conform(tasks, TASK_SCHEMA)


def _picked_signals(signals: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    picked = decisions.loc[decisions["status"].eq(STATUS_PICKED_UP).fillna(False), ["signal_key"]]
    linked = conform(signals, LINKED_SIGNAL_SCHEMA)
    return linked.merge(picked, on="signal_key", how="inner").sort_values("signal_key")


def _open_case_by_household(cases: pd.DataFrame) -> dict[str, str]:
    open_cases = cases[cases["status"].eq(OPEN).fillna(False).astype(bool)]
    keys, ids = open_cases["household_key"].astype(str), open_cases["case_id"].astype(str)
    return dict(zip(keys, ids, strict=True))


def _task_row(
    case_id: str,
    household: str,
    facts: HouseholdFacts,
    existing: pd.Series | None,
    policy: TriagePolicy,
    night: date,
) -> dict[str, object]:
    shape = shape_task(facts, policy)
    due = pd.Timestamp(
        add_working_days(night, shape.due_working_days, policy.calendar.liberation_day)
    )
    partners = set(facts.partners)
    created = pd.Timestamp(night)
    task_id = task_id_for(case_id, night)
    if existing is not None:
        shape = _merge_shape(existing, shape, facts, policy)
        due = min(due, existing["due_date"]) if pd.notna(existing["due_date"]) else due
        earlier = existing["signal_partners"]
        partners |= set() if pd.isna(earlier) else {p for p in str(earlier).split(",") if p}
        created = existing["created_on"] if pd.notna(existing["created_on"]) else created
        task_id = str(existing["task_id"])
    return {
        "task_id": task_id,
        "case_id": case_id,
        "household_key": household,
        "team": shape.team,
        "contact_kind": shape.contact_kind,
        "joint_with": shape.joint_with,
        "due_date": due,
        "reason_nl": f"{shape.reason_nl} {audit_suffix(policy.version, shape.rule)}",
        "suggestions": suggest_instruments(facts, shape.contact_kind, partners, policy),
        "signal_partners": ",".join(sorted(partners)),
        "total_amount": facts.total_amount,
        "wijk": facts.wijk if facts.wijk is not None or existing is None else existing["wijk"],
        "rule": shape.rule,
        "policy_version": policy.version,
        "status": OPEN,
        "created_on": created,
        "updated_on": pd.Timestamp(night),
    }


def _merge_shape(
    existing: pd.Series, new: TaskShape, facts: HouseholdFacts, policy: TriagePolicy
) -> TaskShape:
    """The shape after a new signal joins: precedence only rises, crisis never disappears."""
    old_base, old_mods = rule_parts(str(existing["rule"]))
    new_base, new_mods = rule_parts(new.rule)
    known = {rule.id for rule in policy.task_rules}
    if old_base in known and policy.precedence(old_base) < policy.precedence(new_base):
        reason = str(existing["reason_nl"]).rsplit(_SUFFIX_START, 1)[0]
        if CRISIS in new_mods and CRISIS not in old_mods:
            reason += "; " + crisis_reason(facts.crisis_kinds, policy)
        kept = TaskShape(
            rule=_rule_text(old_base, old_mods | (new_mods & {CRISIS})),
            team=str(existing["team"]),
            contact_kind=str(existing["contact_kind"]),
            joint_with=None if pd.isna(existing["joint_with"]) else str(existing["joint_with"]),
            due_working_days=new.due_working_days,
            reason_nl=reason,
        )
        return kept
    if CRISIS in old_mods and CRISIS not in new_mods:
        return TaskShape(
            rule=_rule_text(new_base, new_mods | {CRISIS}),
            team=new.team,
            contact_kind=new.contact_kind,
            joint_with=new.joint_with,
            due_working_days=new.due_working_days,
            reason_nl=f"{new.reason_nl}; {crisis_reason((), policy)}",
        )
    return new


def _rule_text(base: str, modifiers: set[str]) -> str:
    ordered = [m for m in (CRISIS, PERSONAL_CONTACT) if m in modifiers]
    return RULE_SEPARATOR.join([base, *ordered])


def suggest_instruments(
    facts: HouseholdFacts, contact_kind: str, partners: set[str], policy: TriagePolicy
) -> str:
    """The "; "-separated instruments a worker can offer this household."""
    tools = policy.instruments
    names = [tools.voorzieningenwijzer.name]
    amount = facts.total_amount
    if (
        amount is not None
        and amount <= tools.microkrediet.max_total_amount
        and contact_kind in tools.microkrediet.personal_contact_kinds
    ):
        names.append(tools.microkrediet.name)
    if partners & set(tools.geldfit.partners):
        names.append(tools.geldfit.name)
    multiple = facts.partner_count >= 2 or facts.case_type in policy.multiple_partners.case_types
    if multiple or facts.relapse:
        names.append(tools.schuldhulpmaatje.name)
    return "; ".join(names)


def _attach_scores(tasks: pd.DataFrame, scores: pd.DataFrame | None) -> pd.DataFrame:
    if scores is None or scores.empty:
        return tasks
    by_household = scores.drop_duplicates("household_key").set_index("household_key")["score"]
    out = tasks.copy()
    out["score"] = out["household_key"].map(by_household).astype("Float64")
    return out
