"""Relapse after a debt trajectory (nazorg): how many signal again, as a Kaplan–Meier curve.

Each finished trajectory of the nazorg file (deduplicated: the file lists every trajectory
that ended in the last two years, month after month) is followed from its end date. The event
is the household's first signal dated after the end (``signal_date``, else the delivery date —
as the triage's relapse rule reads it). A trajectory without such a signal is *censored* at the
moment the record was read: it is known not to have signalled up to then, not that it never
will. The signal history begins with the first delivery, so a trajectory that ended earlier
enters the risk set only then (*delayed entry*, left truncation). A trajectory whose first
signal after its end is dated before it entered (a signal dated just before the first delivery)
was not signal-free at entry, so it is not followed: counting it "at entry" let the first few
to enter decide the whole curve (a group that ended long before the history showed 100 %).

A share at a horizon is estimated only while somebody (for curves: ``threshold`` people) is at
risk at every moment from the end date up to it; a group nobody was followed from the end date
has no estimate at all (left empty, never a misleading number).

Known limit: a household that fell back and recovered before the signal history began is not
seen, which lowers the curve for trajectories that ended long before the first delivery.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from signals.monitor.cube import Table
from signals.monitor.facts import MonitorInput
from signals.monitor.suppression import TOTAL, with_margins

OUTCOMES: dict[str, str] = {
    "schuldregeling_geslaagd": "Schuldregeling geslaagd",
    "saneringskrediet": "Saneringskrediet",
    "budgetbeheer_afgerond": "Budgetbeheer afgerond",
    "afgebroken": "Afgebroken",
}
#: The horizons reported, in months and the days they stand for.
HORIZONS: dict[int, int] = {6: 183, 12: 365, 24: 730}


def followed_trajectories(data: MonitorInput) -> pd.DataFrame:
    """One row per finished trajectory: outcome, end year, entry, exit (days since the end)
    and whether it ended with a signal (``event``)."""
    care = data.aftercare.dropna(subset=["household_key", "trajectory_end_date"])
    known = care[care["delivery_date"].isna() | (care["delivery_date"] <= pd.Timestamp(data.as_of))]
    trajectories = (
        known.sort_values("delivery_date", kind="stable")
        .drop_duplicates(["household_key", "dossier_id", "trajectory_end_date"])
        .reset_index(drop=True)
    )
    columns = ["uitkomst", "jaar einde", "entry", "exit", "event"]
    if trajectories.empty:
        return pd.DataFrame(columns=columns)
    signals = data.signals.dropna(subset=["household_key"])
    observed_from = signals["delivery_date"].min() if len(signals) else pd.Timestamp(data.as_of)
    signalled = signals["signal_date"].fillna(signals["delivery_date"])
    dated = pd.DataFrame({"household_key": signals["household_key"], "when": signalled})
    pairs = (
        trajectories[["household_key", "trajectory_end_date"]]
        .reset_index()
        .merge(dated, on="household_key", how="inner")
    )
    pairs = pairs[pairs["when"] > pairs["trajectory_end_date"]]
    first = pairs.groupby("index")["when"].min()
    end = trajectories["trajectory_end_date"]
    entry = ((observed_from - end).dt.days).clip(lower=0)
    censor = (pd.Timestamp(data.as_of) - end).dt.days
    event_at = (trajectories.index.to_series().map(first) - end).dt.days
    event = event_at.notna() & (event_at <= censor)
    # An event before entry gives exit < entry: dropped below (not signal-free at entry).
    exit_ = np.where(event, event_at.fillna(0), censor)
    out = pd.DataFrame(
        {
            "uitkomst": trajectories["trajectory_outcome"]
            .map(OUTCOMES)
            .fillna(trajectories["trajectory_outcome"]),
            "jaar einde": end.dt.year.astype(str),
            "entry": entry.astype("int64"),
            "exit": pd.Series(exit_, index=trajectories.index).astype("int64"),
            "event": event.astype(bool),
        }
    )
    # A trajectory ending after the record was read, or leaving before it entered, is not followed.
    return out[(out["exit"] >= out["entry"]) & (censor >= 0)].reset_index(drop=True)


def estimable_until(followed: pd.DataFrame, min_at_risk: int = 1) -> int:
    """The first day at which fewer than ``min_at_risk`` are at risk (0: not even at the end
    date). With delayed entry the risk set can be small early on and grow later; the curve up to
    ``t`` is only known while the risk set never fell below ``min_at_risk`` on [0, t]. The risk
    set only shrinks the day after an exit, so those days (and day 0) are the ones to check."""
    if followed.empty:
        return 0
    entry = followed["entry"].to_numpy(dtype="int64")
    exit_ = followed["exit"].to_numpy(dtype="int64")
    candidates = np.unique(np.concatenate([[0], exit_ + 1]))
    at_risk = (
        (entry[None, :] <= candidates[:, None]) & (exit_[None, :] >= candidates[:, None])
    ).sum(axis=1)
    short = candidates[at_risk < min_at_risk]
    return int(short[0]) if len(short) else int(candidates[-1])


def kaplan_meier(followed: pd.DataFrame, min_at_risk: int = 0) -> pd.DataFrame:
    """The curve: per event time ``t`` (days), at risk, events, survival, ``relapsed`` = 1 − S,
    and a Greenwood 95% interval of ``relapsed``. Starts at t = 0 with nobody relapsed. With
    ``min_at_risk`` > 0 the curve stops before :func:`estimable_until` (empty when no one, or
    too few, were followed from the end date)."""
    entry = followed["entry"].to_numpy(dtype="int64")
    exit_ = followed["exit"].to_numpy(dtype="int64")
    event = followed["event"].to_numpy(dtype=bool)
    times = np.unique(exit_[event])
    at_risk = np.array([int(((entry <= t) & (exit_ >= t)).sum()) for t in times], dtype="int64")
    events = np.array([int(((exit_ == t) & event).sum()) for t in times], dtype="int64")
    factor = 1.0 - events / np.where(at_risk > 0, at_risk, 1)
    survival = np.cumprod(factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0)
    se = survival * np.sqrt(np.cumsum(terms))
    curve = pd.DataFrame(
        {
            "t": np.concatenate([[0], times]),
            "at_risk": np.concatenate([[int((entry <= 0).sum())], at_risk]),
            "events": np.concatenate([[0], events]),
            "survival": np.concatenate([[1.0], survival]),
        }
    )
    se_all = np.concatenate([[0.0], se])
    curve["relapsed"] = 1.0 - curve["survival"]
    curve["low"] = np.clip(curve["relapsed"] - 1.96 * se_all, 0.0, 1.0)
    curve["high"] = np.clip(curve["relapsed"] + 1.96 * se_all, 0.0, 1.0)
    if min_at_risk > 0:
        curve = curve[curve["t"] < estimable_until(followed, min_at_risk)].reset_index(drop=True)
    return curve


def relapsed_by(curve: pd.DataFrame, followed: pd.DataFrame, days: int) -> float:
    """1 − S(days); NaN when not estimable: nobody followed that long, or at some moment
    between the end date and ``days`` nobody at risk (delayed entry)."""
    if followed.empty or estimable_until(followed) <= days:
        return float("nan")
    return float(curve.loc[curve["t"] <= days, "relapsed"].iloc[-1])


def under_observation(followed: pd.DataFrame, days: int) -> int:
    """The number at risk at ``days``: followed that long and not yet signalled again."""
    return int(((followed["entry"] <= days) & (followed["exit"] >= days)).sum())


def relapse_table(data: MonitorInput) -> Table:
    """Per outcome × year of ending (margins included): trajectories followed, relapses seen,
    number at risk and share signalled again at 6, 12 and 24 months."""
    followed = followed_trajectories(data)
    years = sorted(followed["jaar einde"].unique()) if len(followed) else []
    cells = []
    for outcome in OUTCOMES.values():
        for year in years:
            part = followed[(followed["uitkomst"] == outcome) & (followed["jaar einde"] == year)]
            row: dict[str, object] = {
                "uitkomst": outcome,
                "jaar einde": year,
                "trajecten": len(part),
                "opnieuw gesignaleerd": int(part["event"].sum()),
            }
            for months, days in HORIZONS.items():
                row[f"onder observatie na {months} maanden"] = under_observation(part, days)
            cells.append(row)
    counts = [
        "trajecten",
        "opnieuw gesignaleerd",
        *[f"onder observatie na {m} maanden" for m in HORIZONS],
    ]
    frame = pd.DataFrame(cells, columns=["uitkomst", "jaar einde", *counts])
    values = with_margins(frame, ["uitkomst", "jaar einde"], counts)
    derived: dict[str, list[str]] = {}
    for months, days in HORIZONS.items():
        name = f"aandeel opnieuw gesignaleerd binnen {months} maanden"
        shares = []
        for outcome, year in zip(values["uitkomst"], values["jaar einde"], strict=True):
            part = _select(followed, str(outcome), str(year))
            curve = kaplan_meier(part) if len(part) else None
            shares.append(np.nan if curve is None else relapsed_by(curve, part, days))
        values[name] = pd.Series(shares, index=values.index, dtype="Float64").round(3)
        derived[name] = ["trajecten", f"onder observatie na {months} maanden"]
    return Table(
        key="terugval",
        title="Terugval na een schuldtraject (nazorg)",
        note=(
            "Van de afgesloten trajecten uit het nazorgbestand: het deel dat binnen 6, 12 en 24 "
            "maanden na de einddatum opnieuw een signaal heeft (Kaplan–Meier: trajecten die "
            "nog niet zo lang gevolgd zijn tellen mee zolang ze gevolgd worden). Onder "
            "observatie: zo lang gevolgd en nog niet opnieuw gesignaleerd; dit aantal kan met "
            "de tijd stijgen, want trajecten die eindigden vóór de eerste levering worden pas "
            "vanaf die levering gevolgd (een signaal van vóór die levering telt dan niet mee). "
            "Leeg: niet te schatten, omdat niemand zo lang gevolgd is of niemand vanaf de "
            "einddatum gevolgd is."
        ),
        dimensions=["uitkomst", "jaar einde"],
        counts=counts,
        values=values,
        derived=derived,
    )


def _select(followed: pd.DataFrame, outcome: str, year: str) -> pd.DataFrame:
    part = followed
    if outcome != TOTAL:
        part = part[part["uitkomst"] == outcome]
    if year != TOTAL:
        part = part[part["jaar einde"] == year]
    return part


def relapse_curves(
    data: MonitorInput, by: str = "uitkomst", threshold: int = 10
) -> dict[str, pd.DataFrame]:
    """Per group (outcome or end year, plus ``TOTAL``): the curve, cut where fewer than
    ``threshold`` are at risk (a curve over few people could point at one of them)."""
    followed = followed_trajectories(data)
    names: Sequence[str] = (
        list(OUTCOMES.values()) if by == "uitkomst" else sorted(followed["jaar einde"].unique())
    )
    curves = {}
    for name in [*names, TOTAL]:
        part = followed if name == TOTAL else followed[followed[by] == name]
        if len(part) < threshold:
            continue
        curve = kaplan_meier(part, min_at_risk=max(threshold, 1))
        if len(curve):
            curves[name] = curve
    return curves
