"""Features of a household as of a night, from what had been delivered by then.

Every input carries the night it became known (``known_on`` for signals, deliveries and
nazorg rows, ``recorded_on`` for contact attempts); a row known after the night is invisible
to it, so a late or corrected delivery never leaks into an earlier night. All work is
vectorised over (night, household) rows: one merge of the rows with the household's history,
then group-bys per window and partner type.

Windows are 3, 6 and 12 months and all time, per DDAS partner type and overall. No protected
attribute or proxy is a feature: the wijk is kept for the bias audit only (``AUDIT_ONLY``).
The age band is a feature (the policy itself has a youth queue) and an audit group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

PARTNER_TYPES: Final = ("Huur", "Energie", "Water", "Zorg", "Overige")
#: Window name -> days (None: all time).
WINDOWS: Final[dict[str, int | None]] = {"3m": 91, "6m": 183, "12m": 365, "ooit": None}
AGE_BANDS: Final = ("18-26", "27-44", "45-66", "67+")
TRAJECTORY_OUTCOMES: Final = (
    "schuldregeling_geslaagd",
    "saneringskrediet",
    "budgetbeheer_afgerond",
    "afgebroken",
)
#: Referral lists (bank) are no snapshots: a referral counts as current this many days.
REFERRAL_CURRENT_DAYS: Final = 91
#: Columns kept next to the features for the audit, never fed to a model.
AUDIT_ONLY: Final = ("wijkcode", "age_band")
#: Features with a real "unknown": filled with 0 and flagged in ``<name>_missing``.
FLAGGED: Final = ("months_in_arrears", "arrears_days", "age", "days_since_trajectory_end")


@dataclass(frozen=True)
class History:
    """What the record holds, each row with the night it became known.

    signals: household_key, partner, partner_type, delivery_date, known_on, amount,
        arrears_months, arrears_since, crisis_kind, age_at_signal, wijkcode
    deliveries: partner, delivery_date, known_on (complete deliveries, snapshots)
    aftercare: household_key, trajectory_end_date, trajectory_outcome, known_on
    attempts: household_key, attempt_date, reached, recorded_on
    cases: household_key, opened_on, closed_on
    """

    signals: pd.DataFrame
    deliveries: pd.DataFrame
    aftercare: pd.DataFrame
    attempts: pd.DataFrame
    cases: pd.DataFrame


def feature_names() -> list[str]:
    """The model features, in a fixed order."""
    names: list[str] = []
    for window in WINDOWS:
        for kind in (*PARTNER_TYPES, "alle"):
            names += [f"n_{kind}_{window}", f"max_{kind}_{window}", f"growth_{kind}_{window}"]
        names += [f"partners_{window}", f"crisis_{window}"]
    names += [f"current_{kind}" for kind in PARTNER_TYPES]
    names += ["current_total", "current_partners", "current_crisis"]
    names += [f"band_{band}" for band in AGE_BANDS]
    names += [f"trajectory_{outcome}" for outcome in TRAJECTORY_OUTCOMES]
    names += ["relapse_now", "days_since_first_signal", "days_in_case", "prior_cases"]
    names += ["attempts", "attempts_reached"]
    # The age itself stays out (its band is in): an age band is what the policy knows too.
    names += [name for name in FLAGGED if name != "age"] + [f"{name}_missing" for name in FLAGGED]
    return names


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    """A column of an unstacked table, empty when no row had that key."""
    return table[name] if name in table.columns else pd.Series(dtype=float)


def _age_band(age: pd.Series) -> pd.Series:
    bands = pd.cut(age, bins=[0, 26, 44, 66, 200], labels=list(AGE_BANDS), right=True)
    return bands.astype("string")


def _known(frame: pd.DataFrame, rows: pd.DataFrame, when: str) -> pd.DataFrame:
    """``frame`` joined to the (night, household) rows, limited to what was known then."""
    joined = rows[["_row", "night", "household_key"]].merge(frame, on="household_key", how="inner")
    return joined[pd.to_datetime(joined[when]) <= joined["night"]]


def _latest_deliveries(deliveries: pd.DataFrame, nights: pd.Series) -> pd.DataFrame:
    """``night, partner, latest``: each partner's newest complete delivery known by each night."""
    known = deliveries.assign(known_on=pd.to_datetime(deliveries["known_on"]))
    known = known.sort_values("known_on")
    frames = []
    # One step per distinct night (a year of weeks), not per household.
    for night in pd.to_datetime(pd.Series(nights.unique())).sort_values():
        seen = known[known["known_on"] <= night]
        latest = seen.groupby("partner")["delivery_date"].max().rename("latest").reset_index()
        frames.append(latest.assign(night=night))
    if not frames:
        return pd.DataFrame(columns=["night", "partner", "latest"])
    out = pd.concat(frames, ignore_index=True)
    out["latest"] = pd.to_datetime(out["latest"])
    return out


