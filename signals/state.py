"""Signal and household state, derived from the linked signal history (pure).

Every delivery is a partner's complete snapshot of current arrears. So a household × partner
pair is *new* when absent from that partner's previous complete delivery, *repeat* when present
with an amount that did not increase, *increased* when the amount rose, and *resolved* when a
later complete delivery of the partner no longer lists it. A partner that sent nothing (or a
rejected delivery) is no snapshot: it changes nothing.

DDAS "Niet opgepakt: herhaalde melding" is decided by triage: a ``repeat`` signal whose household
× partner was picked up within the look-back (the triage policy's ``repeat_lookback_days``); see
:func:`signals.triage.rules.triage_signals` with :func:`pickups`. An ``increased`` signal
is never a herhaalde melding.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pandas as pd

from signals.ddas import STATUS_PICKED_UP
from signals.schema import (
    HOUSEHOLD_STATE_SCHEMA,
    PICKUP_SCHEMA,
    RESOLUTION_SCHEMA,
    SIGNAL_STATE_SCHEMA,
    conform,
    empty_frame,
)

STATE_NEW = "new"
STATE_REPEAT = "repeat"
STATE_INCREASED = "increased"
CASE_SINGLE = "enkelvoudig"
CASE_MULTIPLE = "meervoudig"
CASE_RECURRING = "opeenvolgend"
PAIR = ["household_key", "partner"]


def _pair_amounts(signals: pd.DataFrame) -> pd.DataFrame:
    """Total amount per household × partner (a household may have several signals there)."""
    return (
        signals.groupby(PAIR, as_index=False, dropna=True)["amount"]
        .sum(min_count=1)
        .astype({"amount": "Float64"})  # type: ignore[call-overload]
    )


def signal_states(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """State of each signal of a partner's delivery versus its previous complete delivery.

    Amounts are compared per household × partner (summed), so two signals of one household at
    one partner share one state. A missing amount never counts as an increase.
    """
    now = _pair_amounts(current).rename(columns={"amount": "current_amount"})
    before = _pair_amounts(previous).rename(columns={"amount": "previous_amount"})
    before["seen_before"] = True
    pairs = now.merge(before, on=PAIR, how="left")
    seen = pairs["seen_before"].astype("boolean").fillna(False).astype(bool)
    rose = (pairs["current_amount"] > pairs["previous_amount"]).fillna(False).astype(bool)
    pairs["signal_state"] = STATE_REPEAT
    pairs.loc[seen & rose, "signal_state"] = STATE_INCREASED
    pairs.loc[~seen, "signal_state"] = STATE_NEW
    states = current[["signal_key", *PAIR]].merge(
        pairs[[*PAIR, "signal_state", "previous_amount"]], on=PAIR, how="left"
    )
    return conform(states, SIGNAL_STATE_SCHEMA)


def resolutions(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    partner: str,
    delivery_date: date,
    held_back: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Household × partner pairs in ``previous`` but absent from ``current`` (both complete).

    ``held_back`` are households whose row in the current delivery was quarantined: the
    partner did list them, so they are not resolved.
    """
    before = set(previous.loc[previous["partner"] == partner, "household_key"].dropna())
    now = set(current.loc[current["partner"] == partner, "household_key"].dropna())
    gone = sorted(before - now - set(held_back))
    frame = pd.DataFrame(
        {
            "household_key": gone,
            "partner": [partner] * len(gone),
            "resolved_on": [pd.Timestamp(delivery_date)] * len(gone),
        }
    )
    return conform(frame, RESOLUTION_SCHEMA)


def previous_complete_delivery(
    complete_deliveries: pd.DataFrame, partner: str, delivery_date: date
) -> pd.Timestamp | None:
    """The partner's last complete delivery date before ``delivery_date``, if any."""
    own = complete_deliveries.loc[complete_deliveries["partner"] == partner, "delivery_date"]
    earlier = own[own < pd.Timestamp(delivery_date)]
    return None if earlier.empty else pd.Timestamp(earlier.max())


def deliveries_to_state(
    history: pd.DataFrame, known: set[str], complete_deliveries: pd.DataFrame
) -> pd.DataFrame:
    """(partner, delivery_date) whose state must be derived, oldest first.

    A delivery whose signals have no state yet, and every later delivery of the same partner:
    a file that arrives late (or a re-submission) changes what "previous" meant for those.
    """
    pending = history.loc[~history["signal_key"].isin(known), ["partner", "delivery_date"]]
    if pending.empty:
        return pending.reset_index(drop=True)
    first = pending.groupby("partner")["delivery_date"].min()
    stored = complete_deliveries[["partner", "delivery_date"]]
    since = stored["partner"].map(first)
    later = stored[since.notna() & (stored["delivery_date"] >= since)]
    pairs = pd.concat([pending, later]).drop_duplicates()
    return pairs.sort_values(["delivery_date", "partner"], kind="stable").reset_index(drop=True)


