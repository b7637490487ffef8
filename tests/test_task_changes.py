"""Which stored tasks a night changed: compared per column in the columns' own dtypes."""

from __future__ import annotations

import pandas as pd

from connectors.database.nights import _differences
from signals.schema import TASK_SCHEMA, conform


def tasks(**columns: list[object]) -> pd.DataFrame:
    return conform(pd.DataFrame(columns), TASK_SCHEMA)


def test_changed_missing_and_new_rows_are_told_apart() -> None:
    read = tasks(
        task_id=["t1", "t2", "t3"],
        score=[0.5, None, 0.25],
        due_date=[pd.Timestamp("2026-03-09"), pd.NaT, pd.Timestamp("2026-03-10")],
        team=["noord", "zuid", None],
    )
    planned = tasks(
        task_id=["t3", "t1", "t2", "t9"],
        score=[0.25, 0.75, None, 0.1],
        due_date=[pd.Timestamp("2026-03-10"), pd.Timestamp("2026-03-09"), pd.NaT, pd.NaT],
        team=["oost", "noord", "zuid", "noord"],
    )
    planned.index = pd.Index([10, 11, 12, 13])
    out = _differences(planned, read, "task_id", ["score", "due_date", "team"])
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out.to_dict("index") == {
        10: {"score": False, "due_date": False, "team": True},  # NA -> "oost" differs
        11: {"score": True, "due_date": False, "team": False},
        12: {"score": False, "due_date": False, "team": False},  # missing == missing
        13: {"score": True, "due_date": True, "team": True},  # not read: differs everywhere
    }
