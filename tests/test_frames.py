"""Reading rows into typed frames: the Arrow column path equals the general one, on both drivers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal
from sqlalchemy.orm import Session

from connectors.database.frames import raw_columns, to_frame
from connectors.database.models import Signal
from connectors.database.sql import table_of
from signals.schema import BOOL, DATE, FLOAT, INT, LINKED_SIGNAL_SCHEMA, STRING, conform

SCHEMA = {"key": STRING, "day": DATE, "flag": BOOL, "count": INT, "amount": FLOAT}


def expected(data: dict[str, list[object]]) -> pd.DataFrame:
    return conform(pd.DataFrame(data), SCHEMA)


def test_rows_as_sqlalchemy_types_them() -> None:
    rows = [("a", dt.date(2026, 3, 9), True, 3, 1.5), ("b", None, None, None, None)]
    frame = to_frame(rows, SCHEMA)
    assert_frame_equal(
        frame,
        expected(
            {
                "key": ["a", "b"],
                "day": [pd.Timestamp("2026-03-09"), pd.NaT],
                "flag": [True, None],
                "count": [3, None],
                "amount": [1.5, None],
            }
        ),
    )


def test_rows_as_the_sqlite_driver_gives_them() -> None:
    """Dates as ISO text, booleans as 0/1: the same frame."""
    rows = [("a", "2026-03-09", 1, 3, 1.5), ("b", None, 0, None, 2.0)]
    frame = to_frame(rows, SCHEMA)
    assert frame["day"].tolist()[0] == pd.Timestamp("2026-03-09")
    assert frame["day"].isna().tolist() == [False, True]
    assert frame["flag"].tolist() == [True, False]
    assert frame.dtypes.astype(str).tolist() == list(SCHEMA.values())


def test_an_unusual_value_takes_the_general_path() -> None:
    rows = [("a", dt.datetime(2026, 3, 9, tzinfo=dt.UTC), 1, Decimal(4), Decimal("1.25"))]
    frame = to_frame(rows, SCHEMA)
    assert frame["day"].iloc[0] == pd.Timestamp("2026-03-09")
    assert frame["count"].iloc[0] == 4
    assert frame["amount"].iloc[0] == 1.25
    assert frame.dtypes.astype(str).tolist() == list(SCHEMA.values())


def test_no_rows_give_the_empty_typed_frame() -> None:
    frame = to_frame([], SCHEMA)
    assert frame.empty
    assert frame.dtypes.astype(str).tolist() == list(SCHEMA.values())


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 columns read for a schema of 5"):
        to_frame([("a", "2026-03-09")], SCHEMA)


def test_raw_columns_read_what_typed_columns_read(db_engine: sa.Engine) -> None:
    """A stored signal read through the driver's values equals it read through SQLAlchemy."""
    from connectors.database.models import Delivery

    with Session(db_engine) as session, session.begin():
        session.add(
            Delivery(
                delivery_id=1,
                partner="domesta",
                delivery_date=dt.date(2026, 3, 9),
                source_file="domesta/2026-03-09.csv",
                sha256="0" * 64,
                status="loaded",
                rows_received=2,
                rows_accepted=2,
                rows_quarantined=0,
                loaded_at=dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC),
            )
        )
        session.flush()
        common = {"delivery_id": 1, "partner": "domesta", "delivery_date": dt.date(2026, 3, 9)}
        session.execute(
            sa.insert(table_of(Signal)),
            [
                {
                    **common,
                    "signal_key": "domesta/2026-03-09/1",
                    "crisis": True,
                    "in_municipality": False,
                    "amount": 12.5,
                    "arrears_since": dt.date(2026, 1, 31),
                    "source_row": 2,
                },
                {
                    **common,
                    "signal_key": "domesta/2026-03-09/2",
                    "crisis": None,
                    "in_municipality": None,
                    "amount": None,
                    "arrears_since": None,
                    "source_row": None,
                },
            ],
        )
    columns = [getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA]
    with Session(db_engine) as session:
        typed = session.execute(sa.select(*columns).order_by(Signal.signal_key)).all()
        raw = session.execute(sa.select(*raw_columns(*columns)).order_by(Signal.signal_key)).all()
    assert_frame_equal(to_frame(raw, LINKED_SIGNAL_SCHEMA), to_frame(typed, LINKED_SIGNAL_SCHEMA))
    frame = to_frame(raw, LINKED_SIGNAL_SCHEMA)
    assert frame["crisis"].tolist()[0] is True
    assert frame["in_municipality"].tolist()[0] is False
    assert frame["arrears_since"].iloc[0] == pd.Timestamp("2026-01-31")
