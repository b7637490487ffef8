"""Small hand-built histories for the risk tests, as the connectors would load them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from signals.risk.features import History, feature_names

SIGNAL_COLUMNS = [
    "household_key",
    "partner",
    "partner_type",
    "delivery_date",
    "known_on",
    "amount",
    "arrears_months",
    "arrears_since",
    "crisis_kind",
    "signal_state",
    "age_at_signal",
    "wijkcode",
]
TYPES = {
    "domesta": "Huur",
    "energie": "Energie",
    "water": "Water",
    "zorg": "Zorg",
    "bank": "Overige",
}


def signal(
    household: str, partner: str, delivered: str, amount: float | None, **extra: Any
) -> dict:
    row: dict[str, Any] = {
        "household_key": household,
        "partner": partner,
        "partner_type": TYPES[partner],
        "delivery_date": pd.Timestamp(delivered),
        "known_on": pd.Timestamp(extra.pop("known_on", delivered)),
        "amount": amount,
        "arrears_months": extra.pop("months", None),
        "arrears_since": pd.Timestamp(extra.pop("since", "2025-09-01")),
        "crisis_kind": extra.pop("crisis", None),
        "signal_state": extra.pop("state", "repeat"),
        "age_at_signal": extra.pop("age", 40),
        "wijkcode": extra.pop("wijk", "WK011800"),
    }
    assert not extra, extra
    return row


def history(
    signals: list[dict],
    aftercare: list[dict] | None = None,
    attempts: list[dict] | None = None,
    cases: list[dict] | None = None,
) -> History:
    frame = pd.DataFrame(signals, columns=SIGNAL_COLUMNS)
    deliveries = (
        frame[["partner", "delivery_date", "known_on"]]
        .drop_duplicates(["partner", "delivery_date"])
        .reset_index(drop=True)
    )
    return History(
        signals=frame,
        deliveries=deliveries,
        aftercare=pd.DataFrame(
            aftercare or [],
            columns=["household_key", "trajectory_end_date", "trajectory_outcome", "known_on"],
        ),
        attempts=pd.DataFrame(
            attempts or [], columns=["household_key", "attempt_date", "reached", "recorded_on"]
        ),
        cases=pd.DataFrame(
            cases or [],
            columns=["case_id", "household_key", "opened_on", "closed_on", "picked_up_on"],
        ),
    )


def matrix(n: int = 600, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Synthetic feature rows whose escalation is driven by rent growth and a second partner."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(0.0, index=range(n), columns=feature_names())
    x["growth_Huur_3m"] = rng.choice([0.0, 0.0, 300.0, 600.0], size=n)
    x["partners_6m"] = rng.choice([1.0, 1.0, 1.0, 2.0], size=n)
    x["current_total"] = rng.uniform(100, 3000, size=n)
    x["n_Zorg_ooit"] = rng.integers(0, 6, size=n).astype(float)  # noise
    logit = -3 + x["growth_Huur_3m"] / 150 + 1.5 * (x["partners_6m"] - 1)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    x["band"] = 4
    return x, y.to_numpy()
