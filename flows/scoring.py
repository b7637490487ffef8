"""The promoted risk model's scores for a night, when a model is promoted (else none).

Scores only order the work within the policy's priority bands; they never change a decision.
Scored are the households with an open case and those a delivery of the past week lists (a
case may open for them tonight), each with the features known on the night.
"""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pandas as pd

from connectors.database import registry
from connectors.database import risk_history as record
from connectors.database.engine import session_scope
from flows.resources import Resources

logger = logging.getLogger(__name__)
#: Households a delivery listed this many days before the night are scored too.
RECENT_DAYS = 7


def households_to_score(
    history_cases: pd.DataFrame, signals: pd.DataFrame, night: date
) -> list[str]:
    """Open cases on the night, and households delivered in the past week (known by then)."""
    at = pd.Timestamp(night)
    opened = pd.to_datetime(history_cases["opened_on"]) <= at
    closed = pd.to_datetime(history_cases["closed_on"])
    open_now = history_cases.loc[opened & (closed.isna() | (closed > at)), "household_key"]
    known = pd.to_datetime(signals["known_on"])
    recent = signals.loc[(known <= at) & (known > at - pd.Timedelta(days=RECENT_DAYS))]
    return sorted(set(open_now.dropna()) | set(recent["household_key"].dropna()))


def night_scores(res: Resources, night: date) -> pd.DataFrame | None:
    """``household_key, score, model_version, reasons_nl`` of the open cases, or None.

    None while no model is promoted, so the rules' own order stands.
    """
    # Imported here: scikit-learn costs seconds at start-up, and most nights score nothing.
    from signals.risk import estimators, explain
    from signals.risk.features import build_features

    with session_scope(res.engine) as session:
        promoted = registry.promoted_model(session)
        if promoted is None:
            return None
        entry, model = promoted
        history = record.load_history(session)
    households = households_to_score(history.cases, history.signals, night)
    if not households:
        return None
    rows = pd.DataFrame({"night": pd.Timestamp(night), "household_key": households})
    features = build_features(rows, history)
    missing = sorted(set(entry.features) - set(features.columns))
    if missing:
        # A model trained on features this version no longer builds cannot score: the night
        # goes on in the rules' order rather than failing.
        logger.error(
            "promoted model %s needs features %s that are not built; the rules' order stands",
            entry.version,
            ", ".join(missing),
        )
        return None
    score = estimators.score(model, features)
    reasons = explain.reasons(model, features)
    return pd.DataFrame(
        {
            "household_key": features["household_key"].astype("string"),
            "score": np.round(score, 6),
            "model_version": entry.version,
            "reasons_nl": reasons["reasons_nl"].to_numpy(),
        }
    )
