"""Run the suites on a delivery: row-level quarantine and table-level verdicts.

Two runs of one suite on an ephemeral GX context: a COMPLETE run with the row id as
``unexpected_index_column_names`` maps failures back to rows (it holds raw values, so it never
leaves this module); a SUMMARY run without unexpected values is returned for Data Docs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from signals.schema import AFTERCARE_SCHEMA, REJECT_SCHEMA, SIGNAL_SCHEMA, STRING, conform
from signals.validation.expectations import (
    KIND_AFTERCARE,
    ROW_ID,
    SuiteParameters,
    add_check_columns,
    aftercare_suite,
    partner_signal_suite,
)
from signals.validation.rules import DeliveryRules, Rejection, check_delivery

if TYPE_CHECKING:
    from great_expectations.core.expectation_suite import ExpectationSuite

#: A quarantined record: the reject contract plus the names of the expectations it broke.
QUARANTINE_SCHEMA: dict[str, str] = {**REJECT_SCHEMA, "failed_expectations": STRING}

#: Result format for Data Docs: counts only, no unexpected values (they would be identifying).
DOCS_RESULT_FORMAT: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 0}
_ROW_RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_ID],
}
_FAILURE_COLUMNS = [ROW_ID, "reason_code", "reason_en", "reason_nl", "expectation"]


@dataclass
class ValidationOutcome:
    """Accepted rows (input schema), quarantined rows (``QUARANTINE_SCHEMA``), or a rejection.

    Unless rejected, ``len(accepted) + len(quarantined)`` equals the rows delivered. ``results``
    holds docs-safe GX validation results (SUMMARY, no values) for Data Docs.
    """

    accepted: pd.DataFrame
    quarantined: pd.DataFrame
    delivery_rejection: Rejection | None = None
    results: list[Any] = field(default_factory=list)


def validate_delivery(
    records: pd.DataFrame,
    rules: DeliveryRules,
    previous_row_count: int | None = None,
    rows_received: int | None = None,
) -> ValidationOutcome:
    """Validate one partner's delivery: ``SIGNAL_SCHEMA``, or ``AFTERCARE_SCHEMA`` for aftercare."""
    if rules.kind == KIND_AFTERCARE:
        return validate_aftercare(
            records,
            rules.delivery_date,
            previous_row_count,
            rules.max_row_count_drop,
            rules.never_empty,
            rows_received,
        )
    rejection = check_delivery(
        records,
        SIGNAL_SCHEMA,
        rules.never_empty,
        previous_row_count,
        rules.max_row_count_drop,
        rows_received,
    )
    if rejection is not None:
        return _rejected(rejection, SIGNAL_SCHEMA)
    params = SuiteParameters(
        name=f"signals.{rules.partner}",
        kind=rules.kind,
        delivery_date=pd.Timestamp(rules.delivery_date),
        max_plausible_amount=rules.max_plausible_amount,
        window_min_days=rules.window_min_days,
        window_max_days=rules.window_max_days,
        requires_consent=rules.requires_consent,
        indicators=rules.indicators,
    )
    return _validate(records, partner_signal_suite(params), params, SIGNAL_SCHEMA)


def validate_aftercare(
    records: pd.DataFrame,
    delivery_date: date,
    previous_row_count: int | None = None,
    max_row_count_drop: float = 0.5,
    never_empty: bool = False,
    rows_received: int | None = None,
) -> ValidationOutcome:
    """Validate an aftercare (nazorg) delivery (``AFTERCARE_SCHEMA``)."""
    rejection = check_delivery(
        records,
        AFTERCARE_SCHEMA,
        never_empty,
        previous_row_count,
        max_row_count_drop,
        rows_received,
    )
    if rejection is not None:
        return _rejected(rejection, AFTERCARE_SCHEMA)
    timestamp = pd.Timestamp(delivery_date)
    params = SuiteParameters(
        name="aftercare", kind=KIND_AFTERCARE, delivery_date=timestamp, max_plausible_amount=0
    )
    return _validate(records, aftercare_suite(timestamp), params, AFTERCARE_SCHEMA)


