"""Cases: one open case per household, joining, open-and-close for unhandled signals."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from signals.cases import CASE_COLUMNS, CASE_SIGNAL_COLUMNS, assign_cases, case_id_for
from signals.ddas import RESULTS, STATUS_UNFOUNDED
from signals.schema import conform
from signals.triage.rules import triage_signals
from tests.test_triage_rules import (
    NIGHT,
    household,
    households,
    no_cases,
    no_pickups,
    policy,
    signal,
    signals,
    states,
)


def assign(frame, household_state, cases=None, night=NIGHT):
    cases = no_cases() if cases is None else cases
    decisions = triage_signals(frame, states(frame), no_pickups(), policy())
    return assign_cases(decisions, household_state, cases, night)


def test_picked_up_signal_opens_a_case_with_pickup_date_and_deterministic_id():
    cases, links = assign(signals(signal()), households(household(case_type="opeenvolgend")))
    assert list(cases.columns) == list(CASE_COLUMNS)
    assert list(links.columns) == list(CASE_SIGNAL_COLUMNS)
    case = cases.iloc[0]
    assert case["case_id"] == case_id_for("hh1", NIGHT, "domesta/2026-04-23/S1")
    assert case["status"] == "open"
    assert case["case_type"] == "opeenvolgend"
    assert case["opened_on"] == case["picked_up_on"] == pd.Timestamp(NIGHT)
    assert links["signal_key"].tolist() == ["domesta/2026-04-23/S1"]


def test_one_case_for_several_signals_of_one_household():
    frame = signals(signal(), signal("E1", partner="energie", partner_type="Energie"))
    cases, links = assign(frame, households(household(case_type="meervoudig")))
    assert len(cases) == 1
    assert links["case_id"].nunique() == 1 and len(links) == 2


def test_not_picked_up_without_open_case_is_opened_and_closed_with_ddas_result():
    cases, links = assign(signals(signal(amount=74.99)), households(household()))
    case = cases.iloc[0]
    assert case["status"] == "closed"
    assert case["result"] == STATUS_UNFOUNDED and case["result"] in RESULTS
    assert case["closed_on"] == pd.Timestamp(NIGHT)
    assert pd.isna(case["picked_up_on"])
    assert len(links) == 1


def test_new_signal_joins_the_open_case_and_sets_first_pickup_once():
    open_case = conform(
        pd.DataFrame(
            [
                {
                    "case_id": "zaak-oud",
                    "household_key": "hh1",
                    "case_type": "enkelvoudig",
                    "opened_on": pd.Timestamp(NIGHT - timedelta(days=20)),
                    "status": "open",
                }
            ]
        ),
        CASE_COLUMNS,
    )
    night2 = NIGHT + timedelta(days=1)
    frame = signals(signal("E1", partner="energie", partner_type="Energie", night=night2))
    cases, links = assign(frame, households(household(case_type="meervoudig")), open_case, night2)
    assert cases["case_id"].tolist() == ["zaak-oud"]
    case = cases.iloc[0]
    assert case["picked_up_on"] == pd.Timestamp(night2)
    assert case["case_type"] == "meervoudig"
    assert links["case_id"].tolist() == ["zaak-oud"]
    # A later pick-up moves last_pickup_on only; datumOpgepakt stays the first.
    night3 = night2 + timedelta(days=1)
    frame3 = signals(signal("W1", partner="water", partner_type="Water", night=night3))
    again, _ = assign(frame3, households(household(case_type="meervoudig")), cases, night3)
    assert again.iloc[0]["picked_up_on"] == pd.Timestamp(night2)
    assert again.iloc[0]["last_pickup_on"] == pd.Timestamp(night3)


def test_two_open_cases_for_one_household_is_an_error():
    row = {"household_key": "hh1", "status": "open", "opened_on": pd.Timestamp(NIGHT)}
    doubled = conform(
        pd.DataFrame([{**row, "case_id": "zaak-a"}, {**row, "case_id": "zaak-b"}]), CASE_COLUMNS
    )
    with pytest.raises(ValueError, match="more than one open case"):
        assign(signals(signal()), households(household()), doubled)


def test_replaying_a_night_gives_identical_cases():
    frame = signals(signal(), signal("S2", household="hh2", amount=5.0))
    hh = households(household(), household("hh2"))
    first = assign(frame, hh)
    second = assign(frame.iloc[::-1], hh)
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
