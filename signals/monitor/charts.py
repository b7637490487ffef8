"""What the monitor's charts show, drawn from the *published* (suppressed) tables.

A chart is data only (series of points and tick labels); the report draws it as PNG with
matplotlib and the web pages as inline SVG, so both show the same numbers. A hidden value
("<10", "x", "–") is a gap in its line, never a point; the chart marks it "verborgen" and says
so in its note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from signals.monitor.cube import Table
from signals.monitor.figures import CASE_TYPES, ESCALATIONS, MONTH, PARTNER_TYPE, WIJK
from signals.monitor.relapse import HORIZONS, OUTCOMES
from signals.monitor.suppression import TOTAL, is_hidden


@dataclass(frozen=True)
class Series:
    name: str
    x: list[float]
    y: list[float | None]
    #: The x positions whose value is hidden by suppression ("<10", "x"): drawn as a marker
    #: ("verborgen"), so a hidden value never looks like a missing or zero bar.
    hidden: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # "line" | "bar" (grouped) | "step"
    series: list[Series]
    x_ticks: list[tuple[float, str]]
    y_label: str
    percent: bool = False
    #: Rows of text under the chart, e.g. the number at risk: label -> value per x tick.
    footer: dict[str, list[str]] = field(default_factory=dict)
    table_key: str = ""  # the table beside the chart
    #: A remark shown under the chart (what is not drawn, and why).
    note: str = ""


def axis_label(value: float, percent: bool = False) -> str:
    """An axis tick in Dutch: decimal comma, thousands dot, and no rounding that hides a
    tick's value (2,5% stays 2,5%, not "2%")."""
    if percent:
        value *= 100
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", ".")
    else:
        text = f"{value:.2f}".rstrip("0").replace(".", ",")
    return f"{text}%" if percent else text


