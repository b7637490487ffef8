"""DataFrame <-> database rows: NA/NaT become NULL on the way in, schema dtypes on the way out.

Also the stored contracts that ``signals.schema`` does not define (cases, case results, the
quarantine as stored), so that every table the repository reads has a typed schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import ColumnElement, Row, type_coerce
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import NullType

from signals.cases import CASE_COLUMNS, CASE_SIGNAL_COLUMNS
from signals.schema import (
    BOOL,
    DATE,
    DECISION_SCHEMA,
    FLOAT,
    INT,
    REJECT_SCHEMA,
    STRING,
    conform,
)

#: A vroegsignaalzaak as stored (``cases`` table): the contract of ``signals.cases``.
CASE_SCHEMA: dict[str, str] = dict(CASE_COLUMNS)

#: Which signals make up a case.
CASE_SIGNAL_SCHEMA: dict[str, str] = dict(CASE_SIGNAL_COLUMNS)

#: A case's end result as imported from the task list (as in ``connectors.exports``).
CASE_RESULT_SCHEMA: dict[str, str] = {
    "case_id": STRING,
    "task_id": STRING,
    "result": STRING,  # DDAS EnumEindresultaat
    "result_date": DATE,
}

#: A triage decision as stored: ``DECISION_SCHEMA`` + the date it was taken.
STORED_DECISION_SCHEMA: dict[str, str] = {**DECISION_SCHEMA, "decided_on": DATE}

#: A quarantined row as stored: the plaintext ``raw`` is replaced by its vault token.
QUARANTINE_SCHEMA: dict[str, str] = {
    **{name: dtype for name, dtype in REJECT_SCHEMA.items() if name != "raw"},
    "failed_expectations": STRING,
    "status": STRING,  # "open" | "resubmitted" | "dismissed"
    "household_key": STRING,  # NA when the row's address could not be read
}

#: A household's encrypted address (``token`` holds bytes, so it has no pandas dtype here).
VAULT_TOKEN_COLUMNS: tuple[str, str] = ("household_key", "token")


def _date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _converter(dtype: str) -> Callable[[Any], Any]:
    converters: dict[str, Callable[[Any], Any]] = {
        STRING: str,
        INT: int,
        FLOAT: float,
        BOOL: bool,
        DATE: _date,
    }
    return converters.get(dtype, lambda value: value)


def to_records(frame: pd.DataFrame, schema: Mapping[str, str]) -> list[dict[str, Any]]:
    """The frame's schema columns as plain Python rows (``None`` for every missing value).

    Columns the frame lacks are written as NULL, like ``conform`` does; a value that does not
    cast to the schema dtype raises here, before anything is written.
    """
    typed = conform(frame, schema)
    columns: dict[str, list[Any]] = {}
    for name, dtype in schema.items():
        series = typed[name]
        convert = _converter(dtype)
        missing = series.isna().to_numpy()
        columns[name] = [
            None if is_missing else convert(value)
            for value, is_missing in zip(series.tolist(), missing, strict=True)
        ]
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


def object_column(frame: pd.DataFrame, name: str) -> list[Any]:
    """An untyped column (bytes tokens) as a list, ``None`` for missing."""
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if _is_missing(value) else value for value in frame[name].tolist()]


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, bytes | bytearray) and bool(pd.isna(value)))


def to_frame(
    rows: Sequence[Row[Any]] | Sequence[tuple[Any, ...]], schema: Mapping[str, str]
) -> pd.DataFrame:
    """Rows read from the database as a frame with the schema's columns and dtypes.

    Built column by column through Arrow (C loops, no per-cell Python), from rows as
    SQLAlchemy types them or as the driver gives them (``raw_columns``): dates as
    ``datetime.date`` or ISO text, booleans as ``bool`` or 0/1.
    """
    if not rows:
        return conform(pd.DataFrame(), schema)
    values = list(zip(*rows, strict=True))
    if len(values) != len(schema):
        raise ValueError(f"{len(values)} columns read for a schema of {len(schema)}")
    index = pd.RangeIndex(len(rows))
    columns = {
        name: _column(column, dtype, index)
        for (name, dtype), column in zip(schema.items(), values, strict=True)
    }
    return pd.DataFrame(columns, index=index, copy=False)


def raw_columns(
    *columns: ColumnElement[Any] | QueryableAttribute[Any],
) -> list[ColumnElement[Any]]:
    """Columns selected without SQLAlchemy's per-row result conversion (``to_frame`` reads
    the driver's values as they are): twice as fast for the large reads of a night."""
    return [type_coerce(column, NullType()).label(column.key) for column in columns]


_ARROW_TYPES: dict[str, pa.DataType] = {
    STRING: pa.string(),
    INT: pa.int64(),
    FLOAT: pa.float64(),
}


def _column(values: tuple[Any, ...], dtype: str, index: pd.RangeIndex) -> pd.Series:
    try:
        if dtype == DATE:
            return _dates(values, index)
        if dtype == BOOL:  # bool from PostgreSQL, 0/1 from SQLite
            array = pa.array(values, from_pandas=True)
            flags = array if array.type == pa.bool_() else pc.not_equal(array, 0)
            return pd.Series(flags, index=index, dtype=pd.BooleanDtype())
        if dtype in _ARROW_TYPES:
            array = pa.array(values, type=_ARROW_TYPES[dtype], from_pandas=True)
            if dtype == STRING:
                return pd.Series(array, index=index, dtype=pd.StringDtype("pyarrow"))
            return pd.Series(array.to_pandas(), index=index).astype(dtype)  # type: ignore[call-overload]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass  # an unusual value (e.g. Decimal): the general path below
    series = pd.Series(values, index=index, dtype=object)
    if dtype == DATE:
        return _naive_datetimes(series)
    return series.astype(dtype)  # type: ignore[call-overload]


def _dates(values: tuple[Any, ...], index: pd.RangeIndex) -> pd.Series:
    first = next((value for value in values if value is not None), None)
    if isinstance(first, str):  # ISO dates as SQLite stores them
        return _naive_datetimes(pd.Series(values, index=index, dtype=object), "ISO8601")
    if first is None or type(first) is dt.date:
        days = pa.array(values, type=pa.date32())
        return pd.Series(days.to_pandas(date_as_object=False), index=index).astype("datetime64[ns]")
    return _naive_datetimes(pd.Series(values, index=index, dtype=object))


def _naive_datetimes(series: pd.Series, format: str | None = None) -> pd.Series:
    # Timestamps come back timezone-aware from PostgreSQL and naive from SQLite: both are UTC.
    parsed = pd.to_datetime(series, format=format, utc=True)
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")
