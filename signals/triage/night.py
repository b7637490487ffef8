"""One night's triage for a set of households: decisions, cases and tasks.

A pure composition of the triage steps, so that the same function runs on all households at
once or per partition (postcode area) on Dask workers: households never span partitions, and
every id is derived from the data, so the partitioned result equals the single-process one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from signals.cases import CASE_COLUMNS, CASE_SIGNAL_COLUMNS, assign_cases
from signals.schema import DECISION_SCHEMA, TASK_SCHEMA, conform
from signals.tasks import build_tasks
from signals.triage.policy import TriagePolicy
from signals.triage.rules import triage_signals


@dataclass
class NightInput:
    """What the triage of one partition needs; all frames restricted to its households."""

    signals: pd.DataFrame  # undecided linked signals (LINKED_SIGNAL_SCHEMA)
    signal_state: pd.DataFrame  # SIGNAL_STATE_SCHEMA of those signals
    household_state: pd.DataFrame  # HOUSEHOLD_STATE_SCHEMA
    cases: pd.DataFrame  # all known cases (CASE_COLUMNS)
    open_tasks: pd.DataFrame  # TASK_SCHEMA, carried over
    pickups: pd.DataFrame  # PICKUP_SCHEMA: earlier pick-ups per household × partner


@dataclass
class NightOutput:
    decisions: pd.DataFrame  # DECISION_SCHEMA
    cases: pd.DataFrame  # CASE_COLUMNS: every case of the partition after tonight
    case_signals: pd.DataFrame  # CASE_SIGNAL_COLUMNS: tonight's links
    tasks: pd.DataFrame  # TASK_SCHEMA: open tasks after tonight, before capacity planning


def triage_night(batch: NightInput, policy: TriagePolicy, night: date) -> NightOutput:
    """Decide every undecided signal, fold it into its household's case and task."""
    decisions = triage_signals(batch.signals, batch.signal_state, batch.pickups, policy)
    cases, links = assign_cases(decisions, batch.household_state, batch.cases, night)
    tasks = build_tasks(
        batch.signals, decisions, batch.household_state, cases, batch.open_tasks, policy, night
    )
    return NightOutput(decisions=decisions, cases=cases, case_signals=links, tasks=tasks)


def partition_keys(signals: pd.DataFrame, column: str = "wijkcode") -> pd.Series:
    """The partition of each signal: its neighbourhood (postcode area); unknown → "buiten"."""
    return signals[column].astype("string").fillna("buiten")


def split_by_partition(batch: NightInput, partitions: pd.Series) -> dict[str, NightInput]:
    """Split a night's input so that each partition holds whole households."""
    household_part = (
        pd.DataFrame({"household_key": batch.signals["household_key"], "part": partitions})
        .drop_duplicates("household_key")
        .set_index("household_key")["part"]
    )
    out: dict[str, NightInput] = {}
    for part in sorted(household_part.unique()):
        keys = set(household_part[household_part == part].index)
        out[str(part)] = NightInput(
            signals=_of(batch.signals, keys),
            signal_state=_of(batch.signal_state, keys),
            household_state=_of(batch.household_state, keys),
            cases=_of(batch.cases, keys),
            open_tasks=_of(batch.open_tasks, keys),
            pickups=_of(batch.pickups, keys),
        )
    return out


def combine(outputs: list[NightOutput]) -> NightOutput:
    """Put partition results back together in a canonical order."""
    if not outputs:
        return NightOutput(
            decisions=conform(pd.DataFrame(), DECISION_SCHEMA),
            cases=conform(pd.DataFrame(), CASE_COLUMNS),
            case_signals=conform(pd.DataFrame(), CASE_SIGNAL_COLUMNS),
            tasks=conform(pd.DataFrame(), TASK_SCHEMA),
        )

    def stack(frames: list[pd.DataFrame], key: list[str], schema: dict[str, str]) -> pd.DataFrame:
        joined = pd.concat(frames, ignore_index=True)
        return conform(joined.sort_values(key, kind="stable"), schema)

    return NightOutput(
        decisions=stack([o.decisions for o in outputs], ["signal_key"], DECISION_SCHEMA),
        cases=stack([o.cases for o in outputs], ["case_id"], CASE_COLUMNS),
        case_signals=stack(
            [o.case_signals for o in outputs], ["case_id", "signal_key"], CASE_SIGNAL_COLUMNS
        ),
        tasks=stack([o.tasks for o in outputs], ["task_id"], TASK_SCHEMA),
    )


def _of(frame: pd.DataFrame, households: set[str]) -> pd.DataFrame:
    return frame[frame["household_key"].isin(households)].reset_index(drop=True)
