"""Small hand-built histories for the risk tests, as the connectors would load them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from signals.risk.features import History

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
