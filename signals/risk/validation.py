"""Rolling-origin temporal validation, with the label window as the gap.

At an origin T a model may learn only from nights whose label window closed by T
(``night + window <= T``): those are the labels the pipeline had seen at T. It is tested on
the nights of the period after T, whose labels are observed later. Origins step back from the
newest period whose labels are complete, so the splits are the most recent ones.

A model is chosen only when it is stably better than the rules: its mean expected
precision@k over the splits beats the rules', and it is at least as good in all but one split.
Otherwise the rules' order stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from signals.risk import estimators, metrics

MIN_SPLITS: Final = 4
#: Models that may be offered for promotion (the baselines only measure).
CHOOSABLE: Final = ("logistic", "boosting")


class NotEnoughHistoryError(ValueError):
    """The record is too short for the splits asked for."""


@dataclass(frozen=True)
class Split:
    number: int
    origin: pd.Timestamp
    train_nights: tuple[pd.Timestamp, ...]
    test_nights: tuple[pd.Timestamp, ...]

    def describe(self) -> dict[str, str]:
        return {
            "split": str(self.number),
            "origin": self.origin.date().isoformat(),
            "train": f"{self.train_nights[0].date()} .. {self.train_nights[-1].date()}",
            "test": f"{self.test_nights[0].date()} .. {self.test_nights[-1].date()}",
        }


def rolling_splits(
    nights: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    last_night: pd.Timestamp,
    window_days: int,
    n_splits: int = MIN_SPLITS,
    test_days: int = 28,
    min_train_nights: int = 4,
) -> list[Split]:
    """The ``n_splits`` most recent splits, oldest first; raises when fewer fit."""
    all_nights = pd.DatetimeIndex(sorted(set(pd.DatetimeIndex(list(nights)))))
    window, step = pd.Timedelta(days=window_days), pd.Timedelta(days=test_days)
    newest_origin = pd.Timestamp(last_night) - window - step
    splits: list[Split] = []
    origin = newest_origin
    while len(splits) < n_splits:
        train = all_nights[all_nights + window <= origin]
        test = all_nights[(all_nights > origin) & (all_nights <= origin + step)]
        if len(train) < min_train_nights:
            break
        if len(test):
            splits.append(Split(0, origin, tuple(train), tuple(test)))
        origin -= step
    if len(splits) < n_splits:
        raise NotEnoughHistoryError(
            f"the record holds {len(splits)} rolling splits for a {window_days}-day label "
            f"window, {n_splits} are needed; use a shorter label window or wait for more history"
        )
    ordered = sorted(splits, key=lambda s: s.origin)
    return [Split(i + 1, s.origin, s.train_nights, s.test_nights) for i, s in enumerate(ordered)]


@dataclass
class Backtest:
    """Metrics per split and model, and the pooled test predictions."""

    splits: list[Split]
    metrics: pd.DataFrame  # one row per (split, model)
    predictions: pd.DataFrame  # test rows: split, model, night, household_key, label, score, ...
    chosen: str = "rules"
    reasons: list[str] = field(default_factory=list)


def evaluate(
    frame: pd.DataFrame, probability: np.ndarray, key: pd.Series, capacity: Mapping[str, int]
) -> dict[str, float]:
    label = frame["label"].to_numpy(dtype=int)
    out = metrics.at_capacity(frame, key, capacity)
    out.update(metrics.ranking(label, probability))
    out.update(metrics.reached_before_escalation(frame, key, capacity))
    # The score alone (no bands): how well it ranks, apart from the policy's order.
    free = metrics.at_capacity(frame, metrics.score_key(frame, probability), capacity)
    out.update({f"free_{name}": value for name, value in free.items() if "precision" in name})
    return out


def backtest(
    rows: pd.DataFrame,
    splits: Sequence[Split],
    capacity: Mapping[str, int],
    candidates: Sequence[str] = estimators.CANDIDATES,
    features: Sequence[str] | None = None,
) -> Backtest:
    """Fit every candidate per split on its training nights, score its test nights.

    ``rows`` are labelled feature rows (``label``, ``observed``, ``band``, ``team``, ...).
    """
    observed = rows[rows["observed"]].reset_index(drop=True)
    records: list[dict[str, Any]] = []
    predicted: list[pd.DataFrame] = []
    for split in splits:
        train = observed[observed["night"].isin(split.train_nights)]
        test = observed[observed["night"].isin(split.test_nights)].reset_index(drop=True)
        for name in candidates:
            model = estimators.make(name, features)
            model.fit(train, train["label"].to_numpy(dtype=int))
            probability = estimators.score(model, test)
            key = metrics.work_key(test, probability)
            record: dict[str, Any] = {"split": split.number, "model": name}
            record.update(evaluate(test, probability, key, capacity))
            record.update({"train_rows": len(train), "test_rows": len(test)})
            records.append(record)
            keep = test[["night", "household_key", "label", "band", "team", "age_band", "wijkcode"]]
            predicted.append(keep.assign(split=split.number, model=name, score=probability))
    table = pd.DataFrame(records)
    result = Backtest(list(splits), table, pd.concat(predicted, ignore_index=True))
    result.chosen, result.reasons = choose(table)
    return result


def choose(table: pd.DataFrame, baseline: str = "rules") -> tuple[str, list[str]]:
    """The model to offer for promotion, or the baseline; with the reasons in plain words."""
    wide = table.pivot(index="split", columns="model", values="precision_expected")
    if baseline not in wide.columns:
        raise ValueError(f"the backtest has no {baseline!r} baseline")
    base = wide[baseline]
    reasons: list[str] = []
    best_name, best_value = baseline, float(base.mean())
    for name in wide.columns:
        if name not in CHOOSABLE:
            continue
        wins = int((wide[name] >= base).sum())
        mean = float(wide[name].mean())
        stable = wins >= len(wide) - 1
        reasons.append(
            f"{name}: mean precision@k {mean:.3f} vs rules {float(base.mean()):.3f}, "
            f"at least as good in {wins} of {len(wide)} splits"
        )
        if stable and mean > best_value:
            best_name, best_value = name, mean
    if best_name == baseline:
        reasons.append("no model beats the rules stably: the rules' order stays the default")
    else:
        reasons.append(f"{best_name} beats the rules stably and may be promoted")
    return best_name, reasons
