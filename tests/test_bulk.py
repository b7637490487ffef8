"""Bulk writes: insert-if-missing counts what was new and leaves stored rows as they are."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.database.bulk import insert_missing_frame, upsert_frame
from connectors.database.models import Resolution
from connectors.database.sql import table_of
from signals.schema import DATE, STRING

SCHEMA = {"household_key": STRING, "partner": STRING, "resolved_on": DATE, "recorded_on": DATE}
KEYS = ["household_key", "partner", "resolved_on"]


def resolutions(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "household_key": key,
                "partner": partner,
                "resolved_on": pd.Timestamp("2026-03-09"),
                "recorded_on": pd.Timestamp(recorded),
            }
            for key, partner, recorded in rows
        ]
    )


def stored(engine: sa.Engine) -> list[tuple[str, str, dt.date]]:
    table = table_of(Resolution)
    with Session(engine) as session:
        query = sa.select(table.c.household_key, table.c.partner, table.c.recorded_on)
        return [tuple(row) for row in session.execute(query.order_by(*query.selected_columns))]


def test_insert_missing_counts_only_new_rows_and_keeps_stored_ones(db_engine: sa.Engine) -> None:
    table = table_of(Resolution)
    with Session(db_engine) as session, session.begin():
        first = insert_missing_frame(
            session, table, resolutions(("a", "domesta", "2026-03-09")), SCHEMA, KEYS
        )
    with Session(db_engine) as session, session.begin():
        second = insert_missing_frame(
            session,
            table,
            resolutions(("a", "domesta", "2026-03-10"), ("b", "domesta", "2026-03-10")),
            SCHEMA,
            KEYS,
        )
    assert (first, second) == (1, 1)
    assert stored(db_engine) == [
        ("a", "domesta", dt.date(2026, 3, 9)),  # kept: a stored row is never replaced
        ("b", "domesta", dt.date(2026, 3, 10)),
    ]


def test_within_one_frame_the_last_row_of_a_key_wins(db_engine: sa.Engine) -> None:
    table = table_of(Resolution)
    frame = resolutions(("a", "domesta", "2026-03-09"), ("a", "domesta", "2026-03-11"))
    with Session(db_engine) as session, session.begin():
        assert insert_missing_frame(session, table, frame, SCHEMA, KEYS) == 1
    assert stored(db_engine) == [("a", "domesta", dt.date(2026, 3, 11))]


def test_nothing_to_insert_writes_nothing(db_engine: sa.Engine) -> None:
    with Session(db_engine) as session, session.begin():
        assert insert_missing_frame(session, table_of(Resolution), resolutions(), SCHEMA, KEYS) == 0
    assert stored(db_engine) == []


def test_upsert_replaces_the_other_columns(db_engine: sa.Engine) -> None:
    table = table_of(Resolution)
    with Session(db_engine) as session, session.begin():
        upsert_frame(session, table, resolutions(("a", "domesta", "2026-03-09")), SCHEMA, KEYS)
    with Session(db_engine) as session, session.begin():
        upsert_frame(session, table, resolutions(("a", "domesta", "2026-03-12")), SCHEMA, KEYS)
    assert stored(db_engine) == [("a", "domesta", dt.date(2026, 3, 12))]
