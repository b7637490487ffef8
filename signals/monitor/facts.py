"""The monitor's inputs and the per-signal and per-case facts every figure is counted from.

Conventions, which make a closed month's figures stable (see ``docs/monitor.md``):

- A signal counts in the month of its triage decision (``decided_on``, the night that took it
  into account). Decisions are insert-only, so a file that arrives late, or a corrected
  re-submission, counts in the month it arrived and never changes a month already reported.
- A signal is one row of one delivery (a partner's monthly snapshot repeats the same arrears
  with the same id); an *episode* is the first appearance of a partner's signal id, so the
  same arrears reported in three snapshots are three signals and one episode.
- A case is broken down by the partner type and wijk of its first signal, so every case is
  counted once and tables add up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from signals.schema import BOOL, DATE, FLOAT, INT, STRING, conform, empty_frame
from signals.triage.working_days import add_working_days

#: Shown for a signal without a wijk (an address outside the reference list).
UNKNOWN_WIJK = "Onbekend / buiten de gemeente"

#: What the connector hands over per signal: the linked signal, its state and its decision.
SIGNAL_FACT_SCHEMA: dict[str, str] = {
    "signal_key": STRING,
    "partner": STRING,
    "partner_type": STRING,
    "signal_id": STRING,
    "household_key": STRING,
    "wijkcode": STRING,
    "wijknaam": STRING,
    "delivery_date": DATE,
    "signal_date": DATE,
    "crisis_kind": STRING,
    "amount": FLOAT,
    "age_at_signal": INT,
    "signal_state": STRING,
    "status": STRING,
    "rule": STRING,
    "policy_version": STRING,
    "decided_on": DATE,
}

#: A delivery as the data-quality figures read it.
DELIVERY_FACT_SCHEMA: dict[str, str] = {
    "partner": STRING,
    "delivery_date": DATE,
    "status": STRING,  # loaded | rejected | unreadable
    "rows_received": INT,
    "rows_quarantined": INT,
    "is_correction": BOOL,
    "arrived_on": DATE,  # the night that took it in (triaged_on), else its delivery date
}

#: Derived per case (see :func:`case_facts`).
CASE_FACT_SCHEMA: dict[str, str] = {
    "case_id": STRING,
    "household_key": STRING,
    "case_type": STRING,  # the type when the case was opened
    "partner_type": STRING,  # of its first signal
    "wijk": STRING,  # of its first signal
    "wijkcode": STRING,
    "opened_on": DATE,
    "picked_up_on": DATE,
    "closed_on": DATE,
    "result": STRING,
    "received_on": DATE,  # delivery date of its first signal: the municipality knew from then
    "attempts": INT,
    "first_attempt": DATE,
    "first_reached": DATE,
    "crisis_received": DATE,  # delivery date of its first crisis signal, NaT without one
    "first_attempt_after_crisis": DATE,
    "first_reached_after_crisis": DATE,
}


@dataclass(frozen=True)
class MonitorInput:
    """Everything the monitor counts, as read from the point-in-time record."""

    signals: pd.DataFrame  # SIGNAL_FACT_SCHEMA
    cases: pd.DataFrame  # CASE_SCHEMA as it stood, plus "opening_case_type"
    case_signals: pd.DataFrame  # case_id, signal_key
    attempts: pd.DataFrame  # CONTACT_ATTEMPT_SCHEMA (recorded by the moment read)
    deliveries: pd.DataFrame  # DELIVERY_FACT_SCHEMA
    aftercare: pd.DataFrame  # LINKED_AFTERCARE_SCHEMA
    wijken: pd.DataFrame | None  # wijkcode, wijknaam, inwoners, huishoudens; None: no file
    as_of: date  # the night the record was read at: the end of observation


def month_of(dates: pd.Series) -> pd.Series:
    """``"2026-10"`` per date (NA for NaT)."""
    out = dates.dt.strftime("%Y-%m").astype("string")
    return out.where(dates.notna())


def months_between(start: date, end: date) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive, as ``"YYYY-MM"``."""
    periods = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    return [str(p) for p in periods]


def wijk_labels(wijkcode: pd.Series, wijknaam: pd.Series, wijken: pd.DataFrame | None) -> pd.Series:
    """The wijk as published: its name (from wijken.csv, else the signal's), else its code."""
    names = wijknaam.astype("string")
    if wijken is not None and len(wijken):
        known = pd.Series(
            wijken["wijknaam"].astype("string").to_numpy(),
            index=wijken["wijkcode"].astype("string").to_numpy(),
        )
        names = wijkcode.astype("string").map(known).astype("string").fillna(names)
    return names.fillna(wijkcode.astype("string")).fillna(UNKNOWN_WIJK).astype("string")


