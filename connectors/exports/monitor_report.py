"""The monitor for a council report: one XLSX (a sheet per table) and the charts as PNG.

Only published (suppressed) values leave: the XLSX cells hold the same numbers and "<10" /
"–" texts as the pages, and the charts leave hidden values out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine

from connectors.database.engine import session_scope
from connectors.database.monitor import load_monitor_input
from connectors.exports.columns import safe_text
from connectors.settings import Settings
from connectors.wijken import wijken_path
from signals.monitor import MonitorInput, build_monitor
from signals.monitor.charts import (
    Chart,
    at_risk_footer,
    axis_label,
    monitor_charts,
    relapse_chart,
)
from signals.monitor.cube import Table
from signals.monitor.facts import months_between
from signals.monitor.relapse import relapse_curves
from signals.monitor.suppression import HIDDEN_DERIVED, label

#: Sheet names may be 31 characters at most.
SHEET_NAME_MAX = 31


def write_tables_xlsx(
    tables: Mapping[str, Table],
    threshold: int,
    path: Path,
    period: tuple[dt.date, dt.date],
    as_of: dt.date,
) -> Path:
    """One sheet per table after a sheet that explains them (Dutch)."""
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = "Toelichting"
    start, end = period
    lines = [
        ("Monitor vroegsignalering", ""),
        ("Periode", f"{start.isoformat()} t/m {end.isoformat()}"),
        ("Stand van de registratie", as_of.isoformat()),
        (
            "Afscherming",
            f"Aantallen van 1 tot en met {threshold - 1} staan als '{label(threshold)}'; waar "
            "een totaal "
            "zo'n aantal zou verraden is ook een tweede cel afgeschermd. "
            f"'{HIDDEN_DERIVED}': een aandeel of gemiddelde op een afgeschermd aantal.",
        ),
        ("", ""),
    ]
    lines += [(table.title, table.note) for table in tables.values()]
    for row in lines:
        about.append(list(row))
    about.column_dimensions["A"].width = 45
    about.column_dimensions["B"].width = 120
    for row in about.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    about["A1"].font = Font(bold=True, size=14)
    _print_setup(about, repeat_header=False)
    for table in tables.values():
        write_sheet(workbook, table.key, table.published(threshold))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_sheet(workbook: Workbook, name: str, frame: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(name[:SHEET_NAME_MAX])
    sheet.append([str(column) for column in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    _print_setup(sheet, repeat_header=True)
    for i, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, min(45, len(str(column)) + 2))


def _print_setup(sheet: Worksheet, repeat_header: bool) -> None:
    """Print landscape, all columns on one page wide (as many pages long as needed), with the
    header row on every page: a wide table otherwise prints as hundreds of narrow pages."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if repeat_header:
        sheet.print_title_rows = "1:1"


def _cell(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str):
        # A wijknaam from the address list is the municipality's text, never a formula.
        return safe_text(value)
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return None
    except (TypeError, ValueError):
        return str(value)
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    return value


def write_table_xlsx(frame: pd.DataFrame, name: str, path_or_buffer: object) -> None:
    """A single published table as XLSX (the web download)."""
    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    write_sheet(workbook, name, frame)
    workbook.save(path_or_buffer)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MonitorReport:
    workbook: Path
    charts: list[Path]
    tables: dict[str, Table]


def build_report_tables(
    engine: Engine, settings: Settings, start: dt.date, end: dt.date
) -> tuple[dict[str, Table], MonitorInput]:
    """The monitor's tables for [start, end], from the record as it stood on ``end``."""
    with session_scope(engine) as session:
        data = load_monitor_input(session, end, wijken_file(settings))
    return build_monitor(data, start, end), data


def wijken_file(settings: Settings) -> Path:
    return settings.wijken or wijken_path(settings.reference)


