"""The BSN eleven-test."""

from __future__ import annotations

import pandas as pd
import pytest

from signals.bsn import bsn_valid_series, is_valid_bsn

VALID = ["111222333", "123456782", "012345672"]
INVALID = [
    "123456789",
    "111222334",
    "12345678",
    "1234567820",
    "12345678a",
    "",
    " 11122233",
    "000000000",
]


@pytest.mark.parametrize("bsn", VALID)
def test_valid_bsns_pass(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize("bsn", INVALID)
def test_invalid_bsns_fail(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


def test_eleven_test_weights_last_digit_negatively() -> None:
    # 9·1+8·1+7·1+6·2+5·2+4·2+3·3+2·3 = 69; 69 - d9 ≡ 0 (mod 11) only for d9 = 3.
    assert [d for d in range(10) if is_valid_bsn(f"11122233{d}")] == [3]


def test_series_version_agrees_and_keeps_missing() -> None:
    values = pd.Series([*VALID, *INVALID, None], dtype="string")
    result = bsn_valid_series(values)
    assert str(result.dtype) == "boolean"
    assert result.iloc[:-1].tolist() == [is_valid_bsn(v) for v in VALID + INVALID]
    assert result.isna().tolist() == [False] * (len(VALID) + len(INVALID)) + [True]


def test_series_version_on_empty_input() -> None:
    assert bsn_valid_series(pd.Series([], dtype="string")).empty
