"""The vectorised parsers, normalisers and CSV fast path equal the per-cell rules they replace.

Each oracle here is the per-cell implementation as it was (one value at a time, Python ``re``
and ``strptime``); hypothesis feeds both tricky values, and the results must be identical.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.catalog import load_catalog
from connectors.readers import csv_reader
from connectors.readers.base import BROKEN, RAW, SOURCE_ROW, raw_text
from signals.address import (
    ensure_normalised,
    house_number_failed,
    normalise_address,
    number_and_suffix,
    postcode_of,
    split_house_number,
)
from signals.parsing import parse_date, parse_decimal, parse_integer
from signals.pseudonym import _hash_series, keyed_hash

# Few characters, many collisions: separators, signs, digits, spaces, odd whitespace, letters.
NUMBER_CHARS = st.sampled_from(list("0123456789.,+- eE\u00a0\u2007x٣"))
numbers_text = st.lists(st.text(NUMBER_CHARS, max_size=9), min_size=1, max_size=30)
DATE_CHARS = st.sampled_from(list("0123456789-/ T:"))
dates_text = st.lists(
    st.one_of(
        st.text(DATE_CHARS, max_size=12),
        st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
        st.dates().map(lambda d: d.strftime("%Y%m%d")),
        st.dates().map(lambda d: f"{d.year}-{d.month}-{d.day}"),  # unpadded
        st.dates().map(lambda d: d.isoformat()),
    ),
    min_size=1,
    max_size=30,
)
ADDRESS_CHARS = st.sampled_from(list("0123456789 abAB-/.\t\u00a0\u3000éß\x0b\x1c_"))
addresses = st.lists(
    st.tuples(
        st.one_of(st.none(), st.text(ADDRESS_CHARS, max_size=8)),
        st.one_of(st.none(), st.text(ADDRESS_CHARS, max_size=6)),
        st.one_of(st.none(), st.text(ADDRESS_CHARS, max_size=4)),
    ),
    min_size=1,
    max_size=30,
)


def _cleaned(values: list[str]) -> list[str | None]:
    stripped = pd.Series(values, dtype="string").str.strip()
    return [None if v is pd.NA or v == "" else v for v in stripped.tolist()]


def _old_decimal(values: list[str], decimal: str, thousands: str | None) -> list[float | None]:
    dec, whole = re.escape(decimal), r"[0-9]+"
    if thousands:
        whole = rf"(?:[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+|[0-9]+)"
    pattern = re.compile(rf"[+-]?(?:{whole}(?:{dec}[0-9]*)?|{dec}[0-9]+)")
    out: list[float | None] = []
    for value in _cleaned(values):
        if value is None or not pattern.fullmatch(value):
            out.append(None)
            continue
        canonical = value.replace(thousands, "") if thousands else value
        out.append(float(canonical.replace(decimal, ".")))
    return out


def _old_integer(values: list[str]) -> list[int | None]:
    out: list[int | None] = []
    for value in _cleaned(values):
        if value is None or not re.fullmatch(r"[+-]?[0-9]+", value) or abs(int(value)) >= 2**62:
            out.append(None)
        else:
            out.append(int(value))
    return out


def _old_date(values: list[str], date_format: str) -> list[pd.Timestamp | None]:
    out: list[pd.Timestamp | None] = []
    for value in _cleaned(values):
        try:
            stamp = pd.Timestamp(datetime.strptime(value or "", date_format)).normalize()
            out.append(stamp.as_unit("ns"))
        except (ValueError, OverflowError):
            out.append(None)
    return out


def _as_list(series: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in series.tolist()]


@settings(max_examples=150, deadline=None)
@given(numbers_text, st.sampled_from([(",", "."), (".", None), (",", None)]))
def test_decimals_equal_the_per_cell_rule(values, separators):
    decimal, thousands = separators
    parsed, failed = parse_decimal(pd.Series(values), decimal, thousands)
    assert _as_list(parsed) == _old_decimal(values, decimal, thousands)
    present = [v is not None for v in _cleaned(values)]
    expected_failed = [p and v is None for p, v in zip(present, _as_list(parsed), strict=True)]
    assert failed.tolist() == expected_failed


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(NUMBER_CHARS, max_size=6), st.integers().map(str)), min_size=1))
def test_integers_equal_the_per_cell_rule(values):
    parsed, _ = parse_integer(pd.Series(values))
    assert _as_list(parsed) == _old_integer(values)


@settings(max_examples=150, deadline=None)
@given(dates_text, st.sampled_from(["%d-%m-%Y", "%Y%m%d", "%Y-%m-%d"]))
def test_dates_equal_strptime_per_cell(values, date_format):
    parsed, _ = parse_date(pd.Series(values), date_format)
    assert _as_list(parsed) == _old_date(values, date_format)
    assert str(parsed.dtype) == "datetime64[ns]"


@pytest.mark.parametrize("text", ["01-01-1500", "31-12-9999", "21-09-1677", "22-09-1677"])
def test_dates_at_the_edge_of_the_stored_range_equal_strptime(text):
    parsed, _ = parse_date(pd.Series([text]), "%d-%m-%Y")
    assert _as_list(parsed) == _old_date([text], "%d-%m-%Y")


@settings(max_examples=200, deadline=None)
@given(addresses, st.booleans())
def test_address_normalisation_equals_the_scalar_rules(rows, as_text):
    dtype = "string" if as_text else object
    postcode = pd.Series([r[0] for r in rows], dtype=dtype)
    number = pd.Series([r[1] for r in rows], dtype=dtype)
    suffix = pd.Series([r[2] for r in rows], dtype=dtype)
    normalised = normalise_address(postcode, number, suffix)
    expected = [number_and_suffix(n, s) for _, n, s in rows]
    assert _as_list(normalised["postcode"]) == [postcode_of(r[0]) for r in rows]
    assert _as_list(normalised["huisnummer"]) == [n for n, _ in expected]
    assert normalised["toevoeging"].tolist() == [s for _, s in expected]
    assert house_number_failed(number).tolist() == [_fails(r[1]) for r in rows]


def _fails(value: object) -> bool:
    try:
        split_house_number(value)
    except ValueError:
        return True
    return False


CSV_CHARS = st.sampled_from(list("ab1;, é\u00a0\t"))
FIELD_CHARS = st.sampled_from(list("ab1, é\u00a0\t"))
csv_lines = st.lists(
    st.one_of(
        st.text(CSV_CHARS, max_size=12),
        st.lists(st.text(FIELD_CHARS, max_size=5), min_size=6, max_size=6).map(";".join),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(csv_lines, st.booleans())
def test_csv_fast_path_equals_the_csv_module(lines, crlf):
    spec = load_catalog().get("domesta")
    header = "signaal_id;postcode;huisnummer;achterstand_bedrag;ontstaansdatum;signaaldatum"
    text = ("\r\n" if crlf else "\n").join([header, *lines])
    fast = csv_reader.parse_csv_text(text, spec, "domesta/x.csv")
    slow = csv_reader._csv_module_rows(text, spec, "domesta/x.csv").frame()
    assert fast.columns.tolist() == slow.columns.tolist()
    assert fast[SOURCE_ROW].tolist() == slow[SOURCE_ROW].tolist()
    assert fast[BROKEN].tolist() == slow[BROKEN].tolist()
    columns = [c for c in fast.columns if c not in (RAW,)]
    assert fast[columns].astype(str).values.tolist() == slow[columns].astype(str).values.tolist()
    assert raw_text(fast).tolist() == raw_text(slow).tolist()


@settings(max_examples=150, deadline=None)
@given(addresses)
def test_linkage_skips_only_what_is_normalised_already(rows):
    normalised = normalise_address(
        pd.Series([r[0] for r in rows], dtype="string"),
        pd.Series([r[1] for r in rows], dtype="string"),
        pd.Series([r[2] for r in rows], dtype="string"),
    )
    # Feed a mix: half normalised output, half raw spellings with integer house numbers.
    postcode = normalised["postcode"].where(pd.Series(range(len(rows))) % 2 == 0, "7901 ab")
    again = ensure_normalised(postcode, normalised["huisnummer"], normalised["toevoeging"])
    expected = normalise_address(postcode, normalised["huisnummer"], normalised["toevoeging"])
    pd.testing.assert_frame_equal(again, expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=1, max_size=20))
def test_keyed_hashes_per_distinct_text_equal_one_hmac_per_row(texts):
    key = b"equivalence-key"
    hashed = _hash_series(pd.Series(texts, dtype="string"), key)
    expected = [None if t is None else keyed_hash(t, key) for t in texts]
    assert _as_list(hashed) == expected
