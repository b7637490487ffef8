"""Per-signal triage: which DDAS status, by which rule of which policy version, and why.

Rules run in the policy's order and the first match sets the status; a signal that no rule
stops is picked up. Nothing here looks at a score: scores order work, never withhold help.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from signals.ddas import (
    STATUS_NOT_RESIDENT,
    STATUS_OTHER_REASON,
    STATUS_PICKED_UP,
    STATUS_REPEAT,
    STATUS_UNFOUNDED,
)
from signals.schema import (
    DECISION_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    PICKUP_SCHEMA,
    conform,
    empty_frame,
)
from signals.triage.policy import SignalCheck, SignalRule, TriagePolicy
from signals.triage.text import audit_suffix, euro_nl, euro_nl_series, fill_template

#: The DDAS status each kind of check leads to.
CHECK_STATUS: dict[SignalCheck, str] = {
    "not_resident": STATUS_NOT_RESIDENT,
    "no_consent": STATUS_OTHER_REASON,
    "below_minimum_amount": STATUS_UNFOUNDED,
    "outside_day_window": STATUS_UNFOUNDED,
    "repeat_not_increased": STATUS_REPEAT,
}
PICKED_UP_RULE = "opgepakt"


def triage_signals(
    signals: pd.DataFrame,
    signal_state: pd.DataFrame,
    pickups: pd.DataFrame,
    policy: TriagePolicy,
) -> pd.DataFrame:
    """One ``DECISION_SCHEMA`` row per linked signal, ordered by ``signal_key``.

    ``pickups`` (``PICKUP_SCHEMA``: household, partner, date) are earlier pick-ups of the same
    arrears at the same partner; they decide whether a repeat falls in the look-back.
    A signal without a state row counts as new: when in doubt, help is offered.
    """
    if signals.empty:
        return empty_frame(DECISION_SCHEMA)
    frame = _prepare(signals, signal_state, pickups)
    status = pd.Series(pd.NA, index=frame.index, dtype="string")
    rule = status.copy()
    reason = status.copy()
    for signal_rule in policy.signal_rules:
        hit = _CHECKS[signal_rule.check](frame, policy) & status.isna()
        if not hit.any():
            continue
        status[hit] = CHECK_STATUS[signal_rule.check]
        rule[hit] = signal_rule.id
        reason[hit] = _reasons(signal_rule, policy, frame[hit])
    picked = status.isna()
    status[picked] = STATUS_PICKED_UP
    rule[picked] = PICKED_UP_RULE
    reason[picked] = f"{policy.picked_up_reason_nl} {audit_suffix(policy.version, PICKED_UP_RULE)}"
    decisions = pd.DataFrame(
        {
            "signal_key": frame["signal_key"],
            "household_key": frame["household_key"],
            "status": status,
            "rule": rule,
            "policy_version": policy.version,
            "reason_nl": reason,
        }
    )
    return conform(decisions.sort_values("signal_key", kind="stable"), DECISION_SCHEMA)


def _prepare(signals: pd.DataFrame, state: pd.DataFrame, pickups: pd.DataFrame) -> pd.DataFrame:
    frame = conform(signals, LINKED_SIGNAL_SCHEMA)
    if frame["signal_key"].duplicated().any():
        raise ValueError("linked signals must have unique signal_key values")
    states = state[["signal_key", "signal_state"]].drop_duplicates("signal_key")
    frame = frame.merge(states, on="signal_key", how="left")
    frame["signal_state"] = frame["signal_state"].fillna("new")
    frame = frame.merge(_last_pickup(pickups), on=["household_key", "partner"], how="left")
    frame["days"] = _days_in_arrears(frame)
    return frame


def _last_pickup(pickups: pd.DataFrame) -> pd.DataFrame:
    """Per household × partner, the latest date its arrears there were picked up."""
    frame = conform(pickups, PICKUP_SCHEMA)
    latest = frame.groupby(["household_key", "partner"])["picked_up_on"].max()
    return latest.rename("last_pickup").reset_index()


def _days_in_arrears(frame: pd.DataFrame) -> pd.Series:
    derived = (frame["signal_date"] - frame["arrears_since"]).dt.days.astype("Int64")
    return frame["days_overdue"].fillna(derived)


def _not_resident(frame: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    # Missing means the linker found no address in the reference list.
    return ~frame["in_municipality"].fillna(False).astype(bool)


def _no_consent(frame: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    return frame["consent"].eq(False).fillna(False).astype(bool)


def _below_minimum(frame: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    # Round to cents so float noise never turns 75.00 into 74.999...
    below = frame["amount"].round(2) < policy.minimum_amount
    return below.fillna(False).astype(bool)


def _outside_window(frame: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    outside = pd.Series(False, index=frame.index)
    for partner_type, window in policy.day_windows.items():
        of_type = frame["partner_type"].eq(partner_type).fillna(False).astype(bool)
        days = frame["days"]
        if window.min_days is not None:
            outside |= of_type & (days < window.min_days).fillna(False).astype(bool)
        if window.max_days is not None:
            outside |= of_type & (days > window.max_days).fillna(False).astype(bool)
    # Crisis signals (end of supply, CAK, eviction) come late by design.
    return outside & ~frame["crisis"].fillna(False).astype(bool)


def _repeat_not_increased(frame: pd.DataFrame, policy: TriagePolicy) -> pd.Series:
    since = (frame["delivery_date"] - frame["last_pickup"]).dt.days
    within = (since >= 0) & (since <= policy.repeat_lookback_days)
    repeat = (frame["signal_state"].eq("repeat") & within).fillna(False).astype(bool)
    # A threatening situation (eviction, end of supply, CAK) is never a mere repeat: each
    # report of it is picked up, so the deadline and the order of the work keep it in view.
    return repeat & ~frame["crisis"].fillna(False).astype(bool)


_CHECKS: dict[SignalCheck, Callable[[pd.DataFrame, TriagePolicy], pd.Series]] = {
    "not_resident": _not_resident,
    "no_consent": _no_consent,
    "below_minimum_amount": _below_minimum,
    "outside_day_window": _outside_window,
    "repeat_not_increased": _repeat_not_increased,
}


def _reasons(rule: SignalRule, policy: TriagePolicy, frame: pd.DataFrame) -> pd.Series:
    """The rule's reason for every signal it stopped (each distinct amount formatted once)."""
    text = fill_template(
        rule.reason_nl,
        {
            "amount": euro_nl_series(frame["amount"]),
            "minimum_amount": euro_nl(policy.minimum_amount),
            "days": frame["days"].astype("Int64").astype("string").fillna("onbekend aantal"),
            "lookback_days": policy.repeat_lookback_days,
        },
        frame.index,
    )
    return text + " " + audit_suffix(policy.version, rule.id)
