"""One nightly run at a time: a second run waits for the first, then goes on (never interleaves).

PostgreSQL: a session advisory lock (released by the server if the holder dies).
SQLite: an exclusive file lock next to the database file (released by the OS if the holder dies).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

#: An arbitrary, fixed 64-bit key for pg_advisory_lock.
_ADVISORY_KEY = 0x76726F6567  # "vroeg"


class RunLockTimeoutError(RuntimeError):
    """Another run held the lock for longer than we were willing to wait."""


@contextmanager
def night_lock(engine: Engine, timeout_seconds: float = 3600.0) -> Iterator[None]:
    """Hold the pipeline lock; wait up to ``timeout_seconds`` for a run in progress."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, timeout_seconds):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # an in-memory database is private to this process
        return
    with _file_lock(Path(database).with_suffix(".lock"), timeout_seconds):
        yield


@contextmanager
def _advisory_lock(engine: Engine, timeout_seconds: float) -> Iterator[None]:
    with engine.connect() as connection:
        deadline = time.monotonic() + timeout_seconds
        while not connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
        ).scalar():
            connection.rollback()
            if time.monotonic() > deadline:
                raise RunLockTimeoutError("another vroegsignaal run is still in progress")
            time.sleep(1.0)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
            connection.commit()


@contextmanager
def _file_lock(path: Path, timeout_seconds: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RunLockTimeoutError(
                        "another vroegsignaal run is still in progress"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
