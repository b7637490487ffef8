"""Alembic migrations build exactly the schema of the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from connectors.database import models
from connectors.database.engine import make_engine
from connectors.database.frames import CASE_SCHEMA, QUARANTINE_SCHEMA, STORED_DECISION_SCHEMA
from connectors.database.migrate import downgrade, upgrade
from signals import schema


def _schema_drift(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, models.Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_of_an_empty_database_gives_the_models_schema(database_url: str) -> None:
    upgrade(database_url)

    assert _tables(database_url) == set(models.Base.metadata.tables) | {"alembic_version"}
    assert _schema_drift(database_url) == []


def test_upgrade_twice_and_downgrade_to_base_and_back(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    downgrade(database_url, "base")
    assert _tables(database_url) == {"alembic_version"}

    upgrade(database_url)
    assert _schema_drift(database_url) == []


def test_partial_unique_indexes_exist_after_migration(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        case_indexes = {ix["name"]: ix for ix in inspector.get_indexes("cases")}
        task_indexes = {ix["name"]: ix for ix in inspector.get_indexes("tasks")}
    finally:
        engine.dispose()
    assert case_indexes["uq_cases_one_open_per_household"]["unique"]
    assert task_indexes["uq_tasks_one_open_per_case"]["unique"]


@pytest.mark.parametrize(
    ("contract", "table"),
    [
        (schema.LINKED_SIGNAL_SCHEMA, "signals"),
        (schema.LINKED_AFTERCARE_SCHEMA, "aftercare"),
        (schema.SIGNAL_STATE_SCHEMA, "signal_states"),
        (schema.RESOLUTION_SCHEMA, "resolutions"),
        (STORED_DECISION_SCHEMA, "signal_statuses"),
        (schema.TASK_SCHEMA, "tasks"),
        (schema.CONTACT_ATTEMPT_SCHEMA, "contact_attempts"),
        (CASE_SCHEMA, "cases"),
        (QUARANTINE_SCHEMA, "quarantine"),
    ],
)
def test_every_contract_column_has_a_column_of_matching_type(
    contract: dict[str, str], table: str
) -> None:
    expected_python_type = {
        schema.STRING: str,
        schema.INT: int,
        schema.FLOAT: float,
        schema.BOOL: bool,
        schema.DATE: dt.date,
    }
    columns = models.Base.metadata.tables[table].columns
    for name, dtype in contract.items():
        assert name in columns, f"{table} lacks contract column {name}"
        assert columns[name].type.python_type is expected_python_type[dtype], (table, name)


def test_no_table_has_a_column_for_identifying_values() -> None:
    for table in models.Base.metadata.tables.values():
        assert not set(table.columns.keys()) & set(schema.IDENTIFYING_COLUMNS), table.name
