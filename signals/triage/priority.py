"""Priority of open tasks (1 = first): crisis, relapse, multiple partners, amount, then score.

Priority only orders the work; it never removes a task. The flags are read back from each
task's stored rule and partners, so carried-over tasks are ranked the same way as new ones.
"""

from __future__ import annotations

import pandas as pd

from signals.schema import INT
from signals.triage.policy import TriagePolicy
from signals.triage.shape import CRISIS, rule_parts

OPEN = "open"


def priority_flags(tasks: pd.DataFrame, policy: TriagePolicy) -> pd.DataFrame:
    """Per task: crisis, relapse and multiple-partner flags, as used for ordering."""
    relapse_rules = {rule.id for rule in policy.task_rules if rule.when == "relapse"}
    multiple_rules = {rule.id for rule in policy.task_rules if rule.when == "multiple_partners"}
    parts = [rule_parts(rule) for rule in tasks["rule"].fillna("")]
    partners = tasks["signal_partners"].fillna("")
    return pd.DataFrame(
        {
            "crisis": [CRISIS in modifiers for _, modifiers in parts],
            "relapse": [base in relapse_rules for base, _ in parts],
            "multiple": [
                base in multiple_rules or len([p for p in str(v).split(",") if p]) >= 2
                for (base, _), v in zip(parts, partners, strict=True)
            ],
        },
        index=tasks.index,
    )


def assign_priority(tasks: pd.DataFrame, policy: TriagePolicy) -> pd.DataFrame:
    """Return ``tasks`` with ``priority`` ranked 1..n over the open tasks.

    An optional ``score`` column (e.g. from a model) breaks ties after the amount; higher
    scores come first. Closed tasks keep no priority. Ties end on ``task_id`` (determinism).
    """
    out = tasks.copy()
    out["priority"] = pd.Series(pd.NA, index=out.index, dtype=INT)
    is_open = out["status"].eq(OPEN).fillna(False).astype(bool)
    if not is_open.any():
        return out
    keys = priority_flags(out[is_open], policy)
    keys["amount"] = out.loc[is_open, "total_amount"].astype("Float64").fillna(-1.0)
    score = out["score"] if "score" in out.columns else pd.Series(pd.NA, index=out.index)
    keys["score"] = score[is_open].astype("Float64").fillna(float("-inf"))
    keys["task_id"] = out.loc[is_open, "task_id"]
    ordered = keys.sort_values(
        ["crisis", "relapse", "multiple", "amount", "score", "task_id"],
        ascending=[False, False, False, False, False, True],
        kind="stable",
    )
    out.loc[ordered.index, "priority"] = range(1, len(ordered) + 1)
    return out
