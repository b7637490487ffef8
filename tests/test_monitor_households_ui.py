"""The household explorer's filter options in their numeric order."""

from __future__ import annotations

import pandas as pd

from signals.monitor.households import FILTERS, filter_options


def test_amount_bands_are_offered_in_numeric_order_unknown_last() -> None:
    table = pd.DataFrame({column: ["x"] * 5 for column in FILTERS.values()})
    table["bedraggroep"] = ["≥ € 5.000", "onbekend", "€ 1.000 – 2.500", "< € 500", "€ 500 – 1.000"]
    table["scoregroep"] = ["hoog", "laag", "midden", "laag", "hoog"]
    options = filter_options(table)
    assert options["bedrag"] == [
        "< € 500",
        "€ 500 – 1.000",
        "€ 1.000 – 2.500",
        "≥ € 5.000",
        "onbekend",
    ]
    assert options["score"] == ["laag", "midden", "hoog"]


def test_the_two_relapse_sections_have_distinct_headings() -> None:
    from signals.monitor.charts import relapse_chart
    from signals.monitor.relapse import relapse_table
    from tests.test_monitor_figures import _relapse_record
    from webapp.views.analyst import section_heading

    table = relapse_table(_relapse_record())
    headings = {
        section_heading(relapse_chart({}, {}, by), table) for by in ("uitkomst", "jaar einde")
    }
    assert headings == {
        "Terugval na een schuldtraject (nazorg), per uitkomst",
        "Terugval na een schuldtraject (nazorg), per jaar van afronding",
    }
