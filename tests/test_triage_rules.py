"""Per-signal triage rules of the shipped Hoogeveen policy, boundaries included.

The builders here (``signal``, ``run_night``, ...) are reused by the case, task and capacity
tests so that every test states only what matters to it.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from connectors.policy import PolicyError, load_triage_policy
from signals.cases import CASE_COLUMNS, assign_cases
from signals.ddas import (
    SIGNAL_STATUSES,
    STATUS_NOT_RESIDENT,
    STATUS_OTHER_REASON,
    STATUS_PICKED_UP,
    STATUS_REPEAT,
    STATUS_UNFOUNDED,
)
from signals.schema import (
    DECISION_SCHEMA,
    HOUSEHOLD_STATE_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    PICKUP_SCHEMA,
    SIGNAL_STATE_SCHEMA,
    TASK_SCHEMA,
    conform,
    empty_frame,
)
from signals.tasks import build_tasks
from signals.triage.night import news_lines, plan_open_tasks
from signals.triage.policy import TriagePolicy
from signals.triage.rules import triage_signals
from signals.triage.shape import household_facts

POLICY_PATH = (
    Path(__file__).resolve().parent.parent / "config" / "policies" / "hoogeveen-2026.1.yaml"
)
NIGHT = date(2026, 4, 23)  # a Thursday; Koningsdag is Monday 27 April


def policy() -> TriagePolicy:
    return load_triage_policy(POLICY_PATH)


def signal(key: str = "S1", household: str = "hh1", **values: Any) -> dict[str, Any]:
    night = pd.Timestamp(values.pop("night", NIGHT))
    row: dict[str, Any] = {
        "signal_key": f"{values.get('partner', 'domesta')}/{night.date()}/{key}",
        "partner": "domesta",
        "partner_type": "Huur",
        "delivery_date": night,
        "signal_id": key,
        "household_key": household,
        "in_municipality": True,
        "wijknaam": "Centrum",
        "age_at_signal": 45,
        "amount": 500.0,
        "arrears_months": 1.0,
        "arrears_since": night - pd.Timedelta(days=60),
        "signal_date": night,
        "crisis": False,
    }
    row.update(values)
    row["signal_key"] = f"{row['partner']}/{night.date()}/{key}"
    return row


def signals(*rows: dict[str, Any]) -> pd.DataFrame:
    return conform(pd.DataFrame(list(rows)), LINKED_SIGNAL_SCHEMA)


def states(frame: pd.DataFrame, state: str = "new", **per_key: str) -> pd.DataFrame:
    rows = [
        {
            "signal_key": key,
            "household_key": household,
            "partner": partner,
            "signal_state": per_key.get(str(key).rsplit("/", 1)[-1], state),
        }
        for key, household, partner in frame[["signal_key", "household_key", "partner"]].itertuples(
            index=False
        )
    ]
    return conform(pd.DataFrame(rows, columns=list(SIGNAL_STATE_SCHEMA)), SIGNAL_STATE_SCHEMA)


def household(key: str = "hh1", **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "household_key": key,
        "case_type": "enkelvoudig",
        "active_partners": "domesta",
        "partner_count": 1,
        "total_amount": 500.0,
        "relapse": False,
    }
    row.update(values)
    return row


def households(*rows: dict[str, Any]) -> pd.DataFrame:
    return conform(pd.DataFrame(list(rows)), HOUSEHOLD_STATE_SCHEMA)


def no_cases() -> pd.DataFrame:
    return empty_frame(CASE_COLUMNS)


def no_pickups() -> pd.DataFrame:
    return empty_frame(PICKUP_SCHEMA)


def no_tasks() -> pd.DataFrame:
    return empty_frame(TASK_SCHEMA)


def run_night(
    linked: pd.DataFrame,
    household_state: pd.DataFrame,
    cases: pd.DataFrame | None = None,
    tasks: pd.DataFrame | None = None,
    night: date = NIGHT,
    signal_state: pd.DataFrame | None = None,
    triage_policy: TriagePolicy | None = None,
    earlier_pickups: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Triage, cases, tasks and capacity for one night: (decisions, cases, links, tasks).

    ``linked`` are tonight's signals and the households' whole current picture.
    """
    chosen = triage_policy or policy()
    cases = no_cases() if cases is None else cases
    state = states(linked) if signal_state is None else signal_state
    found = no_pickups() if earlier_pickups is None else earlier_pickups
    decisions = triage_signals(linked, state, found, chosen)
    new_cases, links = assign_cases(decisions, household_state, cases, night)
    open_cases = pd.concat([cases, new_cases], ignore_index=True).drop_duplicates(
        "case_id", keep="last"
    )
    open_tasks = no_tasks() if tasks is None else tasks
    facts = household_facts(linked, household_state, chosen)
    facts["resolved_since"] = household_state.set_index("household_key")["resolved_since"]
    picked = set(decisions.loc[decisions["status"] == "Opgepakt", "household_key"])
    reshape = pd.Series(facts.index.isin(picked), index=facts.index)
    news = news_lines(linked, state, decisions, household_state, set(), chosen, night)
    built = build_tasks(facts, reshape, news, open_cases, open_tasks, chosen, night)
    planned = plan_open_tasks(open_tasks, built, chosen, night).tasks
    every_case = conform(open_cases.sort_values("case_id", kind="stable"), CASE_COLUMNS)
    return decisions, every_case.reset_index(drop=True), links, planned


def decide(*rows: dict[str, Any], pickups: pd.DataFrame | None = None, **states_by_key: str):
    frame = signals(*rows)
    state = states(frame, **states_by_key)
    return triage_signals(frame, state, no_pickups() if pickups is None else pickups, policy())