def _signal_features(rows: pd.DataFrame, history: History) -> pd.DataFrame:
    signals = history.signals.astype({"household_key": object, "partner": object})
    signals = signals.assign(
        delivery_date=pd.to_datetime(signals["delivery_date"]),
        amount=pd.to_numeric(signals["amount"]).astype(float),
        arrears_months=pd.to_numeric(signals["arrears_months"]).astype(float),
        has_crisis=signals["crisis_kind"].notna().to_numpy(dtype=bool),
    )
    joined = _known(signals, rows, "known_on")
    age = _days(joined["night"], joined["delivery_date"])
    index = pd.Index(rows["_row"], name="_row")
    cols: dict[str, pd.Series] = {}
    for window, days in WINDOWS.items():
        part = joined if days is None else joined[age <= days]
        part = part.sort_values("delivery_date", kind="stable")
        by_type = part.groupby(["_row", "partner_type"])
        ends = part.groupby(["_row", "partner"]).agg(
            first=("amount", "first"),
            last=("amount", "last"),
            partner_type=("partner_type", "first"),
        )
        ends["growth"] = ends["last"].fillna(0.0) - ends["first"].fillna(0.0)
        growth = ends.groupby(["_row", "partner_type"])["growth"].sum().unstack()
        count = by_type.size().unstack()
        top = by_type["amount"].max().unstack()
        for kind in PARTNER_TYPES:
            cols[f"n_{kind}_{window}"] = _column(count, kind)
            cols[f"max_{kind}_{window}"] = _column(top, kind)
            cols[f"growth_{kind}_{window}"] = _column(growth, kind)
        overall = part.groupby("_row")
        cols[f"n_alle_{window}"] = overall.size()
        cols[f"max_alle_{window}"] = overall["amount"].max()
        cols[f"growth_alle_{window}"] = ends.groupby("_row")["growth"].sum()
        cols[f"partners_{window}"] = overall["partner"].nunique()
        cols[f"crisis_{window}"] = overall["has_crisis"].sum()
    out = pd.DataFrame({name: col.reindex(index) for name, col in cols.items()}, index=index)
    out = out.fillna(0.0)
    cols = {}

    # Current arrears: the household's rows in each partner's newest delivery known that night.
    latest = _latest_deliveries(history.deliveries, rows["night"])
    current = joined.merge(latest, on=["night", "partner"], how="left")
    is_referral = current["partner_type"].eq("Overige").fillna(False).to_numpy(dtype=bool)
    in_latest = (current["delivery_date"] == current["latest"]).fillna(False).to_numpy(dtype=bool)
    recent = (_days(current["night"], current["delivery_date"]) <= REFERRAL_CURRENT_DAYS).to_numpy()
    current = current[np.where(is_referral, recent, in_latest)]
    current = current.sort_values("delivery_date").drop_duplicates(["_row", "partner"], keep="last")
    amounts = current.groupby(["_row", "partner_type"])["amount"].sum().unstack()
    for kind in PARTNER_TYPES:
        cols[f"current_{kind}"] = _column(amounts, kind).reindex(index)
    by_row = current.groupby("_row")
    cols["current_total"] = by_row["amount"].sum().reindex(index)
    cols["current_partners"] = by_row["partner"].nunique().reindex(index)
    cols["current_crisis"] = by_row["has_crisis"].any().reindex(index).astype(float)
    cols["months_in_arrears"] = by_row["arrears_months"].max().reindex(index)
    since = current.assign(since=_days(current["night"], current["arrears_since"]))
    cols["arrears_days"] = since.groupby("_row")["since"].max().reindex(index)

    first = joined.groupby("_row")["delivery_date"].min()
    night_of = rows.set_index("_row")["night"]
    cols["days_since_first_signal"] = _days(night_of, first.reindex(night_of.index)).fillna(0.0)
    for kind in PARTNER_TYPES:
        cols[f"current_{kind}"] = cols[f"current_{kind}"].fillna(0.0)
    for name in ("current_total", "current_partners", "current_crisis"):
        cols[name] = cols[name].fillna(0.0)

    # Age: the newest known age at signal, aged by the time since; the wijk (audit only) too.
    aged = joined.dropna(subset=["age_at_signal"]).sort_values("delivery_date")
    aged = aged.drop_duplicates("_row", keep="last").set_index("_row")
    years = _days(aged["night"], aged["delivery_date"]) // 365
    cols["age"] = (pd.to_numeric(aged["age_at_signal"]) + years).reindex(index).astype(float)
    with_wijk = joined.dropna(subset=["wijkcode"]).sort_values("delivery_date")
    wijk = with_wijk.drop_duplicates("_row", keep="last").set_index("_row")["wijkcode"]
    cols["wijkcode"] = wijk.reindex(index).astype("string")
    current_frame = pd.DataFrame(cols, index=index)
    return pd.concat([out, current_frame], axis=1)