def decided_signals(data: MonitorInput) -> pd.DataFrame:
    """Decided signals with month, wijk label and episode flag (first appearance of its id)."""
    frame = conform(data.signals, SIGNAL_FACT_SCHEMA)
    frame = frame[frame["decided_on"].notna()].copy()
    frame["month"] = month_of(frame["decided_on"])
    frame["wijk"] = wijk_labels(frame["wijkcode"], frame["wijknaam"], data.wijken)
    # The id as the partner keeps it over its snapshots; a row without one is its own episode.
    identity = frame["signal_id"].fillna(frame["signal_key"])
    ordered = frame.assign(_identity=identity).sort_values(
        ["delivery_date", "decided_on", "signal_key"], kind="stable"
    )
    first = ~ordered.duplicated(["partner", "_identity"], keep="first")
    frame["new_episode"] = first.reindex(frame.index).to_numpy(dtype=bool)
    return frame.reset_index(drop=True)


def case_facts(data: MonitorInput) -> pd.DataFrame:
    """Per case: breakdown, dates, attempts and the first attempt/reach (overall and after a
    crisis signal). Attempts are those recorded by the moment the record was read."""
    cases = data.cases
    if cases.empty:
        return empty_frame(CASE_FACT_SCHEMA)
    signals = conform(data.signals, SIGNAL_FACT_SCHEMA)
    signals = signals.assign(
        wijk=wijk_labels(signals["wijkcode"], signals["wijknaam"], data.wijken)
    )
    linked = data.case_signals.merge(
        signals[["signal_key", "partner_type", "wijk", "wijkcode", "delivery_date", "crisis_kind"]],
        on="signal_key",
        how="inner",
    ).sort_values(["case_id", "delivery_date", "signal_key"], kind="stable")
    first = linked.drop_duplicates("case_id").set_index("case_id")
    crisis = linked[linked["crisis_kind"].notna()].drop_duplicates("case_id")
    crisis_on = crisis.set_index("case_id")["delivery_date"]

    out = pd.DataFrame({"case_id": cases["case_id"].astype("string")})
    out["household_key"] = cases["household_key"].to_numpy()
    type_column = "opening_case_type" if "opening_case_type" in cases.columns else "case_type"
    out["case_type"] = cases[type_column].to_numpy()
    for name in ("opened_on", "picked_up_on", "closed_on", "result"):
        out[name] = cases[name].to_numpy()
    ids = out["case_id"]
    out["partner_type"] = _lookup(ids, first["partner_type"])
    out["wijk"] = pd.Series(_lookup(ids, first["wijk"])).fillna(UNKNOWN_WIJK).to_numpy()
    out["wijkcode"] = _lookup(ids, first["wijkcode"])
    out["received_on"] = _lookup(ids, first["delivery_date"])
    out["crisis_received"] = _lookup(ids, crisis_on)

    attempts = data.attempts[["case_id", "attempt_date", "reached"]].copy()
    attempts["reached"] = attempts["reached"].astype("boolean").fillna(False).astype(bool)
    grouped = attempts.groupby("case_id")
    out["attempts"] = pd.Series(_lookup(ids, grouped.size())).fillna(0).astype("int64").to_numpy()
    out["first_attempt"] = _lookup(ids, grouped["attempt_date"].min())
    reached = attempts[attempts["reached"]]
    out["first_reached"] = _lookup(ids, reached.groupby("case_id")["attempt_date"].min())
    after = attempts.merge(
        pd.DataFrame({"case_id": crisis_on.index, "crisis_received": crisis_on.to_numpy()}),
        on="case_id",
    )
    after = after[after["attempt_date"] >= after["crisis_received"]]
    out["first_attempt_after_crisis"] = _lookup(ids, after.groupby("case_id")["attempt_date"].min())
    out["first_reached_after_crisis"] = _lookup(
        ids, after[after["reached"]].groupby("case_id")["attempt_date"].min()
    )
    return conform(out, CASE_FACT_SCHEMA)


def _lookup(ids: pd.Series, values: pd.Series) -> np.ndarray:
    """``values`` looked up per id (missing: NA), also when ``values`` is empty."""
    if values.empty:
        return np.full(len(ids), None, dtype=object)
    found = values.reindex(pd.Index(ids.astype(str).to_numpy()))
    return found.to_numpy()


def working_day_deadline(start: pd.Series, days: int) -> pd.Series:
    """``start`` + ``days`` working days, per date (each distinct date computed once)."""
    unique = pd.Series(start.dropna().unique())
    deadlines = {
        pd.Timestamp(day): pd.Timestamp(add_working_days(pd.Timestamp(day).date(), days))
        for day in unique
    }
    return start.map(deadlines).astype("datetime64[ns]")


def days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole days from ``earlier`` to ``later`` (NA where either is missing)."""
    delta = (later - earlier).dt.days
    return delta.astype("Float64")


def in_range(months: pd.Series, wanted: Sequence[str]) -> np.ndarray:
    return months.isin(list(wanted)).to_numpy(dtype=bool)
