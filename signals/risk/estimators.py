"""The candidate models, all scikit-learn classifiers with one interface.

Each takes the same frame ``x`` (features plus the ``band`` of the household's task, the
policy's priority band) and offers ``fit(x, y)`` / ``predict_proba(x)``. Parameters are only
stored in ``__init__``; what fitting learns ends in ``_``.

- ``rules``: the policy's own work order (band, then the total amount), Platt-scaled to a
  probability so that calibration can be compared; it orders exactly as the rules do.
- ``arrears``: the total current arrears alone (log), Platt-scaled.
- ``logistic``: standardised features, L2 logistic regression.
- ``boosting``: scikit-learn's histogram gradient boosting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from signals.risk.features import feature_names

#: Band of a household without an open task: after every band of the policy.
NO_BAND: Final = 99


def rules_key(x: pd.DataFrame) -> np.ndarray:
    """A number that sorts (highest first) like the policy: lower band first, then amount."""
    band = pd.to_numeric(x["band"]).fillna(NO_BAND).to_numpy(dtype=float)
    amount = pd.to_numeric(x["current_total"]).fillna(0.0).to_numpy(dtype=float)
    # The amount's share in (0, 1) never crosses a band boundary.
    return -band + amount / (amount + 1000.0)


def arrears_key(x: pd.DataFrame) -> np.ndarray:
    return np.log1p(pd.to_numeric(x["current_total"]).fillna(0.0).clip(lower=0).to_numpy(float))


class OrderBaseline(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A fixed ordering key, mapped to a probability by a one-feature logistic fit (Platt).

    The mapping is monotone, so the order is the key's order: the baseline is judged on
    the ranking it stands for, and its calibration is still comparable.
    """

    def __init__(self, key: str = "rules") -> None:
        self.key = key

    def _key(self, x: pd.DataFrame) -> np.ndarray:
        if self.key == "rules":
            return rules_key(x)
        if self.key == "arrears":
            return arrears_key(x)
        raise ValueError(f"unknown ordering key {self.key!r} (rules, arrears)")

    def fit(self, x: pd.DataFrame, y: Sequence[int] | np.ndarray) -> OrderBaseline:
        target = np.asarray(y, dtype=int)
        self.classes_ = np.array([0, 1])
        key = self._key(x).reshape(-1, 1)
        self.platt_ = LogisticRegression(C=1e6, max_iter=1000)
        if len(np.unique(target)) < 2:
            raise ValueError("the training nights hold only one class; widen the window")
        self.platt_.fit(key, target)
        # A monotone map must not reverse the order when the fit finds a negative slope.
        self.sign_ = 1.0 if self.platt_.coef_[0, 0] >= 0 else -1.0
        return self

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        key = self._key(x)
        z = self.sign_ * abs(self.platt_.coef_[0, 0]) * key + self.platt_.intercept_[0]
        positive = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - positive, positive])

    def order_key(self, x: pd.DataFrame) -> np.ndarray:
        return self._key(x)


def _selector(features: Sequence[str]) -> ColumnTransformer:
    return ColumnTransformer([("features", "passthrough", list(features))], remainder="drop")


def logistic(features: Sequence[str] | None = None, inverse_penalty: float = 0.1) -> Pipeline:
    names = list(features or feature_names())
    return Pipeline(
        [
            ("select", _selector(names)),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=inverse_penalty, max_iter=2000)),
        ]
    )


def boosting(features: Sequence[str] | None = None, seed: int = 118) -> Pipeline:
    names = list(features or feature_names())
    return Pipeline(
        [
            ("select", _selector(names)),
            (
                "model",
                HistGradientBoostingClassifier(
                    max_iter=200,
                    learning_rate=0.05,
                    max_leaf_nodes=15,
                    min_samples_leaf=40,
                    l2_regularization=1.0,
                    random_state=seed,
                ),
            ),
        ]
    )


#: The candidates by name; ``rules`` is the baseline every model must beat.
CANDIDATES: Final = ("rules", "arrears", "logistic", "boosting")


def make(name: str, features: Sequence[str] | None = None) -> Any:
    """A fresh, unfitted candidate by name."""
    if name in ("rules", "arrears"):
        return OrderBaseline(key=name)
    if name == "logistic":
        return logistic(features)
    if name == "boosting":
        return boosting(features)
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(CANDIDATES)}")


def score(model: Any, x: pd.DataFrame) -> np.ndarray:
    """The positive-class probability of a fitted candidate."""
    return np.asarray(model.predict_proba(x))[:, 1]
