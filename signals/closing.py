"""Closing what the pipeline itself may close: tasks whose arrears were resolved everywhere.

The triage policy (``resolved_tasks``) decides whether the system closes them and after how
long. Such a case ends with the DDAS result "Inwoner heeft zelf al betaald/betalingsregeling
getroffen", recorded as closed by the system, not by a worker. A task whose household a
worker already reached stays open when the policy says so: the worker records the result.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from signals.cases import SYSTEM
from signals.ddas import RESULT_PAID_THEMSELVES
from signals.membership import is_in
from signals.triage.policy import TriagePolicy

OPEN = "open"

#: A system closure: which case and task, with which DDAS result, on which night.
CLOSURE_COLUMNS: dict[str, str] = {
    "case_id": "string",
    "task_id": "string",
    "result": "string",
    "closed_on": "datetime64[ns]",
    "closed_by": "string",
}


def resolved_to_close(
    tasks: pd.DataFrame, reached_cases: set[str], policy: TriagePolicy, night: date
) -> pd.DataFrame:
    """The open tasks the policy lets the system close tonight (``CLOSURE_COLUMNS``)."""
    rule = policy.resolved_tasks
    open_tasks = tasks[tasks["status"].eq(OPEN).fillna(False).astype(bool)]
    if not rule.auto_close or open_tasks.empty:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in CLOSURE_COLUMNS.items()})
    since = pd.to_datetime(open_tasks["resolved_since"])
    due = since.notna() & ((pd.Timestamp(night) - since).dt.days >= rule.after_days)
    if rule.unless_reached:
        due &= ~is_in(open_tasks["case_id"], reached_cases)
    chosen = open_tasks[due.fillna(False).astype(bool)]
    return (
        pd.DataFrame(
            {
                "case_id": chosen["case_id"].astype("string"),
                "task_id": chosen["task_id"].astype("string"),
                "result": RESULT_PAID_THEMSELVES,
                "closed_on": pd.Timestamp(night),
                "closed_by": SYSTEM,
            }
        )
        .astype(CLOSURE_COLUMNS)
        .reset_index(drop=True)
    )  # type: ignore[arg-type]
