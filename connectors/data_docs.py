"""Great Expectations Data Docs (HTML) for a run's validation results.

The results come from ``signals.validation`` with the docs-safe BASIC result format (no
unexpected values), so the HTML carries counts and rules, never a postcode or BSN. A file-backed
GX context rooted under the target directory stores the results and renders the site.

GX's own index page builds its list with JavaScript from CDNs, so offline it shows nothing.
It is replaced by a static index (no script, no external file) that links every validation
page — those are rendered in full by GX and read fine offline, only unstyled. The analysts'
monitor (``vroegsignaal report monitor``, table ``datakwaliteit``) is the place to follow data
quality over time; these pages show one night's expectations in detail.
"""

from __future__ import annotations

import datetime as dt
import html
import json
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
                    "validate with the docs result format (partial_unexpected_count 0)"
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
    keys = []
    for number, suite_result in enumerate(results):
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_result.suite_name),
            run_id=run_id,
            batch_identifier=f"delivery-{number}",
        )
        context.validation_results_store.set(key, suite_result)
        keys.append(key)
    # Only tonight's pages are rendered: the site keeps the earlier nights' pages, and a full
    # rebuild would render the whole history again every night. GX's own index is not built
    # (offline it is empty); ours lists every page on the site.
    sites = context.build_data_docs(resource_identifiers=keys, build_index=False)
    index = Path(unquote(urlparse(next(iter(sites.values()))).path))
    write_offline_index(index.parent, Path(context.root_directory) / "uncommitted" / "validations")
    return index


def write_offline_index(site: Path, store: Path) -> Path:
    """Replace the site's ``index.html`` with a static list of every validation page: suite,
    run, status and counts, newest run first (counts and rule names only, never a value)."""
    rows = []
    for stored in sorted(store.rglob("*.json")):
        relative = stored.relative_to(store).with_suffix(".html")
        page = site / "validations" / relative
        if not page.is_file():
            continue
        result = json.loads(stored.read_text(encoding="utf-8"))
        statistics = result.get("statistics", {})
        parts = relative.parts  # suite path ..., run name, run time, batch
        rows.append(
            (
                parts[-2],
                parts[-3],
                str(result.get("suite_name", ".".join(parts[:-3]))),
                parts[-1].removesuffix(".html"),
                bool(result.get("success")),
                int(statistics.get("evaluated_expectations", 0)),
                int(statistics.get("unsuccessful_expectations", 0)),
                relative.as_posix(),
            )
        )
    rows.sort(key=lambda row: (row[0], row[2], row[3]), reverse=True)
    body = "\n".join(
        "<tr>"
        f"<td>{html.escape(run_time)}</td><td>{html.escape(run)}</td>"
        f"<td>{html.escape(suite)}</td><td>{html.escape(batch)}</td>"
        f"<td>{'geslaagd' if ok else '<strong>niet geslaagd</strong>'}</td>"
        f"<td>{evaluated}</td><td>{failed}</td>"
        f'<td><a href="validations/{html.escape(link)}">bekijk</a></td>'
        "</tr>"
        for run_time, run, suite, batch, ok, evaluated, failed, link in rows
    )
    document = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Validaties van leveringen</title></head>
<body>
<h1>Validaties van leveringen (Great Expectations)</h1>
<p>Per levering de gecontroleerde regels, met aantallen en regelnamen, nooit waarden.
Het verloop per partner over de maanden staat in de monitor
(<code>vroegsignaal report monitor</code>, tabel datakwaliteit).</p>
<table>
<thead><tr><th scope="col">Run-tijd (UTC)</th><th scope="col">Run</th><th scope="col">Suite</th>
<th scope="col">Levering</th><th scope="col">Uitkomst</th><th scope="col">Regels</th>
<th scope="col">Niet gehaald</th><th scope="col">Pagina</th></tr></thead>
<tbody>
{body}
</tbody></table>
</body></html>
"""
    index = site / "index.html"
    index.write_text(document, encoding="utf-8")
    return index
