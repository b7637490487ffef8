"""Small-count suppression of published tables, with secondary suppression.

A count ``1 <= n < threshold`` is *primary* suppressed and shown as ``"<threshold"``
(``"<10"``). Zero is shown: it names nobody, and hiding it would hide most of a small
municipality's tables. Hiding the small cells alone does not protect them when the table also
shows totals: ``total - the visible cells`` gives the hidden cell back. So every additivity
relation of the table (cells along one dimension summing to their total, the margins included)
is checked, and where exactly one member of a relation is hidden, a second one is hidden too:
the most detailed, then smallest other visible cell (a non-zero one first), else the total.
This repeats until no relation has exactly one hidden member — the standard "at least two per
line" rule; it is a greedy heuristic, not a full linear-programming audit, and may hide more
than strictly needed (one signal of a rare status in a month can hide a month's headline).

A primary cell is shown as ``"<10"``; a secondary one as ``"x"`` (as CBS marks a value kept
secret): it may be large, so calling it "<10" would be untrue. Values computed from a hidden
count (a share, a rate per 1,000) are hidden with it (``"–"``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: What a margin of a dimension is called in published tables.
TOTAL = "Totaal"
#: How a value computed from a hidden count is shown.
HIDDEN_DERIVED = "–"
#: How a count hidden only to protect another one (secondary suppression) is shown.
HIDDEN_SECONDARY = "x"


def label(threshold: int) -> str:
    """How a hidden count is shown: ``"<10"`` for the default threshold."""
    return f"<{threshold}"


def with_margins(
    frame: pd.DataFrame, dimensions: Sequence[str], counts: Sequence[str]
) -> pd.DataFrame:
    """``frame`` plus a ``TOTAL`` row for every combination of margins of ``dimensions``.

    ``counts`` are summed; every subset of dimensions is collapsed in turn, so the result holds
    all cells, all subtotals and the grand total (the relations :func:`suppress` protects).
    """
    base = frame[[*dimensions, *counts]].copy()
    for name in dimensions:
        base[name] = base[name].astype("string")
    parts = [base]
    n = len(dimensions)
    for mask in range(1, 2**n):
        collapsed = [dimensions[i] for i in range(n) if mask >> i & 1]
        kept = [d for d in dimensions if d not in collapsed]
        if kept:
            summed = base.groupby(kept, dropna=False, sort=False)[list(counts)].sum().reset_index()
        else:
            summed = base[list(counts)].sum().to_frame().T
        for name in collapsed:
            summed[name] = TOTAL
        parts.append(summed[[*dimensions, *counts]])
    out = pd.concat(parts, ignore_index=True)
    for name in counts:
        out[name] = out[name].astype("int64")
    return out


def hidden_cells(
    frame: pd.DataFrame, dimensions: Sequence[str], count: str, threshold: int
) -> pd.Series:
    """Which rows of ``frame`` (cells and margins, see :func:`with_margins`) hide ``count``.

    Primary: ``0 < n < threshold``. Secondary: see the module docstring.
    """
    primary, secondary = suppression_masks(frame, dimensions, count, threshold)
    return pd.Series(primary | secondary, index=frame.index)


def suppression_masks(
    frame: pd.DataFrame, dimensions: Sequence[str], count: str, threshold: int
) -> tuple[np.ndarray, np.ndarray]:
    """(primary, secondary) hidden rows of ``count``."""
    values = frame[count].to_numpy(dtype="int64")
    primary = (values > 0) & (values < threshold)
    hidden = primary.copy()
    if not hidden.any() or not dimensions:
        return primary, np.zeros(len(frame), dtype=bool)
    relations = _relations(frame, dimensions)
    # Hide detail before margins: a subtotal hidden to protect a cell hides a headline figure.
    margins = (frame[list(dimensions)].astype("string") == TOTAL).sum(axis=1).to_numpy()
    changed = True
    while changed:
        changed = False
        for cells, total in relations:
            members = [*cells, total]
            if int(hidden[members].sum()) != 1:
                continue
            visible = [i for i in cells if not hidden[i]]
            nonzero = [i for i in visible if values[i] > 0]
            pick = nonzero or visible
            chosen = min(pick, key=lambda i: (margins[i], values[i], i)) if pick else total
            if hidden[chosen]:  # only the total is left and it is the hidden one: cannot happen
                continue
            hidden[chosen] = True
            changed = True
    return primary, hidden & ~primary


def _relations(frame: pd.DataFrame, dimensions: Sequence[str]) -> list[tuple[list[int], int]]:
    """Every "cells along one dimension sum to the total" relation, as row positions."""
    keys = frame[list(dimensions)].astype("string").fillna("").reset_index(drop=True)
    relations: list[tuple[list[int], int]] = []
    for name in dimensions:
        others = [d for d in dimensions if d != name]
        is_total = (keys[name] == TOTAL).to_numpy(dtype=bool)
        groups = keys.groupby(others, sort=False).indices if others else {(): np.arange(len(keys))}
        for positions in groups.values():
            members = np.asarray(positions)
            totals = members[is_total[members]]
            cells = members[~is_total[members]]
            if len(totals) == 1 and len(cells):
                relations.append(([int(i) for i in cells], int(totals[0])))
    return relations


def is_hidden(value: object) -> bool:
    """True for a value a suppressed table shows as hidden (``"<10"``, ``"x"`` or ``"–"``)."""
    return isinstance(value, str) and (
        value.startswith("<") or value in (HIDDEN_DERIVED, HIDDEN_SECONDARY)
    )
