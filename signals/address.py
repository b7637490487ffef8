"""Address normalisation: one spelling per address, whatever the partner typed.

Partners write the same address as ``7906kl;16;b``, ``7906KL,16,B`` or ``7906 KL;16-B``. The
normalised form is ``(postcode, huisnummer, toevoeging)`` with the postcode in capitals without
spaces, the huisnummer an integer and the toevoeging in capitals without separators ("" when
none). Normalisation is idempotent: feeding its output back in returns the same output, which the
household key relies on.

Only separators and ASCII case are changed, so two addresses that differ in anything else stay
different (the normalised form is unique per address). Pattern checks (postcode shape, suffix of at
most four characters, huisnummer range) are the validation stage's job: it must see the values.
"""

from __future__ import annotations

import math
import re

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


def normalise_postcode(postcode: pd.Series) -> pd.Series:
    """``7901ab`` / ``7901 AB`` -> ``7901AB``; empty -> NA. Invalid postcodes pass through."""
    return postcode.map(postcode_of, na_action=None).astype(STRING)  # type: ignore[call-overload]


def normalise_suffix(suffix: pd.Series) -> pd.Series:
    """``a`` / ``-A`` / `` a `` -> ``A``; missing -> ``""``."""
    return suffix.map(suffix_of, na_action=None).astype(STRING)  # type: ignore[call-overload]


def house_number_failed(huisnummer: pd.Series) -> pd.Series:
    """Mask of cells that are non-empty but do not start with an integer."""

    def failed(value: object) -> bool:
        try:
            split_house_number(value)
        except ValueError:
            return True
        return False

    return huisnummer.map(failed, na_action=None).astype(bool)


def _combine_suffixes(embedded: str, separate: str) -> str:
    # "12a" with toevoeging "a" is one suffix, not "AA"; two different ones are both kept.
    if not embedded or embedded == separate:
        return separate
    return embedded + separate


def normalise_address(
    postcode: pd.Series, huisnummer: pd.Series, toevoeging: pd.Series
) -> pd.DataFrame:
    """Normalised ``postcode``, ``huisnummer`` (Int64) and ``toevoeging`` (string, "" when none).

    A suffix embedded in the huisnummer (``12-A``) is combined with the separate toevoeging
    column. A huisnummer that is not an integer becomes NA; readers reject those rows first using
    :func:`house_number_failed`. Idempotent.
    """
    numbers: list[int | None] = []
    suffixes: list[str] = []
    for number_value, suffix_value in zip(huisnummer, toevoeging, strict=True):
        try:
            number, embedded = split_house_number(number_value)
        except ValueError:
            number, embedded = None, ""
        numbers.append(number)
        suffixes.append(_combine_suffixes(embedded, suffix_of(suffix_value)))
    index = postcode.index
    return pd.DataFrame(
        {
            "postcode": normalise_postcode(postcode),
            "huisnummer": pd.Series(pd.array(numbers, dtype=INT), index=index),  # type: ignore[call-overload]
            "toevoeging": pd.Series(pd.array(suffixes, dtype=STRING), index=index),  # type: ignore[call-overload]
        }
    )
