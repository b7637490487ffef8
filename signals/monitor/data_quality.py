"""Data quality per partner over time: rows, quarantine, refused files, late or missing files.

A partner's *usual day* is read from its own history: a partner delivering about monthly has a
usual day of the month (the most frequent one), about weekly a usual weekday. Each month (or
ISO week) in which that day has passed by the moment read expects one delivery: a file dated
later than the usual day, or taken in on a later night, is *late*; none at all is *missing*.
A refused file counts as delivered (and as refused). Re-submissions of corrected quarantine
rows belong to their original delivery and are counted apart.

These are counts of files and rows, not of people (a quarantined row shows no attribute of
anyone), so the table is not suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from signals.monitor.cube import Table, ratio
from signals.monitor.facts import DELIVERY_FACT_SCHEMA, month_of
from signals.schema import conform

#: A median gap between deliveries at most this many days makes a partner weekly.
WEEKLY_MAX_GAP_DAYS = 10


def usual_schedule(deliveries: pd.DataFrame) -> pd.DataFrame:
    """Per partner: ``cadence`` ("maandelijks" | "wekelijks") and ``usual_day`` (day of the
    month, or weekday 0 = Monday), from its complete deliveries that were not refused."""
    own = deliveries[~deliveries["is_correction"].fillna(False).astype(bool)]
    rows = []
    for partner, group in own.groupby("partner"):
        dates = pd.Series(sorted(group["delivery_date"].dropna().unique()))
        gaps = dates.diff().dt.days.dropna()
        weekly = bool(len(gaps)) and float(gaps.median()) <= WEEKLY_MAX_GAP_DAYS
        days = dates.dt.weekday if weekly else dates.dt.day
        usual = int(days.mode().min()) if len(days) else 1
        rows.append(
            {
                "partner": partner,
                "cadence": "wekelijks" if weekly else "maandelijks",
                "usual_day": usual,
            }
        )
    return pd.DataFrame(rows, columns=["partner", "cadence", "usual_day"])


def expected_deliveries(
    schedule: pd.DataFrame, start: date, end: date, as_of: date
) -> pd.DataFrame:
    """Per partner and period (month or ISO week) in [start, end]: the expected date, when it
    has passed by ``as_of``."""
    rows = []
    last = min(end, as_of)
    items = zip(
        schedule["partner"].astype(str).tolist(),
        schedule["cadence"].astype(str).tolist(),
        schedule["usual_day"].astype(int).tolist(),
        strict=True,
    )
    for partner, cadence, usual_day in items:
        if cadence == "wekelijks":
            mondays = pd.date_range(
                pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday()),
                pd.Timestamp(last),
                freq="7D",
            )
            for monday in mondays:
                expected = monday + pd.Timedelta(days=usual_day)
                period = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
                rows.append((partner, period, expected))
        else:
            for month in pd.period_range(pd.Timestamp(start), pd.Timestamp(last), freq="M"):
                day = min(usual_day, month.days_in_month)
                expected = pd.Timestamp(year=month.year, month=month.month, day=day)
                rows.append((partner, str(month), expected))
    frame = pd.DataFrame(rows, columns=["partner", "period", "expected_on"])
    frame["expected_on"] = pd.to_datetime(frame["expected_on"]).astype("datetime64[ns]")
    in_range = (frame["expected_on"] >= pd.Timestamp(start)) & (
        frame["expected_on"] <= pd.Timestamp(last)
    )
    return frame[in_range].reset_index(drop=True)


def _period(dates: pd.Series, weekly: np.ndarray) -> pd.Series:
    weeks = dates.dt.strftime("%G-W%V")
    return pd.Series(np.where(weekly, weeks, dates.dt.strftime("%Y-%m")), index=dates.index)


def timeliness(deliveries: pd.DataFrame, start: date, end: date, as_of: date) -> pd.DataFrame:
    """Per expected delivery: ``on_time`` / ``late`` / ``missing``, in the month it was due."""
    frame = conform(deliveries, DELIVERY_FACT_SCHEMA)
    own = frame[~frame["is_correction"].fillna(False).astype(bool)].copy()
    schedule = usual_schedule(own)
    expected = expected_deliveries(schedule, start, end, as_of)
    cadence = own["partner"].map(schedule.set_index("partner")["cadence"])
    own["period"] = _period(own["delivery_date"], (cadence == "wekelijks").to_numpy())
    own["arrival"] = own[["delivery_date", "arrived_on"]].max(axis=1)
    first = own.sort_values("arrival").drop_duplicates(["partner", "period"])
    # Before a partner's first delivery nothing was due from it.
    started = own.groupby("partner")["period"].min()
    expected = expected[expected["period"] >= expected["partner"].map(started).fillna("")]
    merged = expected.merge(
        first[["partner", "period", "arrival"]], on=["partner", "period"], how="left"
    )
    merged["outcome"] = np.select(
        [merged["arrival"].isna(), merged["arrival"] > merged["expected_on"]],
        ["missing", "late"],
        default="on_time",
    )
    merged["month"] = month_of(merged["expected_on"])
    return merged


def data_quality_table(
    deliveries: pd.DataFrame, months: Sequence[str], start: date, end: date, as_of: date
) -> Table:
    """Per partner × month: files, rows received and quarantined, refused, late, missing."""
    frame = conform(deliveries, DELIVERY_FACT_SCHEMA)
    frame["maand"] = month_of(frame["delivery_date"])
    correction = frame["is_correction"].fillna(False).astype(bool)
    refused = frame["status"].isin(["rejected", "unreadable"]).to_numpy(dtype=bool)
    frame["bestanden"] = (~correction).astype("int64")
    frame["herindieningen"] = correction.astype("int64")
    frame["geweigerde bestanden"] = refused.astype("int64")
    frame["rijen ontvangen"] = frame["rows_received"].fillna(0).astype("int64")
    frame["rijen in quarantaine"] = frame["rows_quarantined"].fillna(0).astype("int64")
    due = timeliness(frame, start, end, as_of)
    due["verwacht"] = 1
    due["te laat"] = (due["outcome"] == "late").astype("int64")
    due["ontbreekt"] = (due["outcome"] == "missing").astype("int64")
    due = due.rename(columns={"month": "maand"})
    from signals.monitor.cube import count_cube

    partners = sorted(set(frame["partner"].dropna()) | set(due["partner"].dropna()))
    dims = {"partner": partners, "maand": list(months)}
    files = count_cube(
        frame,
        dims,
        [
            "bestanden",
            "herindieningen",
            "geweigerde bestanden",
            "rijen ontvangen",
            "rijen in quarantaine",
        ],
    )
    timely = count_cube(due, dims, ["verwacht", "te laat", "ontbreekt"])
    values = files.merge(timely, on=["partner", "maand"], how="left")
    values["aandeel in quarantaine"] = ratio(
        values["rijen in quarantaine"], values["rijen ontvangen"]
    ).round(4)
    counts = [
        "bestanden",
        "herindieningen",
        "geweigerde bestanden",
        "rijen ontvangen",
        "rijen in quarantaine",
        "verwacht",
        "te laat",
        "ontbreekt",
    ]
    schedule = usual_schedule(frame[frame["status"] == "loaded"])
    described = "; ".join(
        f"{partner}: {_describe(cadence, day)}"
        for partner, cadence, day in zip(
            schedule["partner"].astype(str).tolist(),
            schedule["cadence"].astype(str).tolist(),
            schedule["usual_day"].astype(int).tolist(),
            strict=True,
        )
    )
    return Table(
        key="datakwaliteit",
        title="Datakwaliteit per partner",
        note=(
            "Bestanden en rijen per partner in de maand van de leverdatum. Te laat: later dan "
            "de gebruikelijke dag van de partner geleverd of ingelezen; ontbreekt: geen "
            "levering in die maand (week) terwijl de gebruikelijke dag voorbij is. "
            f"Gebruikelijke dagen: {described or 'nog onbekend'}. Aantallen bestanden en rijen, "
            "geen personen: niet afgeschermd."
        ),
        dimensions=["partner", "maand"],
        counts=counts,
        values=values,
        derived={"aandeel in quarantaine": ["rijen in quarantaine"]},
        suppressed=False,
    )


WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _describe(cadence: str, day: int) -> str:
    if cadence == "wekelijks":
        return f"elke {WEEKDAYS_NL[day]}"
    return f"de {day}e van de maand"
