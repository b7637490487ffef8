"""The vectorised rule masks name exactly the rows GX's own COMPLETE run names, per expectation."""

from __future__ import annotations

import pandas as pd

from signals.validation.expectations import (
    SuiteParameters,
    add_check_columns,
    aftercare_suite,
    partner_signal_suite,
)
from signals.validation.runner import (
    mask_failures,
    row_failures,
    run_suite,
    run_suite_complete,
)
from tests.test_validation import BAD_ROWS, delivery, signal

PARAMS = SuiteParameters(
    name="signals.domesta",
    kind="signal",
    delivery_date=pd.Timestamp("2026-10-05"),
    max_plausible_amount=50_000.0,
    window_min_days=30,
    window_max_days=400,
    requires_consent=True,
)


def _pairs(failures: pd.DataFrame) -> set[tuple[int, str]]:
    return {
        (int(r), str(e)) for r, e in zip(failures["_row_id"], failures["expectation"], strict=True)
    }


def test_masks_equal_gx_rows_on_every_known_defect_at_once() -> None:
    rows = [signal()] + [signal(**overrides) for _, overrides, _, _ in BAD_ROWS]
    rows += [signal(signal_id="S1"), signal(bsn="111222334"), signal(amount=None)]
    checked = add_check_columns(delivery(*rows), PARAMS)
    suite = partner_signal_suite(PARAMS)
    expected, broken_complete = row_failures(run_suite_complete(checked, suite))
    found, broken = mask_failures(checked, run_suite(checked, suite))
    assert broken == [] and broken_complete == []
    assert len(expected) > len(BAD_ROWS)  # the delivery really breaks many rules
    assert _pairs(found) == _pairs(expected)


def test_an_expectation_without_a_mask_refuses_rather_than_guesses() -> None:
    import great_expectations.expectations as gxe

    checked = add_check_columns(delivery(signal(), signal(signal_id="x" * 30)), PARAMS)
    suite = partner_signal_suite(PARAMS)
    # (value lengths have a mask now: the id length rule uses it)
    suite.expectations.append(gxe.ExpectColumnValuesToBeUnique(column="signal_id"))
    _, broken = mask_failures(checked, run_suite(checked, suite))
    assert broken == ["expect_column_values_to_be_unique(signal_id)"]


def test_aftercare_masks_equal_gx_rows() -> None:
    frame = pd.DataFrame(
        {
            "dossier_id": ["D1", "D1", None, "D4"],
            "postcode": ["7901AB", "0901AB", "7901AB", None],
            "huisnummer": pd.array([1, 0, 3, 4], dtype="Int64"),
            "toevoeging": ["", "ABCDE", "", ""],
            "trajectory_end_date": pd.to_datetime(["2026-01-01", None, "2027-01-01", "2026-01-01"]),
            "trajectory_outcome": ["afgebroken", "x", "saneringskrediet", "afgebroken"],
        }
    )
    params = SuiteParameters(
        name="aftercare",
        kind="aftercare",
        delivery_date=PARAMS.delivery_date,
        max_plausible_amount=0,
    )
    checked = add_check_columns(frame, params)
    suite = aftercare_suite(PARAMS.delivery_date)
    expected, _ = row_failures(run_suite_complete(checked, suite))
    found, broken = mask_failures(checked, run_suite(checked, suite))
    assert broken == [] and _pairs(found) == _pairs(expected) and len(expected) >= 6
