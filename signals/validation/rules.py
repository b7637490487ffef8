"""Delivery-level rules: when a whole delivery is refused and nothing of it loads.

A file missing a column, with columns of the wrong type, empty from a partner that always has
signals, or whose row count collapsed versus the previous delivery (a truncated export rather
than a good month) is rejected whole.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class DeliveryRules:
    """What a partner's delivery is validated against (built from the partner catalog).

    ``kind``: ``"signal"`` or ``"aftercare"`` (the nazorg file), as in the catalog. An amount is
    required unless the partner sends consent-based referrals (``requires_consent``). Window
    bounds are days between ``arrears_since`` and ``signal_date``; ``None`` leaves that side open.
    """

    partner: str
    partner_type: str | None
    kind: str
    delivery_date: date
    never_empty: bool = True
    window_min_days: int | None = None
    window_max_days: int | None = None
    requires_consent: bool = False
    #: The agreed indicator codes of a referral (FEEDS.md); empty: the column is not checked.
    indicators: tuple[str, ...] = ()
    max_row_count_drop: float = 0.5
    max_plausible_amount: float = 100_000.0


@dataclass(frozen=True)
class Rejection:
    """Why a whole delivery was refused. Reasons name columns and counts, never values."""

    code: str
    reason_en: str
    reason_nl: str


def missing_columns(records: pd.DataFrame, schema: Mapping[str, str]) -> Rejection | None:
    """Rejection when columns of ``schema`` are absent."""
    absent = [name for name in schema if name not in records.columns]
    if not absent:
        return None
    names = ", ".join(absent)
    return Rejection(
        "missing_columns",
        f"The delivery lacks required columns: {names}",
        f"De levering mist verplichte kolommen: {names}",
    )


def wrong_types(records: pd.DataFrame, schema: Mapping[str, str]) -> Rejection | None:
    """Rejection when a column does not have the schema's dtype (the reader did not conform)."""
    wrong = [name for name, dtype in schema.items() if str(records[name].dtype) != dtype]
    if not wrong:
        return None
    names = ", ".join(wrong)
    return Rejection(
        "wrong_column_types",
        f"Columns do not have the canonical type: {names}",
        f"Kolommen hebben niet het afgesproken type: {names}",
    )


def empty_delivery(row_count: int, never_empty: bool) -> Rejection | None:
    """Rejection when a partner that always has signals delivered none."""
    if row_count > 0 or not never_empty:
        return None
    return Rejection(
        "empty_delivery",
        "The delivery is empty, but this partner never sends an empty list",
        "De levering is leeg, maar deze partner levert nooit een lege lijst",
    )


def row_count_collapse(
    row_count: int, previous_row_count: int | None, max_drop: float, never_empty: bool
) -> Rejection | None:
    """Rejection when the row count fell by more than ``max_drop`` versus the previous delivery.

    An allowed-empty delivery (``never_empty`` false) is a legitimately empty list, not a collapse.
    """
    if previous_row_count is None or previous_row_count <= 0:
        return None
    if row_count == 0 and not never_empty:
        return None
    minimum = math.ceil(previous_row_count * (1 - max_drop))
    if row_count >= minimum:
        return None
    return Rejection(
        "row_count_collapse",
        f"The delivery has {row_count} rows against {previous_row_count} in the previous one "
        f"(more than {max_drop:.0%} fewer)",
        f"De levering heeft {row_count} regels tegen {previous_row_count} in de vorige "
        f"(meer dan {max_drop:.0%} minder)",
    )


def check_delivery(
    records: pd.DataFrame,
    schema: Mapping[str, str],
    never_empty: bool,
    previous_row_count: int | None,
    max_row_count_drop: float,
    rows_received: int | None = None,
) -> Rejection | None:
    """The first delivery-level rule the delivery breaks, or ``None``.

    Size rules count the rows the partner sent (``rows_received``, when the reader rejected
    some), since the previous delivery's count is also of rows received.
    """
    rejection = missing_columns(records, schema) or wrong_types(records, schema)
    if rejection is not None:
        return rejection
    count = len(records) if rows_received is None else rows_received
    return empty_delivery(count, never_empty) or row_count_collapse(
        count, previous_row_count, max_row_count_drop, never_empty
    )
