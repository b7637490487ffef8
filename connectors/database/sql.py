"""Bulk INSERT ... ON CONFLICT for both dialects (SQLite and PostgreSQL spell it the same)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a model: Core executemany is several times faster than ORM bulk."""
    return cast(Table, model.__table__)


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    # The supported databases are SQLite (embedded) and PostgreSQL (production), by design.
    raise ValueError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows``; where ``keys`` already exist, update the other columns.

    ``update`` overrides the SET clause per column: a function of the ``excluded`` row
    (e.g. to keep the earliest date) instead of plain overwrite.
    """
    if not rows:
        return
    rows = last_per_key(rows, keys)
    statement = _insert(session, table)
    columns = [name for name in rows[0] if name not in keys]
    excluded = statement.excluded
    set_ = {name: excluded[name] for name in columns}
    for name, make in (update or {}).items():
        set_[name] = make(excluded) if callable(make) else make
    if set_:
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=set_)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(statement, list(rows))


def insert_missing(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert ``rows`` whose ``keys`` are not there yet; leave existing rows as they are."""
    if not rows:
        return
    statement = _insert(session, table).on_conflict_do_nothing(index_elements=list(keys))
    session.execute(statement, last_per_key(rows, keys))


def last_per_key(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[Mapping[str, Any]]:
    # PostgreSQL refuses one statement touching a row twice; the last row for a key wins,
    # kept in input order (closing rows sorted first must stay first).
    last: dict[tuple[Any, ...], int] = {}
    for position, row in enumerate(rows):
        last[tuple(row[key] for key in keys)] = position
    return [rows[position] for position in sorted(last.values())]
