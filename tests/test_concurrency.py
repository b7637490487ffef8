"""Concurrency and an unreliable database (issue 14): nothing lost, nothing interleaved.

- Two nights started together: the second waits for the pipeline lock, then finds nothing
  left to do; the database equals that of one night, and the runs never overlap.
- The database unreachable: the run retries, then fails with a plain message (no traceback,
  no password), having read and written nothing; the rerun catches up.
- The database connection cut during a run (PostgreSQL: the server terminates the backends):
  the run fails or reconnects, and the rerun ends identical to an undisturbed night.
A worker's result recorded while a night runs is kept: see ``tests/test_history.py``.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import night_processes as nights
from tests.flow_fixtures import Municipality, municipality_fixture  # noqa: F401

pytestmark = pytest.mark.e2e


def _two_together(town: Municipality, url: str, database_url: str | None) -> None:
    environment = nights.environment(town, database_url)
    alone = nights.start(environment)
    alone.join(300)
    assert alone.exitcode == 0
    expected = nights.snapshot(url)
    nights.wipe(url)

    first, second = nights.start(environment), nights.start(environment)
    first.join(300)
    second.join(300)
    assert (first.exitcode, second.exitcode) == (0, 0)
    nights.assert_same(nights.snapshot(url), expected, "after two nights started together")
    runs = nights.runs(url)
    assert list(runs["status"]) == ["succeeded"] * (2 * len(nights.NIGHTS))
    starts, ends = runs["started_at"].tolist(), runs["finished_at"].tolist()
    assert all(end <= later for end, later in zip(ends, starts[1:], strict=False)), (
        "two runs overlapped"
    )


def test_two_nights_started_together_do_not_interleave_sqlite(municipality: Municipality) -> None:
    nights.deliver(municipality)
    _two_together(municipality, municipality.database_url, None)


@pytest.mark.postgres
def test_two_nights_started_together_do_not_interleave_postgres(
    municipality: Municipality, postgres_url: str
) -> None:
    nights.deliver(municipality)
    _two_together(municipality, postgres_url, postgres_url)


def test_an_unreachable_database_fails_plainly_and_the_rerun_catches_up(
    municipality: Municipality, tmp_path: Path
) -> None:
    nights.deliver(municipality)
    environment = {
        **os.environ,
        **nights.environment(municipality, "postgresql+psycopg://vs:geheim@127.0.0.1:1/vs"),
        "VS_DATABASE_CONNECT_ATTEMPTS": "3",
        "VS_DATABASE_RETRY_SECONDS": "0.05",
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    cli = Path(sys.executable).with_name("vroegsignaal")
    result = subprocess.run(
        [str(cli), "run", "--as-of", nights.NIGHTS[0].isoformat()],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 3, output
    text = " ".join(output.split())
    assert "did not answer after 3 attempts" in text
    assert "nothing was read or written" in text
    assert "geheim" not in output and "Traceback" not in output
    assert "Starting temporary server" not in output  # refused before any flow started

    rerun = nights.start(nights.environment(municipality, None))
    rerun.join(300)
    assert rerun.exitcode == 0
    engine = sa.create_engine(municipality.database_url)
    with engine.connect() as connection:
        loaded = connection.execute(sa.text("SELECT count(*) FROM deliveries")).scalar()
    engine.dispose()
    assert loaded == len(list(municipality.inbox.rglob("*.*")))


@pytest.mark.postgres
def test_a_connection_cut_during_the_night_loses_nothing_postgres(
    municipality: Municipality, postgres_url: str
) -> None:
    nights.deliver(municipality)
    environment = nights.environment(municipality, postgres_url)
    started = time.monotonic()
    alone = nights.start(environment)
    alone.join(300)
    assert alone.exitcode == 0
    duration = time.monotonic() - started
    expected = nights.snapshot(postgres_url)
    nights.wipe(postgres_url)

    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    database = sa.engine.make_url(postgres_url).database
    rng = random.Random(14)
    cuts = 0
    for _ in range(3):
        child = nights.start(environment)
        child.join(rng.uniform(0.2, duration))
        if child.exitcode is None:
            with admin.connect() as connection:
                cuts += connection.execute(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": database},
                ).scalar_one()
        child.join(300)
    admin.dispose()
    final = nights.start(environment)
    final.join(300)
    assert final.exitcode == 0
    assert cuts, "no connection was cut during a run"
    nights.assert_same(nights.snapshot(postgres_url), expected, "after connections were cut")
