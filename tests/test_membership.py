"""signals.membership.is_in: Arrow's is_in where it agrees with pandas' isin, pandas elsewhere."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pytest

from signals.membership import is_in

KEYS = ["a", None, "b", "c", "a"]
WANTED: list[Iterable[object]] = [
    {"a", "c"},
    frozenset({"b"}),
    ["a", None],
    ("a", np.nan),
    ["c", pd.NA],
    [None],
    set(),
    [],
    ["a", "a", "x"],
    ["a", 1],  # not all strings: pandas decides
    pd.Index(["a", None], dtype="string"),
    pd.Series(["b", "c"], dtype="string"),
    pd.Series(["b", "c"], dtype="str"),
    pd.Series(["b", None], dtype=object),
]
DTYPES = ["string", "str", "string[python]", object, "category"]


def _expected(values: pd.Series | pd.Index, wanted: Iterable[object]) -> np.ndarray:
    chosen = wanted if isinstance(wanted, pd.Series | pd.Index) else list(wanted)
    return np.asarray(values.isin(chosen), dtype=bool)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("wanted", WANTED, ids=repr)
def test_same_answer_as_pandas_isin_for_series_and_index(
    dtype: object, wanted: Iterable[object]
) -> None:
    series = pd.Series(KEYS, dtype=dtype)  # type: ignore[call-overload]
    for values in (series, pd.Index(series)):
        got = is_in(values, wanted)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got, _expected(values, wanted))


def test_na_matches_only_a_wanted_missing_value() -> None:
    keys = pd.Series(["a", None], dtype="string")
    assert is_in(keys, {"a"}).tolist() == [True, False]
    assert is_in(keys, {"a", None}).tolist() == [True, True]
    assert is_in(keys, [np.nan]).tolist() == [False, True]


def test_empty_values_and_empty_wanted() -> None:
    assert is_in(pd.Series([], dtype="string"), {"a"}).tolist() == []
    assert is_in(pd.Series(["a"], dtype="string"), set()).tolist() == [False]


def test_a_generator_is_read_once() -> None:
    keys = pd.Series(["a", "b", "c"], dtype="string")
    assert is_in(keys, (k for k in ["c", "a"])).tolist() == [True, False, True]


def test_positional_on_a_non_default_index() -> None:
    keys = pd.Series(["x", "y", "z"], index=[10, 5, 7], dtype="string")
    mask = is_in(keys, {"y"})
    assert mask.tolist() == [False, True, False]
    assert keys[mask].index.tolist() == [5]


def test_multi_chunk_arrow_column() -> None:
    keys = pd.concat(
        [pd.Series(["a", "b"], dtype="string"), pd.Series(["c", None], dtype="string")],
        ignore_index=True,
    )
    assert is_in(keys, {"a", "c"}).tolist() == [True, False, True, False]


def test_multi_chunk_wanted_column() -> None:
    wanted = pd.concat(
        [pd.Series(["a"], dtype="string"), pd.Series(["c"], dtype="string")], ignore_index=True
    )
    keys = pd.Series(["a", "b", "c"], dtype="string")
    assert is_in(keys, wanted).tolist() == [True, False, True]
