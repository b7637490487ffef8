"""An amount a data steward types in the correction form, in the spelling the partner uses.

A steward writes Dutch (``1.234,56``, ``1234,56``) or ``1234.56``; the corrected row is read
back with the partner's own decimal separator, so the form re-spells the amount first."""

from __future__ import annotations

import re

from connectors.catalog import PartnerSpec
from signals.schema import FLOAT

_DIGITS = re.compile(r"^[+-]?[0-9]+$")
_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}([.,' ][0-9]{3})+$")


class AmbiguousAmountError(ValueError):
    """``1.234`` or ``1,234``: a thousand, or one with three decimals?"""


def amount_columns(spec: PartnerSpec) -> set[str]:
    """The partner's own names of its amount (decimal) columns."""
    schema = spec.schema_columns
    return {source for canonical, source in spec.columns.items() if schema.get(canonical) == FLOAT}


#: The hint next to an amount field.
AMOUNT_HINT = "Bedrag in euro's, bijvoorbeeld 1234,56 of 1.234,56 (1234.56 kan ook)."


def respell_amount(text: str, decimal: str) -> str:
    """``text`` as a plain number with ``decimal`` as separator and no thousands separator.

    Text that is no number is returned as typed: validation reports it like any other row.
    Raises ``AmbiguousAmountError`` for one separator followed by exactly three digits."""
    value = text.strip().replace("€", "").replace("\u00a0", " ").strip()
    if not value:
        return text.strip()
    compact = value.replace(" ", "").replace("'", "")
    if _DIGITS.match(compact):
        return compact
    comma, dot = compact.rfind(","), compact.rfind(".")
    if comma >= 0 and dot >= 0:
        point = max(comma, dot)  # the last separator is the decimal one
    elif compact.count(",") + compact.count(".") > 1:
        point = -1  # several of one kind: only thousands separators
    else:
        point = max(comma, dot)
        if point >= 0 and len(compact) - point - 1 == 3:
            raise AmbiguousAmountError(value)
    whole, fraction = (compact[:point], compact[point + 1 :]) if point >= 0 else (compact, "")
    if fraction and not fraction.isdigit():
        return text.strip()
    if _GROUPED.match(whole):
        whole = re.sub(r"[.,' ]", "", whole)
    elif not _DIGITS.match(whole):
        return text.strip()
    return f"{whole}{decimal}{fraction}" if fraction else whole
