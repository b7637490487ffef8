"""Backtest → model card and HTML report, on synthetic rows (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from signals.risk import audit, metrics, report, validation
from tests.risk.history import matrix

HEADINGS = (
    "## Doel (purpose)",
    "## Data",
    "## Model",
    "## Prestaties ten opzichte van de regels (performance versus the rules)",
    "## Eerlijkheid (fairness)",
    "## Menselijke tussenkomst (human oversight)",
    "## Grenzen (limits)",
    "## Contact",
)


def _rows(signal_in_features: bool) -> pd.DataFrame:
    nights = pd.date_range("2026-01-05", periods=24, freq="7D")
    x, y = matrix(len(nights) * 80, seed=3)
    rng = np.random.default_rng(4)
    if not signal_in_features:
        y = rng.permutation(y)
    rows = x.assign(
        night=np.repeat(nights, 80),
        household_key=[f"h{i % 80}" for i in range(len(x))],
        label=y,
        observed=True,
        escalated_on=pd.NaT,
        team="T",
        age_band=rng.choice(["18-26", "27-44", "45-66"], size=len(x)),
        wijkcode=rng.choice(["WK1", "WK2"], size=len(x)),
    )
    return rows


def _evaluation(rows: pd.DataFrame) -> tuple[validation.Backtest, dict, list]:
    splits = validation.rolling_splits(
        rows["night"].unique(), rows["night"].max() + pd.Timedelta(days=4), 28, 4, 14
    )
    result = validation.backtest(rows, splits, {"T": 10}, candidates=("rules", "logistic"))
    ours = result.predictions[result.predictions["model"] == "logistic"]
    table = audit.bias_audit(ours, metrics.work_key(ours, ours["score"]), {"T": 10})
    evaluation = {
        "splits": [s.describe() for s in splits],
        "per_split": result.metrics.to_dict(orient="records"),
        "reasons": result.reasons,
        "capacity": {"T": 10},
        "audit": table.to_dict(orient="records"),
        "rules_audit": table.to_dict(orient="records"),
        "reliability": {"logistic": []},
        "rows": len(rows),
        "base_rate": float(rows["label"].mean()),
    }
    return result, evaluation, splits


def test_a_model_that_learns_something_beats_the_rules_and_the_card_says_so() -> None:
    result, evaluation, splits = _evaluation(_rows(signal_in_features=True))
    assert result.chosen == "logistic"
    card = report.model_card("logistic-x", "logistic", True, evaluation, 28, splits)
    for heading in HEADINGS:
        assert heading in card
    assert "beats the rules' order stably" in card
    page = report.backtest_html("logistic-x", "logistic", evaluation, result.predictions)
    assert page.count("<svg") == 2 and "http" not in page.split("<svg")[0]


def test_when_no_model_beats_the_rules_the_card_says_the_rules_stay() -> None:
    result, evaluation, splits = _evaluation(_rows(signal_in_features=False))
    assert result.chosen == "rules"  # shuffled labels: nothing to learn (fixed seeds)
    card = report.model_card("logistic-x", "logistic", False, evaluation, 28, splits)
    assert "does not beat the rules' order stably" in card
    assert "The rules' order stays the default" in card
