"""Validation of deliveries: every expectation fails a bad row and passes a good one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from signals.schema import AFTERCARE_SCHEMA, REJECT_SCHEMA, SIGNAL_SCHEMA, conform
from signals.validation import (
    QUARANTINE_SCHEMA,
    DeliveryRules,
    validate_aftercare,
    validate_delivery,
)

DELIVERY = date(2026, 10, 5)


def signal(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "partner": "domesta",
        "delivery_date": pd.Timestamp(DELIVERY),
        "source_file": "domesta/2026-10-05.csv",
        "partner_type": "Huur",
        "postcode": "7901AB",
        "huisnummer": 12,
        "toevoeging": "",
        "bsn": None,
        "birth_date": pd.Timestamp("1980-01-01"),
        "amount": 800.0,
        "arrears_months": 2.0,
        "monthly_rent": 400.0,
        "days_overdue": None,
        "arrears_since": pd.Timestamp("2026-08-01"),
        "signal_date": pd.Timestamp("2026-10-01"),
        "eviction_requested": False,
        "consent": None,
    }
    row.update(overrides)
    return row


def delivery(*rows: dict[str, Any]) -> pd.DataFrame:
    """Rows as a delivery; a row without its own ``signal_id`` gets ``S<position>``."""
    frame = pd.DataFrame([{"signal_id": f"S{i}", **row} for i, row in enumerate(rows)])
    frame["source_row"] = range(2, len(frame) + 2)
    frame["raw"] = "{}"
    return conform(frame, SIGNAL_SCHEMA)


def rules(**overrides: Any) -> DeliveryRules:
    values: dict[str, Any] = {
        "partner": "domesta",
        "partner_type": "Huur",
        "kind": "signal",
        "delivery_date": DELIVERY,
        "never_empty": True,
        "window_min_days": 30,
        "window_max_days": 400,
        "requires_consent": False,
        "max_row_count_drop": 0.5,
        "max_plausible_amount": 50_000.0,
    }
    values.update(overrides)
    return DeliveryRules(**values)


# (case id, overrides of the bad row, reason code, rule overrides)
BAD_ROWS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    ("postcode pattern", {"postcode": "0901AB"}, "postcode_invalid", {}),
    ("postcode SA", {"postcode": "7901SA"}, "postcode_invalid", {}),
    ("postcode missing", {"postcode": None}, "postcode_missing", {}),
    ("huisnummer zero", {"huisnummer": 0}, "huisnummer_out_of_range", {}),
    ("huisnummer too big", {"huisnummer": 100000}, "huisnummer_out_of_range", {}),
    ("huisnummer missing", {"huisnummer": None}, "huisnummer_missing", {}),
    ("toevoeging long", {"toevoeging": "ABCDE"}, "toevoeging_invalid", {}),
    ("toevoeging chars", {"toevoeging": "A-1"}, "toevoeging_invalid", {}),
    ("bsn eleven-test", {"bsn": "123456789"}, "bsn_invalid", {}),
    ("amount negative", {"amount": -5.0}, "amount_out_of_range", {}),
    ("amount implausible", {"amount": 60_000.0}, "amount_out_of_range", {}),
    ("amount missing", {"amount": None}, "amount_missing", {}),
    ("months negative", {"arrears_months": -1.0}, "arrears_months_negative", {}),
    ("rent negative", {"monthly_rent": -1.0}, "monthly_rent_negative", {}),
    ("days negative", {"days_overdue": -1}, "days_overdue_negative", {}),
    (
        "signal date future",
        {"signal_date": pd.Timestamp("2026-10-06")},
        "signal_date_in_future",
        {},
    ),
    ("birth date future", {"birth_date": pd.Timestamp("2027-01-01")}, "birth_date_in_future", {}),
    (
        "arrears since future",
        {"arrears_since": pd.Timestamp("2026-10-06"), "signal_date": pd.Timestamp("2026-10-01")},
        "arrears_since_in_future",
        {},
    ),
    (
        "arrears after signal",
        {"arrears_since": pd.Timestamp("2026-10-02"), "signal_date": pd.Timestamp("2026-10-01")},
        "arrears_after_signal",
        {"window_min_days": None},
    ),
    ("partner type", {"partner_type": "Huurder"}, "partner_type_unknown", {}),
    ("partner type missing", {"partner_type": None}, "partner_type_missing", {}),
    ("signal id missing", {"signal_id": None}, "signal_id_missing", {}),
    ("signal date missing", {"signal_date": None}, "signal_date_missing", {}),
    ("window too short", {"arrears_since": pd.Timestamp("2026-09-20")}, "outside_window", {}),
    ("window too long", {"arrears_since": pd.Timestamp("2025-01-01")}, "outside_window", {}),
    (
        "window from days overdue",
        {"arrears_since": None, "days_overdue": 10},
        "outside_window",
        {},
    ),
    ("consent false", {"consent": False}, "no_consent", {"requires_consent": True}),
    ("consent missing", {"consent": None}, "no_consent", {"requires_consent": True}),
]


@pytest.mark.parametrize(
    ("bad", "code", "rule_overrides"),
    [case[1:] for case in BAD_ROWS],
    ids=[case[0] for case in BAD_ROWS],
)
def test_each_expectation_quarantines_the_bad_row_and_loads_the_good_one(
    bad: dict[str, Any], code: str, rule_overrides: dict[str, Any]
) -> None:
    good = {"consent": True} if rule_overrides.get("requires_consent") else {}
    records = delivery(signal(**good), signal(**{**good, **bad}), signal(**good))
    outcome = validate_delivery(records, rules(**rule_overrides), previous_row_count=3)

    assert outcome.delivery_rejection is None
    assert outcome.accepted["signal_id"].tolist() == ["S0", "S2"]
    assert list(outcome.accepted.columns) == list(SIGNAL_SCHEMA)
    assert len(outcome.quarantined) == 1
    quarantined = outcome.quarantined.iloc[0]
    assert quarantined["source_row"] == 3
    assert code in quarantined["reason_code"].split(",")
    assert quarantined["stage"] == "validation"
    assert quarantined["reason_nl"] and quarantined["reason_en"]
    assert quarantined["failed_expectations"]


def test_valid_bsn_with_leading_zero_and_known_examples_pass() -> None:
    records = delivery(signal(bsn="111222333"), signal(bsn="123456782"), signal(bsn="012345672"))
    outcome = validate_delivery(records, rules(), previous_row_count=None)
    assert len(outcome.accepted) == 3
    assert outcome.quarantined.empty


def test_duplicate_signal_id_keeps_the_first_occurrence() -> None:
    records = delivery(
        signal(signal_id="A", amount=100.0),
        signal(signal_id="B"),
        signal(signal_id="A", amount=200.0),
    )
    outcome = validate_delivery(records, rules(), previous_row_count=None)
    assert outcome.accepted["signal_id"].tolist() == ["A", "B"]
    assert outcome.accepted["amount"].tolist() == [100.0, 800.0]
    assert outcome.quarantined["reason_code"].tolist() == ["duplicate"]
    assert outcome.quarantined["source_row"].tolist() == [4]


def test_several_failures_on_one_row_give_one_quarantine_row_with_joined_reasons() -> None:
    records = delivery(signal(postcode="0000XX", amount=-1.0), signal())
    outcome = validate_delivery(records, rules(), previous_row_count=None)
    assert len(outcome.quarantined) == 1
    row = outcome.quarantined.iloc[0]
    assert set(row["reason_code"].split(",")) == {"postcode_invalid", "amount_out_of_range"}
    assert "; " in row["reason_nl"]
    assert len(row["failed_expectations"].split("; ")) == 2
    assert len(outcome.accepted) + len(outcome.quarantined) == len(records)


def test_quarantine_matches_the_reject_contract() -> None:
    outcome = validate_delivery(delivery(signal(postcode="bad")), rules(), None)
    assert list(outcome.quarantined.columns) == list(QUARANTINE_SCHEMA)
    assert set(REJECT_SCHEMA) <= set(outcome.quarantined.columns)
    assert outcome.quarantined["partner"].tolist() == ["domesta"]


def test_delivery_missing_a_column_loads_nothing() -> None:
    records = delivery(signal(), signal()).drop(columns=["signal_date"])
    outcome = validate_delivery(records, rules(), previous_row_count=2)
    assert outcome.delivery_rejection is not None
    assert outcome.delivery_rejection.code == "missing_columns"
    assert "signal_date" in outcome.delivery_rejection.reason_en
    assert outcome.accepted.empty and outcome.quarantined.empty


def test_delivery_with_unconformed_types_is_rejected() -> None:
    records = delivery(signal())
    records["huisnummer"] = records["huisnummer"].astype("float64")
    outcome = validate_delivery(records, rules(), previous_row_count=None)
    assert outcome.delivery_rejection is not None
    assert outcome.delivery_rejection.code == "wrong_column_types"


def test_empty_delivery_from_never_empty_partner_is_rejected() -> None:
    empty = conform(pd.DataFrame(), SIGNAL_SCHEMA)
    outcome = validate_delivery(empty, rules(never_empty=True), previous_row_count=None)
    assert outcome.delivery_rejection is not None
    assert outcome.delivery_rejection.code == "empty_delivery"


def test_empty_delivery_is_fine_for_a_partner_that_may_send_nothing() -> None:
    empty = conform(pd.DataFrame(), SIGNAL_SCHEMA)
    outcome = validate_delivery(empty, rules(never_empty=False), previous_row_count=10)
    assert outcome.delivery_rejection is None
    assert outcome.accepted.empty and outcome.quarantined.empty


def test_row_count_collapse_is_rejected_and_a_small_drop_is_not() -> None:
    records = delivery(signal(), signal(), signal(), signal())
    collapsed = validate_delivery(records, rules(max_row_count_drop=0.5), previous_row_count=10)
    assert collapsed.delivery_rejection is not None
    assert collapsed.delivery_rejection.code == "row_count_collapse"
    assert collapsed.accepted.empty and collapsed.quarantined.empty
    fine = validate_delivery(records, rules(max_row_count_drop=0.5), previous_row_count=8)
    assert fine.delivery_rejection is None
    assert len(fine.accepted) == 4


def test_docs_results_carry_no_unexpected_values() -> None:
    outcome = validate_delivery(delivery(signal(postcode="7901SA"), signal()), rules(), None)
    assert len(outcome.results) == 1
    result = outcome.results[0]
    assert result.suite_name == "signals.domesta"
    assert not result.success
    text = str(result.to_json_dict())
    assert "7901SA" not in text


def test_reasons_never_quote_identifying_values() -> None:
    recognisable = signal(
        postcode="0642QZ",
        huisnummer=123456,
        toevoeging="QZXWV",
        bsn="987654321",
        birth_date=pd.Timestamp("2031-07-19"),
        amount=-77777.0,
    )
    outcome = validate_delivery(delivery(recognisable, signal()), rules(), None)
    assert len(outcome.quarantined) == 1
    reasons = outcome.quarantined[
        ["reason_code", "reason_en", "reason_nl", "failed_expectations"]
    ].to_string()
    for value in ("0642", "QZ", "123456", "QZXWV", "987654321", "2031", "19-07", "77777"):
        assert value not in reasons


def aftercare(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "partner": "nazorg",
        "delivery_date": pd.Timestamp(DELIVERY),
        "dossier_id": "D1",
        "postcode": "7901AB",
        "huisnummer": 12,
        "toevoeging": "",
        "trajectory_end_date": pd.Timestamp("2026-01-15"),
        "trajectory_outcome": "schuldregeling_geslaagd",
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"trajectory_outcome": "geslaagd"}, "trajectory_outcome_unknown"),
        ({"trajectory_end_date": pd.Timestamp("2027-01-01")}, "trajectory_end_date_in_future"),
        ({"trajectory_end_date": None}, "trajectory_end_date_missing"),
        ({"postcode": "79AB"}, "postcode_invalid"),
        ({"dossier_id": "D0"}, "duplicate"),
        ({"dossier_id": None}, "dossier_id_missing"),
    ],
)
def test_aftercare_suite(bad: dict[str, Any], code: str) -> None:
    frame = conform(
        pd.DataFrame([aftercare(dossier_id="D0"), aftercare(**{"dossier_id": "D9", **bad})]),
        AFTERCARE_SCHEMA,
    )
    outcome = validate_aftercare(frame, DELIVERY)
    assert outcome.delivery_rejection is None
    assert outcome.accepted["dossier_id"].tolist() == ["D0"]
    assert outcome.quarantined["reason_code"].tolist() == [code]
    assert list(outcome.accepted.columns) == list(AFTERCARE_SCHEMA)


def test_bank_referrals_need_consent_but_no_amount() -> None:
    bank = {
        "partner": "bank",
        "partner_type": "Overige",
        "amount": None,
        "arrears_months": None,
        "monthly_rent": None,
        "arrears_since": None,
        "birth_date": None,
        "indicators": "rood_staan,stornering",
    }
    records = delivery(signal(**bank, consent=True), signal(**bank, consent=False))
    bank_rules = rules(
        partner="bank",
        partner_type="Overige",
        kind="signal",
        requires_consent=True,
        window_min_days=None,
        window_max_days=None,
        never_empty=False,
    )
    outcome = validate_delivery(records, bank_rules, previous_row_count=None)
    assert outcome.accepted["signal_id"].tolist() == ["S0"]
    assert outcome.quarantined["reason_code"].tolist() == ["no_consent"]
    assert outcome.quarantined["reason_nl"].tolist() == [
        "Bankverwijzing zonder vastgelegde toestemming"
    ]


def test_validate_delivery_routes_aftercare_by_kind() -> None:
    frame = conform(
        pd.DataFrame([aftercare(), aftercare(dossier_id="D2", trajectory_outcome="x")]),
        AFTERCARE_SCHEMA,
    )
    nazorg = rules(partner="nazorg", partner_type=None, kind="aftercare", never_empty=False)
    outcome = validate_delivery(frame, nazorg, previous_row_count=None)
    assert list(outcome.accepted.columns) == list(AFTERCARE_SCHEMA)
    assert outcome.accepted["dossier_id"].tolist() == ["D1"]
    assert outcome.quarantined["reason_code"].tolist() == ["trajectory_outcome_unknown"]
    assert outcome.results[0].suite_name == "aftercare"


@pytest.mark.parametrize(
    "crisis",
    [
        {"cak_registered": True},
        {"eviction_requested": True},
        {"end_of_supply_date": pd.Timestamp("2026-11-20")},
    ],
)
def test_crisis_signals_are_exempt_from_the_day_window(crisis: dict[str, Any]) -> None:
    late = {"arrears_since": pd.Timestamp("2026-04-01")}  # 183 days before the signal date
    records = delivery(signal(**late, **crisis), signal(**late))
    outcome = validate_delivery(records, rules(window_max_days=100), previous_row_count=None)
    assert outcome.accepted["signal_id"].tolist() == ["S0"]
    assert outcome.quarantined["reason_code"].tolist() == ["outside_window"]


def test_size_rules_count_rows_received_not_rows_that_survived_reading():
    from signals.validation.rules import check_delivery

    three = conform(pd.DataFrame({"signal_id": ["a", "b", "c"]}), SIGNAL_SCHEMA)
    # 10 rows sent, 7 rejected by the reader: not a collapse against 10 the month before.
    assert check_delivery(three, SIGNAL_SCHEMA, True, 10, 0.5, rows_received=10) is None
    collapsed = check_delivery(three, SIGNAL_SCHEMA, True, 10, 0.5)
    assert collapsed is not None and collapsed.code == "row_count_collapse"
    # Every row unreadable is not an empty delivery.
    empty = conform(pd.DataFrame(), SIGNAL_SCHEMA)
    assert check_delivery(empty, SIGNAL_SCHEMA, True, None, 0.5, rows_received=4) is None


def test_every_partner_suite_holds_the_canonical_suite() -> None:
    from signals.validation.expectations import (
        SuiteParameters,
        canonical_signal_suite,
        partner_signal_suite,
    )

    def names(suite: Any) -> list[str]:
        return sorted(str(e.meta["reason_code"]) for e in suite.expectations)

    for kind, consent in (("signal", False), ("signal", True)):
        params = SuiteParameters(
            name="signals.x",
            kind=kind,
            delivery_date=pd.Timestamp("2026-10-05"),
            max_plausible_amount=50_000.0,
            requires_consent=consent,
        )
        canonical = names(canonical_signal_suite(params))
        assert "postcode_invalid" in canonical and "bsn_invalid" in canonical
        partner = names(partner_signal_suite(params))
        assert set(canonical) <= set(partner)
