"""The prediction problem: who, on a night, escalates within the label window.

*Cohort*: on each scoring night, the households with an open case (``opened_on <= night`` and
not closed by then). *Label*: 1 when a later delivery, within ``window_days`` after the night,
reports an escalation of that household — an eviction request (``ontruiming``), an energy
end-of-supply notice (``eindelevering``) or a CAK registration (``cak``) that its arrears at that
partner did not carry before (the pipeline's own signal state: a crisis on a ``new`` or
``escalated`` signal). No partner feed reports a debt-help intake today; a feed that does gets
its crisis kind added to ``ESCALATION_KINDS``. A crisis already in a partner's first delivery
is no escalation (it may predate the record). A label is *observed* only when the whole window
lies within the record (``night + window <= last night``); unobserved rows never train or score
a backtest.

Only the pipeline's own deliveries define labels; the sample's ground truth is a cross-check
in the tests, never an input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

#: Crisis kinds (``signals.crisis_kind``) that count as an escalation.
ESCALATION_KINDS: Final = ("ontruiming", "eindelevering", "cak")
#: Signal states under which a crisis is new for the household at that partner.
NEW_CRISIS_STATES: Final = ("new", "escalated")
#: Default label window: six months.
LABEL_WINDOW_DAYS: Final = 183

COHORT_COLUMNS: Final = ("night", "household_key", "case_id")


def as_ns(values: pd.Series) -> pd.Series:
    """Datetimes at one resolution (merge_asof needs equal resolutions on both sides)."""
    return pd.to_datetime(values).astype("datetime64[ns]")


def scoring_nights(first: pd.Timestamp, last: pd.Timestamp, weekday: int = 0) -> pd.DatetimeIndex:
    """Weekly nights (default Mondays, when the week's capacity is planned) in [first, last]."""
    start = pd.Timestamp(first).normalize()
    start += pd.Timedelta(days=(weekday - start.weekday()) % 7)
    return pd.date_range(start, pd.Timestamp(last).normalize(), freq="7D")


def cohort(cases: pd.DataFrame, nights: Sequence[pd.Timestamp] | pd.DatetimeIndex) -> pd.DataFrame:
    """``night, household_key, case_id``: the cases open on each night.

    ``cases`` holds ``case_id, household_key, opened_on, closed_on, picked_up_on``; a case
    closed the night it opened (nothing picked up) never was open work.
    """
    picked = cases[cases["picked_up_on"].notna()]
    opened = pd.to_datetime(picked["opened_on"]).to_numpy()
    closed = pd.to_datetime(picked["closed_on"]).fillna(pd.Timestamp.max).to_numpy()
    night_values = pd.DatetimeIndex(list(nights)).to_numpy()
    # cases × nights in one broadcast: a few thousand cases by a year of weeks.
    is_open = (opened[:, None] <= night_values[None, :]) & (closed[:, None] > night_values[None, :])
    case_at, night_at = np.nonzero(is_open)
    out = pd.DataFrame(
        {
            "night": night_values[night_at],
            "household_key": picked["household_key"].to_numpy()[case_at],
            "case_id": picked["case_id"].to_numpy()[case_at],
        }
    )
    out = out.drop_duplicates(["night", "household_key"])
    return out.sort_values(["night", "household_key"], kind="stable").reset_index(drop=True)


def escalations(signals: pd.DataFrame) -> pd.DataFrame:
    """``household_key, escalated_on, crisis_kind`` (and ``partner, signal_id,
    delivery_date`` where given): each escalation and the night it became known (``known_on``),
    from signals with ``crisis_kind``, ``signal_state`` and ``known_on``.

    A crisis in a partner's very first delivery may be years old (the record starts there):
    it is no observed escalation.
    """
    kind = signals["crisis_kind"].astype("string")
    state = signals["signal_state"].astype("string")
    is_new = kind.isin(ESCALATION_KINDS).fillna(False) & state.isin(NEW_CRISIS_STATES).fillna(False)
    delivered = pd.to_datetime(signals["delivery_date"])
    first = delivered == delivered.groupby(signals["partner"]).transform("min")
    keep = (is_new & ~first).to_numpy(dtype=bool)
    extra = [c for c in ("partner", "signal_id", "delivery_date") if c in signals.columns]
    events = signals.loc[keep, ["household_key", "known_on", "crisis_kind", *extra]]
    events = events.rename(columns={"known_on": "escalated_on"})
    events["escalated_on"] = pd.to_datetime(events["escalated_on"])
    return events.sort_values(["household_key", "escalated_on"], kind="stable").reset_index(
        drop=True
    )


def label(
    rows: pd.DataFrame,
    events: pd.DataFrame,
    last_night: pd.Timestamp,
    window_days: int = LABEL_WINDOW_DAYS,
) -> pd.DataFrame:
    """``rows`` with ``label`` (0/1), ``escalated_on`` (the first escalation in the window,
    NaT without one) and ``observed`` (the whole window lies in the record)."""
    out = rows.reset_index(drop=True).copy()
    nights = pd.to_datetime(out["night"])
    window = pd.Timedelta(days=window_days)
    # Per row the first escalation strictly after its night: merge_asof looks forward.
    left = pd.DataFrame({"_row": np.arange(len(out)), "household_key": out["household_key"]})
    left["_after"] = as_ns(nights + pd.Timedelta(days=1))
    left = left.sort_values("_after", kind="stable")
    right = events[["household_key", "escalated_on"]].dropna().sort_values("escalated_on")
    right = right.assign(_after=as_ns(right["escalated_on"])).astype({"household_key": object})
    left = left.astype({"household_key": object})
    first = pd.merge_asof(
        left, right, on="_after", by="household_key", direction="forward"
    ).set_index("_row")
    first_on = pd.to_datetime(first["escalated_on"]).reindex(np.arange(len(out)))
    within = first_on.notna() & (first_on <= nights + window)
    out["escalated_on"] = first_on.where(within).to_numpy()
    out["label"] = within.astype(int).to_numpy()
    out["observed"] = (nights + window <= pd.Timestamp(last_night)).to_numpy()
    return out


def work_as_of(rows: pd.DataFrame, task_history: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the ``band`` and ``team`` of the household's task as it stood that night.

    ``task_history`` holds every task version (household_key, night, band, team, status);
    a household whose newest version by then is not open has no band and no team.
    """
    out = rows.reset_index(drop=True).copy()
    left = pd.DataFrame(
        {
            "_row": np.arange(len(out)),
            "household_key": out["household_key"].astype(object),
            "night": as_ns(out["night"]),
        }
    ).sort_values("night", kind="stable")
    right = task_history[["household_key", "night", "band", "team", "status"]].copy()
    right["night"] = as_ns(right["night"])
    right["household_key"] = right["household_key"].astype(object)
    right = right.dropna(subset=["household_key", "night"]).sort_values("night", kind="stable")
    found = pd.merge_asof(left, right, on="night", by="household_key", direction="backward")
    found = found.set_index("_row").sort_index()
    is_open = found["status"].eq("open").fillna(False).to_numpy(dtype=bool)
    out["band"] = pd.to_numeric(found["band"]).where(is_open).to_numpy()
    out["team"] = found["team"].where(is_open).astype("string").to_numpy()
    return out
