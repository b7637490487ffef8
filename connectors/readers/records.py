"""From raw text rows to the canonical table: parse every mapped column by its schema dtype.

A cell that cannot be typed rejects its row with a reason naming the column (never the value).
Checks that need the typed values (postcode pattern, BSN eleven-test, windows, duplicates,
consent) are left to the validation stage, which therefore sees those rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from connectors.catalog import PartnerSpec
from connectors.readers.base import (
    BROKEN,
    FIELD_TOO_LONG,
    RAW,
    RESERVED,
    SOURCE_ROW,
    STRUCTURAL_REASONS,
    Reason,
    raw_text,
)
from signals import parsing
from signals.address import house_number_failed, normalise_address
from signals.schema import BOOL, DATE, FIELD_NAMES, FLOAT, INT, REJECT_SCHEMA, conform

ADDRESS_COLUMNS = ("postcode", "huisnummer", "toevoeging")
#: A consent-based referral whose consent is not exactly yes (JSON ``true``): refused whole,
#: whatever else is wrong with it, so that nothing of it is kept (flows/ingest.py).
NO_CONSENT = Reason(
    "no_consent",
    "Bank referral without recorded consent",
    "Bankverwijzing zonder vastgelegde toestemming",
)
#: No field of any delivery is legitimately longer (ids, codes, amounts, dates, indicator
#: lists); a longer one is a broken export or an attack, and quarantines its row alone.
MAX_FIELD_CHARS = 4096


def field_reason(column: str, problem: str) -> Reason:
    """``amount`` + ``not_numeric`` -> code ``amount_not_numeric`` with English and Dutch text."""
    en_name, nl_name = FIELD_NAMES.get(column, (column, column))
    en, nl = {
        "missing": (f"the {en_name} is missing", f"{nl_name} ontbreekt"),
        "not_numeric": (f"the {en_name} is not a number", f"{nl_name} is geen getal"),
        "not_integer": (f"the {en_name} is not a whole number", f"{nl_name} is geen geheel getal"),
        "invalid_date": (
            f"the {en_name} is not a valid date",
            f"{nl_name} is geen geldige datum",
        ),
        "not_boolean": (
            f"the {en_name} is not a valid yes/no value",
            f"{nl_name} is geen geldige ja/nee-waarde",
        ),
    }[problem]
    return Reason(f"{column}_{problem}", en, nl[0].upper() + nl[1:])


@dataclass(frozen=True)
class Lineage:
    partner: str
    delivery_date: date
    source_file: str


def _source_text(raw: pd.DataFrame, spec: PartnerSpec, column: str) -> pd.Series:
    """The source text of a canonical column, with the catalog default for absent/empty cells."""
    source = spec.columns.get(column)
    if source is not None and source in raw.columns:
        text = raw[source].astype("string").fillna("")
    else:
        text = pd.Series("", index=raw.index, dtype="string")
    default = spec.defaults.get(column)
    if default is not None:
        text = text.mask(text.str.strip() == "", default)
    return text


def _parser(spec: PartnerSpec, dtype: str) -> tuple[Callable[[pd.Series], parsing.Parsed], str]:
    if dtype == FLOAT:
        return lambda t: parsing.parse_decimal(
            t, spec.decimal, spec.thousands or None
        ), "not_numeric"
    if dtype == INT:
        return parsing.parse_integer, "not_integer"
    if dtype == DATE:
        return lambda t: parsing.parse_date(t, spec.date_format), "invalid_date"
    if dtype == BOOL:
        return (
            lambda t: parsing.parse_boolean(t, spec.true_values, spec.false_values),
            "not_boolean",
        )
    return lambda t: parsing.Parsed(parsing.clean_text(t), pd.Series(False, index=t.index)), ""


def type_columns(
    raw: pd.DataFrame, spec: PartnerSpec
) -> tuple[pd.DataFrame, list[tuple[Reason, pd.Series]]]:
    """Typed canonical columns, and per failing column its reason and the mask of failed rows."""
    typed = pd.DataFrame(index=raw.index)
    failures: list[tuple[Reason, pd.Series]] = []
    address = normalise_address(*(_source_text(raw, spec, c) for c in ADDRESS_COLUMNS))
    for column, dtype in spec.schema_columns.items():
        if column in ADDRESS_COLUMNS:
            typed[column] = address[column]
            if column == "huisnummer":
                failed = house_number_failed(_source_text(raw, spec, column))
                failures.append((field_reason(column, "not_integer"), failed))
            continue
        if column not in spec.columns and column not in spec.defaults:
            continue
        parse, problem = _parser(spec, dtype)
        values, failed = parse(_source_text(raw, spec, column))
        typed[column] = values
        if column == spec.id_column:
            failures.append((field_reason(column, "missing"), values.isna().astype(bool)))
        elif problem:
            failures.append((field_reason(column, problem), failed))
    return typed, failures


def without_consent(typed: pd.DataFrame, spec: PartnerSpec) -> pd.Series:
    """Rows of a consent-based partner whose consent is not yes (all False for others)."""
    if not spec.requires_consent or "consent" not in typed.columns:
        return pd.Series(False, index=typed.index)
    return ~typed["consent"].eq(True).fillna(False).astype(bool)


def _rejections(
    raw: pd.DataFrame, failures: list[tuple[Reason, pd.Series]], refused: pd.Series
) -> pd.DataFrame:
    """One rejection per failing row: the first reason's code, all reasons' texts.

    A ``refused`` row (no consent) has that one reason only: it is not looked at further.
    """
    reasons: dict[Hashable, list[Reason]] = {
        index: [NO_CONSENT] for index in refused[refused].index
    }
    broken = raw[BROKEN].fillna("")
    for index, code in broken[(broken != "") & ~refused].items():
        reasons[index] = [STRUCTURAL_REASONS[code]]
    for reason, failed in failures:
        for index in failed[failed & (broken == "") & ~refused].index:
            reasons.setdefault(index, []).append(reason)
    rows = [
        {
            "index": index,
            "reason_code": found[0].code,
            "reason_en": "; ".join(r.en for r in found),
            "reason_nl": "; ".join(r.nl for r in found),
        }
        for index, found in reasons.items()
    ]
    return pd.DataFrame(rows, columns=["index", "reason_code", "reason_en", "reason_nl"]).set_index(
        "index"
    )


def _with_lineage(
    frame: pd.DataFrame, raw: pd.DataFrame, lineage: Lineage, with_raw: bool = False
) -> pd.DataFrame:
    """Lineage columns; ``raw`` as received only ``with_raw`` (else as the reader left it)."""
    frame = frame.copy()
    frame["partner"] = lineage.partner
    frame["delivery_date"] = pd.Timestamp(lineage.delivery_date)
    frame["source_file"] = lineage.source_file
    frame["source_row"] = raw.loc[frame.index, SOURCE_ROW]
    frame["raw"] = raw_text(raw.loc[frame.index]) if with_raw else raw.loc[frame.index, RAW]
    return frame


def mark_long_fields(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` with rows holding a field over ``MAX_FIELD_CHARS`` marked broken (if not yet)."""
    columns = [name for name in raw.columns if name not in RESERVED]
    if not columns or raw.empty:
        return raw
    lengths = [raw[name].astype("string").str.len().fillna(0).to_numpy() for name in columns]
    too_long = np.vstack(lengths).max(axis=0) > MAX_FIELD_CHARS
    fresh = too_long & (raw[BROKEN].fillna("") == "").to_numpy()
    if not fresh.any():
        return raw
    marked = raw.copy()
    marked.loc[fresh, BROKEN] = FIELD_TOO_LONG.code
    return marked


def type_records(
    raw: pd.DataFrame, spec: PartnerSpec, lineage: Lineage
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical records (``spec.schema_columns``) and read rejections (``REJECT_SCHEMA``)."""
    raw = mark_long_fields(raw.reset_index(drop=True))
    typed, failures = type_columns(raw, spec)
    rejections = _rejections(raw, failures, without_consent(typed, spec))
    kept = typed.drop(index=rejections.index)
    if spec.partner_type is not None:
        kept["partner_type"] = spec.partner_type
    records = conform(_with_lineage(kept, raw, lineage), spec.schema_columns)
    rejected = _with_lineage(rejections.assign(stage="read"), raw, lineage, True).sort_values(
        "source_row"
    )
    return records, conform(rejected, REJECT_SCHEMA)
