"""Charts from the published tables: hidden values are gaps; the SVG needs no script or style."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from signals.monitor.charts import Chart, Series, monitor_charts
from signals.monitor.cube import Table, count_cube
from signals.monitor.suppression import TOTAL
from webapp.svg_charts import render_svg


def _signals_table(counts: dict[str, int]) -> Table:
    units = pd.DataFrame(
        [
            {
                "maand": month,
                "partnertype": "Huur",
                "wijk": "A",
                "signalen": 1,
                "nieuwe episodes": 1,
            }
            for month, n in counts.items()
            for _ in range(n)
        ]
    )
    values = count_cube(
        units,
        {"maand": list(counts), "partnertype": ["Huur"], "wijk": ["A"]},
        ["signalen", "nieuwe episodes"],
    )
    return Table(
        "signalen",
        "Signalen",
        "",
        ["maand", "partnertype", "wijk"],
        ["signalen", "nieuwe episodes"],
        values,
    )


def test_a_hidden_count_is_a_gap_in_the_line() -> None:
    from signals.monitor.charts import _by_month, _monthly

    table = _signals_table({"2026-01": 40, "2026-02": 3, "2026-03": 25})
    rows = _monthly(table, 10, TOTAL, TOTAL)
    # February (3) is hidden, and with it a second month so the period total does not tell.
    series = _by_month(rows, ["2026-01", "2026-02", "2026-03"], "signalen")
    assert series[1] is None
    assert sum(value is None for value in series) == 2


def test_the_svg_is_accessible_and_needs_no_script_or_style() -> None:
    chart = Chart(
        "signalen",
        "Signalen per maand",
        "line",
        [Series("signalen", [0.0, 1.0, 2.0], [40.0, None, 25.0])],
        [(0.0, "2026-01"), (1.0, "2026-02"), (2.0, "2026-03")],
        "aantal",
    )
    svg = str(render_svg(chart, "g1"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="g1-titel">Signalen per maand</title>' in svg
    assert "<script" not in svg and "style=" not in svg
    # The hidden February breaks the line: two separate runs of one point each.
    assert svg.count("<polyline") == 2
    assert re.search(r">2026-02<", svg)


def test_every_monitor_chart_comes_from_its_table() -> None:
    from signals.monitor import build_monitor
    from tests.test_monitor_figures import _record

    tables = build_monitor(_record(), date(2026, 1, 1), date(2026, 3, 31))
    charts = monitor_charts(tables, ["2026-01", "2026-02", "2026-03"], 10)
    assert {chart.table_key for chart in charts} <= set(tables)
    for chart in charts:
        assert str(render_svg(chart, chart.key)).count("<svg") == 1


def test_axis_labels_are_dutch_and_not_rounded_away() -> None:
    from signals.monitor.charts import axis_label

    assert axis_label(37.5) == "37,5"
    assert axis_label(12.5) == "12,5"
    assert axis_label(2500) == "2.500"
    assert axis_label(0) == "0"
    quarters = [axis_label(0.1 * step / 4, percent=True) for step in range(5)]
    assert quarters == ["0%", "2,5%", "5%", "7,5%", "10%"]


def test_a_hidden_count_is_marked_in_the_chart_with_a_note() -> None:
    from signals.monitor.charts import _monthly, _series, _with_hidden_note

    table = _signals_table({"2026-01": 40, "2026-02": 3, "2026-03": 25})
    months = ["2026-01", "2026-02", "2026-03"]
    series = _series(
        "signalen", [0.0, 1.0, 2.0], _monthly(table, 10, TOTAL, TOTAL), months, "signalen"
    )
    assert 1.0 in series.hidden and len(series.hidden) == 2  # "<10" and its complement "x"
    chart = _with_hidden_note(
        Chart(
            "signalen",
            "Signalen",
            "bar",
            [series],
            list(zip(series.x, months, strict=True)),
            "aantal",
        )
    )
    assert "verborgen" in chart.note
    svg = str(render_svg(chart, "g2"))
    assert svg.count('class="vs-hidden-value"') == 2
    assert "gearceerd = verborgen" in svg and "style=" not in svg
