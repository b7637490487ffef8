"""signals.grouping.join_per_group gives exactly what groupby(...).agg(sep.join) gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from signals.grouping import join_per_group


def _pandas(frame: pd.DataFrame, separator: str) -> pd.Series:
    return frame.groupby("k")["v"].agg(separator.join)


CASES: dict[str, tuple[list[str | None], list[str]]] = {
    "plain": (["b", "a", "b", "c", "a", "b"], ["1", "2", "3", "4", "5", "6"]),
    "na keys dropped": (["b", None, "a", None, "b"], ["x", "y", "z", "w", "v"]),
    "only na keys": ([None, None], ["x", "y"]),
    "one group": (["a", "a", "a"], ["z", "y", "x"]),
    "empty": ([], []),
    "unicode and empty text": (["é", "e", "é", "€"], ["ü", "", "€ 1,00", "ß"]),
}


@pytest.mark.parametrize("separator", ["; ", ","])
@pytest.mark.parametrize("key_dtype", ["string", "str", object])
@pytest.mark.parametrize("value_dtype", ["string", "str"])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_same_as_groupby_join(
    case: str, value_dtype: str, key_dtype: object, separator: str
) -> None:
    keys, values = CASES[case]
    frame = pd.DataFrame(
        {
            "k": pd.Series(keys, dtype=key_dtype),  # type: ignore[call-overload]
            "v": pd.Series(values, dtype=value_dtype),
        },
        index=np.arange(len(keys))[::-1] * 3,  # not a RangeIndex: alignment is by row
    )
    got = join_per_group(frame["k"], frame["v"], separator)
    pd.testing.assert_series_equal(got, _pandas(frame, separator), check_exact=True)


def test_multi_chunk_values_keep_row_order() -> None:
    frame = pd.concat(
        [
            pd.DataFrame({"k": ["b", "a"], "v": ["1", "2"]}, dtype="string"),
            pd.DataFrame({"k": ["a", "b"], "v": ["3", "4"]}, dtype="string"),
        ],
        ignore_index=True,
    )
    got = join_per_group(frame["k"], frame["v"], "; ")
    assert got.to_dict() == {"a": "2; 3", "b": "1; 4"}
    pd.testing.assert_series_equal(got, _pandas(frame, "; "), check_exact=True)


def test_missing_value_or_object_values_take_pandas_path() -> None:
    with_na = pd.DataFrame({"k": ["a", "a"], "v": pd.Series(["x", None], dtype="string")})
    with pytest.raises(TypeError):
        join_per_group(with_na["k"], with_na["v"], ",")
    objects = pd.DataFrame({"k": ["a", "b", "a"], "v": pd.Series(["x", "y", "z"], dtype=object)})
    pd.testing.assert_series_equal(
        join_per_group(objects["k"], objects["v"], ","), _pandas(objects, ",")
    )
