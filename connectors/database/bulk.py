"""Bulk inserts of DataFrames: ``COPY`` on PostgreSQL, one prepared multi-row path on SQLite.

The values are converted per column (vectorised), never per cell in Python, so that a
delivery of a million signals is written in seconds. Both paths write exactly what the
SQLAlchemy types would (dates as ISO text on SQLite, booleans as 0/1), so rows written in
bulk read back like any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from signals.schema import BOOL, DATE, FLOAT, INT, conform

#: Rows per ``executemany`` batch on SQLite (bounded memory for the tuples).
SQLITE_BATCH = 200_000
#: Above this many rows, the SQLite connection gets a page cache of SQLITE_CACHE_KIB.
SQLITE_CACHE_ROWS = 50_000
SQLITE_CACHE_KIB = 262_144
#: Column kinds beyond the schema dtypes: raw bytes (tokens), UTC timestamps.
BYTES = "bytes"
TIMESTAMP = "timestamp"


def insert_frame(
    session: Session,
    table: Table,
    frame: pd.DataFrame,
    schema: Mapping[str, str],
    constants: Mapping[str, object] | None = None,
) -> int:
    """Insert ``frame``'s ``schema`` columns (plus ``constants``) into ``table``; returns rows."""
    if frame.empty:
        return 0
    typed = _conformed(frame, schema)
    for name, value in (constants or {}).items():
        typed[name] = pd.Series([value] * len(typed), index=typed.index, dtype=object)
    dtypes = {**schema, **{c: "object" for c in constants or {}}}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        _copy(session, table.name, typed, dtypes)
    elif dialect == "sqlite":
        _executemany(session, _insert_sql(table.name, list(typed.columns)), typed, dtypes)
    else:
        raise ValueError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
    return len(typed)


def upsert_frame(
    session: Session,
    table: Table,
    frame: pd.DataFrame,
    schema: Mapping[str, str],
    keys: Sequence[str],
    update: Mapping[str, str] | None = None,
) -> int:
    """Insert ``frame``'s rows; where ``keys`` exist, update the other columns, in bulk.

    ``update`` overrides the SET clause per column with SQL over ``excluded.<col>`` and the
    table's own ``<table>.<col>`` (the same spelling on SQLite and PostgreSQL). Within
    ``frame`` the last row of a key wins. PostgreSQL: COPY into a temporary table, then one
    INSERT ... SELECT ... ON CONFLICT; SQLite: one prepared INSERT ... ON CONFLICT for all rows.
    """
    if frame.empty:
        return 0
    typed = _last_per_key(_conformed(frame, schema), keys)
    sets = {name: f"excluded.{name}" for name in typed.columns if name not in keys}
    sets.update(update or {})
    conflict = f"ON CONFLICT ({', '.join(keys)}) " + (
        "DO UPDATE SET " + ", ".join(f"{name} = {sql}" for name, sql in sets.items())
        if sets
        else "DO NOTHING"
    )
    _insert_on_conflict(session, table, typed, schema, conflict)
    return len(typed)


def insert_missing_frame(
    session: Session,
    table: Table,
    frame: pd.DataFrame,
    schema: Mapping[str, str],
    keys: Sequence[str],
) -> int:
    """Insert the rows whose ``keys`` are not stored yet, in bulk; returns how many were new.

    Rows already stored are left as they are. Within ``frame`` the last row of a key wins.
    """
    if frame.empty:
        return 0
    typed = _last_per_key(_conformed(frame, schema), keys)
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO NOTHING"
    return _insert_on_conflict(session, table, typed, schema, conflict)


def _last_per_key(typed: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    # PostgreSQL refuses one statement touching a row twice; the last row of a key wins and
    # the rest keep their order.
    return typed.drop_duplicates(list(keys), keep="last").reset_index(drop=True)


def _insert_on_conflict(
    session: Session, table: Table, typed: pd.DataFrame, schema: Mapping[str, str], conflict: str
) -> int:
    """One bulk INSERT ... ON CONFLICT of the conformed rows; returns the rows it changed."""
    columns = list(typed.columns)
    quoted = ", ".join(f'"{name}"' for name in columns)
    dialect = session.get_bind().dialect.name
    connection = session.connection()
    if dialect == "postgresql":
        staging = f"_bulk_{uuid.uuid4().hex[:12]}"
        connection.exec_driver_sql(
            f'CREATE TEMPORARY TABLE "{staging}" AS '
            f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
        )
        _copy(session, staging, typed, schema)
        result = connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{staging}" {conflict}'
        )
        changed = int(result.rowcount)
        connection.exec_driver_sql(f'DROP TABLE "{staging}"')
        return changed
    if dialect == "sqlite":
        # total_changes() counts per connection: exact for this statement in our transaction.
        before = int(connection.exec_driver_sql("SELECT total_changes()").scalar_one())
        _executemany(session, f"{_insert_sql(table.name, columns)} {conflict}", typed, schema)
        return int(connection.exec_driver_sql("SELECT total_changes()").scalar_one()) - before
    raise ValueError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")


