"""The analysts' pages (role ``analist``): the monitor, the household explorer, a household.

Pseudonymous and aggregate only: no address, BSN or birth date exists in what these pages
read. Published counts are suppressed (``VS_SUPPRESSION_THRESHOLD``); every table can be
downloaded as CSV and XLSX with the same values as shown.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from connectors.database.users import User
from connectors.exports.columns import col_is_text, safe_text
from connectors.exports.monitor_report import write_table_xlsx
from signals.monitor import Table
from signals.monitor.charts import Chart, at_risk_footer, monitor_charts, relapse_chart
from signals.monitor.facts import months_between
from signals.monitor.households import COLUMNS, FILTERS, filter_options, select_households
from signals.monitor.households import timeline as household_timeline
from signals.monitor.relapse import relapse_curves
from signals.monitor.suppression import TOTAL, label
from webapp.analyst_data import Snapshot, snapshot
from webapp.auth import require
from webapp.context import web_context
from webapp.navigation import SECTIONS, Section
from webapp.pages import render
from webapp.svg_charts import render_svg

ROLE = "analist"
router = APIRouter()
MONTH = re.compile(r"^\d{4}-\d{2}$")
REFERENCE = re.compile(r"^[0-9a-f]{12}$")
PER_PAGE = 25

for _section in (
    Section("Monitor", "/analyse/monitor", (ROLE,)),
    Section("Huishoudens", "/analyse/huishoudens", (ROLE,)),
):
    if _section not in SECTIONS:
        SECTIONS.append(_section)


@dataclass(frozen=True)
class MonitorQuery:
    first: str
    last: str
    wijk: str
    partner_type: str

    @property
    def months(self) -> list[str]:
        return months_between(
            pd.Period(self.first, freq="M").start_time.date(),
            pd.Period(self.last, freq="M").start_time.date(),
        )

    def params(self) -> str:
        from urllib.parse import urlencode

        values = {"van": self.first, "tot": self.last}
        if self.wijk != TOTAL:
            values["wijk"] = self.wijk
        if self.partner_type != TOTAL:
            values["partnertype"] = self.partner_type
        return urlencode(values)


def monitor_query(
    snap: Snapshot, van: str | None, tot: str | None, wijk: str | None, partnertype: str | None
) -> MonitorQuery:
    """The filters asked for, checked; an unknown value is refused (400), never guessed."""
    first, last = snap.default_range()
    for name, value in (("van", van), ("tot", tot)):
        if value and not MONTH.match(value):
            raise HTTPException(400, f"{name}: een maand als JJJJ-MM")
    first, last = van or first, tot or last
    if last < first:
        first, last = last, first
    return MonitorQuery(first, last, wijk or TOTAL, partnertype or TOTAL)


def checked_tables(snap: Snapshot, query: MonitorQuery) -> dict[str, Table]:
    tables = snap.tables(query.first, query.last)
    signals = tables["signalen"].values
    if query.wijk != TOTAL and query.wijk not in set(signals["wijk"]):
        raise HTTPException(400, "onbekende wijk")
    if query.partner_type != TOTAL and query.partner_type not in set(signals["partnertype"]):
        raise HTTPException(400, "onbekend partnertype")
    return tables


def table_view(table: Table, query: MonitorQuery, threshold: int) -> pd.DataFrame:
    """The rows of ``table`` for the filters, as shown beside its chart (and downloaded): the
    chosen months, wijk and partner type; every level (and total) of its other dimensions."""
    chosen: dict[str, Any] = {}
    for name in table.dimensions:
        if name == "maand":
            chosen[name] = query.months
        elif name == "wijk":
            chosen[name] = query.wijk
        elif name == "partnertype":
            chosen[name] = query.partner_type
        else:
            chosen[name] = list(table.values[name].unique())
    rows = table.slice(threshold, **chosen)
    if "maand" in table.dimensions:  # month by month, each month's levels in their order
        rows = rows.sort_values("maand", kind="stable").reset_index(drop=True)
    fixed = [name for name in ("wijk", "partnertype") if name in table.dimensions]
    return rows.drop(columns=fixed)


def charts_for(
    snap: Snapshot, tables: Mapping[str, Table], query: MonitorQuery, threshold: int
) -> list[Chart]:
    charts = monitor_charts(tables, query.months, threshold, query.wijk, query.partner_type)
    for by in ("uitkomst", "jaar einde"):
        curves = relapse_curves(snap.data, by, threshold)
        charts.append(relapse_chart(curves, at_risk_footer(tables["terugval"], threshold, by), by))
    return charts


#: The two relapse charts share one table: each section gets its own heading.
RELAPSE_HEADINGS = {"terugval": "per uitkomst", "terugval-jaar": "per jaar van afronding"}


def section_heading(chart: Chart, table: Table) -> str:
    """A section's heading (and index entry), distinct for every section."""
    if chart.key in RELAPSE_HEADINGS:
        return f"{table.title}, {RELAPSE_HEADINGS[chart.key]}"
    return table.title


