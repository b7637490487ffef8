"""Address normalisation: one spelling per address, whatever the partner typed.

Partners write the same address as ``7906kl;16;b``, ``7906KL,16,B`` or ``7906 KL;16-B``. The
normalised form is ``(postcode, huisnummer, toevoeging)`` with the postcode in capitals without
spaces, the huisnummer an integer and the toevoeging in capitals without separators ("" when
none). Normalisation is idempotent: feeding its output back in returns the same output, which the
household key relies on.

The scalar functions define the rules; the Series functions apply them once per *distinct*
value (or pair of values) and map the results back, since a delivery of millions of rows holds
far fewer distinct spellings.

Only separators and ASCII case are changed, so two addresses that differ in anything else stay
different (the normalised form is unique per address). Pattern checks (postcode shape, suffix of at
most four characters, huisnummer range) are the validation stage's job: it must see the values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from signals.schema import INT, STRING

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Huisnummer: digits first, anything after them is a suffix ("12a", "12 A", "12-A", "12 -a").
_HOUSE_NUMBER = re.compile(r"\s*([0-9]+)(.*)", re.DOTALL)
# Beyond this many digits the number no longer fits an Int64; validation checks the real range.
_MAX_DIGITS = 18


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_text(value: object) -> str:
    """Text of a cell; integral floats (Excel numbers) lose their ``.0``."""
    if _is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def postcode_of(value: object) -> str | None:
    """Scalar postcode normalisation: ASCII capitals, all whitespace removed; None when empty."""
    text = "".join(_as_text(value).split()).translate(_ASCII_UPPER)
    return text or None


def suffix_of(value: object) -> str:
    """Scalar toevoeging normalisation: ASCII capitals, every non-alphanumeric character removed."""
    text = _as_text(value).translate(_ASCII_UPPER)
    return "".join(char for char in text if char.isalnum())


def split_house_number(value: object) -> tuple[int | None, str]:
    """Split a huisnummer into its number and an embedded suffix: ``"12 -a"`` -> ``(12, "A")``.

    An empty value gives ``(None, "")``. Raises ``ValueError`` when the value does not start with
    an integer (the message never quotes the value).
    """
    text = _as_text(value)
    if not text.strip():
        return None, ""
    match = _HOUSE_NUMBER.fullmatch(text)
    if match is None or len(match.group(1).lstrip("0")) > _MAX_DIGITS:
        raise ValueError("huisnummer is not an integer")
    return int(match.group(1)), suffix_of(match.group(2))


def _codes_with_missing(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Factorised ``values``: codes and distinct values, missing values as a last ``None``."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = [*list(uniques), None]
    return np.where(codes < 0, len(distinct) - 1, codes), distinct


def _map_distinct(values: pd.Series, scalar: Callable[[object], Any]) -> list[Any]:
    """``[scalar(v) for v in values]``, computing ``scalar`` once per distinct value."""
    codes, distinct = _codes_with_missing(values)
    results = np.empty(len(distinct), dtype=object)
    results[:] = [scalar(value) for value in distinct]
    return results[codes].tolist()  # type: ignore[no-any-return]


#: Printable ASCII and the space: the spellings where removing spaces and ASCII capitals is
#: all that :func:`postcode_of` does, so Arrow can do it for all of them at once.
_PLAIN_ASCII = r"[\x20-\x7e]*"


def _postcodes_of(distinct: pd.Series) -> pd.Series:
    """:func:`postcode_of` of distinct text values, vectorised for plain ASCII spellings."""
    text = distinct.astype(STRING)
    plain = text.str.fullmatch(_PLAIN_ASCII).fillna(False).astype(bool)
    result = text.str.replace(" ", "", regex=False).str.upper().where(plain)
    result = result.mask(result == "", pd.NA)
    if (~plain).any():
        other = [postcode_of(value) for value in text[~plain].tolist()]
        result[~plain] = pd.array(other, dtype=STRING)  # type: ignore[call-overload]
    return result.astype(STRING)  # type: ignore[call-overload]


def normalise_postcode(postcode: pd.Series) -> pd.Series:
    """``7901ab`` / ``7901 AB`` -> ``7901AB``; empty -> NA. Invalid postcodes pass through."""
    if isinstance(postcode.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(postcode, use_na_sentinel=True)
        distinct = _postcodes_of(pd.Series(uniques, dtype=postcode.dtype))
        mapped = pd.api.extensions.take(distinct.array, codes, allow_fill=True)
        return pd.Series(mapped, index=postcode.index, dtype=STRING)
    return pd.Series(
        pd.array(_map_distinct(postcode, postcode_of), dtype=STRING),  # type: ignore[call-overload]
        index=postcode.index,
    )


def normalise_suffix(suffix: pd.Series) -> pd.Series:
    """``a`` / ``-A`` / `` a `` -> ``A``; missing -> ``""``."""
    return pd.Series(
        pd.array(_map_distinct(suffix, suffix_of), dtype=STRING),  # type: ignore[call-overload]
        index=suffix.index,
    )


def _house_number_fails(value: object) -> bool:
    try:
        split_house_number(value)
    except ValueError:
        return True
    return False


def house_number_failed(huisnummer: pd.Series) -> pd.Series:
    """Mask of cells that are non-empty but do not start with an integer."""
    return pd.Series(
        np.array(_map_distinct(huisnummer, _house_number_fails), dtype=bool),
        index=huisnummer.index,
    )


def _combine_suffixes(embedded: str, separate: str) -> str:
    # "12a" with toevoeging "a" is one suffix, not "AA"; two different ones are both kept.
    if not embedded or embedded == separate:
        return separate
    return embedded + separate


def number_and_suffix(number_value: object, suffix_value: object) -> tuple[int | None, str]:
    """Scalar: the normalised huisnummer and toevoeging of one pair of cells."""
    try:
        number, embedded = split_house_number(number_value)
    except ValueError:
        number, embedded = None, ""
    return number, _combine_suffixes(embedded, suffix_of(suffix_value))


def normalise_address(
    postcode: pd.Series, huisnummer: pd.Series, toevoeging: pd.Series
) -> pd.DataFrame:
    """Normalised ``postcode``, ``huisnummer`` (Int64) and ``toevoeging`` (string, "" when none).

    A suffix embedded in the huisnummer (``12-A``) is combined with the separate toevoeging
    column. A huisnummer that is not an integer becomes NA; readers reject those rows first using
    :func:`house_number_failed`. Idempotent. Each distinct (huisnummer, toevoeging) pair is
    split once.
    """
    number_codes, numbers = _codes_with_missing(huisnummer)
    suffix_codes, suffixes = _codes_with_missing(toevoeging)
    pair_codes, pairs = pd.factorize(
        number_codes.astype(np.int64) * len(suffixes) + suffix_codes, sort=False
    )
    split = [
        number_and_suffix(numbers[pair // len(suffixes)], suffixes[pair % len(suffixes)])
        for pair in pairs.tolist()
    ]
    distinct_numbers = pd.array([number for number, _ in split], dtype=INT)  # type: ignore[call-overload]
    distinct_suffixes = pd.array([suffix for _, suffix in split], dtype=STRING)  # type: ignore[call-overload]
    index = postcode.index
    return pd.DataFrame(
        {
            "postcode": normalise_postcode(postcode),
            "huisnummer": pd.Series(distinct_numbers.take(pair_codes), index=index),
            "toevoeging": pd.Series(distinct_suffixes.take(pair_codes), index=index),
        }
    )


#: Spellings :func:`normalise_address` returns unchanged: a postcode of printable ASCII without
#: spaces or small letters, a toevoeging of capitals and digits.
_NORMAL_POSTCODE = r"[\x21-\x60\x7b-\x7e]*"
_NORMAL_SUFFIX = r"[A-Z0-9]*"


def ensure_normalised(
    postcode: pd.Series, huisnummer: pd.Series, toevoeging: pd.Series
) -> pd.DataFrame:
    """:func:`normalise_address`, skipping the rows whose parts are normalised already.

    Reader output is normalised, so linkage pays only a vectorised check for it rather than a
    second normalisation; other input (a hand-made frame, a messy spelling) is normalised.
    """
    if not (
        isinstance(postcode.dtype, pd.StringDtype)
        and isinstance(toevoeging.dtype, pd.StringDtype)
        and pd.api.types.is_integer_dtype(huisnummer.dtype)
    ):
        return normalise_address(postcode, huisnummer, toevoeging)
    done = (
        postcode.str.fullmatch(_NORMAL_POSTCODE).fillna(False).astype(bool)
        & toevoeging.str.fullmatch(_NORMAL_SUFFIX).fillna(False).astype(bool)
        & (huisnummer >= 0).fillna(False).astype(bool)
    ).to_numpy()
    out = pd.DataFrame(
        {
            "postcode": postcode.astype(STRING),  # type: ignore[call-overload]
            "huisnummer": huisnummer.astype(INT),  # type: ignore[call-overload]
            "toevoeging": toevoeging.astype(STRING),  # type: ignore[call-overload]
        }
    )
    if not done.all():
        rest = normalise_address(postcode[~done], huisnummer[~done], toevoeging[~done])
        for name in ("postcode", "huisnummer", "toevoeging"):
            out.loc[~done, name] = rest[name].to_numpy()
    return out
