"""Capacity planning: by due date then priority; overflow spills to later weeks, visibly."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from signals.capacity import iso_week, plan_capacity
from signals.schema import TASK_SCHEMA, conform
from tests.test_triage_rules import NIGHT, policy


def tasks(*rows):
    base = {"status": "open", "team": "Nazorg", "due_date": pd.Timestamp(NIGHT)}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    return conform(frame, TASK_SCHEMA)


def test_iso_week():
    assert iso_week(date(2026, 11, 16)) == "2026-W47"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"


def test_overflow_spills_to_next_week_visibly_and_nothing_is_dropped():
    # Nazorg has 5 per week; 7 tasks all due this week (W17).
    rows = [{"task_id": f"t{i}", "priority": i} for i in range(1, 8)]
    planned = plan_capacity(tasks(*rows), policy(), NIGHT).set_index("task_id")
    assert len(planned) == 7
    this_week = [f"t{i}" for i in range(1, 6)]
    assert (planned.loc[this_week, "planned_week"] == "2026-W17").all()
    assert not planned.loc[this_week, "over_capacity"].any()
    assert (planned.loc[["t6", "t7"], "planned_week"] == "2026-W18").all()
    assert planned.loc[["t6", "t7"], "over_capacity"].all()


def test_due_date_comes_before_priority_and_teams_are_separate():
    later = pd.Timestamp(date(2026, 5, 20))
    rows = [{"task_id": f"late{i}", "priority": i, "due_date": later} for i in range(1, 6)]
    rows += [{"task_id": f"soon{i}", "priority": 10 + i} for i in range(1, 6)]
    rows += [{"task_id": "other_team", "priority": 99, "team": "Loket Geldzaken"}]
    planned = plan_capacity(tasks(*rows), policy(), NIGHT).set_index("task_id")
    soon = [f"soon{i}" for i in range(1, 6)]
    assert (planned.loc[soon, "planned_week"] == "2026-W17").all()
    late = [f"late{i}" for i in range(1, 6)]
    assert (planned.loc[late, "planned_week"] == "2026-W18").all()
    assert not planned.loc[late, "over_capacity"].any()  # early, not late
    assert planned.loc["other_team", "planned_week"] == "2026-W17"


def test_overdue_task_is_planned_now_not_in_the_past():
    overdue = pd.Timestamp(date(2026, 3, 2))
    planned = plan_capacity(
        tasks({"task_id": "t1", "priority": 1, "due_date": overdue}), policy(), NIGHT
    )
    assert planned.iloc[0]["planned_week"] == "2026-W17"


def test_unknown_team_is_an_error():
    with pytest.raises(ValueError, match="without a weekly capacity"):
        plan_capacity(tasks({"task_id": "t1", "priority": 1, "team": "Onbekend"}), policy(), NIGHT)
