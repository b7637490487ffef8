"""Bias audit at the operating capacity: does the order treat groups alike?

Per group (age band, wijk): how many households, how many escalated, the selection rate
(share planned within capacity), the precision among those planned and the false-negative
rate (escalating households not planned). Each rate is set against the reference group (the
largest) as a ratio; a ratio outside 0.8–1.25 is flagged. A group with fewer than
``MIN_GROUP`` households or ``MIN_POSITIVES`` escalations is reported as too small to judge —
listed, never hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from signals.risk import metrics

BAND: Final = (0.8, 1.25)
MIN_GROUP: Final = 30
MIN_POSITIVES: Final = 5
MISSING_GROUP: Final = "(onbekend)"
RATES: Final = ("selection_rate", "precision", "false_negative_rate")


def audit_table(frame: pd.DataFrame, planned: np.ndarray, by: str) -> pd.DataFrame:
    """One row per group of ``by`` with counts, rates, ratios to the reference and flags."""
    data = pd.DataFrame(
        {
            "group": frame[by].astype("string").fillna(MISSING_GROUP).to_numpy(),
            "label": frame["label"].to_numpy(dtype=float),
            "planned": planned,
        }
    )
    data["hit"] = data["planned"] * data["label"]
    grouped = data.groupby("group")
    table = pd.DataFrame(
        {
            "households": grouped.size(),
            "escalated": grouped["label"].sum(),
            "planned": grouped["planned"].sum(),
            "planned_escalated": grouped["hit"].sum(),
        }
    )
    table["selection_rate"] = table["planned"] / table["households"]
    table["precision"] = table["planned_escalated"] / table["planned"].replace(0, np.nan)
    table["false_negative_rate"] = 1.0 - table["planned_escalated"] / table["escalated"].replace(
        0, np.nan
    )
    table["too_small"] = (table["households"] < MIN_GROUP) | (table["escalated"] < MIN_POSITIVES)
    judged = table[~table["too_small"]]
    reference = str(judged["households"].idxmax()) if len(judged) else None
    table["reference"] = table.index == reference
    flags = pd.Series(False, index=table.index)
    for rate in RATES:
        base = float(table[rate].get(reference, np.nan)) if reference is not None else np.nan
        usable = bool(base) and not np.isnan(base)
        ratio = table[rate] / base if usable else pd.Series(np.nan, index=table.index)
        table[f"{rate}_ratio"] = ratio
        outside = (ratio < BAND[0]) | (ratio > BAND[1])
        flags |= outside.fillna(False) & ~table["too_small"]
    table["outside_band"] = flags
    table.insert(0, "by", by)
    return table.reset_index().rename(columns={"index": "group"})


def bias_audit(
    frame: pd.DataFrame,
    key: pd.Series,
    capacity: Mapping[str, int],
    by: tuple[str, ...] = ("age_band", "wijkcode"),
) -> pd.DataFrame:
    """The audit tables of every grouping, stacked."""
    planned = metrics.planned_share(frame, key, capacity)
    return pd.concat([audit_table(frame, planned, column) for column in by], ignore_index=True)
