"""Run the suites on a delivery: row-level quarantine and table-level verdicts.

The suite runs ONCE per delivery on the process's one ephemeral GX context, in the BASIC result
format without unexpected values (``DOCS_RESULT_FORMAT``: counts only, cheap at millions of rows
and safe for Data Docs; SUMMARY adds nothing we use and costs about a third more per delivery).
Which rows failed comes from vectorised masks of the same expectations
(``rule_masks``), and each mask must count exactly the rows GX counted as unexpected: a
mismatch, an expectation GX could not evaluate, or one of a kind the masks do not know
refuses the delivery (``validation_error``) rather than trusting either side alone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
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
DOCS_RESULT_FORMAT: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": 0}
#: One GX context per process serves every delivery (it holds no delivery's data between runs).
_GX_LOCK = threading.Lock()
_ROW_RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_ID],
}
_FAILURE_COLUMNS = [ROW_ID, "reason_code", "reason_en", "reason_nl", "expectation"]


@dataclass
class ValidationOutcome:
    """Accepted rows (input schema), quarantined rows (``QUARANTINE_SCHEMA``), or a rejection.

    Unless rejected, ``len(accepted) + len(quarantined)`` equals the rows delivered. ``results``
    holds docs-safe GX validation results (BASIC, no values) for Data Docs.
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
    docs_result = run_suite(checked, suite)
    failures, broken = mask_failures(checked, docs_result)
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


def run_suite(frame: pd.DataFrame, suite: ExpectationSuite) -> Any:
    """The docs-safe BASIC result of ``suite`` on ``frame`` (counts, no values)."""
    with _GX_LOCK:
        batch = _whole_frame_batches().get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(suite, result_format=DOCS_RESULT_FORMAT)


@lru_cache(maxsize=1)
def _whole_frame_batches() -> Any:
    """The batch definition of a whole in-memory frame, on an ephemeral context made once:
    setting one up costs more than validating a small delivery."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("delivery").add_dataframe_asset("records")
    return asset.add_batch_definition_whole_dataframe("whole")


def run_suite_complete(frame: pd.DataFrame, suite: ExpectationSuite) -> Any:
    """A COMPLETE result with row ids (raw values inside: never leaves this module).

    Kept for checking the masks against GX's own row lists in tests; too slow for volume.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("delivery").add_dataframe_asset("records")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    return batch.validate(context.suites.add(suite), result_format=_ROW_RESULT_FORMAT)


def _regex_mask(column: pd.Series, regex: str) -> pd.Series:
    """Rows whose value does not match ``regex`` (Python ``re.search``, once per value)."""
    pattern = re.compile(regex)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    distinct = np.array([pattern.search(str(value)) is None for value in uniques], dtype=bool)
    return pd.Series(np.where(codes < 0, False, distinct[np.maximum(codes, 0)]), index=column.index)


def _between_mask(column: pd.Series, kwargs: Mapping[str, Any]) -> pd.Series:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    inside = pd.Series(True, index=column.index)
    if low is not None:
        above = column > low if kwargs.get("strict_min") else column >= low
        inside &= above.fillna(True).astype(bool)
    if high is not None:
        below = column < high if kwargs.get("strict_max") else column <= high
        inside &= below.fillna(True).astype(bool)
    return column.notna().astype(bool) & ~inside


def _pair_mask(frame: pd.DataFrame, kwargs: Mapping[str, Any]) -> pd.Series | None:
    if kwargs.get("ignore_row_if") != "either_value_is_missing":
        return None
    a, b = frame[kwargs["column_A"]], frame[kwargs["column_B"]]
    greater = a >= b if kwargs.get("or_equal") else a > b
    both = (a.notna() & b.notna()).astype(bool)
    return both & ~greater.fillna(False).astype(bool)


#: Unexpected rows per expectation type, as GX counts them (map expectations skip nulls).
_MASKS: dict[str, Callable[[pd.DataFrame, Mapping[str, Any]], pd.Series | None]] = {
    "expect_column_values_to_not_be_null": lambda f, k: f[k["column"]].isna().astype(bool),
    "expect_column_values_to_be_between": lambda f, k: _between_mask(f[k["column"]], k),
    "expect_column_values_to_match_regex": lambda f, k: (
        f[k["column"]].notna().astype(bool) & _regex_mask(f[k["column"]], k["regex"])
    ),
    "expect_column_values_to_be_in_set": lambda f, k: (
        f[k["column"]].notna().astype(bool)
        & ~f[k["column"]].isin(list(k["value_set"])).fillna(False).astype(bool)
    ),
    "expect_column_pair_values_a_to_be_greater_than_b": _pair_mask,
    "expect_column_value_lengths_to_be_between": lambda f, k: _between_mask(
        f[k["column"]].astype("string").str.len(), k
    ),
}


def rule_mask(frame: pd.DataFrame, config: Any) -> pd.Series | None:
    """Unexpected rows of one expectation, vectorised; None for a kind without a mask."""
    kwargs = dict(config.kwargs)
    if kwargs.get("mostly") not in (None, 1, 1.0) or kwargs.get("row_condition"):
        return None
    make = _MASKS.get(config.type)
    return None if make is None else make(frame, kwargs)


def mask_failures(frame: pd.DataFrame, result: Any) -> tuple[pd.DataFrame, list[str]]:
    """Failed (row id, reason, expectation) pairs from the masks, checked against GX's counts;
    and the expectations that could not be evaluated or whose rows could not be told."""
    parts: list[pd.DataFrame] = []
    broken: list[str] = []
    for outcome in result.results:
        config = outcome.expectation_config
        name = expectation_name(config)
        if outcome.exception_info.get("raised_exception"):
            broken.append(name)
            continue
        mask = rule_mask(frame, config)
        counted = (outcome.result or {}).get("unexpected_count")
        if mask is None or counted is None or int(mask.sum()) != int(counted):
            broken.append(name)
            continue
        if outcome.success or not mask.any():
            continue
        meta = config.meta or {}
        rows = frame.loc[mask.to_numpy(), ROW_ID].astype(int).to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    ROW_ID: rows,
                    "reason_code": meta.get("reason_code", config.type),
                    "reason_en": meta.get("reason_en", name),
                    "reason_nl": meta.get("reason_nl", name),
                    "expectation": name,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=_FAILURE_COLUMNS), broken
    return pd.concat(parts, ignore_index=True)[_FAILURE_COLUMNS], broken


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
