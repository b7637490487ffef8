"""Triage a social worker can trust (issue 8), on small hand-built histories.

Each test replays a few months of one or a few households through the real signal state,
triage, planning and store (``tests/scenario.py``), and checks what the outreach worker and
the partner would see.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from signals.ddas import RESULT_PAID_THEMSELVES, STATUS_PICKED_UP, STATUS_REPEAT
from tests.scenario import ROOT, Town, town_fixture  # noqa: F401

POLICY = ROOT / "config" / "policies" / "hoogeveen-2026.1.yaml"


def custom_policy(tmp_path: Path, **changes: object) -> Path:
    """A copy of the shipped policy (one version, from 2025) with ``changes`` applied."""
    document = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    document["effective_from"] = "2025-01-01"
    document.update(changes)
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / f"{document['version']}.yaml").write_text(yaml.safe_dump(document), "utf-8")
    return folder


def status_of(town: Town, key_part: str) -> str:
    decisions = town.decisions()
    return str(decisions.loc[decisions["signal_key"].str.contains(key_part), "status"].iloc[0])


# 1. A crisis is never filed as a repeat ------------------------------------------------------


def test_an_eviction_request_with_the_same_amount_is_picked_up_and_gets_the_crisis_deadline(
    town: Town,
) -> None:
    rent = {"household": "h1", "id": "DOM-203", "amount": 3000.0, "arrears_months": 6.0}
    town.deliver("domesta", "2026-11-05", [rent])
    town.night("2026-11-05")
    first = town.task_of("h1")

    town.deliver("domesta", "2026-12-07", [{**rent, "crisis_kind": "ontruiming"}])
    town.night("2026-12-07")  # a Monday

    assert status_of(town, "2026-12-07/DOM-203") == STATUS_PICKED_UP
    task = town.task_of("h1")
    assert task["task_id"] == first["task_id"]  # the same task, moved up
    assert task["due_date"] == pd.Timestamp("2026-12-10")  # 3 working days
    assert task["band"] == 1 and task["team_rank"] == 1
    assert "ontruiming aangevraagd" in task["reason_nl"]
    assert task["news_nl"].startswith("Nieuw op 07-12-2026: ontruiming aangevraagd")
    states = town.states().set_index("signal_key")["signal_state"]
    assert states["domesta/2026-12-07/DOM-203"] == "escalated"


def test_a_cak_registration_is_a_change_and_an_unchanged_repeat_is_a_herhaalde_melding(
    town: Town,
) -> None:
    premium = {"household": "h2", "id": "ZV-1", "amount": 600.0}
    rent = {"household": "h3", "id": "DOM-9", "amount": 900.0, "arrears_months": 1.0}
    town.deliver("zorg", "2026-11-03", [premium])
    town.deliver("domesta", "2026-11-05", [rent])
    town.night("2026-11-05")
    town.deliver("zorg", "2026-12-03", [{**premium, "crisis_kind": "cak"}])
    town.deliver("domesta", "2026-12-05", [rent])
    town.night("2026-12-05")

    assert status_of(town, "zorg/2026-12-03/ZV-1") == STATUS_PICKED_UP
    assert status_of(town, "domesta/2026-12-05/DOM-9") == STATUS_REPEAT
    # The CAK registration reported again a month later is still no mere repeat.
    town.deliver("zorg", "2027-01-04", [{**premium, "crisis_kind": "cak"}])
    town.night("2027-01-04")
    assert status_of(town, "zorg/2027-01-04/ZV-1") == STATUS_PICKED_UP
    assert "aangemeld bij het CAK" in town.task_of("h2")["reason_nl"]


# 2. Fresh crises do not wait behind old backlog -------------------------------------------


def test_a_fresh_crisis_is_planned_this_week_and_old_work_shows_as_late(
    town: Town, tmp_path: Path
) -> None:
    teams = [
        {"name": "Loket Geldzaken", "weekly_capacity": 2},
        {"name": "Maatschappelijk werk", "weekly_capacity": 2},
        {"name": "Jong Hoogeveen", "weekly_capacity": 2},
        {"name": "Nazorg", "weekly_capacity": 2},
    ]
    town.policy = custom_policy(tmp_path, teams=teams)
    backlog = [{"household": f"old{i}", "amount": 100.0 + i} for i in range(5)]
    town.deliver("energie", "2026-01-08", backlog)
    town.night("2026-01-08")
    town.deliver(
        "energie",
        "2026-10-08",
        [*backlog, {"household": "fresh", "amount": 80.0, "crisis_kind": "eindelevering"}],
    )
    town.night("2026-10-08")

    tasks = town.tasks().set_index("household_key")
    fresh = tasks.loc["fresh"]
    assert fresh["team_rank"] == 1
    assert fresh["plan_status"] == "deze week"
    assert fresh["planned_week"] == "2026-W41"
    old = tasks.drop(index="fresh")
    assert sorted(old["team_rank"]) == [2, 3, 4, 5, 6]  # a rank per team, not global
    assert set(old["plan_status"]) == {
        "te laat sinds 22-01-2026, ingepland deze week",
        "te laat sinds 22-01-2026, ingepland later",
    }
    assert (old["plan_status"] == "te laat sinds 22-01-2026, ingepland deze week").sum() == 1
    # Capacity 2 a week: the crisis and one old task this week, then two a week.
    assert sorted(old["planned_week"]) == [
        "2026-W41",
        "2026-W42",
        "2026-W42",
        "2026-W43",
        "2026-W43",
    ]


def test_work_done_this_week_uses_up_the_weeks_capacity(town: Town, tmp_path: Path) -> None:
    teams = [
        {"name": "Loket Geldzaken", "weekly_capacity": 2},
        {"name": "Maatschappelijk werk", "weekly_capacity": 2},
        {"name": "Jong Hoogeveen", "weekly_capacity": 2},
        {"name": "Nazorg", "weekly_capacity": 2},
    ]
    town.policy = custom_policy(tmp_path, teams=teams)
    town.deliver("energie", "2026-10-05", [{"household": f"h{i}"} for i in range(3)])
    town.night("2026-10-05")  # Monday
    assert (town.tasks()["plan_status"] == "deze week").sum() == 2

    town.record_attempt("h0", "2026-10-06")
    town.record_attempt("h1", "2026-10-06")
    town.deliver("zorg", "2026-10-07", [{"household": "h9"}])
    town.night("2026-10-07")

    tasks = town.tasks()
    assert (tasks["plan_status"] == "deze week").sum() == 0  # two attempts used the week
    assert set(tasks["planned_week"]) == {"2026-W42", "2026-W43"}


# 3. Stale work is marked, drops to the bottom and is closed by the system ------------------


def test_a_household_resolved_everywhere_is_marked_moved_last_and_closed_later(
    town: Town,
) -> None:
    town.deliver("domesta", "2026-01-05", [{"household": "h1", "arrears_months": 7.0}])
    town.deliver("energie", "2026-01-08", [{"household": "h1"}, {"household": "h2"}])
    town.night("2026-01-08")
    town.deliver("domesta", "2026-02-05", [{"household": "other"}])
    town.deliver("energie", "2026-02-09", [{"household": "h2"}, {"household": "other"}])
    town.night("2026-02-09")

    task = town.task_of("h1")
    assert task["resolved_since"] == pd.Timestamp("2026-02-09")
    assert task["plan_status"] == "opgelost bij de partner sinds 09-02-2026"
    assert task["team_rank"] == town.tasks().query("team == @task.team")["team_rank"].max()

    town.deliver("energie", "2026-03-09", [{"household": "h2"}, {"household": "other"}])
    town.night("2026-03-09")  # 28 days after the last partner dropped h1

    closed = town.tasks(status=None).query("household_key == 'h1'").iloc[0]
    assert closed["status"] == "afgerond" and closed["closed_by"] == "systeem"
    case = town.cases().query("household_key == 'h1'").iloc[0]
    assert case["result"] == RESULT_PAID_THEMSELVES and case["closed_by"] == "systeem"


def test_without_auto_close_a_resolved_task_stays_open(town: Town, tmp_path: Path) -> None:
    town.policy = custom_policy(tmp_path, resolved_tasks={"auto_close": False})
    town.deliver("energie", "2026-01-08", [{"household": "h1"}, {"household": "h2"}])
    town.night("2026-01-08")
    for month in ("02", "03", "04"):
        town.deliver("energie", f"2026-{month}-09", [{"household": "h2"}])
        town.night(f"2026-{month}-09")

    assert town.task_of("h1")["plan_status"].startswith("opgelost bij de partner sinds")


def test_a_reached_household_is_left_for_the_worker_to_close(town: Town) -> None:
    town.deliver("energie", "2026-01-08", [{"household": "h1"}, {"household": "h2"}])
    town.night("2026-01-08")
    town.record_attempt("h1", "2026-01-12", reached=True)
    for month in ("02", "03", "04"):
        town.deliver("energie", f"2026-{month}-09", [{"household": "h2"}])
        town.night(f"2026-{month}-09")

    assert town.task_of("h1")["status"] == "open"


# 4. A late aftercare file still finds the relapse ------------------------------------------


def test_a_nazorg_file_after_the_signal_moves_the_open_task_to_aftercare(town: Town) -> None:
    town.deliver("energie", "2026-01-08", [{"household": "h1"}])
    town.night("2026-01-08")
    assert town.task_of("h1")["team"] == "Loket Geldzaken"

    town.nazorg("2026-01-20", [("h1", "2025-06-30", "afgebroken")])
    town.night("2026-01-20")

    task = town.task_of("h1")
    assert task["team"] == "Nazorg"
    assert "uitkomst: traject voortijdig afgebroken" in task["reason_nl"]
    assert "terugval na een eerder schuldhulptraject gemeld door nazorg" in task["news_nl"]


# 5. A corrected old row completes history but never rewrites the present -------------------


def test_a_resubmitted_old_row_does_not_rewrite_the_task_or_later_states(town: Town) -> None:
    rent = {"household": "h1", "id": "DOM-7"}
    town.deliver("domesta", "2026-02-05", [{**rent, "amount": 1000.0, "arrears_months": 2.0}])
    town.night("2026-02-05")
    town.deliver("domesta", "2026-03-05", [], held_back=["h1"])
    town.night("2026-03-05")
    town.deliver(
        "domesta",
        "2026-04-06",
        [{**rent, "amount": 3500.0, "arrears_months": 7.0, "crisis_kind": "ontruiming"}],
    )
    town.night("2026-04-06")
    task_before = town.task_of("h1")
    states_before = town.states().set_index("signal_key")

    town.deliver(
        "domesta",
        "2026-03-05",
        [{**rent, "amount": 2000.0, "arrears_months": 4.0}],
        correction=True,
    )
    town.night("2026-05-04")

    task = town.task_of("h1")
    assert task["reason_nl"] == task_before["reason_nl"]
    assert "7,0 maanden" in task["reason_nl"] and "ontruiming aangevraagd" in task["reason_nl"]
    states = town.states().set_index("signal_key")
    april = "domesta/2026-04-06/DOM-7"
    assert states.loc[april, "signal_state"] == states_before.loc[april, "signal_state"]
    assert states.loc[april, "previous_amount"] == 1000.0  # February's, never a sum
    assert "domesta/2026-03-05/DOM-7" in set(town.decisions()["signal_key"])


# 7. A score orders the work within the band --------------------------------------------------


def test_scores_order_tasks_within_the_band_and_change_no_decision(town: Town) -> None:
    rows = [{"household": "big", "amount": 900.0}, {"household": "small", "amount": 200.0}]
    town.deliver("energie", "2026-01-08", rows)
    town.night("2026-01-08")
    by_amount = town.tasks().sort_values("team_rank")["household_key"].tolist()
    decided = town.decisions()["status"].tolist()

    scores = pd.DataFrame(
        {
            "household_key": ["big", "small"],
            "score": [0.1, 0.9],
            "model_version": "m1",
            "reasons_nl": ["reden a", "reden b"],
        }
    )
    town.deliver("zorg", "2026-01-09", [{"household": "third", "amount": 300.0}])
    town.night("2026-01-09", scores=scores)

    tasks = town.tasks().set_index("household_key")
    assert by_amount == ["big", "small"]
    assert tasks.loc["small", "team_rank"] < tasks.loc["big", "team_rank"]
    assert tasks.loc["small", "score_reasons_nl"] == "reden b"
    assert town.decisions()["status"].tolist()[:2] == decided


# 8. The text on a task is true ---------------------------------------------------------------


def test_an_earlier_crisis_keeps_its_name_when_a_new_signal_joins(town: Town) -> None:
    town.deliver("energie", "2026-01-08", [{"household": "h1", "crisis_kind": "eindelevering"}])
    town.night("2026-01-08")
    town.deliver("zorg", "2026-02-03", [{"household": "h1", "amount": 300.0}])
    town.deliver("energie", "2026-02-09", [{"household": "h2"}])  # h1 gone at energie
    town.night("2026-02-09")

    task = town.task_of("h1")
    assert "Crisissignaal (eindelevering energie)" in task["reason_nl"]
    assert "eerder gemeld" not in task["reason_nl"]
    assert "nieuwe premieachterstand zorgverzekering" in task["news_nl"]


# 9. The day-window rule fires ----------------------------------------------------------------


def test_a_signal_outside_the_day_window_is_unfounded_but_a_crisis_is_not(town: Town) -> None:
    town.deliver(
        "domesta",
        "2026-01-05",
        [
            {"household": "h1", "days_overdue": 12},
            {"household": "h2", "days_overdue": 12, "crisis_kind": "ontruiming"},
        ],
    )
    town.night("2026-01-05")

    decisions = town.decisions().set_index("signal_id")
    assert decisions.loc["DOM-h1", "status"] == "Niet opgepakt: onterecht signaal"
    assert decisions.loc["DOM-h1", "rule"] == "dagvenster"
    assert decisions.loc["DOM-h2", "status"] == STATUS_PICKED_UP


# 10. Each night uses the policy version in force on it ---------------------------------------


def test_a_replay_across_a_policy_change_uses_each_version_on_its_own_nights(
    town: Town,
) -> None:
    town.deliver("energie", "2025-12-08", [{"household": "h1", "amount": 60.0}])
    town.night("2025-12-08")
    town.deliver("energie", "2026-01-08", [{"household": "h2", "amount": 60.0}])
    town.night("2026-01-08")

    decisions = town.decisions().set_index("signal_id")
    assert decisions.loc["ENE-h1", "status"] == STATUS_PICKED_UP  # EUR 50 minimum in 2025
    assert decisions.loc["ENE-h1", "policy_version"] == "hoogeveen-2025.2"
    assert decisions.loc["ENE-h2", "rule"] == "drempelbedrag"  # EUR 75 from 2026
    assert decisions.loc["ENE-h2", "policy_version"] == "hoogeveen-2026.1"


def test_a_night_before_any_policy_version_is_refused_plainly(town: Town) -> None:
    from signals.triage.policy import PolicyNotInForceError

    town.deliver("energie", "2024-01-08", [{"household": "h1"}])
    with pytest.raises(PolicyNotInForceError, match="takes effect on 2025-07-01"):
        town.night("2024-01-08")


def test_a_nazorg_file_listing_the_household_again_is_no_news(town: Town) -> None:
    town.deliver("energie", "2026-01-08", [{"household": "h1"}])
    town.nazorg("2026-01-20", [("h1", "2025-06-30", "afgebroken")])
    town.night("2026-01-20")
    told = town.task_of("h1")

    town.nazorg("2026-02-20", [("h1", "2025-06-30", "afgebroken")])
    town.night("2026-02-20")

    again = town.task_of("h1")
    assert again["news_nl"] == told["news_nl"]  # still what was new in January
    assert again["version"] == told["version"]  # nothing changed, nothing written
