"""``conform``: the column contract every stage hands on."""

from __future__ import annotations

import pandas as pd

from signals.schema import conform


def test_conform_orders_casts_adds_and_drops_columns() -> None:
    frame = pd.DataFrame(
        {"extra": [1, 2], "amount": [1.5, None], "name": ["a", None]}, index=[7, 7]
    )
    out = conform(frame, {"name": "string", "amount": "Float64", "missing": "datetime64[ns]"})
    assert list(out.columns) == ["name", "amount", "missing"]
    assert list(out.index) == [0, 1]
    assert out["name"].dtype == pd.StringDtype()  # NA semantics, not pandas' default str
    assert out["name"].isna().tolist() == [False, True] and out["name"].iloc[1] is pd.NA
    assert str(out["amount"].dtype) == "Float64" and out["amount"].iloc[1] is pd.NA
    assert str(out["missing"].dtype) == "datetime64[ns]" and out["missing"].isna().all()


def test_changing_the_conformed_frame_leaves_its_input_alone() -> None:
    frame = pd.DataFrame({"n": pd.array([1, 2], dtype="Int64")})
    out = conform(frame, {"n": "Int64"})
    out.loc[0, "n"] = 99
    assert frame["n"].tolist() == [1, 2]


def test_an_empty_frame_keeps_the_schema_dtypes() -> None:
    out = conform(pd.DataFrame({"night": pd.Series([], dtype=object)}), {"night": "datetime64[ns]"})
    assert str(out["night"].dtype) == "datetime64[ns]" and out.empty