def _aftercare_features(rows: pd.DataFrame, history: History, index: pd.Index) -> pd.DataFrame:
    after = _known(history.aftercare.astype({"household_key": object}), rows, "known_on")
    after = after[pd.to_datetime(after["trajectory_end_date"]) <= after["night"]]
    after = after.sort_values("trajectory_end_date").drop_duplicates("_row", keep="last")
    after = after.set_index("_row")
    cols: dict[str, pd.Series] = {}
    for outcome in TRAJECTORY_OUTCOMES:
        flag = (after["trajectory_outcome"] == outcome).astype(float)
        cols[f"trajectory_{outcome}"] = flag.reindex(index).fillna(0.0)
    since = _days(after["night"], after["trajectory_end_date"]).astype(float)
    cols["days_since_trajectory_end"] = since.reindex(index)
    return pd.DataFrame(cols, index=index)


def _casework_features(rows: pd.DataFrame, history: History, index: pd.Index) -> pd.DataFrame:
    attempts = history.attempts.astype({"household_key": object})
    known = _known(attempts, rows, "recorded_on")
    known = known[pd.to_datetime(known["attempt_date"]) <= known["night"]]
    cols: dict[str, pd.Series] = {}
    cols["attempts"] = known.groupby("_row").size().reindex(index).fillna(0.0)
    reached = known["reached"].astype("boolean").fillna(False).astype(float)
    cols["attempts_reached"] = reached.groupby(known["_row"]).sum().reindex(index).fillna(0.0)

    cases = history.cases.astype({"household_key": object})
    joined = rows[["_row", "night", "household_key"]].merge(cases, on="household_key")
    opened = pd.to_datetime(joined["opened_on"])
    closed = pd.to_datetime(joined["closed_on"])
    prior = joined[closed.notna() & (closed <= joined["night"])]
    cols["prior_cases"] = prior.groupby("_row").size().reindex(index).fillna(0.0)
    open_now = joined[(opened <= joined["night"]) & (closed.isna() | (closed > joined["night"]))]
    in_case = _days(open_now["night"], open_now["opened_on"]).groupby(open_now["_row"]).max()
    cols["days_in_case"] = in_case.reindex(index).fillna(0.0).astype(float)
    return pd.DataFrame(cols, index=index)


def build_features(rows: pd.DataFrame, history: History) -> pd.DataFrame:
    """``rows`` (night, household_key, ...) with every feature of ``feature_names()`` and the
    audit-only columns, in the rows' order. Missing values of ``FLAGGED`` are explicit."""
    base = rows.reset_index(drop=True).copy()
    base["night"] = pd.to_datetime(base["night"])
    base["household_key"] = base["household_key"].astype(object)
    base["_row"] = np.arange(len(base))
    index = pd.Index(base["_row"], name="_row")
    signal_part = _signal_features(base, history)
    out = pd.concat(
        [
            signal_part,
            _aftercare_features(base, history, index),
            _casework_features(base, history, index),
        ],
        axis=1,
    )
    extra: dict[str, pd.Series] = {}
    extra["relapse_now"] = (
        (out["current_partners"] > 0) & out["days_since_trajectory_end"].notna()
    ).astype(float)
    bands = _age_band(out["age"])
    extra["age_band"] = bands
    for band in AGE_BANDS:
        extra[f"band_{band}"] = (bands == band).fillna(False).astype(float)
    for name in FLAGGED:
        extra[f"{name}_missing"] = out[name].isna().astype(float)
        extra[name] = out[name].fillna(0.0).astype(float)
    out = pd.concat([out.drop(columns=list(FLAGGED)), pd.DataFrame(extra, index=index)], axis=1)
    features = out[feature_names()].astype(float).reset_index(drop=True)
    audit = out[list(AUDIT_ONLY)].astype("string").reset_index(drop=True)
    return pd.concat([base.drop(columns="_row"), features, audit], axis=1)