def _number(value: object) -> float | None:
    if value is None or is_hidden(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def _by_month(
    table: pd.DataFrame, months: list[str], column: str, extra: Mapping[str, str] | None = None
) -> list[float | None]:
    rows = table
    for name, value in (extra or {}).items():
        rows = rows[rows[name] == value]
    indexed = rows.set_index(MONTH)[column]
    return [_number(indexed.get(month)) for month in months]


def _series(
    name: str,
    x: list[float],
    table: pd.DataFrame,
    months: list[str],
    column: str,
    extra: Mapping[str, str] | None = None,
) -> Series:
    rows = table
    for key, value in (extra or {}).items():
        rows = rows[rows[key] == value]
    indexed = rows.set_index(MONTH)[column]
    hidden = [at for at, month in zip(x, months, strict=True) if is_hidden(indexed.get(month))]
    return Series(name, x, _by_month(table, months, column, extra), hidden)


def _filters(table: Table, wijk: str, partner_type: str) -> dict[str, str]:
    chosen = {}
    if WIJK in table.dimensions:
        chosen[WIJK] = wijk
    if PARTNER_TYPE in table.dimensions:
        chosen[PARTNER_TYPE] = partner_type
    return chosen


def _monthly(
    table: Table, threshold: int, wijk: str, partner_type: str, **fixed: str | None
) -> pd.DataFrame:
    chosen: dict[str, str | None] = {MONTH: None, **_filters(table, wijk, partner_type), **fixed}
    return table.slice(threshold, **chosen)


def monitor_charts(
    tables: Mapping[str, Table],
    months: list[str],
    threshold: int,
    wijk: str = TOTAL,
    partner_type: str = TOTAL,
) -> list[Chart]:
    """The monitor's charts for one wijk and partner type (``TOTAL``: all of them)."""
    x = [float(i) for i in range(len(months))]
    ticks = list(zip(x, months, strict=True))
    charts: list[Chart] = []

    signals = _monthly(tables["signalen"], threshold, wijk, partner_type)
    charts.append(
        Chart(
            "signalen",
            "Signalen en nieuwe episodes per maand",
            "line",
            [_series(name, x, signals, months, name) for name in ("signalen", "nieuwe episodes")],
            ticks,
            "aantal",
            table_key="signalen",
        )
    )
    triage = _monthly(tables["opgepakt"], threshold, wijk, partner_type, status="Opgepakt")
    charts.append(
        Chart(
            "opgepakt",
            "Aandeel opgepakte signalen",
            "line",
            [_series("opgepakt", x, triage, months, "aandeel")],
            ticks,
            "aandeel",
            percent=True,
            table_key="opgepakt",
        )
    )
    case_types = tables["zaaktypen"]
    charts.append(
        Chart(
            "zaaktypen",
            "Opgepakte zaken per zaaktype",
            "bar",
            [
                _series(
                    kind,
                    x,
                    _monthly(case_types, threshold, wijk, partner_type, zaaktype=kind),
                    months,
                    "zaken",
                )
                for kind in CASE_TYPES
            ],
            ticks,
            "zaken",
            table_key="zaaktypen",
        )
    )
    reach = _monthly(tables["bereik"], threshold, wijk, partner_type)
    charts.append(
        Chart(
            "bereik",
            "Bereik van opgepakte zaken",
            "line",
            [
                _series("bereikt", x, reach, months, "aandeel bereikt"),
                _series(
                    "bereikt binnen 4 weken", x, reach, months, "aandeel bereikt binnen 4 weken"
                ),
            ],
            ticks,
            "aandeel",
            percent=True,
            table_key="bereik",
        )
    )
    results = tables["resultaten"]
    groups = [g for g in pd.unique(results.values["resultaat"]) if g != TOTAL]
    charts.append(
        Chart(
            "resultaten",
            "Resultaten van afgesloten zaken",
            "bar",
            [
                _series(
                    str(group),
                    x,
                    _monthly(results, threshold, wijk, partner_type, resultaat=str(group)),
                    months,
                    "zaken",
                )
                for group in groups
            ],
            ticks,
            "zaken",
            table_key="resultaten",
        )
    )
    escalations = tables["escalaties"]
    charts.append(
        Chart(
            "escalaties",
            "Escalaties per maand",
            "bar",
            [
                _series(
                    kind,
                    x,
                    _monthly(escalations, threshold, wijk, partner_type, soort=kind),
                    months,
                    "escalaties",
                )
                for kind in ESCALATIONS.values()
            ],
            ticks,
            "escalaties",
            table_key="escalaties",
        )
    )
    quality = tables["datakwaliteit"].slice(threshold, partner=None, maand=None)
    partners = sorted(set(quality["partner"]))
    charts.append(
        Chart(
            "datakwaliteit",
            "Aandeel rijen in quarantaine per partner",
            "line",
            [
                _series(p, x, quality, months, "aandeel in quarantaine", {"partner": p})
                for p in partners
            ],
            ticks,
            "aandeel",
            percent=True,
            table_key="datakwaliteit",
        )
    )
    return [_with_hidden_note(chart) for chart in charts]


def _with_hidden_note(chart: Chart) -> Chart:
    """Say under the chart where values are hidden, so they never read as missing or zero."""
    if not any(series.hidden for series in chart.series):
        return chart
    note = (
        "Grijs gearceerd met 'verborgen': een aantal onder de drempel (<10) of een aantal dat "
        "verborgen is om zo'n klein aantal te beschermen (x). Zie de tabel."
    )
    return replace(chart, note=f"{chart.note} {note}".strip())


def relapse_chart(
    curves: Mapping[str, pd.DataFrame],
    followed_at_risk: Mapping[str, list[str]],
    by: str = "uitkomst",
) -> Chart:
    """Kaplan–Meier curves (share signalled again) per group, with the number at risk."""
    series = []
    for name, curve in curves.items():
        series.append(
            Series(
                "alle trajecten" if name == TOTAL else name,
                [float(t) for t in curve["t"]],
                [float(v) for v in curve["relapsed"]],
            )
        )
    ticks = [(0.0, "0")] + [(float(days), f"{months} mnd") for months, days in HORIZONS.items()]
    per_year = by == "jaar einde"
    prefix = "onder observatie: "
    drawn = {"alle trajecten" if name == TOTAL else name for name in curves}
    missing = [
        name.removeprefix(prefix)
        for name in followed_at_risk
        if name.removeprefix(prefix) not in drawn
    ]
    note = (
        "Een lijn begint bij 0 % op de einddatum en stopt waar te weinig trajecten onder "
        "observatie zijn."
    )
    if missing:
        note += (
            f" Geen lijn voor {', '.join(missing)}: niet te schatten, omdat te weinig van deze "
            "trajecten vanaf de einddatum gevolgd zijn (ze eindigden vóór de eerste levering) "
            "of omdat het er te weinig zijn."
        )
    return Chart(
        "terugval-jaar" if per_year else "terugval",
        "Opnieuw gesignaleerd na het einde van een schuldtraject, "
        + ("per jaar van afronding" if per_year else "per uitkomst"),
        "step",
        series,
        ticks,
        "aandeel opnieuw gesignaleerd",
        percent=True,
        footer=dict(followed_at_risk),
        table_key="terugval",
        note=note,
    )


def at_risk_footer(table: Table, threshold: int, by: str = "uitkomst") -> dict[str, list[str]]:
    """Per outcome or year of ending (and all trajectories): trajectories followed (under
    "0"), and the number still under observation at 6, 12 and 24 months."""
    groups = [*(OUTCOMES.values() if by == "uitkomst" else []), TOTAL]
    if by != "uitkomst":
        groups = [*sorted(set(table.values[by]) - {TOTAL}), TOTAL]
    published = table.slice(threshold, **{by: groups})
    footer = {}
    for row in published.to_dict("records"):
        name = "alle trajecten" if row[by] == TOTAL else str(row[by])
        footer[f"onder observatie: {name}"] = [str(row["trajecten"])] + [
            str(row[f"onder observatie na {m} maanden"]) for m in HORIZONS
        ]
    return footer
