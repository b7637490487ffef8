"""Great Expectations Data Docs (HTML) for a run's validation results.

The results come from ``signals.validation`` with the docs-safe SUMMARY result format (no
unexpected values), so the HTML carries counts and rules, never a postcode or BSN. A file-backed
GX context rooted under the target directory stores the results and renders the site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

#: Keys of an expectation result that would hold raw values; docs results must not have them.
VALUE_KEYS: tuple[str, ...] = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_list",
    "unexpected_index_list",
    "unexpected_index_query",
)


class UnsafeResultsError(ValueError):
    """Validation results carry unexpected values; they may not go into Data Docs."""


def assert_docs_safe(results: Sequence[Any]) -> None:
    """Raise ``UnsafeResultsError`` when any result lists unexpected values."""
    for suite_result in results:
        for outcome in suite_result.results:
            if any(outcome.result.get(key) for key in VALUE_KEYS):
                raise UnsafeResultsError(
                    f"results of suite '{suite_result.suite_name}' hold unexpected values; "
                    "validate with the SUMMARY docs result format"
                )


def build_data_docs(results: Sequence[Any], target_dir: Path, run_name: str = "nightly") -> Path:
    """Render Data Docs for ``results`` under ``target_dir``; returns the path of index.html."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    assert_docs_safe(results)
    target_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(target_dir))
    # An explicit run time: GX would otherwise try to read one out of the run name.
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    for number, suite_result in enumerate(results):
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_result.suite_name),
            run_id=run_id,
            batch_identifier=f"delivery-{number}",
        )
        context.validation_results_store.set(key, suite_result)
    sites = context.build_data_docs()
    index = Path(unquote(urlparse(next(iter(sites.values()))).path))
    if not index.is_file():
        raise FileNotFoundError("Great Expectations did not write the Data Docs index")
    return index
