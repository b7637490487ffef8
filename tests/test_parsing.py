"""Dialect parsing: typed values plus a mask of cells that could not be typed."""

from __future__ import annotations

import pandas as pd
import pytest

from signals.parsing import (
    EXCEL_DATE,
    excel_serial_to_timestamp,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_excel_serial,
    parse_integer,
)


def test_dutch_decimals_with_thousands_dot():
    values, failed = parse_decimal(
        pd.Series(["1.234,56", "698,40", "2,0", "-5", "", "12,5 euro", "1.23,4"]), ",", "."
    )
    assert values.tolist()[:4] == [1234.56, 698.4, 2.0, -5.0]
    assert values.isna().tolist()[4:] == [True, True, True]
    assert failed.tolist() == [False, False, False, False, False, True, True]
    assert str(values.dtype) == "Float64"


def test_point_decimals_reject_comma_and_words():
    values, failed = parse_decimal(pd.Series(["243.18", "512", "1,5", "abc", " 7.50 "]), ".")
    assert values.tolist()[:2] == [243.18, 512.0]
    assert values.iloc[4] == 7.5
    assert failed.tolist() == [False, False, True, True, False]


def test_identical_separators_are_refused():
    with pytest.raises(ValueError):
        parse_decimal(pd.Series(["1"]), ",", ",")


def test_integers():
    values, failed = parse_integer(pd.Series(["54", " 7 ", "5.0", "", "zes"]))
    assert values.tolist()[:2] == [54, 7]
    assert failed.tolist() == [False, False, True, False, True]
    assert str(values.dtype) == "Int64"


@pytest.mark.parametrize(
    ("text", "date_format", "expected"),
    [
        ("05-10-2026", "%d-%m-%Y", "2026-10-05"),
        ("20261005", "%Y%m%d", "2026-10-05"),
        ("2026-10-05", "%Y-%m-%d", "2026-10-05"),
    ],
)
def test_dates_by_format(text, date_format, expected):
    values, failed = parse_date(pd.Series([text]), date_format)
    assert values.iloc[0] == pd.Timestamp(expected)
    assert not failed.iloc[0]
    assert str(values.dtype) == "datetime64[ns]"


@pytest.mark.parametrize(
    ("text", "date_format"),
    [
        ("31-02-2026", "%d-%m-%Y"),
        ("2026-10-05", "%d-%m-%Y"),
        ("20261305", "%Y%m%d"),
        ("01-01-1500", "%d-%m-%Y"),
    ],
)
def test_impossible_or_misformatted_dates_fail(text, date_format):
    values, failed = parse_date(pd.Series([text, ""]), date_format)
    assert failed.tolist() == [True, False]
    assert values.isna().all()


def test_excel_dates_accept_iso_text_serials_and_dutch_text():
    values, failed = parse_date(
        pd.Series(["2026-10-05", "46300", "46300.75", "05-10-2026", "60", "x"]), EXCEL_DATE
    )
    assert values.tolist()[:4] == [pd.Timestamp("2026-10-05")] * 4
    assert failed.tolist() == [False, False, False, False, True, True]


def test_excel_serials_follow_the_1900_system():
    assert excel_serial_to_timestamp(1) == pd.Timestamp("1900-01-01")
    assert excel_serial_to_timestamp(59) == pd.Timestamp("1900-02-28")
    assert excel_serial_to_timestamp(60) is None  # Excel's non-existent 1900-02-29
    assert excel_serial_to_timestamp(61) == pd.Timestamp("1900-03-01")
    assert excel_serial_to_timestamp(0) is None
    values, failed = parse_excel_serial(pd.Series(["46300", "2026-10-05"]))
    assert values.iloc[0] == pd.Timestamp("2026-10-05")
    assert failed.tolist() == [False, True]


@pytest.mark.parametrize(
    ("true_values", "false_values", "cells"),
    [
        (["J"], ["N"], ["J", "n"]),
        (["true"], ["false"], ["TRUE", "false"]),
        (["1"], ["0"], ["1", "0"]),
    ],
)
def test_booleans_by_dialect(true_values, false_values, cells):
    values, failed = parse_boolean(pd.Series([*cells, "", "misschien"]), true_values, false_values)
    assert values.tolist()[:2] == [True, False]
    assert values.isna().tolist()[2:] == [True, True]
    assert failed.tolist() == [False, False, False, True]
    assert str(values.dtype) == "boolean"
