"""Signal and household state, derived from the linked signal history (pure).

Every delivery is a partner's complete snapshot of current arrears. A signal is compared with
the same arrears in the partner's previous complete delivery: the same signal id of the same
household, else the household's arrears at that partner. It is

- *new* when the household was not in that previous delivery at all;
- *escalated* when it announces a crisis (eviction, end of supply, CAK registration) that the
  household's arrears at that partner did not carry before — always a change, never a repeat;
- *increased* when the amount rose above the previous amount;
- *repeat* otherwise.

``previous_amount`` is the amount of one previous row, never a sum of several deliveries.
A household × partner pair is *resolved* when a later complete delivery no longer lists it.
A partner that sent nothing (or a rejected delivery) is no snapshot: it changes nothing. A
re-submission of corrected rows belongs to its original delivery and is no snapshot either.

States are final once derived: a delivery that arrives late completes the history (its own
signals get a state, resolutions it reveals are added) but never rewrites what newer
deliveries said.

DDAS "Niet opgepakt: herhaalde melding" is decided by triage from ``repeat`` and the pick-ups
(:func:`pickups`); see :mod:`signals.triage.rules`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from signals.ddas import STATUS_PICKED_UP
from signals.grouping import join_per_group
from signals.membership import is_in
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
STATE_ESCALATED = "escalated"
CASE_SINGLE = "enkelvoudig"
CASE_MULTIPLE = "meervoudig"
CASE_RECURRING = "opeenvolgend"
PAIR = ["household_key", "partner"]
EPISODE = ["household_key", "partner", "signal_id"]


def signal_states(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """State of each signal of ``current`` (one partner's delivery) versus ``previous``.

    ``previous`` is the partner's previous complete snapshot (see :func:`previous_snapshot`).
    A missing amount never counts as an increase.
    """
    cur = current[["signal_key", *EPISODE, "amount", "crisis_kind"]].reset_index(drop=True)
    prev = previous[[*EPISODE, "amount", "crisis_kind"]]
    by_id = (
        prev.sort_values("amount", kind="stable", na_position="first")
        .drop_duplicates(EPISODE, keep="last")
        .rename(columns={"amount": "id_amount"})[[*EPISODE, "id_amount"]]
    )
    pair_amount = prev.groupby(PAIR, dropna=True)["amount"].max().rename("pair_amount")
    known_kinds = (
        prev.dropna(subset=["crisis_kind"])[[*PAIR, "crisis_kind"]]
        .drop_duplicates()
        .assign(known_crisis=True)
    )
    seen = prev[PAIR].drop_duplicates().assign(seen=True)
    frame = (
        cur.merge(by_id, on=EPISODE, how="left")
        .merge(pair_amount.reset_index(), on=PAIR, how="left")
        .merge(known_kinds, on=[*PAIR, "crisis_kind"], how="left")
        .merge(seen, on=PAIR, how="left")
    )
    previous_amount = frame["id_amount"].astype("Float64").fillna(frame["pair_amount"])
    was_seen = frame["seen"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    known = frame["known_crisis"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    new_crisis_mask = frame["crisis_kind"].notna().to_numpy(dtype=bool) & ~known
    rose = (frame["amount"].astype("Float64").round(2) > previous_amount.round(2)).fillna(False)
    state = np.select(
        [~was_seen, new_crisis_mask, rose.to_numpy(dtype=bool)],
        [STATE_NEW, STATE_ESCALATED, STATE_INCREASED],
        default=STATE_REPEAT,
    )
    out = pd.DataFrame(
        {
            "signal_key": frame["signal_key"],
            "household_key": frame["household_key"],
            "partner": frame["partner"],
            "signal_state": state,
            "previous_amount": previous_amount.where(was_seen),
        }
    )
    return conform(out, SIGNAL_STATE_SCHEMA)


def previous_snapshot(
    delivery_rows: pd.DataFrame, held_back: set[str] | frozenset[str], earlier_rows: pd.DataFrame
) -> pd.DataFrame:
    """What a partner's delivery said, with its held-back households filled in.

    ``delivery_rows`` are the rows of the delivery (corrections included); ``held_back`` the
    households whose row in it was quarantined; ``earlier_rows`` rows of the same partner from
    earlier deliveries. A held-back household without a row in the delivery (no correction
    loaded) is represented by its latest earlier row: the partner did list it.
    """
    missing = set(held_back) - set(delivery_rows["household_key"].dropna())
    if not missing:
        return delivery_rows.reset_index(drop=True)
    earlier = earlier_rows[is_in(earlier_rows["household_key"], missing)]
    latest = earlier[
        earlier["delivery_date"]
        == earlier.groupby("household_key")["delivery_date"].transform("max")
    ]
    return pd.concat([delivery_rows, latest], ignore_index=True)


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


def next_complete_delivery(
    complete_deliveries: pd.DataFrame, partner: str, delivery_date: date
) -> pd.Timestamp | None:
    """The partner's first complete delivery date after ``delivery_date``, if any."""
    own = complete_deliveries.loc[complete_deliveries["partner"] == partner, "delivery_date"]
    later = own[own > pd.Timestamp(delivery_date)]
    return None if later.empty else pd.Timestamp(later.min())


def deliveries_to_state(pending: pd.DataFrame) -> pd.DataFrame:
    """(partner, delivery_date) pairs of signals without a state, oldest first, once each."""
    pairs = pending[["partner", "delivery_date"]].drop_duplicates()
    return pairs.sort_values(["delivery_date", "partner"], kind="stable").reset_index(drop=True)


def delivery_state(
    history: pd.DataFrame,
    complete_deliveries: pd.DataFrame,
    partner: str,
    delivery_date: date,
    held_back: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(signal states, resolutions) of one delivery of ``partner``.

    ``history`` holds the partner's linked signals (at least its previous complete delivery,
    this delivery, and earlier rows of held-back households); ``complete_deliveries`` has
    ``partner`` and ``delivery_date`` of every complete delivery (rejected deliveries and
    corrections left out, so they change nothing). ``held_back`` (``partner``,
    ``delivery_date``, ``household_key``) lists households whose row was quarantined: a
    partner listed them, so they are neither resolved then nor new the delivery after.

    A late delivery (a newer complete delivery exists) also yields the resolutions it reveals
    before that newer delivery; newer deliveries' states are left as they were.
    """
    own = history[history["partner"] == partner]
    day = pd.Timestamp(delivery_date)
    held = _held(held_back, partner)
    current = previous_snapshot(own[own["delivery_date"] == day], set(), own.iloc[0:0])
    previous_date = previous_complete_delivery(complete_deliveries, partner, delivery_date)
    if previous_date is None:
        previous = own.iloc[0:0]
    else:
        previous = previous_snapshot(
            own[own["delivery_date"] == previous_date],
            held.get(previous_date, set()),
            own[own["delivery_date"] < previous_date],
        )
    states = signal_states(current, previous)
    gone = [resolutions(previous, current, partner, delivery_date, held.get(day, set()))]
    is_complete = bool(
        (
            (complete_deliveries["partner"] == partner)
            & (complete_deliveries["delivery_date"] == day)
        ).any()
    )
    newer = next_complete_delivery(complete_deliveries, partner, delivery_date)
    if newer is not None and is_complete:
        after = own[own["delivery_date"] == newer]
        gone.append(resolutions(current, after, partner, newer.date(), held.get(newer, set())))
    if not is_complete:  # a correction adds rows to its delivery; it resolves nothing
        gone = [empty_frame(RESOLUTION_SCHEMA)]
    return states, conform(pd.concat(gone, ignore_index=True), RESOLUTION_SCHEMA)


def night_state(
    history: pd.DataFrame,
    complete_deliveries: pd.DataFrame,
    night: date,
    held_back: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """States and resolutions of every partner with a complete delivery dated ``night``.

    Partners without one that night are skipped: silence changes nothing.
    """
    tonight = complete_deliveries[complete_deliveries["delivery_date"] == pd.Timestamp(night)]
    parts = [
        delivery_state(history, complete_deliveries, str(partner), night, held_back)
        for partner in sorted(tonight["partner"].unique())
    ]
    if not parts:
        return empty_frame(SIGNAL_STATE_SCHEMA), empty_frame(RESOLUTION_SCHEMA)
    return (
        conform(pd.concat([states for states, _ in parts]), SIGNAL_STATE_SCHEMA),
        conform(pd.concat([gone for _, gone in parts]), RESOLUTION_SCHEMA),
    )


def _held(held_back: pd.DataFrame | None, partner: str) -> dict[pd.Timestamp, set[str]]:
    if held_back is None or held_back.empty:
        return {}
    own = held_back[(held_back["partner"] == partner) & held_back["household_key"].notna()]
    return {
        pd.Timestamp(str(day)): set(group["household_key"])
        for day, group in own.groupby("delivery_date")
    }


def all_resolutions(
    history: pd.DataFrame, complete_deliveries: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every resolution in ``history``: pairs dropped between consecutive complete deliveries.

    Without ``complete_deliveries`` the deliveries seen in ``history`` are taken as complete.
    """
    deliveries = (
        history[["partner", "delivery_date"]]
        if complete_deliveries is None
        else complete_deliveries[["partner", "delivery_date"]]
    ).drop_duplicates()
    listed = history[[*PAIR, "delivery_date"]].drop_duplicates()
    found = [empty_frame(RESOLUTION_SCHEMA)]
    for partner, dates in deliveries.groupby("partner")["delivery_date"]:
        ordered = pd.DataFrame({"delivery_date": sorted(dates)})
        ordered["resolved_on"] = ordered["delivery_date"].shift(-1)
        own = listed[listed["partner"] == partner]
        rows = own.merge(ordered.dropna(), on="delivery_date", how="inner")
        later = own.rename(columns={"delivery_date": "resolved_on"}).assign(present=True)
        joined = rows.merge(later, on=[*PAIR, "resolved_on"], how="left")
        found.append(joined.loc[joined["present"].isna(), [*PAIR, "resolved_on"]])
    frame = pd.concat(found, ignore_index=True).drop_duplicates()
    return conform(frame, RESOLUTION_SCHEMA)


# --- The household's picture on a night -------------------------------------------------------


def listings(
    history: pd.DataFrame,
    complete_deliveries: pd.DataFrame,
    night: date,
    held_back: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per household × partner: when the partner last listed it, and whether it still does.

    ``listed_now``: the partner's latest complete delivery up to ``night`` lists the household
    (or held its row back in quarantine). ``resolved_on``: otherwise, the first complete
    delivery after the last listing (NA when the partner has delivered nothing since).
    """
    end = pd.Timestamp(night)
    rows = history[(history["delivery_date"] <= end) & history["household_key"].notna()]
    last = rows.groupby(PAIR)["delivery_date"].max().rename("last_listed").reset_index()
    complete = complete_deliveries[complete_deliveries["delivery_date"] <= end]
    latest = complete.groupby("partner")["delivery_date"].max().rename("latest_delivery")
    frame = last.merge(latest.reset_index(), on="partner", how="left")
    listed = (frame["last_listed"] >= frame["latest_delivery"]).fillna(True)
    if held_back is not None and not held_back.empty:
        held = held_back.rename(columns={"delivery_date": "latest_delivery"}).assign(held=True)
        frame = frame.merge(
            held[[*PAIR, "latest_delivery", "held"]].drop_duplicates(),
            on=[*PAIR, "latest_delivery"],
            how="left",
        )
        listed = listed | frame["held"].astype("boolean").fillna(False)
    frame["listed_now"] = listed.astype(bool).to_numpy()
    frame["resolved_on"] = _next_delivery_after(frame, complete)
    frame.loc[frame["listed_now"], "resolved_on"] = pd.NaT
    return frame[[*PAIR, "last_listed", "listed_now", "resolved_on"]]


def _next_delivery_after(frame: pd.DataFrame, complete: pd.DataFrame) -> pd.Series:
    """Per row, the partner's first complete delivery strictly after ``last_listed``."""
    if frame.empty:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    left = frame[["partner", "last_listed"]].reset_index().sort_values("last_listed")
    right = complete[["partner", "delivery_date"]].drop_duplicates().sort_values("delivery_date")
    merged = pd.merge_asof(
        left.astype({"last_listed": "datetime64[ns]", "partner": "string"}),
        right.astype({"delivery_date": "datetime64[ns]", "partner": "string"}),
        left_on="last_listed",
        right_on="delivery_date",
        by="partner",
        direction="forward",
        allow_exact_matches=False,
    )
    return merged.set_index("index")["delivery_date"].reindex(frame.index)


def current_signals(history: pd.DataFrame, listed: pd.DataFrame) -> pd.DataFrame:
    """The rows that describe each household's arrears now: for every partner that still lists
    it, the rows of that partner's latest listing (corrections included)."""
    now = listed.loc[listed["listed_now"], [*PAIR, "last_listed"]]
    rows = history.merge(
        now.rename(columns={"last_listed": "delivery_date"}), on=[*PAIR, "delivery_date"]
    )
    return rows.reset_index(drop=True)


def _window_signals(history: pd.DataFrame, as_of: date, window_days: int) -> pd.DataFrame:
    """Signals delivered within ``window_days`` up to and including ``as_of``."""
    end = pd.Timestamp(as_of)
    start = end - pd.Timedelta(days=window_days)
    delivered = history["delivery_date"]
    return history[(delivered > start) & (delivered <= end) & history["household_key"].notna()]


def _recurring(
    window: pd.DataFrame,
    gone: pd.DataFrame,
    as_of: date,
    recurrence_days: int,
    episodic_partners: set[str] | None,
) -> set[str]:
    """Households whose arrears at a partner came back after an episode there was resolved.

    Per household × partner: a resolution at that partner within ``recurrence_days`` before
    ``as_of``, followed by a new signal of the same pair. Only partners whose lists mark the
    end of an arrears episode count (``episodic_partners``; a bank referral list does not).
    """
    since = pd.Timestamp(as_of) - pd.Timedelta(days=recurrence_days)
    gone = gone[(gone["resolved_on"] >= since) & (gone["resolved_on"] <= pd.Timestamp(as_of))]
    if episodic_partners is not None:
        gone = gone[gone["partner"].isin(episodic_partners)]
    latest = window.groupby(PAIR)["delivery_date"].max().rename("latest").reset_index()
    pairs = latest.merge(gone, on=PAIR, how="inner")
    return set(pairs.loc[pairs["latest"] > pairs["resolved_on"], "household_key"].tolist())


def _relapses(window: pd.DataFrame, aftercare: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per household: the outcome of its last trajectory that ended before its latest signal.

    Only trajectories delivered by ``as_of`` count (a nazorg file tells what it tells from
    the night it arrives).
    """
    delivered = aftercare["delivery_date"]
    known = aftercare[delivered.isna() | (delivered <= pd.Timestamp(as_of))]
    signalled = window["signal_date"].fillna(window["delivery_date"])
    latest = signalled.groupby(window["household_key"]).max().rename("latest_signal")
    ended = known.merge(latest.reset_index(), on="household_key", how="inner")
    ended = ended[ended["trajectory_end_date"] < ended["latest_signal"]]
    last = ended.sort_values(["trajectory_end_date", "dossier_id"], kind="stable")
    last = last.groupby("household_key").tail(1)
    return last.set_index("household_key")[["trajectory_outcome"]].rename(
        columns={"trajectory_outcome": "previous_trajectory_outcome"}
    )


def household_picture(
    history: pd.DataFrame,
    aftercare: pd.DataFrame,
    as_of: date,
    window_days: int = 183,
    complete_deliveries: pd.DataFrame | None = None,
    resolved: pd.DataFrame | None = None,
    recurrence_days: int = 365,
    episodic_partners: set[str] | None = None,
    held_back: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(household states, current signals) of the households with signals in the window.

    See :func:`household_states` for the states; the current signals are, per partner that
    still lists a household, the rows of its latest listing inside the window.
    """
    window = _window_signals(history, as_of, window_days)
    if window.empty:
        return empty_frame(HOUSEHOLD_STATE_SCHEMA), history.iloc[0:0]
    complete = (
        history[["partner", "delivery_date"]].drop_duplicates()
        if complete_deliveries is None
        else complete_deliveries
    )
    partners = (
        window[["household_key", "partner"]]
        .drop_duplicates()
        .sort_values(["household_key", "partner"], kind="stable")
    )
    joined = join_per_group(partners["household_key"], partners["partner"], ",")
    states = pd.DataFrame({"active_partners": joined})
    states["partner_count"] = partners.groupby("household_key")["partner"].size()
    listed = listings(history, complete, as_of, held_back)
    listed = listed[is_in(listed["household_key"], states.index)]
    now = current_signals(window, listed)
    amounts = now.groupby("household_key")["amount"].sum(min_count=1)
    states["total_amount"] = amounts.reindex(states.index).astype("Float64")
    states = states.join(_relapses(window, aftercare, as_of))
    states["relapse"] = states["previous_trajectory_outcome"].notna()
    states["resolved_since"] = _resolved_since(listed, episodic_partners).reindex(states.index)
    gone = all_resolutions(history, complete) if resolved is None else resolved
    recurring = _recurring(window, gone, as_of, recurrence_days, episodic_partners)
    states["case_type"] = CASE_SINGLE
    states.loc[states["partner_count"] > 1, "case_type"] = CASE_MULTIPLE
    states.loc[is_in(states.index, recurring), "case_type"] = CASE_RECURRING
    frame = conform(states.rename_axis("household_key").reset_index(), HOUSEHOLD_STATE_SCHEMA)
    return frame, now


def household_states(
    history: pd.DataFrame,
    aftercare: pd.DataFrame,
    as_of: date,
    window_days: int = 183,
    complete_deliveries: pd.DataFrame | None = None,
    resolved: pd.DataFrame | None = None,
    recurrence_days: int = 365,
    episodic_partners: set[str] | None = None,
    held_back: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """State per household with signals delivered in the ``window_days`` up to ``as_of``.

    ``opeenvolgend`` (arrears at a partner came back within ``recurrence_days`` after the
    episode there was resolved) takes precedence over ``meervoudig`` (several partners in the
    window) over ``enkelvoudig``. ``total_amount`` sums what the partners that still list the
    household say now. ``relapse``: a trajectory in ``aftercare`` ended before the household's
    latest signal. ``resolved_since``: every (episodic) partner has dropped the household.
    ``resolved`` are stored resolutions; without them they are derived from ``history``.
    """
    states, _ = household_picture(
        history,
        aftercare,
        as_of,
        window_days,
        complete_deliveries,
        resolved,
        recurrence_days,
        episodic_partners,
        held_back,
    )
    return states


def _resolved_since(listed: pd.DataFrame, episodic_partners: set[str] | None) -> pd.Series:
    """Households no partner lists any more, with the date the last of them dropped it.

    A referral list (a non-episodic partner such as the bank) never resolves arrears, so a
    household it named is never "resolved everywhere".
    """
    frame = listed.copy()
    episodic = (
        pd.Series(True, index=frame.index)
        if episodic_partners is None
        else frame["partner"].isin(episodic_partners)
    )
    frame["blocks"] = frame["listed_now"] | ~episodic | frame["resolved_on"].isna()
    grouped = frame.groupby("household_key")
    blocked = grouped["blocks"].any()
    since = grouped["resolved_on"].max()
    return since[~blocked].astype("datetime64[ns]")


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
