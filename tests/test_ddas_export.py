"""The DDAS v1.2 delivery to CBS validates against the official schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from jsonschema import Draft202012Validator

from connectors.exports.ddas_json import write_ddas_json
from signals import ddas
from signals.ddas_report import build_ddas_report, whole_euros
from signals.schema import (
    CONTACT_ATTEMPT_SCHEMA,
    DECISION_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    conform,
)

START = date(2026, 10, 1)
END = date(2026, 10, 31)
GENERATED = datetime(2026, 11, 2, 9, 30, 5, tzinfo=timezone(timedelta(hours=1)))


def make_signals() -> pd.DataFrame:
    rows = [
        # picked up, in case C-1 together with s2
        {"signal_key": "domesta/2026-10-05/D1", "partner": "domesta", "partner_type": "Huur",
         "signal_id": "D1", "household_key": "h1", "amount": 812.5, "crisis": True,
         "warm_handover": False, "arrears_since": "2026-08-01", "signal_date": "2026-10-03",
         "delivery_date": "2026-10-05"},
        {"signal_key": "zorg/2026-10-10/Z1", "partner": "zorg", "partner_type": "Zorg",
         "signal_id": "Z1", "household_key": "h1", "amount": 99.49, "crisis": False,
         "signal_date": "2026-10-09", "delivery_date": "2026-10-10"},
        # not picked up: below the minimum amount
        {"signal_key": "energie/2026-10-12/E1", "partner": "energie", "partner_type": "Energie",
         "signal_id": "E1", "household_key": "h2", "amount": 40.0, "crisis": False,
         "warm_handover": True, "signal_date": "2026-10-11", "delivery_date": "2026-10-12"},
        # no decision yet, no signal date (falls back to the delivery date)
        {"signal_key": "water/2026-10-20/W1", "partner": "water", "partner_type": "Water",
         "signal_id": "W1", "household_key": "h3", "delivery_date": "2026-10-20"},
        # outside the period and in no reported case
        {"signal_key": "domesta/2026-09-05/D9", "partner": "domesta", "partner_type": "Huur",
         "signal_id": "D9", "household_key": "h2", "amount": 500.0, "signal_date": "2026-09-03",
         "delivery_date": "2026-09-05"},
        # September signal of a case still open in October
        {"signal_key": "domesta/2026-09-05/D3", "partner": "domesta", "partner_type": "Huur",
         "signal_id": "D3", "household_key": "h3", "amount": 1000.0, "signal_date": "2026-09-02",
         "delivery_date": "2026-09-05"},
    ]  # fmt: skip
    return conform(pd.DataFrame(rows), LINKED_SIGNAL_SCHEMA)


def make_decisions() -> pd.DataFrame:
    rows = [
        ("domesta/2026-10-05/D1", ddas.STATUS_PICKED_UP, "Meervoudig"),
        ("zorg/2026-10-10/Z1", ddas.STATUS_PICKED_UP, "Meervoudig"),
        ("energie/2026-10-12/E1", ddas.STATUS_UNFOUNDED, "Onder drempelbedrag"),
        ("domesta/2026-09-05/D9", ddas.STATUS_REPEAT, "Herhaalde melding"),
        ("domesta/2026-09-05/D3", ddas.STATUS_PICKED_UP, "Huurachterstand"),
    ]
    frame = pd.DataFrame(rows, columns=["signal_key", "status", "reason_nl"])
    return conform(frame, DECISION_SCHEMA)


def make_cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["C-1", "C-3", "C-old"],
            "household_key": ["h1", "h3", "h2"],
            "case_type": ["meervoudig", "enkelvoudig", "enkelvoudig"],
            "opened_on": pd.to_datetime(["2026-10-10", "2026-09-06", "2026-03-01"]),
            "picked_up_on": pd.to_datetime(["2026-10-12", "2026-09-08", "2026-03-02"]),
            "closed_on": pd.to_datetime(pd.Series(["2026-10-28", None, "2026-04-01"])),
            "result": ["(Budget)advies en/of quick fix", None, "Inwoner is overleden"],
            "status": ["afgerond", "open", "afgerond"],
        }
    )


def make_case_signals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["C-1", "C-1", "C-3", "C-old"],
            "signal_key": [
                "domesta/2026-10-05/D1",
                "zorg/2026-10-10/Z1",
                "domesta/2026-09-05/D3",
                "domesta/2026-09-05/D9",
            ],
        }
    )


def make_attempts() -> pd.DataFrame:
    rows = [
        ("C-1", "T-1", "Brief", "2026-10-13", "Ochtend", False),
        ("C-1", "T-1", "Huisbezoek", "2026-10-15", "Avond", True),
        ("C-3", "T-3", "Telefoon", "2026-09-10", None, None),
        ("C-3", "T-3", "Kaartje", "2026-11-03", "Middag", False),  # after the period
    ]
    columns = list(CONTACT_ATTEMPT_SCHEMA)
    return conform(pd.DataFrame(rows, columns=columns), CONTACT_ATTEMPT_SCHEMA)


def make_addresses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_key": ["h1", "h2", "h3"],
            "postcode": ["7906KL", "7908RT", "7901AB"],
            "huisnummer": pd.array([16, 3, 12], dtype="Int64"),
            "toevoeging": ["B", "", None],
        }
    )


def build(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "signals": make_signals(),
        "decisions": make_decisions(),
        "cases": make_cases(),
        "case_signals": make_case_signals(),
        "attempts": make_attempts(),
        "addresses": make_addresses(),
        "period_start": START,
        "period_end": END,
        "municipality_code": "0118",
        "organisation": "Gemeente Hoogeveen",
        "supplier_code": "vroegsignaal",
        "generated_at": GENERATED,
    }
    return build_ddas_report(**{**arguments, **overrides})


@pytest.fixture(scope="module")
def schema(ddas_schema_path: Path) -> dict[str, Any]:
    return json.loads(ddas_schema_path.read_text(encoding="utf-8"))


def validate(report: dict[str, Any], schema: dict[str, Any]) -> None:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_report_validates_against_the_official_schema(schema: dict[str, Any]) -> None:
    validate(build(), schema)


def test_format_checking_is_active(schema: dict[str, Any]) -> None:
    report = build()
    report["startdatumLevering"] = "01-10-2026"
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(report))


def test_every_enumerated_value_is_from_the_schema(schema: dict[str, Any]) -> None:
    enums = {name: set(definition["enum"]) for name, definition in schema["$defs"].items()
             if "enum" in definition}  # fmt: skip
    levering = build()["leveringen"][0]
    signals, cases = levering["vroegsignalen"], levering["vroegsignaalzaken"]
    attempts = [a for case in cases for a in case.get("contactpogingen", [])]

    assert {s["status"] for s in signals} <= enums["EnumSignaalstatus"]
    assert {s["signaalpartner"]["type"] for s in signals} <= enums["EnumSignaalpartner"]
    assert {c["resultaat"] for c in cases if "resultaat" in c} <= enums["EnumEindresultaat"]
    assert {a["soort"] for a in attempts} <= enums["EnumContactsoort"]
    assert {a["dagdeel"] for a in attempts if "dagdeel" in a} <= enums["EnumDagdeel"]
    # and the project's vocabulary is exactly the schema's
    assert set(ddas.SIGNAL_STATUSES) == enums["EnumSignaalstatus"]
    assert set(ddas.RESULTS) == enums["EnumEindresultaat"]
    assert set(ddas.CONTACT_KINDS) == enums["EnumContactsoort"]
    assert set(ddas.PARTS_OF_DAY) == enums["EnumDagdeel"]
    assert set(ddas.PARTNER_TYPES) == enums["EnumSignaalpartner"]


def test_header_and_delivery() -> None:
    report = build()

    assert report["startdatumLevering"] == "2026-10-01"
    assert report["einddatumLevering"] == "2026-10-31"
    assert report["aanleverdatumEnTijd"] == "2026-11-02T08:30:05Z"
    assert report["codeGegevensleverancier"] == "vroegsignaal"
    (levering,) = report["leveringen"]
    assert levering["teller"] == 1
    assert levering["gemeentecode"] == "0118"
    assert levering["aanleverendeOrganisatie"] == {"naam": "Gemeente Hoogeveen"}


def test_signals_of_the_period_and_of_reported_cases() -> None:
    signals = {s["ID"]: s for s in build()["leveringen"][0]["vroegsignalen"]}

    assert set(signals) == {
        "domesta/2026-10-05/D1",
        "zorg/2026-10-10/Z1",
        "energie/2026-10-12/E1",
        "water/2026-10-20/W1",
        "domesta/2026-09-05/D3",  # referenced by case C-3, open in October
    }
    d1 = signals["domesta/2026-10-05/D1"]
    assert d1 == {
        "ID": "domesta/2026-10-05/D1",
        "crisissignaal": True,
        "warmeOverdracht": False,
        "bedrag": 813,
        "ontstaansdatum": "2026-08-01",
        "signaaldatum": "2026-10-03",
        "status": "Opgepakt",
        "signaalpartner": {"type": "Huur"},
        "client": {"postcode": "7906KL", "huisnummer": "16", "huisnummertoevoeging": "B"},
    }
    assert signals["zorg/2026-10-10/Z1"]["bedrag"] == 99
    assert signals["energie/2026-10-12/E1"]["status"] == "Niet opgepakt: onterecht signaal"
    assert signals["energie/2026-10-12/E1"]["client"] == {"postcode": "7908RT", "huisnummer": "3"}
    w1 = signals["water/2026-10-20/W1"]
    assert w1["status"] == "Nog niet opgepakt"
    assert set(w1) == {"ID", "status", "signaalpartner", "client"}  # unknowns omitted


def test_cases_with_references_attempts_and_results() -> None:
    cases = build()["leveringen"][0]["vroegsignaalzaken"]

    assert [c["vroegsignalen"] for c in cases] == [
        [{"ID": "domesta/2026-10-05/D1"}, {"ID": "zorg/2026-10-10/Z1"}],
        [{"ID": "domesta/2026-09-05/D3"}],
    ]  # C-old was closed before the period
    c1, c3 = cases
    assert c1["resultaat"] == "(Budget)advies en/of quick fix"
    assert c1["matchingsdatum"] == "2026-10-10"
    assert c1["startdatumMatchingperiode"] == "2026-10-03"
    assert c1["einddatumMatchingperiode"] == "2026-10-09"
    assert c1["datumOpgepakt"] == "2026-10-12"
    assert c1["contactpogingen"] == [
        {"soort": "Brief", "bereikt": False, "datum": "2026-10-13", "dagdeel": "Ochtend"},
        {"soort": "Huisbezoek", "bereikt": True, "datum": "2026-10-15", "dagdeel": "Avond"},
    ]
    assert "resultaat" not in c3
    assert c3["contactpogingen"] == [{"soort": "Telefoon", "datum": "2026-09-10"}]


def test_result_closed_after_the_period_is_not_reported_yet() -> None:
    cases = build(period_end=date(2026, 10, 20))["leveringen"][0]["vroegsignaalzaken"]

    assert all("resultaat" not in c for c in cases)


def test_no_nulls_and_no_identifying_data_beyond_the_address() -> None:
    text = json.dumps(build())

    assert "null" not in text
    for forbidden in ("burgerservicenummer", "geboortedatum", "geslachtsaanduiding", "h1"):
        assert forbidden not in text


@pytest.mark.parametrize(
    ("amount", "euros"), [(0.5, 1), (2.5, 3), (2.49, 2), (812.5, 813), (100.0, 100), (None, None)]
)
def test_whole_euros_round_half_up(amount: float | None, euros: int | None) -> None:
    assert whole_euros(amount) == euros


def test_naive_generation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build(generated_at=datetime(2026, 11, 2, 9, 30))


def test_signal_without_address_is_refused_without_quoting_it() -> None:
    addresses = make_addresses()
    with pytest.raises(ValueError, match="no address") as raised:
        build(addresses=addresses[addresses["household_key"] != "h2"])
    assert "7908" not in str(raised.value)


def test_case_without_signals_is_refused() -> None:
    links = make_case_signals()
    with pytest.raises(ValueError, match="C-3"):
        build(case_signals=links[links["case_id"] != "C-3"])


def test_unknown_status_is_refused() -> None:
    decisions = make_decisions()
    decisions.loc[0, "status"] = "Geholpen"
    with pytest.raises(ValueError, match="EnumSignaalstatus"):
        build(decisions=decisions)


def test_empty_period_still_validates(schema: dict[str, Any]) -> None:
    report = build(period_start=date(2025, 1, 1), period_end=date(2025, 1, 31))

    assert report["leveringen"][0]["vroegsignalen"] == []
    validate(report, schema)


def test_written_json_reads_back_identically(tmp_path: Path) -> None:
    report = build(generated_at=datetime(2026, 11, 2, 8, 30, tzinfo=UTC))

    path = write_ddas_json(report, tmp_path / "cbs" / "ddas_2026-10.json")

    assert json.loads(path.read_text(encoding="utf-8")) == report
    assert not list(path.parent.glob("*.part"))
