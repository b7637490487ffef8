"""Dutch text for workers: number formats, and reason templates filled for whole columns."""

from __future__ import annotations

import string
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DATE_NL = "%d-%m-%Y"


def decimal_nl(value: float, places: int = 1) -> str:
    """``2.0`` -> ``"2,0"``."""
    return f"{value:.{places}f}".replace(".", ",")


def euro_nl(value: float) -> str:
    """``1234.5`` -> ``"€ 1.234,50"`` (euro sign, thousands dot, decimal comma: as Dutch
    readers write amounts, and as the web pages show them)."""
    text = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def audit_suffix(version: str, rule: str) -> str:
    """The trail every reason ends with: which policy version and rule decided."""
    return f"(beleid {version}, regel {rule})"


def euro_nl_series(values: pd.Series, missing: str = "onbekend bedrag") -> pd.Series:
    """:func:`euro_nl` for a column, each distinct amount formatted once."""
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    codes, distinct = pd.factorize(numbers)
    texts = _euro_texts(distinct.to_numpy(dtype=np.float64, na_value=np.nan))
    each = texts.take(pa.array(codes, type=pa.int64(), mask=codes < 0))
    out = pd.Series(pd.array(each, dtype="string"), index=numbers.index, name=numbers.name)
    return out.fillna(missing)


#: Below this many cents, ``v * 100`` is within 1e-7 of the exact product.
_EXACT_CENTS = 1e9

#: 0..999 as text: plain, and zero-padded to 2 and 3 digits.
_DIGITS = {width: pa.array([f"{i:0{width}d}" for i in range(1000)]) for width in (0, 2, 3)}


def _euro_texts(x: np.ndarray) -> pa.Array:
    """:func:`euro_nl` of each value, without a Python format call per value.

    ``f"{v:,.2f}"`` rounds the exact binary value half-to-even; ``rint(v * 100)`` agrees
    whenever ``v * 100`` lies clearly away from a half cent. The few values near a half cent,
    huge or not finite are formatted by :func:`euro_nl` itself.
    """
    scaled = np.abs(x * 100)
    with np.errstate(invalid="ignore"):
        plain = np.isfinite(scaled) & (scaled < _EXACT_CENTS) & (np.abs(scaled % 1 - 0.5) > 1e-6)
    cents = np.rint(np.where(plain, scaled, 0)).astype(np.int64)
    euros, rest = np.divmod(cents, 100)
    millions, below = np.divmod(euros, 1_000_000)
    thousands, units = np.divmod(below, 1000)

    def text(numbers: np.ndarray, width: int = 0) -> pa.Array:
        # Every group is below 1000: a table look-up beats Arrow's int-to-string cast.
        return _DIGITS[width].take(pa.array(numbers, type=pa.int64()))

    def join(*parts: pa.Array | str) -> pa.Array:
        return pc.binary_join_element_wise(*parts, "")

    whole = pc.if_else(
        pa.array(millions > 0),
        join(text(millions), ".", text(thousands, 3), ".", text(units, 3)),
        pc.if_else(
            pa.array(thousands > 0), join(text(thousands), ".", text(units, 3)), text(units)
        ),
    )
    sign = pc.if_else(pa.array(np.signbit(x)), "€ -", "€ ")
    formatted = join(sign, whole, ",", text(rest, 2))
    if plain.all():
        return formatted
    others = pa.array([euro_nl(float(v)) for v in x[~plain].tolist()], type=pa.string())
    return pc.replace_with_mask(formatted, pa.array(~plain), others)


def decimal_nl_series(values: pd.Series, missing: str = "?", places: int = 1) -> pd.Series:
    """:func:`decimal_nl` for a column, each distinct value formatted once."""
    return _per_distinct(values, lambda v: decimal_nl(v, places), missing)


def date_nl_series(values: pd.Series, missing: str = "?") -> pd.Series:
    """Dates as ``dd-mm-jjjj``."""
    text = pd.to_datetime(values).dt.strftime(DATE_NL).astype("string")
    return text.fillna(missing)


def _per_distinct(values: pd.Series, format_one: object, missing: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    distinct = numbers.dropna().unique()
    lookup = {float(v): format_one(float(v)) for v in distinct}  # type: ignore[operator]
    return numbers.map(lookup, na_action="ignore").astype("string").fillna(missing)


def fill_template(
    template: str, values: Mapping[str, pd.Series | str | int | float], index: pd.Index
) -> pd.Series:
    """``template`` (``str.format`` placeholders) filled row by row from columns, vectorised.

    ``values`` maps each placeholder to a column (aligned with ``index``) or a scalar.
    """
    out = pd.Series("", index=index, dtype="string")
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if field is None:
            continue
        if field not in values:
            raise KeyError(f"template placeholder {{{field}}} has no value")
        value = values[field]
        if isinstance(value, pd.Series):
            out = out + value.astype("string").reindex(index).fillna("")
        else:
            out = out + str(value)
    return out


def join_parts(parts: list[pd.Series], separator: str = "; ") -> pd.Series:
    """Row-wise join of optional text columns (NA or "" parts are left out), vectorised."""
    if not parts:
        raise ValueError("nothing to join")
    out = parts[0].astype("string").fillna("")
    for part in parts[1:]:
        text = part.astype("string").reindex(out.index).fillna("")
        both = (out != "") & (text != "")
        out = out.where(~both, out + separator + text).where(out != "", text)
    return out.astype("string")


def union_lists(first: pd.Series, second: pd.Series, order: tuple[str, ...] = ()) -> pd.Series:
    """Row-wise union of two comma-separated lists, vectorised over the distinct items.

    Items in ``order`` come first in that order, the others sorted after them.
    """
    a = "," + first.astype("string").fillna("") + ","
    b = "," + second.astype("string").reindex(first.index).fillna("") + ","
    tokens: set[str] = set()
    for column in (first, second):
        for text in column.dropna().unique():
            tokens |= {item for item in str(text).split(",") if item}
    ordered = [t for t in order if t in tokens] + sorted(tokens - set(order))
    parts = [
        pd.Series(token, index=first.index, dtype="string").where(
            a.str.contains(f",{token},", regex=False) | b.str.contains(f",{token},", regex=False)
        )
        for token in ordered
    ]
    if not parts:
        return pd.Series("", index=first.index, dtype="string")
    return join_parts(parts, ",")
