"""Crash safety (issue 14): a night killed at random points, then rerun, ends identical.

Each trial kills the pipeline (SIGKILL, no cleanup) at a random moment of a two-night replay
of the example deliveries, twenty times in a row, resuming each time where the database stands;
then lets it finish. The database must equal that of an uninterrupted replay: no partial
delivery, no duplicate case or task, and the dead runs marked ``interrupted``.

The replay runs in a forked child (imports already paid by the parent), so a kill point costs
only the time up to it.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.flow_fixtures import Municipality, municipality_fixture  # noqa: F401

pytestmark = pytest.mark.e2e

NIGHTS = (date(2026, 10, 5), date(2026, 11, 5))
KILL_POINTS = 20
#: Everything a night writes, compared without wall-clock times, run ids and sequences.
TABLES: dict[str, list[str]] = {
    "deliveries": ["source_file"],
    "signals": ["signal_key"],
    "quarantine": ["source_file", "source_row"],
    "aftercare": ["dossier_id", "delivery_date"],
    "signal_states": ["signal_key"],
    "resolutions": ["household_key", "partner", "resolved_on"],
    "signal_statuses": ["signal_key"],
    "household_states": ["household_key", "night"],
    "cases": ["case_id"],
    "case_signals": ["case_id", "signal_key"],
    "tasks": ["task_id"],
    "case_versions": ["case_id", "version"],
    "task_versions": ["task_id", "version"],
    "team_versions": ["name", "version"],
    "households": ["household_key"],
    "contact_vault": ["household_key"],
}
VOLATILE = {
    "loaded_at",
    "run_id",
    "delivery_id",
    "recorded_at",
    "updated_at",
    "actor",
    "raw_token",
    "address_token",  # Fernet: a fresh IV per sealing
    "file_mtime_ns",
    "quarantine_id",
    "aftercare_id",
}


def _replay(environment: dict[str, str]) -> None:
    """The child: every night of the replay, through the real steps (resuming as it finds it)."""
    os.environ.update(environment)
    from connectors.database import repository as repo
    from connectors.database.engine import session_scope
    from connectors.database.lock import night_lock
    from connectors.settings import get_settings
    from flows.night import run_night
    from flows.report import NightReport
    from flows.resources import _resources, reference_addresses, resources

    _resources.cache_clear()  # nothing of the parent's connections in the child
    reference_addresses.cache_clear()
    settings = get_settings()
    res = resources(settings)
    with night_lock(res.engine):
        with session_scope(res.engine) as session:
            repo.mark_interrupted(session)
        for night in NIGHTS:
            with session_scope(res.engine) as session:
                run_id = repo.start_run(session, "nightly", night)
            run_night(settings, night, NightReport(as_of=night.isoformat()), run_id, export=False)
            with session_scope(res.engine) as session:
                repo.finish_run(session, run_id, "succeeded")


def _start(environment: dict[str, str]) -> multiprocessing.process.BaseProcess:
    child = multiprocessing.get_context("fork").Process(target=_replay, args=(environment,))
    child.start()
    return child


def _snapshot(url: str) -> dict[str, pd.DataFrame]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            frames = {table: pd.read_sql_table(table, connection) for table in TABLES}
    finally:
        engine.dispose()
    out = {}
    for table, key in TABLES.items():
        frame = frames[table].drop(columns=[c for c in frames[table] if c in VOLATILE])
        out[table] = frame.sort_values(key, kind="stable").reset_index(drop=True).astype("string")
    return out


def _environment(town: Municipality, database_url: str | None) -> dict[str, str]:
    env = {
        "VS_DEMO": "true",
        "VS_DATA_DIR": str(town.data_dir),
        "VS_INBOX": str(town.inbox),
        "VS_REFERENCE": str(town.reference),
    }
    if database_url:
        env["VS_DATABASE_URL"] = database_url
    return env


def _runs(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(
                connection.execute(
                    sa.text("SELECT status, count(*) FROM pipeline_runs GROUP BY status")
                ).all()
            )
    finally:
        engine.dispose()


def _kill_and_resume(town: Municipality, url: str, database_url: str | None) -> None:
    environment = _environment(town, database_url)
    started = time.monotonic()
    reference = _start(environment)
    reference.join(300)
    assert reference.exitcode == 0, "the uninterrupted replay failed"
    duration = time.monotonic() - started
    expected = _snapshot(url)
    _wipe(url, town)

    rng = random.Random(118)
    killed_at = []
    for _ in range(KILL_POINTS):
        child = _start(environment)
        delay = rng.uniform(0.05, duration)
        child.join(delay)
        if child.exitcode is None:
            os.kill(child.pid, signal.SIGKILL)  # no cleanup, no rollback by us
            child.join(30)
            killed_at.append(round(delay, 2))
        else:
            assert child.exitcode == 0
    final = _start(environment)
    final.join(300)
    assert final.exitcode == 0, f"the rerun after kills at {killed_at} failed"

    found = _snapshot(url)
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(found[table], frame, obj=f"{table} after kills {killed_at}")
    runs = _runs(url)
    assert runs.get("running", 0) == 0
    assert runs.get("succeeded", 0) >= len(NIGHTS)
    assert killed_at, "no kill landed inside a run"


def _wipe(url: str, town: Municipality) -> None:
    """Back to an empty database (and nothing loaded) for the interrupted replay."""
    from connectors.database.migrate import downgrade, upgrade

    downgrade(url, "base")
    upgrade(url)


def _deliver(town: Municipality) -> None:
    town.deliver(NIGHTS[0])
    town.deliver(NIGHTS[1], partners=["domesta", "energie", "zorg", "nazorg"])


def test_twenty_kills_in_a_row_end_identical_sqlite(municipality: Municipality) -> None:
    _deliver(municipality)
    _kill_and_resume(municipality, municipality.database_url, None)


@pytest.mark.postgres
def test_twenty_kills_in_a_row_end_identical_postgres(
    municipality: Municipality, postgres_url: str
) -> None:
    _deliver(municipality)
    _kill_and_resume(municipality, postgres_url, postgres_url)


def test_the_kill_harness_itself_notices_a_lost_write(municipality: Municipality) -> None:
    """The comparison is not vacuous: a replay missing one night differs from the reference."""
    _deliver(municipality)
    environment = _environment(municipality, None)
    child = _start(environment)
    child.join(300)
    full = _snapshot(municipality.database_url)
    _wipe(municipality.database_url, municipality)
    partial = {**environment}
    child = multiprocessing.get_context("fork").Process(target=_first_night_only, args=(partial,))
    child.start()
    child.join(300)
    assert child.exitcode == 0
    assert not _snapshot(municipality.database_url)["signals"].equals(full["signals"])


def _first_night_only(environment: dict[str, str]) -> None:
    global NIGHTS
    NIGHTS = NIGHTS[:1]
    _replay(environment)
