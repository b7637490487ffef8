"""Link validated signals to pseudonymous households and the municipality's address list.

The linked table carries keys, neighbourhood codes and an age, never an address, BSN or birth
date; the addresses go to the encrypted contact vault (``LinkResult.contacts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from signals.address import ensure_normalised
from signals.pseudonym import ADDRESS_PARTS, address_key_text, household_key, person_key
from signals.schema import (
    INT,
    LINKED_AFTERCARE_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    STRING,
    conform,
)

CONTACT_SCHEMA: dict[str, str] = {
    "household_key": STRING,
    "postcode": STRING,
    "huisnummer": INT,
    "toevoeging": STRING,
}
REFERENCE_COLUMNS: tuple[str, ...] = (*ADDRESS_PARTS, "wijkcode", "wijknaam", "buurtcode")

CRISIS_EVICTION = "ontruiming"
CRISIS_END_OF_SUPPLY = "eindelevering"
CRISIS_CAK = "cak"


@dataclass(frozen=True)
class LinkResult:
    """Linked signals (``LINKED_SIGNAL_SCHEMA``) and the addresses for the vault."""

    signals: pd.DataFrame
    contacts: pd.DataFrame


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its address parts normalised (idempotent, so safe on reader output)."""
    out = frame.reset_index(drop=True).copy()
    parts = ensure_normalised(out["postcode"], out["huisnummer"], out["toevoeging"])
    for part in ADDRESS_PARTS:
        out[part] = parts[part]
    return out


def signal_keys(signals: pd.DataFrame) -> pd.Series:
    """``"<partner>/<YYYY-MM-DD delivery date>/<signal_id>"``, unique across deliveries."""
    day = signals["delivery_date"].dt.strftime("%Y-%m-%d").astype("string")
    return (signals["partner"].astype("string") + "/" + day + "/" + signals["signal_id"]).astype(
        STRING
    )


def age_in_years(birth_date: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years between ``birth_date`` and ``on``; NA where either is missing."""
    years = on.dt.year - birth_date.dt.year
    before_birthday = (on.dt.month < birth_date.dt.month) | (
        (on.dt.month == birth_date.dt.month) & (on.dt.day < birth_date.dt.day)
    )
    return (years - before_birthday.astype(int)).astype("Int64")


def crisis_kind(signals: pd.DataFrame) -> pd.Series:
    """Which crisis a signal announces (eviction before end of supply before CAK), else NA."""
    kind = pd.Series(pd.NA, index=signals.index, dtype=STRING)
    cak = signals["cak_registered"].fillna(False).astype(bool)
    supply_ends = signals["end_of_supply_date"].notna()
    eviction = signals["eviction_requested"].fillna(False).astype(bool)
    # Assigned from lowest to highest priority, so the highest wins.
    kind[cak] = CRISIS_CAK
    kind[supply_ends] = CRISIS_END_OF_SUPPLY
    kind[eviction] = CRISIS_EVICTION
    return kind


NEIGHBOURHOOD_COLUMNS: tuple[str, ...] = ("wijkcode", "wijknaam", "buurtcode")


@dataclass(frozen=True)
class ReferenceIndex:
    """The address list looked up by address text (``address_key_text``): built once, used by
    every delivery of the night rather than joining millions of rows on three columns."""

    keys: pd.Index
    neighbourhoods: pd.DataFrame  # NEIGHBOURHOOD_COLUMNS, row i belongs to keys[i]


def index_reference(reference: pd.DataFrame) -> ReferenceIndex:
    """Index the address list (normalised here; the first row of an address counts)."""
    listed = _normalised(reference[list(REFERENCE_COLUMNS)])
    text = address_key_text(listed)
    first = (~text.duplicated(keep="first") & text.notna()).to_numpy()
    neighbourhoods = listed.loc[first, list(NEIGHBOURHOOD_COLUMNS)].reset_index(drop=True)
    return ReferenceIndex(pd.Index(text[first].to_numpy()), neighbourhoods)


def _with_reference(signals: pd.DataFrame, reference: ReferenceIndex) -> pd.DataFrame:
    """Wijk/buurt codes per signal; ``in_municipality`` says whether the address is listed."""
    position = reference.keys.get_indexer(pd.Index(address_key_text(signals).to_numpy()))
    found = position >= 0
    joined = signals.copy()
    for name in NEIGHBOURHOOD_COLUMNS:
        column = reference.neighbourhoods[name].astype(STRING)
        values = pd.api.extensions.take(column.array, position, allow_fill=True)
        joined[name] = pd.Series(values, index=signals.index, dtype=STRING)
    joined["in_municipality"] = pd.Series(found, index=signals.index, dtype="boolean")
    return joined


def link_signals(
    accepted: pd.DataFrame, reference: pd.DataFrame | ReferenceIndex, key: bytes
) -> LinkResult:
    """Link accepted canonical signals (``SIGNAL_SCHEMA``) to households and neighbourhoods.

    A signal whose address is not in ``reference`` is still linked, with ``in_municipality``
    false (triage gives it "Persoon is geen inwoner (meer) in de gemeente").
    """
    if not isinstance(reference, ReferenceIndex):
        reference = index_reference(reference)
    signals = _with_reference(_normalised(accepted), reference)
    signals["signal_key"] = signal_keys(signals)
    signals["household_key"] = household_key(signals, key)
    signals["person_key"] = person_key(signals["bsn"], key)
    signals["age_at_signal"] = age_in_years(signals["birth_date"], signals["signal_date"])
    signals["crisis_kind"] = crisis_kind(signals)
    signals["crisis"] = signals["crisis_kind"].notna()
    contacts = conform(signals.drop_duplicates("household_key"), CONTACT_SCHEMA)
    return LinkResult(signals=conform(signals, LINKED_SIGNAL_SCHEMA), contacts=contacts)


def link_aftercare(accepted: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Pseudonymise accepted aftercare rows (``AFTERCARE_SCHEMA``): ``LINKED_AFTERCARE_SCHEMA``."""
    aftercare = _normalised(accepted)
    aftercare["household_key"] = household_key(aftercare, key)
    return conform(aftercare, LINKED_AFTERCARE_SCHEMA)
