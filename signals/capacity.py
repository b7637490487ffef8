"""Weekly capacity planning: each team's open tasks go into ISO weeks, earliest due first.

Tasks are taken by due date, then priority, and each goes into the earliest week (from the
planning night's week) in which its team still has room. A task that only fits after its due
week is planned there and flagged ``over_capacity``: the overflow stays visible on the list,
it is never dropped.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from signals.schema import TASK_SCHEMA, conform
from signals.triage.policy import TriagePolicy
from signals.triage.priority import OPEN


def iso_week(day: date) -> str:
    """``date(2026, 11, 16)`` -> ``"2026-W47"``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def plan_capacity(tasks: pd.DataFrame, policy: TriagePolicy, night: date) -> pd.DataFrame:
    """``tasks`` with ``planned_week`` and ``over_capacity`` set for every open task."""
    out = conform(tasks, TASK_SCHEMA)
    capacity = policy.weekly_capacity()
    is_open = out["status"].eq(OPEN).fillna(False).astype(bool)
    unknown = set(out.loc[is_open, "team"].dropna()) - set(capacity)
    if unknown or out.loc[is_open, "team"].isna().any():
        raise ValueError(f"open tasks for teams without a weekly capacity: {sorted(unknown)}")
    if out.loc[is_open, "due_date"].isna().any():
        raise ValueError("an open task has no due date and cannot be planned")
    out.loc[~is_open, "planned_week"] = pd.NA
    out.loc[~is_open, "over_capacity"] = pd.NA
    first_week = _monday(night)
    order = out[is_open].sort_values(
        ["due_date", "priority", "task_id"], kind="stable", na_position="last"
    )
    used: dict[tuple[str, date], int] = {}
    for index, task in order.iterrows():
        team = str(task["team"])
        due_week = max(_monday(task["due_date"].date()), first_week)
        week = first_week
        while used.get((team, week), 0) >= capacity[team]:
            week += timedelta(days=7)
        used[(team, week)] = used.get((team, week), 0) + 1
        out.at[index, "planned_week"] = iso_week(week)
        out.at[index, "over_capacity"] = week > due_week
    return out
