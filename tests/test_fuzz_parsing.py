"""Property-based tests (hypothesis) of every parser and normaliser (issue 14, item 2).

Any text yields a typed result of the same length, a cell fails only when it was non-empty, and
nothing raises. Parsers are pure functions on Series, so these run in memory and fast.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.exports.columns import safe_text, unsafe_text
from connectors.inbox import shown_name
from connectors.readers.xlsx_reader import cell_text
from signals import parsing
from signals.address import house_number_failed, normalise_address, normalise_postcode
from signals.bsn import bsn_valid_series
from signals.validation.expectations import POSTCODE_PATTERN, indicators_agreed

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Text as partners send it: anything, and often almost right.
CELL = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[-+ ]?[0-9.,]{0,12}( ?[a-zA-Z€]{0,3})?", fullmatch=True),
    st.from_regex(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}", fullmatch=True),
    st.sampled_from(["", " ", "NaN", "nan", "inf", "-inf", "1e9", "NULL", "J", "n", "true", "0"]),
)
CELLS = st.lists(CELL, max_size=25)


def _series(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype="string")


def _check(parsed: parsing.Parsed, text: pd.Series, dtype: str) -> None:
    assert len(parsed.values) == len(text) and len(parsed.failed) == len(text)
    assert list(parsed.values.index) == list(text.index)
    assert str(parsed.values.dtype) == dtype
    empty = text.fillna("").str.strip() == ""
    # An empty cell is missing, never failed; a failed cell has no value.
    assert not (parsed.failed & empty).any()
    assert parsed.values[parsed.failed].isna().all()


@FUZZ
@given(CELLS, st.sampled_from([(",", "."), (".", None), (".", ","), (",", None), (",", " ")]))
def test_parse_decimal_any_text(values: list[str], separators: tuple[str, str | None]) -> None:
    text = _series(values)
    parsed = parsing.parse_decimal(text, *separators)
    _check(parsed, text, "Float64")
    finite = parsed.values.dropna()
    assert all(v == v and abs(v) != float("inf") for v in finite)  # no NaN or inf slips in


@FUZZ
@given(CELLS)
def test_parse_integer_any_text(values: list[str]) -> None:
    text = _series(values)
    _check(parsing.parse_integer(text), text, "Int64")


@FUZZ
@given(CELLS, st.sampled_from(["%d-%m-%Y", "%Y-%m-%d", "%Y%m%d", parsing.EXCEL_DATE]))
def test_parse_date_any_text(values: list[str], date_format: str) -> None:
    text = _series(values)
    parsed = parsing.parse_date(text, date_format)
    _check(parsed, text, "datetime64[ns]")


@FUZZ
@given(CELLS)
def test_parse_boolean_any_text(values: list[str]) -> None:
    text = _series(values)
    parsed = parsing.parse_boolean(text, ("J", "true", "1"), ("N", "false", "0"))
    _check(parsed, text, "boolean")


@FUZZ
@given(CELLS, CELLS, CELLS)
def test_normalise_address_any_text(postcodes: list[str], numbers: list[str], suffixes: list[str]):
    size = min(len(postcodes), len(numbers), len(suffixes))
    frame = normalise_address(
        _series(postcodes[:size]), _series(numbers[:size]), _series(suffixes[:size])
    )
    assert len(frame) == size
    assert {"postcode", "huisnummer", "toevoeging"} <= set(frame.columns)
    assert len(house_number_failed(_series(numbers[:size]))) == size
    # A postcode that comes out is written the one normal way (or is kept for validation).
    normal = normalise_postcode(_series(postcodes[:size])).dropna()
    assert all(" " not in p and not any("a" <= c <= "z" for c in p) for p in normal)


@FUZZ
@given(st.lists(st.text(alphabet="0123456789 x-", max_size=12), max_size=25))
def test_bsn_check_any_text(values: list[str]) -> None:
    valid = bsn_valid_series(_series(values))
    assert len(valid) == len(values)


@FUZZ
@given(st.lists(st.text(max_size=60), max_size=10))
def test_indicator_sets_any_text(values: list[str]) -> None:
    agreed = indicators_agreed(_series(values), ("stornering", "rood_staan"))
    assert agreed.dtype == bool and len(agreed) == len(values)


@FUZZ
@given(st.text(max_size=200))
def test_no_exported_text_becomes_a_formula(text: str) -> None:
    shown = safe_text(text)
    assert isinstance(shown, str)
    assert not shown.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unsafe_text(shown) == text


@FUZZ
@given(st.text(max_size=300))
def test_a_file_name_is_shown_on_one_printable_line(name: str) -> None:
    shown = shown_name(name)
    assert shown.isprintable() and len(shown) <= 200


@FUZZ
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(),
        st.datetimes(),
        st.dates(),
        st.times(),
    )
)
def test_any_cell_of_a_workbook_renders_as_text(value: object) -> None:
    assert isinstance(cell_text(value), str)


def test_the_postcode_pattern_is_what_feeds_promises() -> None:
    import re

    pattern = re.compile(POSTCODE_PATTERN)
    assert pattern.match("7901AB") and not pattern.match("7901SA") and not pattern.match("0901AB")
