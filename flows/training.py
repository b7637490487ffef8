"""Training the risk model: backtest every candidate against the rules, store the best one.

Wiring only: the record is read (``connectors.database.risk_history``), the pure risk code
labels, builds features, backtests and explains (``signals.risk``), and the registry stores the
model with its evaluation (``connectors.database.registry``). Nothing is promoted here:
promoting is the explicit ``vroegsignaal model promote``. The weekly ``train`` deployment runs
:func:`train`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from prefect import flow
from prefect.artifacts import create_markdown_artifact

import flows  # noqa: F401
from connectors.database import registry
from connectors.database import risk_history as record
from connectors.database.engine import session_scope
from connectors.exports.risk_reports import write_reports
from connectors.settings import Settings, get_settings
from flows.logs import forward_our_loggers
from flows.resources import Resources, resources
from signals.risk import audit, estimators, metrics, problem, report, validation
from signals.risk.features import build_features, feature_names

logger = logging.getLogger(__name__)


class NoHistoryError(LookupError):
    """No night has run yet: there is nothing to learn from."""


class TrainingResult(NamedTuple):
    """What a training run produced, in figures a reader can check.

    (A NamedTuple, not a dataclass: Prefect's deployment loader imports this file under
    another module name, where dataclasses cannot resolve their annotations.)
    """

    version: str
    model_name: str
    beats_rules: bool
    backtest: validation.Backtest
    audit: pd.DataFrame
    summary: pd.DataFrame  # per model: mean/min/max of the split metrics
    reports: list[Path]
    rows: int
    label_window_days: int


def labelled_rows(res: Resources, window_days: int) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Every weekly night's cohort, with band/team as they stood, labels and features."""
    with session_scope(res.engine) as session:
        last = record.last_night(session)
        if last is None:
            raise NoHistoryError("no night has run yet: run the pipeline before training")
        history = record.load_history(session)
        tasks = record.load_task_history(session)
    first = pd.to_datetime(history.cases["opened_on"]).min()
    nights = problem.scoring_nights(first if pd.notna(first) else last, last)
    rows = problem.cohort(history.cases, nights)
    rows = problem.work_as_of(rows, tasks)
    rows = problem.label(rows, problem.escalations(history.signals), last, window_days)
    return build_features(rows, history), last


def data_hash(rows: pd.DataFrame) -> str:
    """SHA-256 over the training rows (features and labels), independent of the row order."""
    columns = ["night", "household_key", "label", *feature_names()]
    ordered = rows[columns].sort_values(["night", "household_key"]).reset_index(drop=True)
    hashed = pd.util.hash_pandas_object(ordered, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Per model the mean, min and max of each split metric."""
    numeric = table.drop(columns=["split"]).groupby("model")
    names = [c for c in table.columns if c not in ("split", "model")]
    return numeric[names].agg(["mean", "min", "max"])


def run_training(
    settings: Settings,
    *,
    window_days: int = problem.LABEL_WINDOW_DAYS,
    n_splits: int = validation.MIN_SPLITS,
    test_days: int = 28,
    report_dir: Path | None = None,
    model_card: Path | None = None,
    now: dt.datetime | None = None,
) -> TrainingResult:
    """Backtest, fit the best model on every observed night, store it as a candidate, and
    write the model card and the HTML backtest report."""
    res = resources(settings)
    rows, last = labelled_rows(res, window_days)
    capacity = res.policy_book.in_force(last.date()).weekly_capacity()
    nights = sorted(rows["night"].unique())
    splits = validation.rolling_splits(nights, last, window_days, n_splits, test_days)
    result = validation.backtest(rows, splits, capacity)
    summary = summarise(result.metrics)
    # The model to store: the chosen one, else the best candidate (kept as "does not beat").
    means = result.metrics.groupby("model")["precision_expected"].mean()
    best = result.chosen
    if best not in validation.CHOOSABLE:
        best = str(means[list(validation.CHOOSABLE)].idxmax())
    beats = result.chosen == best
    observed = rows[rows["observed"]]
    model = estimators.make(best).fit(observed, observed["label"].to_numpy(dtype=int))

    pooled = result.predictions
    ours = pooled[pooled["model"] == best].reset_index(drop=True)
    rules = pooled[pooled["model"] == "rules"].reset_index(drop=True)
    audit_table = audit.bias_audit(ours, metrics.work_key(ours, ours["score"]), capacity)
    rules_audit = audit.bias_audit(rules, metrics.work_key(rules, rules["score"]), capacity)

    trained_at = now or dt.datetime.now(dt.UTC)
    version = f"{best}-{trained_at:%Y%m%d%H%M%S}"
    evaluation: dict[str, Any] = {
        "splits": [s.describe() for s in splits],
        "per_split": _records(result.metrics),
        "chosen": result.chosen,
        "reasons": result.reasons,
        "capacity": capacity,
        "audit": _records(audit_table),
        "rules_audit": _records(rules_audit),
        "reliability": {
            name: _records(
                metrics.reliability(
                    part["label"].to_numpy(dtype=int), part["score"].to_numpy(dtype=float)
                )
            )
            for name, part in pooled.groupby("model")
        },
        "rows": len(observed),
        "base_rate": float(observed["label"].mean()),
    }
    with session_scope(res.engine) as session:
        registry.save_model(
            session,
            model,
            version=version,
            model_name=best,
            trained_at=trained_at,
            train_from=pd.Timestamp(observed["night"].min()).date(),
            train_to=pd.Timestamp(observed["night"].max()).date(),
            label_window_days=window_days,
            features=feature_names(),
            params=_params(model),
            metrics=evaluation,
            data_hash=data_hash(observed),
            beats_rules=beats,
        )
    card = report.model_card(version, best, beats, evaluation, window_days, splits)
    html = report.backtest_html(version, best, evaluation, pooled)
    paths = write_reports(report_dir or settings.data_dir / "reports", card, html, model_card)
    logger.info("trained %s on %d rows; beats the rules: %s", version, len(observed), beats)
    return TrainingResult(
        version, best, beats, result, audit_table, summary, paths, len(observed), window_days
    )


def _params(model: Any) -> dict[str, Any]:
    """The estimator's parameters, as JSON (the column selection left out: it is ``features``)."""
    params = model.get_params(deep=True)
    return {
        name: value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
        for name, value in params.items()
        if "__" in name and not name.startswith("select")
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.replace({np.nan: None})
    return [
        {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in clean.to_dict(orient="records")
    ]


@flow(name="train", log_prints=False)
def train(window_days: int = problem.LABEL_WINDOW_DAYS, n_splits: int = 4) -> str:
    """The weekly training run: a new candidate model and its reports (never promoted here)."""
    forward_our_loggers()
    result = run_training(get_settings(), window_days=window_days, n_splits=n_splits)
    create_markdown_artifact(
        markdown=report.summary_markdown(result.version, result.beats_rules, result.summary),
        key="risk-training",
    )
    return result.version
