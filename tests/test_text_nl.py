"""signals.triage.text.euro_nl_series formats every amount exactly as euro_nl does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from signals.triage.text import _per_distinct, euro_nl, euro_nl_series

EDGES = [
    0.0,
    0.005,
    0.015,
    2.675,  # binary value just below the half cent: rounds down
    1.005,
    -0.001,  # "-0,00", as Python formats it
    -0.005,
    0.125,  # an exact half cent: half to even
    0.375,
    12.5,
    999.995,
    999999.995,
    1234567.891,
    9999999.994,
    9999999.996,  # the last amount with whole cents in float64 range of the fast path
    1e7,
    123456789.125,
    1e300,
    5e-324,
    np.inf,
    -np.inf,
]


def _one_by_one(values: pd.Series, missing: str) -> list[str]:
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    return [missing if pd.isna(v) else euro_nl(float(v)) for v in numbers]


def test_edges_match_python_formatting() -> None:
    values = pd.Series(EDGES, dtype="Float64")
    assert euro_nl_series(values).tolist() == _one_by_one(values, "onbekend bedrag")
    assert euro_nl_series(pd.Series([1234567.891, -0.001]))[0] == "€ 1.234.567,89"


@pytest.mark.parametrize("seed", [1, 2])
def test_random_amounts_match_python_formatting(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = pd.Series(
        np.concatenate(
            [
                rng.integers(-(10**9), 10**9, 20_000) / 100,
                rng.integers(0, 10**6, 5_000) / 200,  # half cents
                rng.integers(-(10**7), 10**7, 5_000) / 1000,
                rng.uniform(-2e7, 2e7, 5_000),
            ]
        ),
        dtype="Float64",
    )
    assert euro_nl_series(values, "?").tolist() == _one_by_one(values, "?")


def test_missing_index_name_and_dtype_kept() -> None:
    values = pd.Series(["12.5", None, "abc", 3, 12.5], index=[4, 3, 2, 1, 0], name="amount")
    out = euro_nl_series(values, missing="?")
    assert out.tolist() == ["€ 12,50", "?", "?", "€ 3,00", "€ 12,50"]
    assert out.index.tolist() == [4, 3, 2, 1, 0]
    assert out.name == "amount"
    assert out.dtype == "string"
    assert euro_nl_series(pd.Series([], dtype="Float64")).dtype == "string"


def test_zero_and_negative_zero_are_one_distinct_amount_as_before() -> None:
    # Both are the same float key: the first one seen decides, as in the dict look-up.
    for values in ([-0.0, 0.0, 1.0], [0.0, -0.0]):
        series = pd.Series(values, dtype="Float64")
        pd.testing.assert_series_equal(
            euro_nl_series(series), _per_distinct(series, euro_nl, "onbekend bedrag")
        )
    assert euro_nl_series(pd.Series([-0.0]))[0] == "€ -0,00"
