"""Database fixtures: every database test runs on SQLite and on a fresh PostgreSQL database.

PostgreSQL comes from ``VS_TEST_DATABASE_URL`` (an admin URL of a role that may CREATE
DATABASE); each test gets its own ``vs_test_<uuid8>`` database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from connectors.database.engine import make_engine
from connectors.database.migrate import upgrade
from tests.conftest import require

POSTGRES_ENV = "VS_TEST_DATABASE_URL"


def _admin_engine() -> sa.Engine:
    admin_url = os.environ.get(POSTGRES_ENV)
    require(bool(admin_url), f"{POSTGRES_ENV} is not set, so PostgreSQL is not tested")
    engine = make_engine(str(admin_url), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        engine.dispose()
        require(
            False,
            f"the PostgreSQL server of {POSTGRES_ENV} is unreachable ({type(error).__name__})",
        )
    return engine


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    admin = _admin_engine()
    name = f"vs_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'vroegsignaal.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db_engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine on a database migrated to the newest schema."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()
