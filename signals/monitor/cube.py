"""Count cubes: counts per combination of dimension levels, every margin included.

A published figure is a slice of one cube, so the page filtered on a wijk, the table of all
wijken and the XLSX all show the same (suppressed) numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

from signals.monitor.suppression import (
    HIDDEN_DERIVED,
    HIDDEN_SECONDARY,
    TOTAL,
    label,
    suppression_masks,
    with_margins,
)


def count_cube(
    units: pd.DataFrame,
    levels: Mapping[str, Sequence[str]],
    counts: Sequence[str],
) -> pd.DataFrame:
    """Sum ``counts`` of ``units`` per combination of ``levels`` (all of them, zeros included),
    with every margin (``TOTAL``). Units whose level is not listed are left out."""
    dimensions = list(levels)
    grid = pd.DataFrame(list(product(*levels.values())), columns=dimensions)
    for name in dimensions:
        grid[name] = grid[name].astype("string")
    keep = np.ones(len(units), dtype=bool)
    for name, wanted in levels.items():
        keep &= units[name].isin(list(wanted)).to_numpy(dtype=bool)
    chosen = units.loc[keep, [*dimensions, *counts]].copy()
    for name in dimensions:
        chosen[name] = chosen[name].astype("string")
    summed = chosen.groupby(dimensions, sort=False)[list(counts)].sum().reset_index()
    cells = grid.merge(summed, on=dimensions, how="left")
    for name in counts:
        cells[name] = cells[name].fillna(0).astype("int64")
    return with_margins(cells, dimensions, counts)


def cell_statistic(
    units: pd.DataFrame,
    dimensions: Sequence[str],
    value: str,
    statistic: Callable[[pd.Series], float],
    name: str,
) -> pd.DataFrame:
    """``statistic`` of ``value`` per cell and per margin (non-additive figures: medians)."""
    frames = []
    dims = list(dimensions)
    for mask in range(2 ** len(dims)):
        kept = [d for i, d in enumerate(dims) if not mask >> i & 1]
        collapsed = [d for d in dims if d not in kept]
        data = units[[*dims, value]].dropna(subset=[value])
        if kept:
            stats = data.groupby(kept, sort=False)[value].agg(statistic).rename(name).reset_index()
        else:
            stats = pd.DataFrame({name: [statistic(data[value]) if len(data) else np.nan]})
        for column in collapsed:
            stats[column] = TOTAL
        frames.append(stats[[*dims, name]])
    out = pd.concat(frames, ignore_index=True)
    for column in dims:
        out[column] = out[column].astype("string")
    return out


@dataclass
class Table:
    """One published table: a cube of counts with derived values and how to suppress them."""

    key: str  # file and sheet name, e.g. "signalen"
    title: str  # Dutch title
    note: str  # Dutch: what is counted, which is which
    dimensions: list[str]
    counts: list[str]
    values: pd.DataFrame  # cells and margins, numeric
    #: derived column -> the counts it is computed from (hidden where one of them is)
    derived: dict[str, list[str]] = field(default_factory=dict)
    #: derived column -> (count, dimension): a share of the row's ``TOTAL`` along the dimension
    shares: dict[str, tuple[str, str]] = field(default_factory=dict)
    suppressed: bool = True  # counts of people (False: files and rows, nobody in them)
    _published: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def masks(self, threshold: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per count column, its (primary, secondary) hidden rows."""
        if not self.suppressed:
            none = np.zeros(len(self.values), dtype=bool)
            return {name: (none, none) for name in self.counts}
        return {
            name: suppression_masks(self.values, self.dimensions, name, threshold)
            for name in self.counts
        }

    def published(self, threshold: int) -> pd.DataFrame:
        """The table as shown: small counts ``"<10"``, counts hidden to protect them ``"x"``,
        values derived from a hidden count ``"–"``."""
        if threshold not in self._published:
            self._published[threshold] = self._publish(threshold)
        return self._published[threshold].copy()

    def _publish(self, threshold: int) -> pd.DataFrame:
        kinds = self.masks(threshold)
        masks = {name: primary | secondary for name, (primary, secondary) in kinds.items()}
        out = self.values.copy()
        for name, sources in self.derived.items():
            hide = np.zeros(len(out), dtype=bool)
            for source in sources:
                hide |= masks[source]
            out[name] = _hide(out[name], hide, HIDDEN_DERIVED)
        for name, (count, dimension) in self.shares.items():
            hide = masks[count] | _total_hidden(
                self.values, self.dimensions, dimension, masks[count]
            )
            out[name] = _hide(out[name], hide, HIDDEN_DERIVED)
        for name in self.counts:
            primary, secondary = kinds[name]
            out[name] = _hide(out[name], primary, label(threshold))
            out[name] = _hide(out[name], secondary, HIDDEN_SECONDARY)
        return out

    def slice(self, threshold: int, **chosen: str | Sequence[str] | None) -> pd.DataFrame:
        """The published rows with the given dimension levels (``None``: every level but
        ``TOTAL``; a name not given: ``TOTAL``)."""
        table = self.published(threshold)
        keep = np.ones(len(table), dtype=bool)
        for name in self.dimensions:
            wanted = chosen.get(name, TOTAL)
            column = table[name]
            if wanted is None:
                keep &= (column != TOTAL).to_numpy(dtype=bool)
            elif isinstance(wanted, str):
                keep &= (column == wanted).to_numpy(dtype=bool)
            else:
                keep &= column.isin(list(wanted)).to_numpy(dtype=bool)
        return table[keep].reset_index(drop=True)


def _hide(column: pd.Series, hide: np.ndarray, text: str) -> pd.Series:
    out = column.astype(object).copy()
    out[hide] = text
    return out


def _total_hidden(
    values: pd.DataFrame, dimensions: Sequence[str], dimension: str, mask: np.ndarray
) -> np.ndarray:
    """Per row: whether the row's total along ``dimension`` (the share's denominator) hides."""
    others = [d for d in dimensions if d != dimension]
    keys = values[others].astype("string").agg("\x1f".join, axis=1) if others else None
    is_total = (values[dimension] == TOTAL).to_numpy(dtype=bool)
    if keys is None:
        return np.full(len(values), bool(mask[is_total].any()))
    hidden_totals = set(keys[is_total & mask])
    return keys.isin(hidden_totals).to_numpy(dtype=bool)


def ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.Series:
    """``numerator / denominator * scale`` (NA where the denominator is 0 or missing)."""
    num = numerator.astype("Float64")
    den = denominator.astype("Float64")
    out = (num / den.where(den > 0)) * scale
    return out.astype("Float64")


def share_of_total(
    values: pd.DataFrame, dimensions: Sequence[str], count: str, dimension: str
) -> pd.Series:
    """Each row's ``count`` divided by the count of its ``TOTAL`` row along ``dimension``."""
    others = [d for d in dimensions if d != dimension]
    totals = values[values[dimension] == TOTAL][[*others, count]].rename(columns={count: "_total"})
    merged = values[[*others, count]].merge(totals, on=others, how="left") if others else None
    if merged is None:
        total = values.loc[values[dimension] == TOTAL, count].iloc[0]
        return ratio(values[count], pd.Series(total, index=values.index))
    return pd.Series(ratio(merged[count], merged["_total"]).to_numpy(), index=values.index)