# --- the policy file -----------------------------------------------------------------------


def test_shipped_policy_is_hoogeveen_versioned():
    loaded = policy()
    assert loaded.version == "hoogeveen-2026.1"
    assert loaded.effective_from == date(2026, 1, 1)
    assert loaded.task_rules[0].id == "nazorg"


def _raw() -> dict[str, Any]:
    return yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))


def test_unknown_contact_kind_is_refused(tmp_path):
    raw = _raw()
    raw["task_rules"][1]["contact_kind"] = "Huisbezoekje"
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(PolicyError, match="not a DDAS contact kind"):
        load_triage_policy(path)


def test_team_without_capacity_and_bad_placeholder_are_refused():
    raw = _raw()
    raw["teams"] = [t for t in raw["teams"] if t["name"] != "Nazorg"]
    with pytest.raises(ValueError, match="without a capacity"):
        TriagePolicy.model_validate(raw)
    raw = _raw()
    raw["task_rules"][0]["reason_nl"] = "Terugval {postcode}"
    with pytest.raises(ValueError, match="unknown placeholder"):
        TriagePolicy.model_validate(raw)


def test_missing_policy_file_is_a_clear_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read"):
        load_triage_policy(tmp_path / "absent.yaml")


# --- signal status rules -------------------------------------------------------------------


def test_not_in_municipality():
    decisions = decide(signal(in_municipality=False, amount=10.0))
    row = decisions.iloc[0]
    # First match wins: not resident beats the minimum amount.
    assert row["status"] == STATUS_NOT_RESIDENT
    assert row["rule"] == "geen_inwoner"


@pytest.mark.parametrize(
    ("amount", "status"),
    [(74.0, STATUS_UNFOUNDED), (74.99, STATUS_UNFOUNDED), (75.0, STATUS_PICKED_UP)],
)
def test_minimum_amount_boundary(amount, status):
    row = decide(signal(amount=amount)).iloc[0]
    assert row["status"] == status
    if status == STATUS_UNFOUNDED:
        assert row["rule"] == "drempelbedrag"
        assert "€ 75,00" in row["reason_nl"]


def test_bank_referral_without_amount_is_not_held_to_minimum_but_needs_consent():
    bank: dict[str, Any] = {"partner": "bank", "partner_type": "Overige", "amount": pd.NA}
    decisions = decide(
        signal("B1", **bank, consent=True), signal("B2", household="hh2", **bank, consent=False)
    )
    by_id = decisions.set_index("signal_key")["status"]
    assert by_id["bank/2026-04-23/B1"] == STATUS_PICKED_UP
    assert by_id["bank/2026-04-23/B2"] == STATUS_OTHER_REASON


def test_day_window_but_crisis_is_never_outside():
    zorg: dict[str, Any] = {"partner": "zorg", "partner_type": "Zorg", "arrears_months": pd.NA}
    late = NIGHT - timedelta(days=180)
    decisions = decide(
        signal("Z1", **zorg, arrears_since=late),
        signal("Z2", household="hh2", **zorg, arrears_since=late, crisis=True, crisis_kind="cak"),
        signal("E1", household="hh3", partner="energie", partner_type="Energie", days_overdue=29),
    )
    by_id = decisions.set_index("signal_key")
    assert by_id.loc["zorg/2026-04-23/Z1", "rule"] == "dagvenster"
    assert "180 dagen" in by_id.loc["zorg/2026-04-23/Z1", "reason_nl"]
    assert by_id.loc["zorg/2026-04-23/Z2", "status"] == STATUS_PICKED_UP
    assert by_id.loc["energie/2026-04-23/E1", "status"] == STATUS_UNFOUNDED


def _pickup(days_ago: int, partner: str = "domesta") -> pd.DataFrame:
    picked = pd.Timestamp(NIGHT) - pd.Timedelta(days=days_ago)
    row = {"household_key": "hh1", "partner": partner, "picked_up_on": picked}
    return conform(pd.DataFrame([row]), PICKUP_SCHEMA)


@pytest.mark.parametrize(
    ("state", "days_ago", "status"),
    [
        ("repeat", 90, STATUS_REPEAT),
        ("repeat", 91, STATUS_PICKED_UP),
        ("increased", 10, STATUS_PICKED_UP),
        ("new", 10, STATUS_PICKED_UP),
    ],
)
def test_repeat_within_lookback(state, days_ago, status):
    row = decide(signal(), pickups=_pickup(days_ago), S1=state).iloc[0]
    assert row["status"] == status


def test_a_pickup_at_another_partner_does_not_make_a_repeat():
    # Same household, rent repeat; only its energy arrears were picked up recently.
    row = decide(signal(), pickups=_pickup(10, partner="energie"), S1="repeat").iloc[0]
    assert row["status"] == STATUS_PICKED_UP


def test_repeat_without_earlier_pickup_is_picked_up():
    assert decide(signal(), S1="repeat").iloc[0]["status"] == STATUS_PICKED_UP


def test_decisions_carry_version_rule_and_reason_and_ddas_status():
    decisions = decide(signal(), signal("S2", household="hh2", amount=5.0))
    assert list(decisions.columns) == list(DECISION_SCHEMA)
    assert set(decisions["status"]) <= set(SIGNAL_STATUSES)
    assert (decisions["policy_version"] == "hoogeveen-2026.1").all()
    for reason, rule in decisions[["reason_nl", "rule"]].itertuples(index=False):
        assert reason.endswith(f"(beleid hoogeveen-2026.1, regel {rule})")


def test_empty_input_gives_empty_decisions():
    assert triage_signals(signals(), states(signals()), no_pickups(), policy()).empty
