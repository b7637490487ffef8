"""Task shape, precedence, re-prioritisation and carry-over on hand-built households."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from signals.ddas import CONTACT_KINDS
from signals.schema import TASK_SCHEMA
from signals.triage.night import plan_open_tasks
from signals.triage.working_days import add_working_days
from tests.test_triage_rules import (
    NIGHT,
    household,
    households,
    policy,
    run_night,
    signal,
    signals,
)

TEN_WORKING_DAYS = pd.Timestamp(add_working_days(NIGHT, 10))
THREE_WORKING_DAYS = pd.Timestamp(date(2026, 4, 29))  # across Koningsdag, Monday 27 April


def one_task(*rows, **household_values):
    hh = households(household(**household_values))
    _, _, _, tasks = run_night(signals(*rows), hh)
    assert len(tasks) == 1
    return tasks.iloc[0]


def test_exactly_two_months_rent_is_a_joint_home_visit():
    task = one_task(signal(arrears_months=2.0))
    assert task["contact_kind"] == "Huisbezoek"
    assert task["team"] == "Maatschappelijk werk"
    assert task["joint_with"] == "Domesta"
    assert task["due_date"] == TEN_WORKING_DAYS
    assert task["rule"] == "huur_twee_maanden"
    assert task["reason_nl"] == (
        "Huurachterstand van 2,0 maanden; gezamenlijk huisbezoek met Domesta "
        "(beleid hoogeveen-2026.1, regel huur_twee_maanden)"
    )


@pytest.mark.parametrize("months", [1.9, 1.99])
def test_less_than_two_months_rent_is_a_letter_then_phone(months):
    task = one_task(signal(arrears_months=months))
    assert task["contact_kind"] == "Brief"
    assert task["team"] == "Loket Geldzaken"
    assert pd.isna(task["joint_with"])
    assert "telefoontje" in task["reason_nl"]
    assert task["rule"] == "enkelvoudig"


def test_rent_months_from_a_health_insurer_do_not_count_as_rent():
    zorg: dict[str, Any] = {"partner": "zorg", "partner_type": "Zorg", "arrears_months": 4.0}
    assert one_task(signal(**zorg), active_partners="zorg")["rule"] == "enkelvoudig"


@pytest.mark.parametrize("kind", ["ontruiming", "eindelevering", "cak"])
def test_crisis_is_due_in_three_working_days_across_a_holiday(kind):
    task = one_task(signal(arrears_months=2.0, crisis=True, crisis_kind=kind))
    assert task["due_date"] == THREE_WORKING_DAYS
    assert task["team"] == "Maatschappelijk werk"  # crisis shortens the due date of any team
    assert task["rule"] == "huur_twee_maanden+crisis"
    assert "3 werkdagen" in task["reason_nl"]


@pytest.mark.parametrize(
    ("age", "team"),
    [
        (17, "Loket Geldzaken"),
        (18, "Jong Hoogeveen"),
        (27, "Jong Hoogeveen"),
        (28, "Loket Geldzaken"),
    ],
)
def test_young_adult_boundaries(age, team):
    assert one_task(signal(age_at_signal=age))["team"] == team


def test_relapse_beats_youth_rent_and_multiple_and_names_the_previous_outcome():
    task = one_task(
        signal(age_at_signal=20, arrears_months=3.0),
        signal("E1", partner="energie", partner_type="Energie", age_at_signal=20),
        case_type="meervoudig",
        partner_count=2,
        relapse=True,
        previous_trajectory_outcome="schuldregeling_geslaagd",
    )
    assert task["team"] == "Nazorg"
    assert task["rule"] == "nazorg"
    assert "(uitkomst: schuldregeling geslaagd)" in task["reason_nl"]
    assert "Schuldhulpmaatje" in task["suggestions"]


@pytest.mark.parametrize(
    ("rows", "values"),
    [
        (
            [signal(amount=80.0), signal("E1", partner="energie", partner_type="Energie")],
            {"case_type": "meervoudig", "partner_count": 2},
        ),
        ([signal(amount=80.0)], {"case_type": "meervoudig", "partner_count": 2}),
        ([signal(amount=80.0)], {"case_type": "opeenvolgend"}),
        ([signal(amount=80.0, age_at_signal=22)], {"case_type": "meervoudig", "partner_count": 3}),
    ],
)
def test_multiple_partners_never_get_a_letter(rows, values):
    task = one_task(*rows, **values)
    assert task["contact_kind"] != "Brief"
    assert task["contact_kind"] in {"Huisbezoek", "Telefoon"}


def test_contact_kinds_are_ddas_strings_and_schema_is_followed():
    hh = households(household("hh1"), household("hh2", case_type="meervoudig", partner_count=2))
    _, _, _, tasks = run_night(signals(signal(), signal("S2", household="hh2")), hh)
    assert list(tasks.columns) == list(TASK_SCHEMA)
    assert set(tasks["contact_kind"]) <= set(CONTACT_KINDS)
    assert tasks["task_id"].is_unique and tasks["case_id"].is_unique


def test_priority_crisis_then_relapse_then_multiple_then_amount():
    rows = [
        signal("A", household="amount_high", amount=5000.0),
        signal("B", household="amount_low", amount=100.0),
        signal("C", household="multiple", amount=100.0),
        signal("D", household="relapse", amount=100.0),
        signal("E", household="crisis", amount=100.0, crisis=True, crisis_kind="ontruiming"),
    ]
    hh = households(
        household("amount_high", total_amount=5000.0),
        household("amount_low", total_amount=100.0),
        household("multiple", case_type="meervoudig", partner_count=2, total_amount=100.0),
        household("relapse", relapse=True, total_amount=100.0),
        household("crisis", total_amount=100.0),
    )
    _, _, _, tasks = run_night(signals(*rows), hh)
    by_priority = tasks.sort_values("priority")["household_key"].tolist()
    # "multiple" has one picked-up partner tonight but a meervoudig household state.
    assert by_priority == ["crisis", "relapse", "multiple", "amount_high", "amount_low"]
    assert tasks["priority"].tolist() == sorted(tasks["priority"].tolist())


def test_suggested_instruments():
    small_visit = one_task(signal(arrears_months=2.0, amount=600.0), total_amount=600.0)
    assert small_visit["suggestions"] == "Voorzieningenwijzer; Microkrediet"
    letter = one_task(signal(amount=600.0), total_amount=600.0)
    assert letter["suggestions"] == "Voorzieningenwijzer"  # no guidance with a letter alone
    large = one_task(signal(arrears_months=2.0, amount=751.0), total_amount=751.0)
    assert "Microkrediet" not in large["suggestions"]
    bank = one_task(
        signal("B1", partner="bank", partner_type="Overige", amount=pd.NA, consent=True),
        total_amount=pd.NA,
    )
    assert "Geldfit zelftest" in bank["suggestions"]


def test_second_night_reprioritises_the_same_task_without_a_new_case():
    first = signals(signal(amount=300.0))
    _, cases, _, tasks = run_night(first, households(household(total_amount=300.0)))
    assert tasks.iloc[0]["contact_kind"] == "Brief"
    night2 = NIGHT + timedelta(days=7)
    second = signals(
        signal(
            "E1",
            partner="energie",
            partner_type="Energie",
            night=night2,
            crisis=True,
            crisis_kind="eindelevering",
        )
    )
    hh2 = households(household(case_type="meervoudig", partner_count=2, total_amount=900.0))
    _, cases2, links2, tasks2 = run_night(second, hh2, cases, tasks, night=night2)
    assert len(cases2) == 1 and cases2.iloc[0]["case_id"] == cases.iloc[0]["case_id"]
    assert links2["case_id"].tolist() == [cases.iloc[0]["case_id"]]
    assert len(tasks2) == 1
    task = tasks2.iloc[0]
    assert task["task_id"] == tasks.iloc[0]["task_id"]
    assert task["created_on"] == pd.Timestamp(NIGHT)
    assert task["updated_on"] == pd.Timestamp(night2)
    assert task["due_date"] == pd.Timestamp(add_working_days(night2, 3))
    assert task["due_date"] < tasks.iloc[0]["due_date"]
    assert task["contact_kind"] != "Brief"
    assert task["signal_partners"] == "domesta,energie"
    assert task["total_amount"] == 900.0
    assert "crisis" in task["rule"]


def test_joining_signal_never_lowers_precedence_or_delays_due_date():
    first = signals(signal(arrears_months=2.5))
    _, cases, _, tasks = run_night(first, households(household()))
    night2 = NIGHT + timedelta(days=2)
    second = signals(signal("E1", partner="energie", partner_type="Energie", night=night2))
    hh2 = households(household(case_type="meervoudig", partner_count=2))
    _, _, _, tasks2 = run_night(second, hh2, cases, tasks, night=night2)
    task = tasks2.iloc[0]
    assert task["rule"] == "huur_twee_maanden"
    assert task["team"] == "Maatschappelijk werk" and task["joint_with"] == "Domesta"
    assert task["due_date"] == tasks.iloc[0]["due_date"]  # the later deadline is not taken


def test_untouched_open_tasks_are_carried_over():
    _, cases, _, tasks = run_night(signals(signal()), households(household()))
    night2 = NIGHT + timedelta(days=1)
    other = signals(signal("S9", household="hh9", night=night2))
    _, cases2, _, tasks2 = run_night(other, households(household("hh9")), cases, tasks, night2)
    assert set(tasks2["household_key"]) == {"hh1", "hh9"}
    carried = tasks2.set_index("household_key").loc["hh1"]
    assert carried["task_id"] == tasks.iloc[0]["task_id"]
    assert carried["updated_on"] == pd.Timestamp(NIGHT)
    assert len(cases2) == 2


def test_a_night_without_signals_keeps_every_open_task():
    _, cases, _, tasks = run_night(signals(signal()), households(household()))
    night2 = NIGHT + timedelta(days=1)
    _, cases2, links2, tasks2 = run_night(signals(), households(), cases, tasks, night2)
    assert links2.empty
    pd.testing.assert_frame_equal(cases2, cases)
    assert tasks2["task_id"].tolist() == tasks["task_id"].tolist()


def test_not_picked_up_signals_make_no_task():
    _, cases, _, tasks = run_night(signals(signal(amount=10.0)), households(household()))
    assert tasks.empty
    assert cases.iloc[0]["status"] == "closed"


def test_same_night_twice_gives_identical_frames():
    rows = signals(
        signal(arrears_months=2.0),
        signal("E1", household="hh2", partner="energie", partner_type="Energie"),
        signal("S3", household="hh3", amount=20.0),
        signal("S4", household="hh4", age_at_signal=19, crisis=True, crisis_kind="cak"),
    )
    hh = households(household(), household("hh2"), household("hh3"), household("hh4"))
    first = run_night(rows, hh)
    second = run_night(rows.sample(frac=1.0, random_state=3), hh)
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_optional_score_orders_ties_but_never_removes_a_task():
    _, _, _, tasks = run_night(
        signals(signal(), signal("S2", household="hh2")), households(household(), household("hh2"))
    )
    scores = pd.DataFrame(
        {
            "household_key": ["hh1", "hh2"],
            "score": [0.1, 0.9],
            "model_version": "m1",
            "reasons_nl": ["a", "b"],
        }
    )
    planned = plan_open_tasks(tasks, tasks.iloc[0:0], policy(), NIGHT, scores=scores).tasks
    assert planned["household_key"].tolist() == ["hh2", "hh1"]
    assert planned["priority"].tolist() == [1, 2]
    reversed_scores = scores.assign(score=[0.9, 0.1])
    replanned = plan_open_tasks(tasks, tasks.iloc[0:0], policy(), NIGHT, scores=reversed_scores)
    assert replanned.tasks["household_key"].tolist() == ["hh1", "hh2"]
    assert len(replanned.tasks) == 2  # a score never removes a task


def test_the_reason_and_the_signal_partners_name_the_same_partners():
    zorg: dict[str, Any] = {"partner": "zorg", "partner_type": "Zorg", "arrears_months": 2.0}
    task = one_task(signal(**zorg), active_partners="domesta,energie,zorg", partner_count=3)
    assert task["signal_partners"] == "domesta,energie,zorg"
    assert "3 partners" in task["reason_nl"]