def _rejected(rejection: Rejection, schema: Mapping[str, str]) -> ValidationOutcome:
    return ValidationOutcome(
        accepted=conform(pd.DataFrame(), schema),
        quarantined=conform(pd.DataFrame(), QUARANTINE_SCHEMA),
        delivery_rejection=rejection,
    )


def _validate(
    records: pd.DataFrame,
    suite: ExpectationSuite,
    params: SuiteParameters,
    schema: Mapping[str, str],
) -> ValidationOutcome:
    checked = add_check_columns(conform(records, schema), params)
    if checked.empty:
        return ValidationOutcome(
            accepted=conform(checked, schema), quarantined=conform(checked, QUARANTINE_SCHEMA)
        )
    row_result, docs_result = run_suite(checked, suite)
    failures, broken = row_failures(row_result)
    if broken:
        names = ", ".join(broken)
        rejection = Rejection(
            "validation_error",
            f"Expectations could not be evaluated: {names}",
            f"Controles konden niet worden uitgevoerd: {names}",
        )
        return _rejected(rejection, schema)
    accepted, quarantined = split_rows(checked, failures, schema)
    return ValidationOutcome(accepted=accepted, quarantined=quarantined, results=[docs_result])


def run_suite(frame: pd.DataFrame, suite: ExpectationSuite) -> tuple[Any, Any]:
    """(row-level COMPLETE result, docs-safe SUMMARY result) of ``suite`` on ``frame``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("delivery").add_dataframe_asset("records")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    suite = context.suites.add(suite)
    row_result = batch.validate(suite, result_format=_ROW_RESULT_FORMAT)
    docs_result = batch.validate(suite, result_format=DOCS_RESULT_FORMAT)
    return row_result, docs_result


def expectation_name(config: Any) -> str:
    """``expect_column_values_to_match_regex(postcode)``: type and column(s) of an expectation."""
    kwargs = config.kwargs
    columns = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    return f"{config.type}({', '.join(columns)})"


def row_failures(result: Any) -> tuple[pd.DataFrame, list[str]]:
    """Failed (row id, reason, expectation) pairs, and expectations that could not map to rows."""
    rows: list[dict[str, Any]] = []
    broken: list[str] = []
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        name = expectation_name(config)
        unexpected = outcome.result.get("unexpected_index_list")
        if outcome.exception_info.get("raised_exception") or not unexpected:
            broken.append(name)
            continue
        meta = config.meta or {}
        for item in unexpected:
            rows.append(
                {
                    ROW_ID: int(item[ROW_ID]),
                    "reason_code": meta.get("reason_code", config.type),
                    "reason_en": meta.get("reason_en", name),
                    "reason_nl": meta.get("reason_nl", name),
                    "expectation": name,
                }
            )
    return pd.DataFrame(rows, columns=_FAILURE_COLUMNS), broken


def split_rows(
    checked: pd.DataFrame, failures: pd.DataFrame, schema: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accepted rows in ``schema``; quarantined rows with their joined reasons."""
    failures = failures.drop_duplicates([ROW_ID, "reason_code"])
    joined = failures.groupby(ROW_ID, sort=True).agg(
        reason_code=("reason_code", ",".join),
        reason_en=("reason_en", "; ".join),
        reason_nl=("reason_nl", "; ".join),
        failed_expectations=("expectation", "; ".join),
    )
    failed = checked[ROW_ID].isin(joined.index)
    accepted = conform(checked[~failed.to_numpy()], schema)
    bad = checked[failed.to_numpy()].merge(joined, left_on=ROW_ID, right_index=True, how="left")
    bad["stage"] = "validation"
    return accepted, conform(bad, QUARANTINE_SCHEMA)
