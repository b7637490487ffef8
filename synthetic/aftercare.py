"""Debt-help trajectories: finished ones before the period (the nazorg file) and intakes.

A household that finished a trajectory keeps a raised stress level: some of them signal again
(a relapse). Intakes during the period come from households in arrears at several partners;
a share of those trajectories is broken off within months and then appears in the nazorg file.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

OUTCOMES = ("schuldregeling_geslaagd", "saneringskrediet", "budgetbeheer_afgerond", "afgebroken")
_OUTCOME_P = (0.45, 0.2, 0.2, 0.15)
RELAPSE_STRESS = 0.6  # added to the stress level of a household after a trajectory


def prior_trajectories(
    level: np.ndarray, start: date, end: date, rng: np.random.Generator
) -> pd.DataFrame:
    """Trajectories ending in the two years before ``start`` up to ``end``, stress-weighted."""
    n = len(level)
    count = max(1, round(n * 0.012))
    weight = np.exp(1.2 * level)
    households = np.sort(rng.choice(n, size=count, replace=False, p=weight / weight.sum()))
    span = (end - start).days + 730
    ends = [
        start - timedelta(days=730) + timedelta(days=int(d)) for d in rng.integers(0, span, count)
    ]
    years = rng.integers(1, 4, count)
    return pd.DataFrame(
        {
            "household": households,
            "end_date": ends,
            "start_year": [e.year - int(y) for e, y in zip(ends, years, strict=True)],
            "outcome": rng.choice(OUTCOMES, size=count, p=_OUTCOME_P),
            "source": "prior",
        }
    )


def intakes(
    stress: np.ndarray, arrears_partners: np.ndarray, first_month: int, rng: np.random.Generator
) -> np.ndarray:
    """Month index of a debt-help intake per household (−1: none) during the output months."""
    n, t_total = stress.shape
    intake = np.full(n, -1, dtype=np.int64)
    for t in range(first_month, t_total):
        eligible = (intake < 0) & (arrears_partners[:, t] >= 2) & (stress[:, t] > 1.0)
        intake = np.where(eligible & (rng.random(n) < 0.08), t, intake)
    return intake


def broken_off(
    intake: np.ndarray, month_starts: list[date], rng: np.random.Generator
) -> pd.DataFrame:
    """Trajectories from ``intake`` that are broken off after 3–8 months (``afgebroken``)."""
    idx = np.nonzero(intake >= 0)[0]
    idx = idx[rng.random(len(idx)) < 0.2]
    ends = []
    for h, months in zip(idx, rng.integers(3, 9, len(idx)), strict=True):
        base = month_starts[min(int(intake[h]), len(month_starts) - 1)]
        ends.append(base + timedelta(days=int(30.4 * months) + int(rng.integers(0, 20))))
    return pd.DataFrame(
        {
            "household": idx,
            "end_date": ends,
            "start_year": [month_starts[int(intake[h])].year for h in idx],
            "outcome": "afgebroken",
            "source": "intake",
        }
    )


def with_dossier_ids(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Number dossiers per start year in end-date order: ``GKB-2024-0311``."""
    out = trajectories.sort_values(["end_date", "household"], kind="stable").reset_index(drop=True)
    seq = out.groupby("start_year").cumcount() + 1
    out["dossier_id"] = [f"GKB-{y}-{s:04d}" for y, s in zip(out["start_year"], seq, strict=True)]
    return out
