"""Selecting rows for a set of keys without building one enormous ``IN (...)`` list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

#: Keys per ``IN`` list: well below SQLite's 32,766 bound variables, few round trips.
CHUNK = 20_000


def rows_for_keys(
    session: Session,
    make_query: Callable[[Sequence[str]], Executable],
    keys: Iterable[str],
    chunk: int = CHUNK,
) -> list[Any]:
    """All rows of ``make_query(chunk_of_keys)`` over ``keys``, chunk by chunk."""
    ordered = sorted(set(keys))
    rows: list[Any] = []
    for start in range(0, len(ordered), chunk):
        rows.extend(session.execute(make_query(ordered[start : start + chunk])).all())
    return rows
