"""Fixtures of the end-to-end flow tests: a tiny inbox, a municipality environment, Prefect.

The inbox is built in ``tmp_path`` from the example deliveries of ``../shared/examples`` (one
small file per partner in the FEEDS.md formats), copied under the delivery dates a test asks
for; nothing here reads ``data/sample``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import require

EXAMPLE_NIGHT = date(2026, 10, 5)
#: Tables a night writes, with the columns that identify a row (timestamps left out).
NIGHT_TABLES: dict[str, list[str]] = {
    "signals": ["signal_key"],
    "signal_states": ["signal_key"],
    "signal_statuses": ["signal_key"],
    "cases": ["case_id"],
    "case_signals": ["case_id", "signal_key"],
    "tasks": ["task_id"],
}
#: Columns that hold wall-clock times or run ids: they differ between two honest runs.
VOLATILE = {
    "created_at",
    "updated_at",
    "loaded_at",
    "recorded_at",
    "run_id",
    "delivery_id",  # a database sequence
    "raw_token",  # Fernet: a fresh IV per encryption
}


#: The date of the example deliveries in ../shared/examples.
EXAMPLES_DATE = date(2026, 10, 5)


def _redate(content: bytes, night: date) -> bytes:
    """The example delivery with its signal date (ISO and Dutch spelling) moved to ``night``."""
    for old, new in (
        (EXAMPLES_DATE.isoformat(), night.isoformat()),
        (EXAMPLES_DATE.strftime("%d-%m-%Y"), night.strftime("%d-%m-%Y")),
    ):
        content = content.replace(old.encode(), new.encode())
    return content


@dataclass(frozen=True)
class Municipality:
    """A tiny municipality on disk: inbox, reference list and a data dir for the database."""

    root: Path
    inbox: Path
    reference: Path
    data_dir: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'vroegsignaal.db'}"

    def deliver(self, night: date, partners: list[str] | None = None) -> list[Path]:
        """Copy the example delivery of each partner into the inbox, dated ``night``."""
        written = []
        for source in sorted((self.examples / "inbox").glob("*/*")):
            partner = source.parent.name
            if partners is not None and partner not in partners:
                continue
            target = self.inbox / partner / f"{night.isoformat()}{source.suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".xlsx" or night == EXAMPLES_DATE:
                shutil.copyfile(source, target)
            else:
                # Another night's list: the same signals, signalled on that night (a partner
                # sending the very same file again is refused as a duplicate).
                target.write_bytes(_redate(source.read_bytes(), night))
            written.append(target)
        return written

    @property
    def examples(self) -> Path:
        return self.root / "examples"


def _examples(shared_dir: Path) -> Path:
    path = shared_dir / "examples"
    require((path / "inbox").is_dir(), f"the example deliveries are absent ({path})")
    return path


@pytest.fixture(name="municipality")
def municipality_fixture(
    tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Municipality]:
    """An empty inbox and database in ``tmp_path``, wired through the VS_ environment."""
    from flows.resources import _resources, reference_addresses

    root = tmp_path / "municipality"
    shutil.copytree(_examples(shared_dir), root / "examples")
    inbox = root / "inbox"
    inbox.mkdir()
    town = Municipality(
        root=root,
        inbox=inbox,
        reference=root / "examples" / "reference" / "adressen.csv",
        data_dir=root / "var",
    )
    use_municipality(monkeypatch, town)
    _resources.cache_clear()
    reference_addresses.cache_clear()
    yield town
    _resources.cache_clear()
    reference_addresses.cache_clear()


def use_municipality(monkeypatch: pytest.MonkeyPatch, town: Municipality) -> None:
    """Point the VS_ environment (read by every flow) at ``town``, with the demo keys."""
    monkeypatch.setenv("VS_DEMO", "true")
    monkeypatch.setenv("VS_DATA_DIR", str(town.data_dir))
    monkeypatch.setenv("VS_INBOX", str(town.inbox))
    monkeypatch.setenv("VS_REFERENCE", str(town.reference))
    monkeypatch.delenv("VS_DATABASE_URL", raising=False)
    monkeypatch.delenv("VS_EXPORT_DIR", raising=False)
    monkeypatch.delenv("VS_DASK_ADDRESS", raising=False)
    monkeypatch.delenv("VS_DASK_LOCAL_WORKERS", raising=False)


@pytest.fixture(scope="session", name="prefect_harness")
def prefect_harness_fixture() -> Iterator[None]:
    """One temporary Prefect server (SQLite) for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def read_table(url: str, table: str) -> pd.DataFrame:
    """A table without its volatile columns, sorted by its key: comparable between runs."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            frame = pd.read_sql_table(table, connection)
    finally:
        engine.dispose()
    frame = frame.drop(columns=[c for c in frame.columns if c in VOLATILE])
    key = NIGHT_TABLES.get(table, list(frame.columns))
    return frame.sort_values(key, kind="stable").reset_index(drop=True).astype("string")


def night_tables(url: str) -> dict[str, pd.DataFrame]:
    return {table: read_table(url, table) for table in NIGHT_TABLES}


def clear_resources() -> None:
    from flows.resources import _resources, reference_addresses

    _resources.cache_clear()
    reference_addresses.cache_clear()
