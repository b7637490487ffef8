"""Features as of a night see only what was delivered by then."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt

from signals.risk.features import build_features, feature_names
from tests.risk.history import history, signal

NIGHT = pd.Timestamp("2026-03-02")


def _signals() -> list[dict]:
    rows = []
    for month, amount in zip(range(1, 12), range(300, 1400, 100), strict=True):
        delivered = f"2026-{month:02d}-05"
        rows.append(signal("A", "domesta", delivered, amount, months=month / 2, age=24))
        if month % 2:
            rows.append(signal("A", "zorg", f"2026-{month:02d}-03", 150.0 * month))
        rows.append(signal("B", "energie", f"2026-{month:02d}-10", 90.0 + month))
    rows.append(signal("A", "energie", "2025-12-10", 400.0, state="new"))
    # Delivered before the night but loaded only after it: invisible to the night.
    rows.append(signal("B", "water", "2026-02-20", 999.0, known_on="2026-03-20"))
    rows.append(
        signal("A", "domesta", "2026-04-05", 2000.0, crisis="ontruiming", state="escalated")
    )
    return rows


def _history(signals: list[dict]):  # type: ignore[no-untyped-def]
    return history(
        signals,
        aftercare=[
            {
                "household_key": "A",
                "trajectory_end_date": pd.Timestamp("2025-10-01"),
                "trajectory_outcome": "afgebroken",
                "known_on": pd.Timestamp("2025-10-15"),
            },
            {
                "household_key": "B",
                "trajectory_end_date": pd.Timestamp("2026-02-01"),
                "trajectory_outcome": "saneringskrediet",
                "known_on": pd.Timestamp("2026-04-01"),
            },
        ],
        attempts=[
            {
                "household_key": "A",
                "attempt_date": pd.Timestamp("2026-02-10"),
                "reached": False,
                "recorded_on": pd.Timestamp("2026-02-11"),
            },
            {
                "household_key": "A",
                "attempt_date": pd.Timestamp("2026-02-25"),
                "reached": True,
                "recorded_on": pd.Timestamp("2026-03-09"),
            },
        ],
        cases=[
            {
                "case_id": "c1",
                "household_key": "A",
                "opened_on": pd.Timestamp("2026-01-05"),
                "closed_on": pd.Timestamp("2026-05-01"),
                "picked_up_on": pd.Timestamp("2026-01-05"),
            },
            {
                "case_id": "c0",
                "household_key": "B",
                "opened_on": pd.Timestamp("2025-11-05"),
                "closed_on": pd.Timestamp("2025-12-01"),
                "picked_up_on": pd.Timestamp("2025-11-05"),
            },
        ],
    )


ROWS = pd.DataFrame({"night": [NIGHT, NIGHT], "household_key": ["A", "B"]})


def test_every_feature_is_there_and_numeric() -> None:
    features = build_features(ROWS, _history(_signals()))
    assert list(features.columns[: len(ROWS.columns)]) == list(ROWS.columns)
    assert set(feature_names()) <= set(features.columns)
    assert not features[feature_names()].isna().any().any()
    a = features.iloc[0]
    assert a["current_Huur"] == 400.0  # the March delivery (2026-03-05) is after the night
    assert a["n_Huur_3m"] == 2 and a["growth_Huur_3m"] == 100.0
    assert a["current_Energie"] == 0.0  # energie's newest delivery no longer lists A
    assert a["partners_6m"] == 3 and a["band_18-26"] == 1.0
    assert a["trajectory_afgebroken"] == 1.0 and a["relapse_now"] == 1.0
    assert a["attempts"] == 1.0 and a["attempts_reached"] == 0.0  # the 2nd was recorded later
    b = features.iloc[1]
    assert b["n_Water_ooit"] == 0 and b["trajectory_saneringskrediet"] == 0.0
    assert b["prior_cases"] == 1.0 and b["days_since_trajectory_end_missing"] == 1.0


def test_changing_or_removing_every_later_delivery_changes_no_feature() -> None:
    """The leakage test: whatever is known only after the night leaves its features alone."""
    signals = _signals()
    before = build_features(ROWS, _history(signals))

    later = [row for row in signals if row["known_on"] > NIGHT]
    assert later, "the history must hold later deliveries for this test to mean anything"
    kept = [row for row in signals if row["known_on"] <= NIGHT]
    removed = _history(kept)
    removed = type(removed)(
        signals=removed.signals,
        deliveries=removed.deliveries,
        aftercare=removed.aftercare[removed.aftercare["known_on"] <= NIGHT],
        attempts=removed.attempts[removed.attempts["recorded_on"] <= NIGHT],
        cases=removed.cases.assign(
            closed_on=removed.cases["closed_on"].where(removed.cases["closed_on"] <= NIGHT)
        ),
    )
    pdt.assert_frame_equal(before, build_features(ROWS, removed))

    changed = [
        {
            **row,
            "amount": 10 * (row["amount"] or 1),
            "crisis_kind": "cak",
            "partner": "zorg",
            "partner_type": "Zorg",
            "delivery_date": row["delivery_date"] - pd.Timedelta(days=40),
        }
        if row["known_on"] > NIGHT
        else row
        for row in signals
    ]
    pdt.assert_frame_equal(before, build_features(ROWS, _history(changed)))
    # ... while a change before the night does change a feature (the test can fail).
    earlier = [
        {**row, "amount": 5000.0} if row["delivery_date"] == pd.Timestamp("2026-02-05") else row
        for row in signals
    ]
    assert not np.allclose(
        before[feature_names()].to_numpy(float),
        build_features(ROWS, _history(earlier))[feature_names()].to_numpy(float),
    )


def test_wijk_is_kept_for_the_audit_but_is_no_feature() -> None:
    features = build_features(ROWS, _history(_signals()))
    assert features["wijkcode"].tolist() == ["WK011800", "WK011800"]
    assert not any("wijk" in name for name in feature_names())
