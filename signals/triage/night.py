"""One night's triage for a set of households: decisions, cases and tasks.

A pure composition of the triage steps, so that the same function runs on all households at
once or per partition (postcode area) on Dask workers: households never span partitions, and
every id is derived from the data, so the partitioned result equals the single-process one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from signals.capacity import plan_capacity
from signals.cases import CASE_COLUMNS, CASE_SIGNAL_COLUMNS, assign_cases
from signals.schema import DECISION_SCHEMA, SIGNAL_STATE_SCHEMA, TASK_SCHEMA, conform
from signals.state import household_states, pickups
from signals.tasks import build_tasks
from signals.triage.policy import TriagePolicy
from signals.triage.priority import assign_priority
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


def night_input(
    history: pd.DataFrame,
    decisions: pd.DataFrame,
    signal_state: pd.DataFrame,
    aftercare: pd.DataFrame,
    complete_deliveries: pd.DataFrame,
    cases: pd.DataFrame,
    open_tasks: pd.DataFrame,
    night: date,
    window_days: int,
    resolved: pd.DataFrame | None = None,
    recurrence_days: int = 365,
    episodic_partners: set[str] | None = None,
) -> NightInput:
    """What the triage of ``night`` works on: every signal delivered up to ``night`` that has
    no decision yet, with the state of the households involved."""
    history = history[history["delivery_date"] <= pd.Timestamp(night)]
    undecided = history[~history["signal_key"].isin(set(decisions["signal_key"]))]
    undecided = undecided.reset_index(drop=True)
    involved = set(undecided["household_key"])
    households = household_states(
        history,
        aftercare,
        night,
        window_days,
        complete_deliveries,
        resolved,
        recurrence_days,
        episodic_partners,
    )
    return NightInput(
        signals=undecided,
        signal_state=conform(
            signal_state[signal_state["signal_key"].isin(set(undecided["signal_key"]))],
            SIGNAL_STATE_SCHEMA,
        ),
        household_state=households[households["household_key"].isin(involved)],
        cases=cases,
        open_tasks=open_tasks,
        pickups=pickups(history, decisions),
    )


def triage_night(batch: NightInput, policy: TriagePolicy, night: date) -> NightOutput:
    """Decide every undecided signal, fold it into its household's case and task."""
    decisions = triage_signals(batch.signals, batch.signal_state, batch.pickups, policy)
    cases, links = assign_cases(decisions, batch.household_state, batch.cases, night)
    tasks = build_tasks(
        batch.signals, decisions, batch.household_state, cases, batch.open_tasks, policy, night
    )
    return NightOutput(decisions=decisions, cases=cases, case_signals=links, tasks=tasks)


def partition_keys(signals: pd.DataFrame, partitioned: bool) -> pd.Series:
    """The partition of each signal: its neighbourhood (postcode area), unknown → "buiten";
    or one partition "alle" when the night runs in one process."""
    if not partitioned:
        return pd.Series("alle", index=signals.index, dtype="string")
    return signals["wijkcode"].astype("string").fillna("buiten")


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


def plan_open_tasks(
    carried: pd.DataFrame, tonight: pd.DataFrame, policy: TriagePolicy, night: date
) -> pd.DataFrame:
    """All open work after tonight, ranked and planned into the teams' weeks.

    ``carried`` are the open tasks before tonight; those of households not triaged tonight
    share the teams' capacity with tonight's. Priority is a rank over all open work, so it is
    set here, over every partition together (a partition only ranks its own tasks).
    """
    untouched = carried[~carried["case_id"].isin(set(tonight["case_id"]))]
    open_tasks = conform(pd.concat([untouched, tonight], ignore_index=True), TASK_SCHEMA)
    return plan_capacity(assign_priority(open_tasks, policy), policy, night)


def new_cases_opened(cases: pd.DataFrame, night: date) -> int:
    """Cases opened tonight that were picked up (not the same-night closed not-picked-up ones)."""
    opened = cases["opened_on"] == pd.Timestamp(night)
    return int((opened & cases["picked_up_on"].notna()).sum())


def _of(frame: pd.DataFrame, households: set[str]) -> pd.DataFrame:
    return frame[frame["household_key"].isin(households)].reset_index(drop=True)
