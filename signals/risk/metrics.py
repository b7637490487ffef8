"""Metrics at the teams' capacity: who gets planned this week, and was it the right ones.

On a night every team plans its ``capacity`` tasks from the top of its work order: the
policy's band first, then the order under test (the model's score, or the rules' amount).
Precision@k is the share of planned households that escalated within the window, recall@k
the share of escalating households that were planned. Tied scores at the capacity boundary
make the selection ambiguous, so both come with the best and worst case and the expectation
(a random pick among the ties).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, cast

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from signals.risk.estimators import NO_BAND

UNKNOWN_TEAM: Final = "(geen team)"


def work_key(frame: pd.DataFrame, score: pd.Series | np.ndarray) -> pd.Series:
    """A single sort key (highest first) per row: band first, then ``score`` within it.

    The score becomes its rank share within the night, so equal scores stay equal (ties).
    """
    values = pd.Series(np.asarray(score, dtype=float), index=frame.index)
    ranked = values.groupby(frame["night"]).rank(method="min")
    sizes = values.groupby(frame["night"]).transform("size")
    band = pd.to_numeric(frame["band"]).fillna(NO_BAND).astype(float)
    return -band + ranked / (sizes + 1.0)


def score_key(frame: pd.DataFrame, score: pd.Series | np.ndarray) -> pd.Series:
    """The score alone as the work order, ignoring the policy's bands (ranking quality)."""
    values = pd.Series(np.asarray(score, dtype=float), index=frame.index)
    return values.groupby(frame["night"]).rank(method="min") / (
        values.groupby(frame["night"]).transform("size") + 1.0
    )


def top_k_counts(key: np.ndarray, label: np.ndarray, k: int) -> tuple[float, float, float]:
    """Positives among the top ``k`` by ``key``: (worst, expected, best) under ties."""
    n = len(key)
    k = min(k, n)
    if k <= 0:
        return 0.0, 0.0, 0.0
    order = np.sort(key)[::-1]
    threshold = order[k - 1]
    above = key > threshold
    tied = key == threshold
    sure = float(label[above].sum())
    room = k - int(above.sum())
    tied_pos = float(label[tied].sum())
    tied_n = int(tied.sum())
    best = sure + min(room, tied_pos)
    worst = sure + max(0.0, room - (tied_n - tied_pos))
    expected = sure + room * (tied_pos / tied_n if tied_n else 0.0)
    return worst, expected, best


def selection(frame: pd.DataFrame, key: pd.Series, capacity: Mapping[str, int]) -> pd.DataFrame:
    """Per night and team: capacity used, positives planned (worst/expected/best), positives.

    Households without a team (no open task) are never planned but count as positives.
    """
    teams = frame["team"].astype("string").fillna(UNKNOWN_TEAM)
    rows = []
    label = frame["label"].to_numpy(dtype=float)
    values = key.to_numpy(dtype=float)
    for group, index in frame.groupby([frame["night"], teams]).indices.items():
        night, team = cast(tuple[Any, Any], group)
        k = int(capacity.get(str(team), 0))
        worst, expected, best = top_k_counts(values[index], label[index], k)
        rows.append(
            {
                "night": night,
                "team": team,
                "k": min(k, len(index)),
                "worst": worst,
                "expected": expected,
                "best": best,
                "positives": float(label[index].sum()),
            }
        )
    return pd.DataFrame(rows)


def at_capacity(
    frame: pd.DataFrame, key: pd.Series, capacity: Mapping[str, int]
) -> dict[str, float]:
    """Precision@k and recall@k (fractions; worst/expected/best), averaged over the nights."""
    picked = selection(frame, key, capacity)
    per_night = picked.groupby("night")[["k", "worst", "expected", "best", "positives"]].sum()
    k = per_night["k"].replace(0, np.nan)
    positives = per_night["positives"].replace(0, np.nan)
    out: dict[str, float] = {"k": float(per_night["k"].mean())}
    for bound in ("worst", "expected", "best"):
        out[f"precision_{bound}"] = float((per_night[bound] / k).mean())
        out[f"recall_{bound}"] = float((per_night[bound] / positives).mean())
    out["base_rate"] = float(frame["label"].mean()) if len(frame) else float("nan")
    return out


def planned_share(frame: pd.DataFrame, key: pd.Series, capacity: Mapping[str, int]) -> np.ndarray:
    """Per row the chance it is planned within its team's capacity that night (ties shared)."""
    teams = frame["team"].astype("string").fillna(UNKNOWN_TEAM)
    planned = np.zeros(len(frame))
    values = key.to_numpy(dtype=float)
    for group, index in frame.groupby([frame["night"], teams]).indices.items():
        team = cast(tuple[Any, Any], group)[1]
        k = min(int(capacity.get(str(team), 0)), len(index))
        if k <= 0:
            continue
        part = values[index]
        threshold = np.sort(part)[::-1][k - 1]
        above, tied = part > threshold, part == threshold
        planned[index] = np.where(above, 1.0, np.where(tied, (k - above.sum()) / tied.sum(), 0.0))
    return planned


def reached_before_escalation(
    frame: pd.DataFrame, key: pd.Series, capacity: Mapping[str, int]
) -> dict[str, float]:
    """Of the households that escalated, how many were planned within capacity on a night
    before their escalation (the operational figure). Expected counts under ties."""
    planned = planned_share(frame, key, capacity)
    escalating = frame.assign(_planned=planned)
    escalating = escalating[escalating["label"] == 1]
    before = escalating[
        pd.to_datetime(escalating["night"]) < pd.to_datetime(escalating["escalated_on"])
    ]
    # A household counts as reached when planned on any night before its escalation.
    chance_missed = (1.0 - before["_planned"]).groupby(before["household_key"]).prod()
    households = escalating["household_key"].nunique()
    reached = float((1.0 - chance_missed).sum())
    return {
        "escalated_households": float(households),
        "reached_before": reached,
        "reached_share": reached / households if households else float("nan"),
    }


def ranking(label: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """AUC and Brier score of pooled predictions."""
    out = {"auc": float("nan"), "brier": float("nan")}
    if len(np.unique(label)) == 2:
        out["auc"] = float(roc_auc_score(label, probability))
    if len(label):
        out["brier"] = float(brier_score_loss(label, np.clip(probability, 0.0, 1.0)))
    return out


def reliability(label: np.ndarray, probability: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """``predicted, observed`` per quantile bin of the predictions (the reliability curve)."""
    if len(np.unique(label)) < 2:
        return pd.DataFrame(columns=["predicted", "observed"])
    observed, predicted = calibration_curve(
        label, np.clip(probability, 0.0, 1.0), n_bins=bins, strategy="quantile"
    )
    return pd.DataFrame({"predicted": predicted, "observed": observed})
