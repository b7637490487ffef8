"""Charts as inline SVG drawn on the server: no script, no CDN, no style attribute (the CSP
allows none). Presentation attributes only; the table beside each chart holds its numbers."""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from signals.monitor.charts import Chart, axis_label

#: Okabe–Ito: told apart by people with a colour vision deficiency.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#2a7fb8", "#000000")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44


def _format(value: float, percent: bool) -> str:
    return axis_label(value, percent)


def _nice_max(value: float, percent: bool) -> float:
    if percent:
        return 1.0 if value > 0.5 else max(0.1, math.ceil(value * 10) / 10)
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def render_svg(chart: Chart, chart_id: str) -> Markup:
    """The chart as an accessible ``<svg role="img">`` with a title and a description."""
    values = [y for series in chart.series for y in series.y if y is not None]
    xs = [x for series in chart.series for x in series.x] + [x for x, _ in chart.x_ticks]
    legend_rows = max(1, math.ceil(len(chart.series) / 3))
    height = HEIGHT + 18 * legend_rows
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    low_x, high_x = (min(xs), max(xs)) if xs else (0.0, 1.0)
    bar = chart.kind == "bar"
    pad = 0.5 if bar or chart.kind == "line" else 0.0
    span = (high_x - low_x) + 2 * pad or 1.0
    top = _nice_max(max(values) if values else 0.0, chart.percent)

    def sx(x: float) -> float:
        return LEFT + (x - low_x + pad) / span * plot_w

    def sy(y: float) -> float:
        return TOP + plot_h - (y / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-titel {chart_id}-uitleg" '
        f'class="vs-chart">',
        f'<title id="{chart_id}-titel">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-uitleg">{escape(_description(chart))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<defs><pattern id="{chart_id}-verborgen" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#e6e6e6"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#6b6b6b" stroke-width="2"/></pattern></defs>',
    ]
    for step in range(5):
        value = top * step / 4
        y = sy(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">{escape(_format(value, chart.percent))}</text>'
        )
    every = max(1, math.ceil(len(chart.x_ticks) / 12))
    for number, (x, text) in enumerate(chart.x_ticks):
        if number % every:
            continue
        parts.append(
            f'<text x="{sx(x):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" font-size="12" '
            f'fill="#1a1a1a">{escape(text)}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'stroke="#1a1a1a" stroke-width="1"/>'
    )
    width = 0.8 / max(1, len(chart.series)) * (plot_w / span) if bar else 0.0
    for number, series in enumerate(chart.series):
        colour = COLOURS[number % len(COLOURS)]
        if bar:
            for position, count in zip(series.x, series.y, strict=True):
                if count is None or count <= 0:
                    continue
                left = sx(position) - 0.4 * (plot_w / span) + number * width
                parts.append(
                    f'<rect x="{left:.1f}" y="{sy(count):.1f}" width="{max(width - 1, 1):.1f}" '
                    f'height="{sy(0) - sy(count):.1f}" fill="{colour}"/>'
                )
            continue
        for segment in _segments(series.x, series.y):
            if chart.kind == "step":
                path = f"M{sx(segment[0][0]):.1f},{sy(segment[0][1]):.1f}"
                for x1, y1 in segment[1:]:
                    path += f" H{sx(x1):.1f} V{sy(y1):.1f}"
                parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            else:
                points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in segment)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"/>'
                )
                for x, y in segment:
                    parts.append(
                        f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="{colour}"/>'
                    )
    for number, series in enumerate(chart.series):
        for position in series.hidden:  # a hidden value: a hatched grey marker on the axis
            left = (
                sx(position) - 0.4 * (plot_w / span) + number * width if bar else sx(position) - 5
            )
            parts.append(
                f'<rect x="{left:.1f}" y="{TOP + plot_h - 16}" width="{max(width - 1, 10):.1f}" '
                f'height="16" fill="url(#{chart_id}-verborgen)" stroke="#6b6b6b" '
                f'stroke-width="1" class="vs-hidden-value"><title>{escape(series.name)}: '
                f"verborgen</title></rect>"
            )
    if any(series.hidden for series in chart.series):
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{TOP + 12}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">gearceerd = verborgen</text>'
        )
    for number, series in enumerate(chart.series):
        row, column = divmod(number, 3)
        x = LEFT + column * 190
        y = HEIGHT + row * 18 - 6
        colour = COLOURS[number % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 18}" y="{y}" font-size="12" fill="#1a1a1a">'
            f"{escape(series.name[:28])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _segments(xs: list[float], ys: list[float | None]) -> list[list[tuple[float, float]]]:
    """Runs of known points: a hidden value breaks the line."""
    segments: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((x, y))
    return [segment for segment in segments if segment]


def _description(chart: Chart) -> str:
    names = ", ".join(series.name for series in chart.series) or "geen gegevens"
    return (
        f"{chart.title}: {names}. De getallen staan in de tabel naast de grafiek; "
        "afgeschermde waarden ontbreken in de grafiek."
    )
