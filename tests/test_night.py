"""A night's triage gives the same result whole or split by neighbourhood (the Dask path)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from signals.schema import HOUSEHOLD_STATE_SCHEMA, PICKUP_SCHEMA, conform, empty_frame
from signals.triage.night import (
    NightInput,
    combine,
    new_cases_opened,
    partition_keys,
    plan_open_tasks,
    split_by_partition,
    triage_night,
)
from tests.test_triage_rules import NIGHT, no_cases, no_tasks, policy, signal, signals, states


def _households(frame: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {"household_key": key, "case_type": "enkelvoudig", "partner_count": 1, "relapse": False}
        for key in sorted(set(frame["household_key"]))
    ]
    return conform(pd.DataFrame(rows), HOUSEHOLD_STATE_SCHEMA)


def _night(batch: NightInput, partitioned: bool, night: date) -> pd.DataFrame:
    parts = split_by_partition(batch, partition_keys(batch.signals, partitioned))
    result = combine([triage_night(part, policy(), night) for part in parts.values()])
    return plan_open_tasks(batch.open_tasks, result.tasks, policy(), night)


def _batch(frame: pd.DataFrame, open_tasks: pd.DataFrame) -> NightInput:
    return NightInput(
        signals=frame,
        signal_state=states(frame),
        household_state=_households(frame),
        cases=no_cases(),
        open_tasks=open_tasks,
        pickups=empty_frame(PICKUP_SCHEMA),
    )


def test_split_by_neighbourhood_gives_the_same_tasks_as_one_process():
    wijken = ["WK011800", "WK011801", "WK011802", None]
    first = signals(
        *(
            signal(f"S{i}", household=f"hh{i}", wijkcode=wijken[i % 4], amount=100.0 + 37 * i)
            for i in range(12)
        )
    )
    whole = _night(_batch(first, no_tasks()), partitioned=False, night=NIGHT)
    split = _night(_batch(first, no_tasks()), partitioned=True, night=NIGHT)
    pd.testing.assert_frame_equal(whole, split)

    # A second night: new households in two wijken, tonight's work ranked with the carried.
    later = NIGHT + timedelta(days=7)
    second = signals(
        *(
            signal(f"T{i}", household=f"new{i}", wijkcode=wijken[i % 2], night=later, crisis=i == 0)
            for i in range(5)
        )
    )
    whole2 = _night(_batch(second, whole), partitioned=False, night=later)
    split2 = _night(_batch(second, split), partitioned=True, night=later)
    pd.testing.assert_frame_equal(whole2, split2)
    assert sorted(whole2["priority"]) == list(range(1, len(whole2) + 1))  # one rank, no ties
    assert len(whole2) == 17


def test_only_picked_up_new_cases_count_as_opened():
    frame = signals(signal("S1", household="hh1"), signal("S2", household="hh2", amount=10.0))
    batch = _batch(frame, no_tasks())
    result = triage_night(batch, policy(), NIGHT)
    assert len(result.cases) == 2  # the one below the minimum is opened and closed at once
    assert new_cases_opened(result.cases, NIGHT) == 1
