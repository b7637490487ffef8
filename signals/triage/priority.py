"""The work order of open tasks: the policy's priority bands, then score or amount.

A task's band is the first band of the policy it matches (crisis, relapse, multiple partners
…); a task whose household the partners no longer report (``resolved_since``) comes after
every band. Within a band a model score orders the work when there is one (highest first),
else the total amount (highest first); then the earliest due date, then the task id, so the
order is total and replays identically. Priority only orders the work; it never removes a task.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from signals.schema import INT
from signals.triage.policy import TriagePolicy
from signals.triage.shape import CRISIS, RULE_SEPARATOR, base_rule

OPEN = "open"
#: Columns that define the work order, in sort order (see :func:`work_order`).
ORDER = ["band", "score_key", "amount_key", "due_date", "task_id"]


def band_masks(tasks: pd.DataFrame, policy: TriagePolicy) -> list[pd.Series]:
    """Per policy band, which tasks meet its condition."""
    base = base_rule(tasks["rule"].fillna(""))
    rules_with = {
        when: {rule.id for rule in policy.task_rules if rule.when == when}
        for when in ("relapse", "rent_arrears", "young_adult", "multiple_partners")
    }
    kinds = tasks["crisis_kinds"].astype("string").fillna("")
    crisis = (kinds != "") | tasks["rule"].astype("string").fillna("").str.contains(
        RULE_SEPARATOR + CRISIS, regex=False
    )
    partner_count = tasks["signal_partners"].astype("string").fillna("").str.count(",") + 1
    partner_count = partner_count.where(tasks["signal_partners"].fillna("") != "", 0)
    masks = []
    for band in policy.priority_bands:
        if band.when == "crisis":
            mask = crisis
        elif band.when == "always":
            mask = pd.Series(True, index=tasks.index)
        elif band.when == "multiple_partners":
            mask = base.isin(rules_with["multiple_partners"]) | (partner_count >= 2)
        else:
            mask = base.isin(rules_with[band.when])
        masks.append(mask.fillna(False).astype(bool))
    return masks


def assign_bands(tasks: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    """1-based band per task; resolved tasks get the band after the last one."""
    masks = band_masks(tasks, policy)
    numbers = np.select([m.to_numpy() for m in masks], list(range(1, len(masks) + 1)), len(masks))
    band = pd.Series(numbers, index=tasks.index)
    resolved = tasks["resolved_since"].notna().to_numpy()
    band[resolved] = len(masks) + 1
    return band.astype(INT)


def work_order(tasks: pd.DataFrame) -> pd.DataFrame:
    """``tasks`` sorted in work order (needs ``band``); adds the sort helper columns."""
    out = tasks.copy()
    out["score_key"] = -out["score"].astype("Float64").fillna(float("-inf"))
    out["amount_key"] = -out["total_amount"].astype("Float64").fillna(-1.0)
    return out.sort_values(ORDER, kind="stable", na_position="last")


def assign_priority(tasks: pd.DataFrame, policy: TriagePolicy) -> pd.DataFrame:
    """``tasks`` with ``band`` and ``priority`` (1..n over all open tasks, in work order).

    Closed tasks keep no band or priority.
    """
    out = tasks.copy()
    out["priority"] = pd.Series(pd.NA, index=out.index, dtype=INT)
    out["band"] = pd.Series(pd.NA, index=out.index, dtype=INT)
    is_open = out["status"].eq(OPEN).fillna(False).astype(bool)
    if not is_open.any():
        return out
    open_tasks = out[is_open].copy()
    open_tasks["band"] = assign_bands(open_tasks, policy)
    ordered = work_order(open_tasks)
    out.loc[ordered.index, "band"] = ordered["band"]
    out.loc[ordered.index, "priority"] = np.arange(1, len(ordered) + 1)
    return out
