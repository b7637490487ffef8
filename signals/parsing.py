"""Typing text cells per partner dialect, without ever raising.

Every parser takes a Series of text as received and returns :class:`Parsed`: the typed values and
a mask of cells that were non-empty but could not be parsed. Empty cells are missing, not failed;
whether a missing value is acceptable is decided elsewhere. Readers turn failed cells into
rejected rows with a reason, so one bad cell never stops a delivery.

A delivery of millions of rows repeats few distinct values (one signal date, some thousands of
birth dates), so each parser works on the *distinct* cleaned values and maps the result back
(:func:`per_distinct`); the per-value semantics are those of the scalar helpers below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

import pandas as pd

from signals.schema import BOOL, DATE, FLOAT, INT, STRING

#: Date format name for Excel cells: ISO text (rendered date cells), serials or dd-mm-yyyy text.
EXCEL_DATE = "excel"
# Excel's 1900 date system counts 1900-02-29, which never existed: serial 60 is that day.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_FAKE_LEAP_DAY = 60
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_TEXT_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class Parsed(NamedTuple):
    """Typed values and the mask of cells that could not be typed (non-empty but invalid)."""

    values: pd.Series
    failed: pd.Series


def clean_text(text: pd.Series) -> pd.Series:
    """Strip surrounding whitespace; empty cells become NA."""
    stripped = text.astype(STRING).str.strip()  # type: ignore[call-overload]
    return stripped.mask(stripped == "", pd.NA)


def per_distinct(
    values: pd.Series, parse: Callable[[pd.Series], pd.Series], dtype: str | None = None
) -> pd.Series:
    """``parse`` applied to the distinct non-missing values only, mapped back to every row.

    ``parse`` must be elementwise (a value's result depends on that value alone); missing
    values give missing results. The result has ``dtype`` (default: what ``parse`` returns).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = parse(pd.Series(uniques, dtype=values.dtype))
    if dtype is not None:
        distinct = distinct.astype(dtype)  # type: ignore[call-overload]
    mapped = pd.api.extensions.take(distinct.array, codes, allow_fill=True)
    return pd.Series(mapped, index=values.index, dtype=distinct.dtype)


def _present(cleaned: pd.Series) -> pd.Series:
    return cleaned.notna().astype(bool)


def _decimal_pattern(decimal: str, thousands: str | None) -> re.Pattern[str]:
    dec = re.escape(decimal)
    whole = r"[0-9]+"
    if thousands:
        sep = re.escape(thousands)
        whole = rf"(?:[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]+)"
    return re.compile(rf"[+-]?(?:{whole}(?:{dec}[0-9]*)?|{dec}[0-9]+)")


def parse_decimal(text: pd.Series, decimal: str = ".", thousands: str | None = None) -> Parsed:
    """Numbers like ``1.234,56`` (decimal ``,``, thousands ``.``) or ``1234.56`` -> Float64."""
    if decimal == thousands:
        raise ValueError("decimal and thousands separators must differ")
    cleaned = clean_text(text)
    pattern = _decimal_pattern(decimal, thousands).pattern

    def numbers(distinct: pd.Series) -> pd.Series:
        # Vectorised (Arrow's RE2): the pattern uses only ASCII classes and literals, where
        # RE2 and Python's re agree; invalid spellings become NA.
        valid = distinct.astype(STRING).str.fullmatch(pattern).fillna(False).astype(bool)
        canonical = distinct.astype(STRING).where(valid)
        if thousands:
            canonical = canonical.str.replace(thousands, "", regex=False)
        canonical = canonical.str.replace(decimal, ".", regex=False)
        return pd.to_numeric(canonical, errors="coerce").astype(FLOAT)  # type: ignore[call-overload]

    values = per_distinct(cleaned, numbers, FLOAT)
    return Parsed(values, _present(cleaned) & values.isna().to_numpy())


def parse_integer(text: pd.Series) -> Parsed:
    """Whole numbers (optional sign) -> Int64; ``12.5`` or ``12 dagen`` fail."""
    cleaned = clean_text(text)

    def integers(distinct: pd.Series) -> pd.Series:
        text = distinct.astype(STRING)
        valid = text.str.fullmatch(_INTEGER.pattern).fillna(False).astype(bool)
        numbers = pd.to_numeric(text.where(valid), errors="coerce")
        in_range = (numbers.abs() < 2**62).fillna(False).astype(bool)
        return numbers.where(valid & in_range).astype(INT)  # type: ignore[call-overload]

    values = per_distinct(cleaned, integers, INT)
    return Parsed(values, _present(cleaned) & values.isna().to_numpy())


def _strptime(value: str, formats: Iterable[str]) -> pd.Timestamp | None:
    for date_format in formats:
        try:
            parsed = datetime.strptime(value, date_format)
        except ValueError:
            continue
        return _in_range(pd.Timestamp(parsed).normalize())
    return None


def _in_range(stamp: pd.Timestamp) -> pd.Timestamp | None:
    # The pipeline stores datetime64[ns] (1677-2262); a date outside cannot be typed.
    try:
        return stamp.as_unit("ns")
    except (OverflowError, ValueError):
        return None


def excel_serial_to_timestamp(serial: float) -> pd.Timestamp | None:
    """A 1900-system Excel serial as a date (time of day dropped); None when impossible."""
    if not 1 <= serial <= _EXCEL_MAX_SERIAL or int(serial) == _EXCEL_FAKE_LEAP_DAY:
        return None
    days = int(serial)
    if days < _EXCEL_FAKE_LEAP_DAY:
        days += 1  # before the fake leap day the offset is one day less
    return _in_range(_EXCEL_EPOCH + pd.Timedelta(days=days))


def _excel_date(value: str) -> pd.Timestamp | None:
    try:
        serial = float(value)
    except ValueError:
        return _strptime(value, _EXCEL_TEXT_FORMATS)
    return excel_serial_to_timestamp(serial)


def _as_dates(parsed: pd.Series) -> pd.Series:
    stamps = [None if value is None or value is pd.NA else value for value in parsed]
    return pd.Series(pd.array(stamps, dtype=DATE), index=parsed.index)  # type: ignore[call-overload]


def _dates(
    cleaned: pd.Series,
    convert: Callable[[str], pd.Timestamp | None],
    date_format: str | None = None,
) -> Parsed:
    """``convert`` (strptime semantics) on each distinct cleaned value, mapped back as dates.

    With ``date_format``, ``pd.to_datetime`` parses the distinct values first; a value is taken
    from it only when formatting the date back gives the very same text (the canonical
    spelling, which ``strptime`` reads alike). The rest (unpadded parts, impossible dates,
    anything odd) goes through ``convert``, so the result is exactly strptime's.
    """

    def parse(distinct: pd.Series) -> pd.Series:
        result = pd.Series(pd.NaT, index=distinct.index, dtype=DATE)
        rest = pd.Series(True, index=distinct.index)
        if date_format is not None and len(distinct):
            fast = pd.to_datetime(distinct, format=date_format, errors="coerce")
            same = (fast.dt.strftime(date_format) == distinct.astype(STRING)).fillna(False)
            # The pipeline stores datetime64[ns]; dates outside its range cannot be typed.
            inside = (fast >= pd.Timestamp.min.ceil("D")) & (fast <= pd.Timestamp.max.floor("D"))
            same = (same & inside.fillna(False)).astype(bool)
            result[same] = fast[same].dt.normalize().astype(DATE)
            rest = ~same
        if rest.any():
            result[rest] = _as_dates(distinct[rest].map(convert))
        return result

    values = per_distinct(cleaned, parse, DATE)
    return Parsed(values, _present(cleaned) & values.isna().to_numpy())


def parse_date(text: pd.Series, date_format: str) -> Parsed:
    """Dates by strftime format (``%d-%m-%Y``, ``%Y%m%d``, ...) or ``"excel"`` -> datetime64[ns].

    Impossible dates such as ``31-02-2026`` fail. With ``"excel"`` a cell may hold an ISO date (a
    rendered date cell), a numeric serial (1900 system) or ``dd-mm-yyyy`` text.
    """
    cleaned = clean_text(text)
    if date_format == EXCEL_DATE:
        return _dates(cleaned, _excel_date)
    return _dates(cleaned, lambda value: _strptime(value, (date_format,)), date_format)


def parse_excel_serial(text: pd.Series) -> Parsed:
    """Excel serial numbers only (``46300`` -> 2026-10-05)."""

    def convert(value: str) -> pd.Timestamp | None:
        try:
            return excel_serial_to_timestamp(float(value))
        except ValueError:
            return None

    return _dates(clean_text(text), convert)


def parse_boolean(
    text: pd.Series, true_values: Iterable[str], false_values: Iterable[str]
) -> Parsed:
    """Booleans by dialect (``J``/``N``, ``true``/``false``, ``1``/``0``), case-insensitive."""
    truthy = {value.strip().lower() for value in true_values}
    falsy = {value.strip().lower() for value in false_values}
    if truthy & falsy:
        raise ValueError("a value cannot be both true and false")
    lowered = clean_text(text).str.lower()
    values = pd.Series(pd.NA, index=text.index, dtype=BOOL)
    values = values.mask(lowered.isin(truthy).fillna(False).astype(bool), True)
    values = values.mask(lowered.isin(falsy).fillna(False).astype(bool), False)
    return Parsed(values.astype(BOOL), _present(lowered) & values.isna().to_numpy())  # type: ignore[call-overload]
