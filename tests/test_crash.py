"""Crash safety (issue 14): a night killed at random points, then rerun, ends identical.

Each trial kills the pipeline (SIGKILL, no cleanup) at a random moment of a two-night replay
of the example deliveries, twenty times in a row, resuming each time where the database stands;
then lets it finish. The database must equal that of an uninterrupted replay: no partial
delivery, no duplicate case or task, and the dead runs marked ``interrupted``.

The replay runs in a forked child (imports already paid by the parent), so a kill point costs
only the time up to it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests import night_processes as nights
from tests.flow_fixtures import Municipality, municipality_fixture  # noqa: F401

pytestmark = pytest.mark.e2e

KILL_POINTS = 20


def _kill_and_resume(town: Municipality, url: str, database_url: str | None) -> None:
    environment = nights.environment(town, database_url)
    started = time.monotonic()
    reference = nights.start(environment)
    reference.join(300)
    assert reference.exitcode == 0, "the uninterrupted replay failed"
    duration = time.monotonic() - started
    expected = nights.snapshot(url)
    nights.wipe(url)

    rng = random.Random(118)
    killed_at = []
    for _ in range(KILL_POINTS):
        child = nights.start(environment)
        delay = rng.uniform(0.05, duration)
        child.join(delay)
        if child.exitcode is None:
            os.kill(child.pid, signal.SIGKILL)  # no cleanup, no rollback by us
            child.join(30)
            killed_at.append(round(delay, 2))
        else:
            assert child.exitcode == 0
    final = nights.start(environment)
    final.join(300)
    assert final.exitcode == 0, f"the rerun after kills at {killed_at} failed"

    nights.assert_same(nights.snapshot(url), expected, f"after kills at {killed_at}")
    status = nights.runs(url)["status"].value_counts()
    assert status.get("running", 0) == 0, "a killed run still says it is running"
    # A kill before a night's run row was written leaves none to mark; one after it leaves a
    # row the next start marks interrupted (never "running": checked above).
    assert status.get("interrupted", 0) <= len(killed_at)
    assert status.get("succeeded", 0) >= len(nights.NIGHTS)
    assert killed_at, "no kill landed inside a run"


def test_twenty_kills_in_a_row_end_identical_sqlite(municipality: Municipality) -> None:
    nights.deliver(municipality)
    _kill_and_resume(municipality, municipality.database_url, None)


@pytest.mark.postgres
def test_twenty_kills_in_a_row_end_identical_postgres(
    municipality: Municipality, postgres_url: str
) -> None:
    nights.deliver(municipality)
    _kill_and_resume(municipality, postgres_url, postgres_url)


def test_the_kill_harness_itself_notices_a_lost_write(municipality: Municipality) -> None:
    """The comparison is not vacuous: a replay missing one night differs from the reference."""
    nights.deliver(municipality)
    environment = nights.environment(municipality, None)
    child = nights.start(environment)
    child.join(300)
    full = nights.snapshot(municipality.database_url)
    nights.wipe(municipality.database_url)
    child = nights.start(environment, nights.NIGHTS[:1])
    child.join(300)
    assert child.exitcode == 0
    with pytest.raises(AssertionError):
        nights.assert_same(nights.snapshot(municipality.database_url), full, "one night only")


def test_a_killed_run_leaves_no_prefect_server_behind(
    municipality: Municipality, tmp_path: Path
) -> None:
    """SIGKILL on ``vroegsignaal run`` takes its temporary Prefect server down with it."""
    import psutil

    nights.deliver(municipality)
    cli = Path(sys.executable).with_name("vroegsignaal")
    environment = {**os.environ, **nights.environment(municipality, None)}
    environment["PREFECT_HOME"] = str(tmp_path / "prefect")
    environment.pop("PREFECT_API_URL", None)
    run = subprocess.Popen(
        [str(cli), "run", "--as-of", nights.NIGHTS[0].isoformat()],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(run.pid)
    deadline = time.monotonic() + 120
    servers: list[psutil.Process] = []
    while not servers and time.monotonic() < deadline and run.poll() is None:
        servers = [c for c in parent.children() if "uvicorn" in " ".join(c.cmdline())]
        time.sleep(0.2)
    assert servers, "the run finished or failed before its server was seen"
    run.kill()
    run.wait(30)
    _, alive = psutil.wait_procs(servers, timeout=20)
    assert not alive, f"temporary Prefect server left behind: {[p.pid for p in alive]}"


def _import(environment: dict[str, str], path: str) -> None:
    """The child: ``import results`` of one filled-in list, as the CLI does it."""
    os.environ.update(environment)
    from connectors.exports.reports import import_results
    from connectors.settings import get_settings
    from flows.resources import _resources, resources

    _resources.cache_clear()
    res = resources(get_settings())
    import_results(res.engine, Path(path), date(2026, 10, 9), actor="cli:test")


def _filled_list(municipality: Municipality, tmp_path: Path) -> Path:
    """A team's exported XLSX with two attempts and a result on every task."""
    from datetime import datetime

    from openpyxl import load_workbook

    cli = Path(sys.executable).with_name("vroegsignaal")
    environment = {**os.environ, **nights.environment(municipality, None)}
    out = tmp_path / "lijsten"
    subprocess.run(
        [str(cli), "export", "tasks", "--out", str(out)],
        env=environment,
        check=True,
        capture_output=True,
    )
    path = max(out.rglob("*.xlsx"), key=lambda p: load_workbook(p)["Taken"].max_row)
    workbook = load_workbook(path)
    sheet = workbook["Taken"]
    header = [c.value for c in sheet[1]]
    values = {
        "Poging 1 soort": "Brief",
        "Poging 1 datum": datetime(2026, 10, 6),
        "Poging 1 bereikt": "nee",
        "Poging 2 soort": "Huisbezoek",
        "Poging 2 datum": datetime(2026, 10, 8),
        "Poging 2 dagdeel": "Middag",
        "Poging 2 bereikt": "ja",
        "Resultaat": "Vervolghulp en/of verwijzing financieel",
        "Resultaat datum": datetime(2026, 10, 8),
    }
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=header.index("Taak-ID") + 1).value:
            for column, value in values.items():
                sheet.cell(row=row, column=header.index(column) + 1, value=value)
    workbook.save(path)
    return path


