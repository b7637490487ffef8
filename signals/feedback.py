"""What a signal partner may learn about its signals: only "opgepakt" or "niet opgepakt".

Partners never see why a signal was not picked up (DOMAIN.md, privacy), so the reason, rule
and household are dropped here. A signal that has not been decided yet (no decision, or
"Nog niet opgepakt") gets no feedback: telling the partner "niet opgepakt" could be wrong
tomorrow. A partner's snapshot deliveries repeat a signal monthly; the latest delivery's
decision is the one fed back.
"""

from __future__ import annotations

import pandas as pd

from signals import ddas
from signals.schema import DATE, STRING, conform

PARTNER_FEEDBACK_SCHEMA: dict[str, str] = {
    "signaal_id": STRING,  # the partner's own id of the signal
    "signaaldatum": DATE,
    "terugkoppeling": STRING,  # "opgepakt" | "niet opgepakt"
}


def build_partner_feedback(
    signals: pd.DataFrame, decisions: pd.DataFrame, partner: str
) -> pd.DataFrame:
    """Feedback for one partner (its id, e.g. ``"domesta"``), sorted by date and signal id."""
    own = signals.loc[
        signals["partner"] == partner, ["signal_key", "signal_id", "signal_date", "delivery_date"]
    ]
    decided = decisions.loc[decisions["status"].notna(), ["signal_key", "status"]]
    unknown = set(decided["status"]) - set(ddas.SIGNAL_STATUSES)
    if unknown:
        raise ValueError(f"decision status(es) not in DDAS EnumSignaalstatus: {sorted(unknown)}")
    merged = own.merge(decided, on="signal_key", how="inner", validate="one_to_one")
    merged = merged[merged["status"] != ddas.STATUS_PENDING]
    latest = merged.sort_values("delivery_date", kind="stable").drop_duplicates(
        ["signal_id", "signal_date"], keep="last"
    )
    feedback = pd.DataFrame(
        {
            "signaal_id": latest["signal_id"],
            "signaaldatum": latest["signal_date"],
            "terugkoppeling": latest["status"].map(_feedback),
        }
    )
    ordered = feedback.sort_values(["signaaldatum", "signaal_id"], kind="stable")
    return conform(ordered, PARTNER_FEEDBACK_SCHEMA)


def _feedback(status: str) -> str:
    if status == ddas.STATUS_PICKED_UP:
        return ddas.FEEDBACK_PICKED_UP
    return ddas.FEEDBACK_NOT_PICKED_UP
