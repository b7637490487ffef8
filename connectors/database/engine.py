"""Engines and transactions for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


class DatabaseUnavailableError(RuntimeError):
    """The database did not answer within the retries; nothing was read or written."""


def safe_url(url: str) -> str:
    """The URL as it may be shown to an operator: never its password."""
    return make_url(url).render_as_string(hide_password=True)


def database_error_text(error: DBAPIError) -> str:
    """The driver's own first line of an error: no SQL and no parameters (they may hold
    identifying values)."""
    lines = str(error.orig).strip().splitlines()
    return f"{type(error.orig).__name__}: {lines[0] if lines else 'no message'}"


def wait_for_database(url: str, attempts: int = 5, first_delay: float = 1.0) -> None:
    """Connect to ``url``, retrying with doubling waits (a server restarting at night).

    Raises :class:`DatabaseUnavailableError` with a plain message after ``attempts`` tries.
    """
    engine = make_engine(url)
    started, delay = time.monotonic(), first_delay
    try:
        for attempt in range(1, attempts + 1):
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError as error:
                reason = database_error_text(error)
                if attempt == attempts:
                    raise DatabaseUnavailableError(
                        f"the database at {safe_url(url)} did not answer after {attempts} "
                        f"attempts in {time.monotonic() - started:.0f} s ({reason}); nothing "
                        "was read or written: run again when it is back"
                    ) from None
                logger.warning(
                    "database not reachable (attempt %d of %d): %s", attempt, attempts, reason
                )
                time.sleep(delay)
                delay = min(delay * 2, 60.0)
    finally:
        engine.dispose()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and working SAVEPOINTs.

    A bare ``postgresql://`` URL is given the psycopg 3 driver, the one installed.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    _configure_sqlite(engine, in_memory=not database or database == ":memory:")
    return engine


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and transactional DDL; the
    # SQLAlchemy-documented remedy is to turn it off and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