def delivery_state(
    history: pd.DataFrame,
    complete_deliveries: pd.DataFrame,
    partner: str,
    delivery_date: date,
    held_back: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(signal states, resolutions) of one complete delivery of ``partner``.

    ``history`` holds linked signals (``LINKED_SIGNAL_SCHEMA``) including this delivery;
    ``complete_deliveries`` has ``partner`` and ``delivery_date`` of every complete delivery
    (rejected deliveries left out, so they change nothing). ``held_back`` (``partner``,
    ``delivery_date``, ``household_key``) lists households whose row was quarantined: a
    partner listed them, so they are neither resolved then nor new the delivery after.
    """
    own = history[history["partner"] == partner]
    current = own[own["delivery_date"] == pd.Timestamp(delivery_date)]
    held = _held(held_back, partner)
    previous_date = previous_complete_delivery(complete_deliveries, partner, delivery_date)
    if previous_date is None:
        previous = own.iloc[0:0]
    else:
        previous = _last_known(own, previous_date, held.get(previous_date, set()))
    return (
        signal_states(current, previous),
        resolutions(
            previous, current, partner, delivery_date, held.get(pd.Timestamp(delivery_date), set())
        ),
    )


def _held(held_back: pd.DataFrame | None, partner: str) -> dict[pd.Timestamp, set[str]]:
    if held_back is None or held_back.empty:
        return {}
    own = held_back[(held_back["partner"] == partner) & held_back["household_key"].notna()]
    return {
        pd.Timestamp(str(day)): set(group["household_key"])
        for day, group in own.groupby("delivery_date")
    }


def _last_known(own: pd.DataFrame, day: pd.Timestamp, held: set[str]) -> pd.DataFrame:
    """The rows of delivery ``day``, plus each held-back household's latest earlier row."""
    rows = own[own["delivery_date"] == day]
    earlier = own[(own["delivery_date"] < day) & own["household_key"].isin(held)]
    latest = earlier[
        earlier["delivery_date"]
        == earlier.groupby("household_key")["delivery_date"].transform("max")
    ]
    return pd.concat([rows, latest], ignore_index=True)


def night_state(
    history: pd.DataFrame, complete_deliveries: pd.DataFrame, night: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """States and resolutions of every partner with a complete delivery dated ``night``.

    Partners without one that night are skipped: silence changes nothing.
    """
    tonight = complete_deliveries[complete_deliveries["delivery_date"] == pd.Timestamp(night)]
    parts = [
        delivery_state(history, complete_deliveries, partner, night)
        for partner in sorted(tonight["partner"].unique())
    ]
    if not parts:
        return empty_frame(SIGNAL_STATE_SCHEMA), empty_frame(RESOLUTION_SCHEMA)
    return (
        conform(pd.concat([states for states, _ in parts]), SIGNAL_STATE_SCHEMA),
        conform(pd.concat([gone for _, gone in parts]), RESOLUTION_SCHEMA),
    )


def all_resolutions(
    history: pd.DataFrame, complete_deliveries: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every resolution in the history: pairs dropped between consecutive complete deliveries.

    Without ``complete_deliveries`` the deliveries seen in ``history`` are taken as complete.
    """
    deliveries = (
        history[["partner", "delivery_date"]]
        if complete_deliveries is None
        else complete_deliveries
    ).drop_duplicates()
    found = [empty_frame(RESOLUTION_SCHEMA)]
    for partner, dates in deliveries.groupby("partner")["delivery_date"]:
        ordered = sorted(dates)
        own = history[history["partner"] == partner]
        for before, after in pairwise(ordered):
            found.append(
                resolutions(
                    own[own["delivery_date"] == before],
                    own[own["delivery_date"] == after],
                    str(partner),
                    after,
                )
            )
    return conform(pd.concat(found), RESOLUTION_SCHEMA)


def _window_signals(history: pd.DataFrame, as_of: date, window_days: int) -> pd.DataFrame:
    """Signals delivered within ``window_days`` up to and including ``as_of``."""
    end = pd.Timestamp(as_of)
    start = end - pd.Timedelta(days=window_days)
    delivered = history["delivery_date"]
    return history[(delivered > start) & (delivered <= end) & history["household_key"].notna()]


def _current_amounts(window: pd.DataFrame) -> pd.DataFrame:
    """Per household: sum over partners of the amount in that partner's latest delivery."""
    latest = window.groupby(PAIR)["delivery_date"].transform("max")
    newest = window[window["delivery_date"] == latest]
    amounts = _pair_amounts(newest)
    return amounts.groupby("household_key")[["amount"]].sum(min_count=1).reset_index()


def _recurring(
    window: pd.DataFrame,
    gone: pd.DataFrame,
    as_of: date,
    recurrence_days: int,
    episodic_partners: set[str] | None,
) -> pd.Series:
    """Households whose arrears at a partner came back after an episode there was resolved.

    Per household × partner: a resolution at that partner within ``recurrence_days`` before
    ``as_of``, followed by a new signal of the same pair. Only partners whose lists mark the
    end of an arrears episode count (``episodic_partners``; a bank referral list does not).
    """
    since = pd.Timestamp(as_of) - pd.Timedelta(days=recurrence_days)
    gone = gone[gone["resolved_on"] >= since]
    if episodic_partners is not None:
        gone = gone[gone["partner"].isin(episodic_partners)]
    latest = window.groupby(PAIR)["delivery_date"].max().rename("latest").reset_index()
    pairs = latest.merge(gone, on=PAIR, how="inner")
    came_back = pairs[pairs["latest"] > pairs["resolved_on"]]
    households = window["household_key"].drop_duplicates()
    return pd.Series(
        households.isin(set(came_back["household_key"])).to_numpy(), index=households.to_numpy()
    )


def _relapses(window: pd.DataFrame, aftercare: pd.DataFrame) -> pd.DataFrame:
    """Per household: the outcome of its last trajectory that ended before its latest signal."""
    signalled = window["signal_date"].fillna(window["delivery_date"])
    latest = signalled.groupby(window["household_key"]).max().rename("latest_signal")
    ended = aftercare.merge(latest.reset_index(), on="household_key", how="inner")
    ended = ended[ended["trajectory_end_date"] < ended["latest_signal"]]
    last = ended.sort_values("trajectory_end_date").groupby("household_key").tail(1)
    return last.set_index("household_key")[["trajectory_outcome"]].rename(
        columns={"trajectory_outcome": "previous_trajectory_outcome"}
    )


def household_states(
    history: pd.DataFrame,
    aftercare: pd.DataFrame,
    as_of: date,
    window_days: int = 183,
    complete_deliveries: pd.DataFrame | None = None,
    resolved: pd.DataFrame | None = None,
    recurrence_days: int = 365,
    episodic_partners: set[str] | None = None,
) -> pd.DataFrame:
    """Case type per household with signals delivered in the ``window_days`` up to ``as_of``.

    ``opeenvolgend`` (arrears at a partner came back within ``recurrence_days`` after the
    episode there was resolved) takes precedence over ``meervoudig`` (several partners in the
    window) over ``enkelvoudig``; the partner count stays available. ``relapse``: a trajectory
    in ``aftercare`` (``LINKED_AFTERCARE_SCHEMA``) ended before the household's latest signal.
    ``resolved`` are the stored resolutions (``RESOLUTION_SCHEMA``); without them they are
    derived from ``history`` and ``complete_deliveries``.
    """
    window = _window_signals(history, as_of, window_days)
    if window.empty:
        return empty_frame(HOUSEHOLD_STATE_SCHEMA)
    partners = window.groupby("household_key")["partner"].agg(lambda p: sorted(set(p)))
    states = pd.DataFrame(
        {
            "active_partners": partners.map(",".join),
            "partner_count": partners.map(len),
        }
    )
    states = states.join(_current_amounts(window).set_index("household_key")["amount"])
    states = states.rename(columns={"amount": "total_amount"})
    states = states.join(_relapses(window, aftercare))
    states["relapse"] = states["previous_trajectory_outcome"].notna()
    gone = all_resolutions(history, complete_deliveries) if resolved is None else resolved
    recurring = _recurring(window, gone, as_of, recurrence_days, episodic_partners)
    recurring = recurring.reindex(states.index)
    states["case_type"] = CASE_SINGLE
    states.loc[states["partner_count"] > 1, "case_type"] = CASE_MULTIPLE
    states.loc[recurring.fillna(False).astype(bool), "case_type"] = CASE_RECURRING
    return conform(states.rename_axis("household_key").reset_index(), HOUSEHOLD_STATE_SCHEMA)


def pickups(history: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Pick-ups per household × partner (``PICKUP_SCHEMA``): signals triaged "Opgepakt".

    ``decisions`` are stored decisions (``DECISION_SCHEMA`` + ``decided_on``); the pick-up date
    is the night of the decision, or the delivery date when that is unknown.
    """
    picked = decisions[decisions["status"] == STATUS_PICKED_UP]
    joined = picked.merge(
        history[["signal_key", "household_key", "partner", "delivery_date"]],
        on=["signal_key"],
        how="inner",
        suffixes=("_decision", ""),
    )
    when = joined["delivery_date"]
    if "decided_on" in joined.columns:
        when = pd.to_datetime(joined["decided_on"]).fillna(when)
    frame = pd.DataFrame(
        {
            "household_key": joined["household_key"],
            "partner": joined["partner"],
            "picked_up_on": when,
        }
    )
    return conform(frame.sort_values([*PAIR, "picked_up_on"], kind="stable"), PICKUP_SCHEMA)
