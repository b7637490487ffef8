"""Weekly capacity planning per team: a grouped cumulative count over the work order.

Each team's open tasks are ranked in work order (:mod:`signals.triage.priority`): 1, 2, 3 …
The week the planning night falls in has the team's capacity minus the work already done in
it (every contact attempt recorded this week uses one place); every later week has the full
capacity. Task number ``r`` goes into the week its rank falls in. A crisis task is never
planned after the week it is due: when that week is full it goes there anyway, marked
``over_capacity``, as is any task planned after its due week. A task whose due date has passed
is shown as late ("te laat sinds 13-10-2026, ingepland deze week") rather than silently pushed
behind new work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from signals.schema import TASK_SCHEMA, conform
from signals.triage.policy import TriagePolicy
from signals.triage.priority import OPEN, assign_priority, work_order
from signals.triage.text import date_nl_series

THIS_WEEK = "deze week"
LATER = "later"
LATE_SINCE = "te laat sinds "
RESOLVED_SINCE = "opgelost bij de partner sinds "


def iso_week(day: date) -> str:
    """``date(2026, 11, 16)`` -> ``"2026-W47"``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def plan_capacity(
    tasks: pd.DataFrame,
    policy: TriagePolicy,
    night: date,
    capacity: Mapping[str, int] | None = None,
    done_this_week: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """``tasks`` with priority, band, team rank, planned week and plan status for open tasks.

    ``capacity`` is each team's weekly capacity (default: the policy's); ``done_this_week``
    the contact attempts each team recorded in the planning night's week so far.
    """
    out = conform(assign_priority(conform(tasks, TASK_SCHEMA), policy), TASK_SCHEMA)
    weekly = dict(policy.weekly_capacity() if capacity is None else capacity)
    done = dict(done_this_week or {})
    is_open = out["status"].eq(OPEN).fillna(False).astype(bool)
    unknown = set(out.loc[is_open, "team"].dropna()) - set(weekly)
    if unknown or out.loc[is_open, "team"].isna().any():
        raise ValueError(f"open tasks for teams without a weekly capacity: {sorted(unknown)}")
    if out.loc[is_open, "due_date"].isna().any():
        raise ValueError("an open task has no due date and cannot be planned")
    for column in ("team_rank", "planned_week", "over_capacity", "plan_status"):
        out.loc[~is_open, column] = pd.NA
    if not is_open.any():
        return out
    ordered = work_order(out[is_open])
    rank = ordered.groupby("team", sort=False).cumcount().to_numpy() + 1
    cap = ordered["team"].map(weekly).to_numpy(dtype=np.int64)
    available = np.maximum(cap - ordered["team"].map(done).fillna(0).to_numpy(dtype=np.int64), 0)
    week = np.where(rank <= available, 0, 1 + (rank - available - 1) // cap)
    first = pd.Timestamp(monday_of(night))
    due = pd.to_datetime(ordered["due_date"])
    weeks_ahead = ((due - pd.to_timedelta(due.dt.weekday, unit="D")) - first).dt.days // 7
    due_week = np.maximum(weeks_ahead.to_numpy(dtype=np.int64), 0)
    crisis = (ordered["band"] == _crisis_band(policy)).fillna(False).to_numpy(dtype=bool)
    forced = crisis & (week > due_week)
    week = np.where(forced, due_week, week)
    over = (week > due_week) | forced
    planned = first + pd.to_timedelta(week * 7, unit="D")
    planned_days = pd.Series(planned, index=ordered.index)
    weeks = planned_days.map({d: iso_week(d.date()) for d in planned_days.unique()})
    status = np.where(week == 0, THIS_WEEK, LATER).astype(object)
    late = (due < pd.Timestamp(night)).to_numpy()
    # Late work says when it is now planned: still this week, or only later (over capacity).
    when = np.where(week == 0, f", ingepland {THIS_WEEK}", f", ingepland {LATER}")
    status[late] = (LATE_SINCE + date_nl_series(due[late]) + when[late]).to_numpy()
    resolved = ordered["resolved_since"].notna().to_numpy()
    since = date_nl_series(ordered.loc[resolved, "resolved_since"])
    status[resolved] = (RESOLVED_SINCE + since).to_numpy()
    out.loc[ordered.index, "team_rank"] = rank
    out.loc[ordered.index, "planned_week"] = weeks
    out.loc[ordered.index, "over_capacity"] = over
    out.loc[ordered.index, "plan_status"] = status
    out = out.sort_values(["priority", "task_id"], kind="stable", na_position="last")
    return conform(out, TASK_SCHEMA)


def _crisis_band(policy: TriagePolicy) -> int | None:
    for number, band in enumerate(policy.priority_bands, start=1):
        if band.when == "crisis":
            return number
    return None