def display(value: Any, column: str) -> str:
    """A cell as shown: hidden texts as they are, shares as percentages, Dutch decimals."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ""
    number = float(value)
    if column.startswith("aandeel"):
        return f"{number * 100:.1f}%".replace(".", ",")
    if number.is_integer() and "per 1.000" not in column and "mediaan" not in column:
        return f"{int(number):,}".replace(",", ".")
    return f"{number:.2f}".replace(".", ",")


def rows_for_page(frame: pd.DataFrame) -> list[list[str]]:
    return [
        [display(value, str(column)) for column, value in zip(frame.columns, row, strict=True)]
        for row in frame.itertuples(index=False)
    ]


@router.get("/analyse")
def analyse_home(_user: User = Depends(require(ROLE))) -> Response:
    return RedirectResponse("/analyse/monitor", 303)


@router.get("/analyse/monitor")
def monitor_page(
    request: Request,
    van: str | None = None,
    tot: str | None = None,
    wijk: str | None = None,
    partnertype: str | None = None,
    user: User = Depends(require(ROLE)),
) -> Response:
    ctx = web_context(request)
    threshold = ctx.settings.suppression_threshold
    snap = snapshot(ctx)
    query = monitor_query(snap, van, tot, wijk, partnertype)
    tables = checked_tables(snap, query)
    sections = []
    for number, chart in enumerate(charts_for(snap, tables, query, threshold)):
        table = tables[chart.table_key]
        frame = table_view(table, query, threshold)
        sections.append(
            {
                "chart": chart,
                "heading": section_heading(chart, table),
                "svg": render_svg(chart, f"grafiek-{number}"),
                "table": table,
                "columns": [str(c) for c in frame.columns],
                "rows": rows_for_page(frame),
                "applies": _filters_apply(table, query),
            }
        )
    signals = tables["signalen"].values
    return render(
        request,
        "analist/monitor.html",
        title="Monitor",
        query=query,
        months=snap.month_options(),
        wijken=sorted(set(signals["wijk"]) - {TOTAL}),
        partner_types=sorted(set(signals["partnertype"]) - {TOTAL}),
        parts=sections,
        total=TOTAL,
        threshold_label=label(threshold),
        highest_hidden=threshold - 1,
        as_of=snap.data.as_of,
        per_1000=snap.data.wijken is not None,
    )


def _filters_apply(table: Table, query: MonitorQuery) -> str:
    """Which filter a table ignores (it has no such breakdown), said on the page."""
    ignored = []
    if query.wijk != TOTAL and "wijk" not in table.dimensions:
        ignored.append("wijk")
    if query.partner_type != TOTAL and "partnertype" not in table.dimensions:
        ignored.append("partnertype")
    return ", ".join(ignored)


@router.get("/analyse/monitor/{key}.{extension}")
def monitor_download(
    request: Request,
    key: str,
    extension: str,
    van: str | None = None,
    tot: str | None = None,
    wijk: str | None = None,
    partnertype: str | None = None,
    _user: User = Depends(require(ROLE)),
) -> Response:
    ctx = web_context(request)
    snap = snapshot(ctx)
    query = monitor_query(snap, van, tot, wijk, partnertype)
    tables = checked_tables(snap, query)
    if key not in tables:
        raise HTTPException(404, "onbekende tabel")
    frame = table_view(tables[key], query, ctx.settings.suppression_threshold)
    return download(frame, f"{key}_{query.first}_{query.last}", extension)


def dutch_decimal(value: Any) -> Any:
    """A float as Dutch Excel reads it in a ``;`` CSV (decimal comma, no exponent); other
    values (counts, hidden texts) as they are."""
    if isinstance(value, bool) or not isinstance(value, float | np.floating):
        return value
    if math.isnan(value):
        return ""
    text = np.format_float_positional(float(value), trim="-")
    return text.replace(".", ",")


def download(frame: pd.DataFrame, name: str, extension: str) -> Response:
    """A table as CSV (``;``, UTF-8 with BOM, for Excel) or XLSX, with the values shown."""
    if extension == "csv":
        shown = frame.copy()
        for name in shown.columns:  # no text cell becomes a formula in the analyst's Excel
            if col_is_text(shown[name]):
                shown[name] = shown[name].map(safe_text, na_action="ignore")
        for name in shown.columns:  # Dutch Excel reads "15,67", not "15.67", beside ";"
            shown[name] = shown[name].map(dutch_decimal, na_action="ignore")
        text = shown.to_csv(sep=";", index=False, na_rep="")
        return Response(
            ("\ufeff" + text).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if extension == "xlsx":
        buffer = io.BytesIO()
        write_table_xlsx(frame, name[:31], buffer)
        return Response(
            buffer.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    raise HTTPException(404, "alleen csv of xlsx")


# --- household explorer -----------------------------------------------------------------


def explorer_filters(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in FILTERS}


def explorer_page_data(snap: Snapshot, request: Request) -> tuple[dict[str, str], str, bool, int]:
    filters = explorer_filters(request)
    options = filter_options(snap.households)
    for name, value in filters.items():
        if value and value not in options[name]:
            raise HTTPException(400, f"onbekende waarde voor {name}")
    sort = request.query_params.get("sorteer", "laatste signaal")
    if sort not in COLUMNS:
        raise HTTPException(400, "onbekende sortering")
    descending = request.query_params.get("richting", "af") != "op"
    try:
        page = int(request.query_params.get("pagina", "1"))
    except ValueError:
        raise HTTPException(400, "pagina: een getal") from None
    return filters, sort, descending, page


@router.get("/analyse/huishoudens")
def explorer(request: Request, user: User = Depends(require(ROLE))) -> Response:
    ctx = web_context(request)
    snap = snapshot(ctx)
    filters, sort, descending, page = explorer_page_data(snap, request)
    chosen = select_households(snap.households, filters, sort, descending, page, PER_PAGE)
    threshold = ctx.settings.suppression_threshold
    from urllib.parse import urlencode

    base = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "analist/huishoudens.html",
        title="Huishoudens",
        filters=filters,
        options=filter_options(snap.households),
        labels=FILTER_LABELS,
        columns=COLUMNS,
        rows=chosen.rows.to_dict("records"),
        page=chosen,
        total=label(threshold) if 0 < chosen.total < threshold else chosen.total,
        sort=sort,
        descending=descending,
        query=urlencode({**base, "sorteer": sort, "richting": "af" if descending else "op"}),
        filter_query=urlencode(base),
        sort_link=lambda column: urlencode(
            {**base, "sorteer": column, "richting": "op" if column == sort and descending else "af"}
        ),
    )


FILTER_LABELS = {
    "zaaktype": "Zaaktype",
    "wijk": "Wijk",
    "leeftijd": "Leeftijdsgroep",
    "partnertype": "Partnertype",
    "bedrag": "Achterstand",
    "score": "Score",
    "status": "Status",
    "terugval": "Terugval na schuldtraject",
}


@router.get("/analyse/huishoudens.{extension}")
def explorer_download(
    request: Request, extension: str, _user: User = Depends(require(ROLE))
) -> Response:
    snap = snapshot(web_context(request))
    filters, sort, descending, _ = explorer_page_data(snap, request)
    chosen = select_households(snap.households, filters, sort, descending, 1, 10**9)
    return download(chosen.rows, "huishoudens", extension)


@router.get("/analyse/huishoudens/{ref}")
def household_page(request: Request, ref: str, user: User = Depends(require(ROLE))) -> Response:
    snap = snapshot(web_context(request))
    key = household_key_of(snap, ref)
    signals, cases, attempts, tasks = household_timeline(snap.data, snap.tasks, key)
    row = snap.households[snap.households["huishouden"] == ref].iloc[0].to_dict()
    return render(
        request,
        "analist/huishouden.html",
        title=f"Huishouden {ref}",
        ref=ref,
        facts=row,
        parts=[
            ("Signalen en besluiten", "signalen", signals),
            ("Zaken", "zaken", cases),
            ("Contactpogingen", "contactpogingen", attempts),
            ("Taken en score", "taken", tasks),
        ],
        rows_for_page=rows_for_page,
    )


@router.get("/analyse/huishoudens/{ref}/{part}.{extension}")
def household_download(
    request: Request, ref: str, part: str, extension: str, _user: User = Depends(require(ROLE))
) -> Response:
    snap = snapshot(web_context(request))
    key = household_key_of(snap, ref)
    frames = dict(
        zip(
            ("signalen", "zaken", "contactpogingen", "taken"),
            household_timeline(snap.data, snap.tasks, key),
            strict=True,
        )
    )
    if part not in frames:
        raise HTTPException(404, "onbekende tabel")
    return download(frames[part], f"huishouden_{ref}_{part}", extension)


def household_key_of(snap: Snapshot, ref: str) -> str:
    if not REFERENCE.match(ref):
        raise HTTPException(404, "onbekend huishouden")
    key = snap.household_key(ref)
    if key is None:
        raise HTTPException(404, "onbekend huishouden")
    return key