def monitor_chart_list(
    tables: Mapping[str, Table], data: MonitorInput, start: dt.date, end: dt.date, threshold: int
) -> list[Chart]:
    charts = monitor_charts(tables, months_between(start, end), threshold)
    for by in ("uitkomst", "jaar einde"):
        curves = relapse_curves(data, by, threshold)
        charts.append(relapse_chart(curves, at_risk_footer(tables["terugval"], threshold, by), by))
    return charts


def export_monitor_report(
    engine: Engine, settings: Settings, start: dt.date, end: dt.date, out_dir: Path
) -> MonitorReport:
    """``monitor_<from>_<to>.xlsx`` and one PNG per chart in ``out_dir``."""
    if end < start:
        raise ValueError("--to lies before --from")
    threshold = settings.suppression_threshold
    tables, data = build_report_tables(engine, settings, start, end)
    name = f"monitor_{start.isoformat()}_{end.isoformat()}"
    workbook = write_tables_xlsx(tables, threshold, out_dir / f"{name}.xlsx", (start, end), end)
    charts = draw_charts_png(
        monitor_chart_list(tables, data, start, end, threshold), out_dir / name
    )
    return MonitorReport(workbook, charts, tables)


def _tick(value: float, _position: int, percent: bool) -> str:
    return axis_label(value, percent)


def draw_charts_png(charts: Sequence[Chart], out_dir: Path) -> list[Path]:
    """Each chart as ``<key>.png`` in ``out_dir`` (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for chart in charts:
        figure, axes = plt.subplots(figsize=(10, 5.5 if not chart.footer else 7), dpi=100)
        width = 0.8 / max(1, len(chart.series)) if chart.kind == "bar" else 0.0
        for number, series in enumerate(chart.series):
            ys = [float("nan") if y is None else y for y in series.y]
            if chart.kind == "step":
                axes.step(series.x, ys, where="post", label=series.name)
            elif chart.kind == "bar":
                offset = (number - (len(chart.series) - 1) / 2) * width
                axes.bar(
                    [x + offset for x in series.x],
                    [0.0 if pd.isna(y) else y for y in ys],
                    width,
                    label=series.name,
                )
            else:
                axes.plot(series.x, ys, marker="o", label=series.name)
        marker = axes.get_ylim()[1] * 0.04  # a hidden value: a hatched grey marker on the axis
        labelled = False
        for number, series in enumerate(chart.series):
            offset = (number - (len(chart.series) - 1) / 2) * width if chart.kind == "bar" else 0
            if series.hidden:
                axes.bar(
                    [x + offset for x in series.hidden],
                    marker,
                    width or 0.15,
                    color="#e6e6e6",
                    edgecolor="#6b6b6b",
                    hatch="///",
                    label=None if labelled else "verborgen",
                )
                labelled = True
        axes.set_title(chart.title)
        axes.set_ylabel(chart.y_label)
        axes.set_xticks(
            [x for x, _ in chart.x_ticks], [text for _, text in chart.x_ticks], rotation=0
        )
        percent = chart.percent
        axes.yaxis.set_major_formatter(FuncFormatter(partial(_tick, percent=percent)))
        if chart.percent:
            axes.set_ylim(bottom=0)
        axes.grid(axis="y", alpha=0.3)
        if chart.series:
            axes.legend(loc="best", fontsize="small")
        if chart.footer:
            rows = list(chart.footer.items())
            table = axes.table(
                cellText=[values for _, values in rows],
                rowLabels=[name for name, _ in rows],
                colLabels=[text for _, text in chart.x_ticks],
                loc="bottom",
                bbox=(0.0, -0.55, 1.0, 0.35),  # type: ignore[arg-type]
            )
            table.auto_set_font_size(False)
            table.set_fontsize(8)
            figure.subplots_adjust(left=0.3, bottom=0.35)
        else:
            figure.tight_layout()
        if chart.note:
            figure.text(0.01, 0.01, chart.note, fontsize=7, wrap=True, va="bottom")
        path = out_dir / f"{chart.key}.png"
        figure.savefig(path)
        plt.close(figure)
        paths.append(path)
    return paths
