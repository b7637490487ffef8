"""Linking accepted signals to households and the municipality's address list."""

from __future__ import annotations

from typing import Any

import pandas as pd

from signals.linkage import link_aftercare, link_signals
from signals.pseudonym import household_key
from signals.schema import (
    AFTERCARE_SCHEMA,
    LINKED_AFTERCARE_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    SIGNAL_SCHEMA,
    conform,
)

KEY = b"linkage-test-key"


def signal(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "partner": "domesta",
        "delivery_date": pd.Timestamp("2026-10-05"),
        "source_file": "domesta/2026-10-05.csv",
        "source_row": 2,
        "raw": '{"postcode": "7901AB"}',
        "partner_type": "Huur",
        "signal_id": "S1",
        "postcode": "7901AB",
        "huisnummer": 12,
        "toevoeging": "A",
        "birth_date": pd.Timestamp("1990-10-02"),
        "amount": 500.0,
        "signal_date": pd.Timestamp("2026-10-01"),
        "eviction_requested": False,
    }
    row.update(overrides)
    return row


def signals(*rows: dict[str, Any]) -> pd.DataFrame:
    return conform(pd.DataFrame(list(rows)), SIGNAL_SCHEMA)


REFERENCE = pd.DataFrame(
    {
        "postcode": pd.array(["7901AB", "7901AB"], dtype="string"),
        "huisnummer": pd.array([12, 14], dtype="Int64"),
        "toevoeging": pd.array(["A", ""], dtype="string"),
        "wijkcode": pd.array(["WK011801", "WK011802"], dtype="string"),
        "wijknaam": pd.array(["Centrum", "Noord"], dtype="string"),
        "buurtcode": pd.array(["BU01180101", "BU01180201"], dtype="string"),
    }
)


def test_linked_signal_has_key_household_and_neighbourhood() -> None:
    result = link_signals(signals(signal()), REFERENCE, KEY)
    linked = result.signals
    assert list(linked.columns) == list(LINKED_SIGNAL_SCHEMA)
    row = linked.iloc[0]
    assert row["signal_key"] == "domesta/2026-10-05/S1"
    assert row["in_municipality"]
    assert (row["wijkcode"], row["wijknaam"], row["buurtcode"]) == (
        "WK011801",
        "Centrum",
        "BU01180101",
    )
    expected_key = household_key(
        pd.DataFrame({"postcode": ["7901AB"], "huisnummer": [12], "toevoeging": ["A"]}), KEY
    ).iloc[0]
    assert row["household_key"] == expected_key
    assert pd.isna(row["person_key"])


def test_age_is_whole_years_at_signal_date() -> None:
    rows = signals(
        signal(signal_id="a", birth_date=pd.Timestamp("1990-10-02")),  # birthday tomorrow
        signal(signal_id="b", birth_date=pd.Timestamp("1990-10-01")),  # birthday today
        signal(signal_id="c", birth_date=None),
    )
    ages = link_signals(rows, REFERENCE, KEY).signals["age_at_signal"]
    assert ages.iloc[:2].tolist() == [35, 36]
    assert pd.isna(ages.iloc[2])


def test_address_outside_reference_is_linked_but_not_in_municipality() -> None:
    linked = link_signals(signals(signal(huisnummer=99)), REFERENCE, KEY).signals
    assert len(linked) == 1
    assert not linked["in_municipality"].iloc[0]
    assert pd.isna(linked["wijkcode"].iloc[0])
    assert linked["household_key"].notna().all()


def test_spellings_in_reference_and_signal_still_match() -> None:
    messy = signals(signal(postcode="7901 ab", huisnummer=12, toevoeging="a"))
    linked = link_signals(messy, REFERENCE, KEY).signals
    assert linked["in_municipality"].iloc[0]


def test_crisis_kinds() -> None:
    rows = signals(
        signal(signal_id="1", eviction_requested=True),
        signal(
            signal_id="2",
            partner="energie",
            partner_type="Energie",
            end_of_supply_date=pd.Timestamp("2026-11-01"),
        ),
        signal(signal_id="3", partner="zorg", partner_type="Zorg", cak_registered=True),
        signal(signal_id="4"),
    )
    linked = link_signals(rows, REFERENCE, KEY).signals
    assert linked["crisis_kind"].tolist()[:3] == ["ontruiming", "eindelevering", "cak"]
    assert pd.isna(linked["crisis_kind"].iloc[3])
    assert linked["crisis"].tolist() == [True, True, True, False]


def test_contacts_hold_one_address_per_household() -> None:
    rows = signals(signal(signal_id="1"), signal(signal_id="2", toevoeging="a"))
    result = link_signals(rows, REFERENCE, KEY)
    assert len(result.contacts) == 1
    assert result.contacts.iloc[0][["postcode", "huisnummer", "toevoeging"]].tolist() == [
        "7901AB",
        12,
        "A",
    ]
    assert result.contacts["household_key"].tolist() == [result.signals["household_key"].iloc[0]]


def test_linked_table_holds_no_identifying_values() -> None:
    recognisable = signal(
        partner="zorg",
        partner_type="Zorg",
        postcode="7946QX",
        huisnummer=4817,
        toevoeging="ZQ",
        bsn="111222333",
        birth_date=pd.Timestamp("1961-03-27"),
    )
    linked = link_signals(signals(recognisable), REFERENCE, KEY).signals
    assert not set(linked.columns) & {"postcode", "huisnummer", "toevoeging", "bsn", "birth_date"}
    text = linked.astype(str).to_csv()
    for value in ("7946", "QX", "4817", "111222333", "1961", "27-03", "03-27"):
        assert value not in text
    assert linked["person_key"].notna().all()


def test_link_aftercare() -> None:
    frame = conform(
        pd.DataFrame(
            [
                {
                    "partner": "nazorg",
                    "delivery_date": pd.Timestamp("2026-10-05"),
                    "dossier_id": "D1",
                    "postcode": "7901 ab",
                    "huisnummer": 12,
                    "toevoeging": "a",
                    "trajectory_end_date": pd.Timestamp("2026-01-15"),
                    "trajectory_outcome": "afgebroken",
                }
            ]
        ),
        AFTERCARE_SCHEMA,
    )
    linked = link_aftercare(frame, KEY)
    assert list(linked.columns) == list(LINKED_AFTERCARE_SCHEMA)
    signal_key = link_signals(signals(signal()), REFERENCE, KEY).signals["household_key"].iloc[0]
    assert linked["household_key"].iloc[0] == signal_key