def _conformed(frame: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """``conform`` for the schema dtypes; bytes and timestamp columns are passed as they are."""
    special = (BYTES, TIMESTAMP)
    typed = conform(frame, {name: d for name, d in schema.items() if d not in special})
    for name, dtype in schema.items():
        if dtype == BYTES:
            values = frame[name].to_numpy() if name in frame.columns else [None] * len(frame)
            typed[name] = pd.Series(values, index=typed.index, dtype=object)
        elif dtype == TIMESTAMP:
            stamps = frame[name] if name in frame.columns else pd.Series(pd.NaT, index=frame.index)
            typed[name] = pd.to_datetime(stamps, utc=True).reset_index(drop=True)
    return typed[list(schema)]


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    quoted = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'


def _distinct_text(series: pd.Series, date_format: str) -> np.ndarray:
    """Dates as text, formatted once per distinct date (a delivery holds few)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    formatted = pd.Series(uniques).dt.strftime(date_format).tolist()
    text = np.array([*formatted, None], dtype=object)
    return text[np.where(codes < 0, len(text) - 1, codes)]  # type: ignore[no-any-return]


def _sqlite_values(series: pd.Series, dtype: str) -> np.ndarray:
    """A column as Python values SQLite takes as SQLAlchemy would write them (None for NA)."""
    missing = series.isna().to_numpy()
    if dtype == DATE:
        values = _distinct_text(series, "%Y-%m-%d")
    elif dtype == BOOL:
        values = series.astype("Int64").astype(object).to_numpy()
    elif dtype == INT:
        values = series.astype(object).to_numpy()
    elif dtype == FLOAT:
        values = series.astype("float64").to_numpy().astype(object)
    elif dtype == TIMESTAMP:  # as SQLAlchemy's SQLite DateTime writes it (UTC, naive text)
        text = pd.to_datetime(series, utc=True).iloc[:1].dt.strftime("%Y-%m-%d %H:%M:%S.%f")
        if series.nunique(dropna=False) == 1:  # one write time for the batch: format it once
            values = np.full(len(series), text.iloc[0] if len(text) else None, dtype=object)
        else:
            stamps = pd.to_datetime(series, utc=True).dt.tz_localize(None)
            values = stamps.dt.strftime("%Y-%m-%d %H:%M:%S.%f").to_numpy(dtype=object)
    else:
        values = series.astype(object).to_numpy()
    values = np.array(values, dtype=object, copy=True)  # pandas may hand out read-only views
    values[missing] = None
    return values


def _executemany(
    session: Session, sql: str, frame: pd.DataFrame, dtypes: Mapping[str, str]
) -> None:
    columns = list(frame.columns)
    connection = session.connection()
    if len(frame) > SQLITE_CACHE_ROWS:
        # Inserting into the random-order key indexes of a large table thrashes SQLite's
        # default 2 MB page cache; a larger cache for this connection keeps them in memory.
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    for start in range(0, len(frame), SQLITE_BATCH):
        # Converted per batch: Python objects for one batch at a time (bounded memory).
        part = frame.iloc[start : start + SQLITE_BATCH]
        arrays = [_sqlite_values(part[name], dtypes.get(name, "object")) for name in columns]
        rows = list(zip(*arrays, strict=True))
        # Driver SQL with tuples goes straight to the cursor's executemany (no per-row
        # processing), and errors arrive as SQLAlchemy's, like any other write.
        connection.exec_driver_sql(sql, rows)  # type: ignore[arg-type]


def _copy(session: Session, table: str, frame: pd.DataFrame, dtypes: Mapping[str, str]) -> None:
    columns = ", ".join(f'"{name}"' for name in frame.columns)
    # CSV where only NULL is an unquoted empty field; every text value is quoted, so an empty
    # or odd string (even "\\N") stays the string it is.
    sql = f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)'
    dbapi_error = session.get_bind().dialect.dbapi.Error  # type: ignore[union-attr]
    cursor = session.connection().connection.cursor()
    try:
        with cursor.copy(sql) as copy:  # type: ignore[attr-defined]
            for start in range(0, len(frame), SQLITE_BATCH):
                part = frame.iloc[start : start + SQLITE_BATCH]
                copy.write(_csv_text(part, dtypes))
    except dbapi_error as error:  # as SQLAlchemy's own error, like any other write
        raise DBAPIError.instance(sql, None, error, dbapi_error) from error
    finally:
        cursor.close()


def _csv_field(series: pd.Series, dtype: str) -> pd.Series:
    missing = series.isna()
    if dtype == DATE:
        text = pd.Series(_distinct_text(series, "%Y-%m-%d"), index=series.index)
    elif dtype == BOOL:
        text = series.map({True: "t", False: "f"})
    elif dtype in (INT, FLOAT):
        text = series.astype(object).astype(str)
    elif dtype == BYTES:  # bytea in its hex text form
        text = series.map(lambda token: "\\x" + bytes(token).hex(), na_action="ignore")
    elif dtype == TIMESTAMP:
        text = pd.to_datetime(series, utc=True).dt.strftime("%Y-%m-%d %H:%M:%S.%f+00")
    else:
        text = '"' + series.astype(str).str.replace('"', '""', regex=False) + '"'
    return text.astype(object).where(~missing, "")


def _csv_text(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> str:
    fields = [_csv_field(frame[name], dtypes.get(name, "object")) for name in frame.columns]
    line = fields[0].astype(str)
    for field in fields[1:]:
        line = line + "," + field.astype(str)
    return "\n".join(line.tolist()) + "\n"
