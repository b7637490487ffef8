"""A night's triage gives the same result whole or split by neighbourhood (the Dask path)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from signals.schema import (
    LINKED_AFTERCARE_SCHEMA,
    PICKUP_SCHEMA,
    RESOLUTION_SCHEMA,
    empty_frame,
)
from signals.triage.night import (
    NAZORG_SCHEMA,
    NightInput,
    combine,
    household_partitions,
    new_cases_opened,
    plan_open_tasks,
    split_by_partition,
    triage_night,
)
from tests.test_triage_rules import NIGHT, no_cases, no_tasks, policy, signal, signals, states


def _batch(frame: pd.DataFrame, open_tasks: pd.DataFrame, cases: pd.DataFrame) -> NightInput:
    return NightInput(
        households=pd.Series(sorted(set(frame["household_key"])), dtype="string"),
        signals=frame,
        signal_state=states(frame),
        history=frame,
        complete_deliveries=frame[["partner", "delivery_date"]].drop_duplicates(),
        held_back=pd.DataFrame(columns=["partner", "delivery_date", "household_key"]),
        resolutions=empty_frame(RESOLUTION_SCHEMA),
        aftercare=empty_frame(LINKED_AFTERCARE_SCHEMA),
        nazorg_tonight=empty_frame(NAZORG_SCHEMA),
        open_cases=cases,
        open_tasks=open_tasks[open_tasks["household_key"].isin(set(frame["household_key"]))],
        pickups=empty_frame(PICKUP_SCHEMA),
    )


def _night(batch: NightInput, carried: pd.DataFrame, partitioned: bool, night: date):
    parts = split_by_partition(batch, household_partitions(batch, partitioned))
    result = combine([triage_night(part, policy(), night) for part in parts.values()])
    return result, plan_open_tasks(carried, result.tasks, policy(), night).tasks


def test_split_by_neighbourhood_gives_the_same_tasks_as_one_process():
    wijken = ["WK011800", "WK011801", "WK011802", None]
    first = signals(
        *(
            signal(f"S{i}", household=f"hh{i}", wijkcode=wijken[i % 4], amount=100.0 + 37 * i)
            for i in range(12)
        )
    )
    result, whole = _night(_batch(first, no_tasks(), no_cases()), no_tasks(), False, NIGHT)
    _, split = _night(_batch(first, no_tasks(), no_cases()), no_tasks(), True, NIGHT)
    pd.testing.assert_frame_equal(whole, split)

    # A second night: new households in two wijken, tonight's work ranked with the carried.
    later = NIGHT + timedelta(days=7)
    second = signals(
        *(
            signal(f"T{i}", household=f"new{i}", wijkcode=wijken[i % 2], night=later, crisis=i == 0)
            for i in range(5)
        )
    )
    _, whole2 = _night(_batch(second, whole, result.cases), whole, False, later)
    _, split2 = _night(_batch(second, split, result.cases), split, True, later)
    pd.testing.assert_frame_equal(whole2, split2)
    assert sorted(whole2["priority"]) == list(range(1, len(whole2) + 1))  # one order, no ties
    assert len(whole2) == 17


def test_only_picked_up_new_cases_count_as_opened():
    frame = signals(signal("S1", household="hh1"), signal("S2", household="hh2", amount=10.0))
    result = triage_night(_batch(frame, no_tasks(), no_cases()), policy(), NIGHT)
    assert len(result.cases) == 2  # the one below the minimum is opened and closed at once
    assert new_cases_opened(result.cases, NIGHT) == 1
