"""Real nights in forked child processes, and database snapshots to compare them.

Used by the crash and concurrency tests: a child replays nights through the real steps under
the pipeline lock, exactly as ``vroegsignaal run`` does minus the Prefect server, so it can be
killed, raced against another, or cut off from its database, and the outcome compared with an
undisturbed replay. Forking reuses the parent's imports, so a child starts in milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from datetime import date

import pandas as pd
import sqlalchemy as sa

from tests.flow_fixtures import Municipality

NIGHTS = (date(2026, 10, 5), date(2026, 11, 5))
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


def replay(environment: dict[str, str], nights: Sequence[date] = NIGHTS) -> None:
    """The child: every night in turn, through the real steps (resuming as it finds it)."""
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
        for night in nights:
            with session_scope(res.engine) as session:
                run_id = repo.start_run(session, "nightly", night)
            run_night(settings, night, NightReport(as_of=night.isoformat()), run_id, export=False)
            with session_scope(res.engine) as session:
                repo.finish_run(session, run_id, "succeeded")


def start(
    environment: dict[str, str], nights: Sequence[date] = NIGHTS
) -> multiprocessing.process.BaseProcess:
    child = multiprocessing.get_context("fork").Process(
        target=replay, args=(environment, tuple(nights))
    )
    child.start()
    return child


def environment(town: Municipality, database_url: str | None) -> dict[str, str]:
    env = {
        "VS_DEMO": "true",
        "VS_DATA_DIR": str(town.data_dir),
        "VS_INBOX": str(town.inbox),
        "VS_REFERENCE": str(town.reference),
    }
    if database_url:
        env["VS_DATABASE_URL"] = database_url
    return env


def deliver(town: Municipality) -> None:
    """Two nights of example deliveries: all partners, then the monthly ones again."""
    town.deliver(NIGHTS[0])
    town.deliver(NIGHTS[1], partners=["domesta", "energie", "zorg", "nazorg"])


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    """Every table a night writes, sorted on its key, volatile columns dropped."""
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


def assert_same(
    found: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame], why: str
) -> None:
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(found[table], frame, obj=f"{table} {why}")


def runs(url: str) -> pd.DataFrame:
    """The pipeline runs, oldest first."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return pd.read_sql(
                sa.text("SELECT status, started_at, finished_at FROM pipeline_runs"), connection
            ).sort_values("started_at", kind="stable")
    finally:
        engine.dispose()


def wipe(url: str) -> None:
    """Back to an empty database (and nothing loaded)."""
    from connectors.database.migrate import downgrade, upgrade

    downgrade(url, "base")
    upgrade(url)