def _work(url: str) -> tuple[int, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        attempts = connection.execute(sa.text("SELECT count(*) FROM contact_attempts")).scalar()
        closed = connection.execute(
            sa.text("SELECT count(*) FROM cases WHERE result IS NOT NULL")
        ).scalar()
    engine.dispose()
    return int(attempts or 0), int(closed or 0)


def test_a_killed_results_import_is_all_or_nothing(
    municipality: Municipality, tmp_path: Path
) -> None:
    """SIGKILL during ``import results``: the list is in entirely or not at all, and the
    import run again completes it exactly as an undisturbed import does."""
    import multiprocessing
    import shutil
    import sqlite3

    nights.deliver(municipality)
    environment = nights.environment(municipality, None)
    night = nights.start(environment, nights.NIGHTS[:1])
    night.join(300)
    assert night.exitcode == 0
    filled = _filled_list(municipality, tmp_path)
    database = municipality.data_dir / "vroegsignaal.db"
    before = tmp_path / "before.db"
    with sqlite3.connect(database) as source, sqlite3.connect(before) as copy:
        source.backup(copy)

    context = multiprocessing.get_context("fork")
    started = time.monotonic()
    reference = context.Process(target=_import, args=(environment, str(filled)))
    reference.start()
    reference.join(120)
    assert reference.exitcode == 0
    duration = time.monotonic() - started
    expected = nights.snapshot(municipality.database_url)
    complete = _work(municipality.database_url)
    assert complete[0] > 0 and complete[1] > 0

    database.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(before, database)
    empty = _work(municipality.database_url)
    rng = random.Random(9)
    killed = 0
    for _ in range(10):
        child = context.Process(target=_import, args=(environment, str(filled)))
        child.start()
        child.join(rng.uniform(0.01, duration))
        if child.exitcode is None:
            os.kill(child.pid, signal.SIGKILL)
            child.join(30)
            killed += 1
        assert _work(municipality.database_url) in (empty, complete), "a half-imported list"
    final = context.Process(target=_import, args=(environment, str(filled)))
    final.start()
    final.join(120)
    assert final.exitcode == 0
    assert killed, "no kill landed inside an import"
    assert _work(municipality.database_url) == complete
    nights.assert_same(nights.snapshot(municipality.database_url), expected, "after kills")
