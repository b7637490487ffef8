"""A decision record that holds (issue 9): point-in-time history and safe concurrent work."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from connectors.database import as_of
from connectors.database.engine import session_scope
from connectors.database.versions import now
from signals.feedback import build_partner_feedback
from tests.conftest import ROOT
from tests.scenario import Town, town_fixture  # noqa: F401

PLANNED = ["task_id", "team", "team_rank", "plan_status", "planned_week", "due_date", "reason_nl"]


def _snapshot(town: Town) -> dict[str, pd.DataFrame]:
    """What the night's exports held: the task lists, each partner's feedback, the statuses."""
    with session_scope(town.res.engine) as session:
        from connectors.database import repository as repo

        signals = repo.load_signals(session)
        decisions = repo.load_decisions(session)
    return {
        "tasks": town.tasks().sort_values("task_id")[PLANNED].reset_index(drop=True),
        "feedback": build_partner_feedback(signals, decisions, "domesta"),
        "statuses": decisions.sort_values("signal_key")[["signal_key", "status"]].reset_index(
            drop=True
        ),
    }


def _reconstructed(town: Town, night: dt.date, at: dt.datetime) -> dict[str, pd.DataFrame]:
    policy = town.res.policy_book.in_force(night)
    with session_scope(town.res.engine) as session:
        tasks = as_of.planned_tasks_as_of(session, night, at, policy)
        signals = as_of.signals_as_of(session, at)
        decisions = as_of.decisions_as_of(session, night)
    return {
        "tasks": tasks.sort_values("task_id")[PLANNED].reset_index(drop=True),
        "feedback": build_partner_feedback(signals, decisions, "domesta"),
        "statuses": decisions.sort_values("signal_key")[["signal_key", "status"]].reset_index(
            drop=True
        ),
    }


def test_a_past_night_is_reconstructed_exactly_after_later_nights_and_work(town: Town) -> None:
    town.deliver("domesta", "2026-01-05", [{"household": "h1", "arrears_months": 2.0}])
    town.deliver("energie", "2026-01-08", [{"household": f"e{i}"} for i in range(4)])
    town.night("2026-01-08")
    time.sleep(0.01)
    first_night = _snapshot(town)
    moment = now()
    time.sleep(0.01)

    # Later: a worker works a task, a crisis arrives, a household is resolved, a case closes.
    town.record_attempt("e0", "2026-01-12", reached=True)
    town.close("e1", "2026-01-13", "(Budget)advies en/of quick fix")
    town.deliver(
        "domesta",
        "2026-02-05",
        [{"household": "h1", "arrears_months": 3.0, "crisis_kind": "ontruiming"}],
    )
    town.deliver("energie", "2026-02-09", [{"household": "e2"}, {"household": "e3"}])
    town.night("2026-02-09")
    assert not _snapshot(town)["tasks"].equals(first_night["tasks"])

    again = _reconstructed(town, dt.date(2026, 1, 8), moment)
    for name, frame in first_night.items():
        pd.testing.assert_frame_equal(again[name], frame, check_dtype=False, obj=name)


def test_every_change_of_a_task_is_in_its_history_with_who_and_which_change(town: Town) -> None:
    town.deliver("energie", "2026-01-08", [{"household": "h1"}])
    town.night("2026-01-08")
    town.record_attempt("h1", "2026-01-09")
    town.deliver("zorg", "2026-01-12", [{"household": "h1", "crisis_kind": "cak"}])
    town.night("2026-01-12")
    town.close("h1", "2026-01-14", "Definitief geen contact kunnen krijgen")

    with town.res.engine.connect() as connection:
        history = connection.execute(
            sa.text("SELECT version, actor, change, status FROM task_versions ORDER BY version")
        ).all()
        case_history = connection.execute(
            sa.text("SELECT change, status, closed_by FROM case_versions ORDER BY version")
        ).all()
    assert [(v, change, status) for v, _, change, status in history] == [
        (1, "opened", "open"),
        (2, "attempt", "open"),
        (3, "reshaped", "open"),
        (4, "closed", "afgerond"),
    ]
    assert history[1][1] == "medewerker" and history[2][1].startswith("run:")
    assert case_history[-1] == ("closed", "closed", "medewerker")


# --- a worker's result recorded while a night runs ---------------------------------------------

NIGHT_SCRIPT = """
import os, sys, time
from pathlib import Path
os.environ["VS_DEMO"] = "true"
sys.path.insert(0, {root!r})
from connectors.database import nights
from tests.scenario import Town

marker, go = Path({marker!r}), Path({go!r})
real_save = nights.save_night
calls = []

def slow_save(*args, **kwargs):
    calls.append(1)
    if len(calls) == 1:  # the night has read everything; let the worker write now
        marker.write_text("read")
        while not go.exists():
            time.sleep(0.05)
    return real_save(*args, **kwargs)

nights.save_night = slow_save
town = Town(Path({root_dir!r}))
{database}
summary = town.night("2026-02-09")
print("attempts", len(calls), "decided", summary.signals_decided)
"""


def _run_night_in_another_process(town: Town, tmp_path: Path, database: str) -> subprocess.Popen:
    marker, go = tmp_path / "read", tmp_path / "go"
    script = NIGHT_SCRIPT.format(
        root=str(ROOT), marker=str(marker), go=str(go), root_dir=str(town.root), database=database
    )
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _result_during_a_night(town: Town, tmp_path: Path, database: str = "") -> None:
    town.deliver("energie", "2026-01-08", [{"household": "h1", "amount": 300.0}])
    town.night("2026-01-08")
    closed_case = town.task_of("h1")["case_id"]
    town.deliver("energie", "2026-02-09", [{"household": "h1", "amount": 600.0}])

    night = _run_night_in_another_process(town, tmp_path, database)
    deadline = time.monotonic() + 120
    while not (tmp_path / "read").exists():
        assert night.poll() is None, night.communicate()
        assert time.monotonic() < deadline, "the night never got to its store"
        time.sleep(0.05)
    town.close("h1", "2026-02-09", "Vervolghulp en/of verwijzing financieel")
    (tmp_path / "go").write_text("go")
    out, err = night.communicate(timeout=120)
    assert night.returncode == 0, err

    assert "attempts 2" in out  # the stale write was refused, the night triaged again
    cases = town.cases().set_index("case_id")
    assert cases.loc[closed_case, "status"] == "closed"  # never reopened
    assert cases.loc[closed_case, "result"] == "Vervolghulp en/of verwijzing financieel"
    assert cases.loc[closed_case, "closed_by"] == "medewerker"
    reopened = cases[(cases["household_key"] == "h1") & (cases["status"] == "open")]
    assert len(reopened) == 1 and reopened.index[0] != closed_case  # tonight's signal: a new case


def test_a_result_recorded_while_a_night_runs_is_kept_sqlite(town: Town, tmp_path: Path) -> None:
    _result_during_a_night(town, tmp_path)


@pytest.mark.postgres
def test_a_result_recorded_while_a_night_runs_is_kept_postgres(
    town: Town, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.resources import _resources

    monkeypatch.setenv("VS_DATABASE_URL", postgres_url)
    _resources.cache_clear()
    _result_during_a_night(
        town, tmp_path, database=f"os.environ['VS_DATABASE_URL'] = {postgres_url!r}"
    )
