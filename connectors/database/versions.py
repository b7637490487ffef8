"""Version-checked writes of cases, tasks and teams, each appending to the row's history.

Every change of a case, task or team raises its ``version`` by one and copies the new row into
its ``*_versions`` table with when, by whom and what kind of change. A write that expected a
version somebody else changed in the meantime fails with :class:`ConcurrentChangeError`:
nobody silently undoes another's work (optimistic concurrency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Table, bindparam, insert, literal, select, update
from sqlalchemy.orm import Session

from connectors.database.bulk import insert_frame
from connectors.database.models import (
    Case,
    CaseVersion,
    Task,
    TaskVersion,
    Team,
    TeamVersion,
)
from connectors.database.selection import CHUNK
from connectors.database.sql import table_of
from signals.schema import INT


class ConcurrentChangeError(RuntimeError):
    """Rows changed since they were read; nothing of this write was stored."""

    def __init__(self, entity: str, keys: Sequence[str]) -> None:
        self.entity = entity
        self.keys = list(keys)
        example = ", ".join(self.keys[:3])
        super().__init__(f"{len(self.keys)} {entity} changed since they were read (e.g. {example})")


#: Per entity: current table, history table, key column.
ENTITIES: dict[str, tuple[type[Any], type[Any], str]] = {
    "case": (Case, CaseVersion, "case_id"),
    "task": (Task, TaskVersion, "task_id"),
    "team": (Team, TeamVersion, "name"),
}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def append_history(
    session: Session,
    entity: str,
    keys: Sequence[str],
    actor: str,
    change: str,
    night: dt.date | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Copy the current rows of ``keys`` into the entity's history table."""
    current, history, key = ENTITIES[entity]
    source, target = table_of(current), table_of(history)
    columns = [c.name for c in source.columns]
    extra = {"recorded_at": at or now(), "night": night, "actor": actor, "change": change}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        chosen = select(
            *[source.c[name] for name in columns],
            *[
                literal(value, type_=target.c[name].type).label(name)
                for name, value in extra.items()
            ],
        ).where(source.c[key].in_(chunk))
        session.execute(insert(target).from_select([*columns, *extra], chosen))


def insert_new(
    session: Session,
    entity: str,
    rows: Sequence[Mapping[str, Any]],
    actor: str,
    change: str,
    night: dt.date | None = None,
) -> None:
    """Insert new rows as version 1 and record them in the history."""
    if not rows:
        return
    current, _, key = ENTITIES[entity]
    prepared = [{**row, "version": 1} for row in rows]
    session.execute(insert(table_of(current)), prepared)
    append_history(session, entity, [str(row[key]) for row in rows], actor, change, night)


def insert_new_frame(
    session: Session,
    entity: str,
    frame: pd.DataFrame,
    schema: Mapping[str, str],
    actor: str,
    change: str,
    night: dt.date | None = None,
) -> int:
    """``insert_new`` for a frame (``schema`` columns), written in bulk; returns the rows."""
    if frame.empty:
        return 0
    current, _, key = ENTITIES[entity]
    insert_frame(session, table_of(current), frame.assign(version=1), {**schema, "version": INT})
    append_history(session, entity, [str(k) for k in frame[key]], actor, change, night)
    return len(frame)


def update_checked(
    session: Session,
    entity: str,
    rows: Sequence[Mapping[str, Any]],
    actor: str,
    change: str,
    night: dt.date | None = None,
    where: Mapping[str, Any] | None = None,
) -> None:
    """Update rows that still have the ``version`` each row carries; raise the version.

    ``rows`` hold the key, the expected ``version`` and the columns to set. When any row's
    version moved on (or ``where`` no longer holds, e.g. the case was closed meanwhile),
    :class:`ConcurrentChangeError` is raised and the caller's transaction must roll back.
    """
    if not rows:
        return
    current, _, key = ENTITIES[entity]
    table: Table = table_of(current)
    names = sorted({name for row in rows for name in row} - {key, "version"})
    statement = (
        update(table)
        .where(table.c[key] == bindparam("_key"), table.c.version == bindparam("_version"))
        .values(
            {
                **{name: bindparam(f"_set_{name}") for name in names},
                "version": table.c.version + 1,
            }
        )
    )
    for column, value in (where or {}).items():
        statement = statement.where(table.c[column] == value)
    params = [
        {
            "_key": row[key],
            "_version": row["version"],
            **{f"_set_{name}": row.get(name) for name in names},
        }
        for row in rows
    ]
    changed = 0
    for param in params:  # one statement per row: rowcount is then exact on every driver
        changed += session.execute(statement, param).rowcount  # type: ignore[attr-defined]
    if changed != len(rows):
        stale = _stale(session, table, key, rows, where)
        raise ConcurrentChangeError(f"{entity}s", stale)
    append_history(session, entity, [str(row[key]) for row in rows], actor, change, night)


def _stale(
    session: Session,
    table: Table,
    key: str,
    rows: Sequence[Mapping[str, Any]],
    where: Mapping[str, Any] | None,
) -> list[str]:
    expected = {str(row[key]): int(row["version"]) + 1 for row in rows}
    found = session.execute(
        select(table.c[key], table.c.version).where(table.c[key].in_(list(expected)))
    ).all()
    now_at = {str(k): int(v) for k, v in found}
    return sorted(k for k, v in expected.items() if now_at.get(k) != v) or sorted(expected)
