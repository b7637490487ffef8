"""DataFrame <-> database rows: NA/NaT become NULL on the way in, schema dtypes on the way out.

Also the stored contracts that ``signals.schema`` does not define (cases, case results, the
quarantine as stored), so that every table the repository reads has a typed schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Row

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
    """Rows read from the database as a frame with the schema's columns and dtypes."""
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(schema), dtype=object)
    for name, dtype in schema.items():
        if dtype == DATE:
            frame[name] = _naive_datetimes(frame[name])
    return conform(frame, schema)


def _naive_datetimes(series: pd.Series) -> pd.Series:
    # Timestamps come back timezone-aware from PostgreSQL and naive from SQLite: both are UTC.
    parsed = pd.to_datetime(series, utc=True)
    return parsed.dt.tz_localize(None).astype("datetime64[ns]")
