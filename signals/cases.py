"""Cases (vroegsignaalzaken): one open case per household; tonight's signals join or open one.

- A household with an open case: every signal of tonight joins it (also the ones not picked
  up, so the case shows its full history); a picked-up signal sets ``picked_up_on`` the first
  time and ``last_pickup_on`` every time; the case type follows the household state.
- A household without an open case and at least one picked-up signal: a new open case.
- A household without an open case and no picked-up signal: a case opened and closed the same
  night. DDAS reports every signal inside a vroegsignaalzaak with an eindresultaat, and
  EnumEindresultaat carries the "niet opgepakt"/"geen inwoner" statuses, so its result is the
  status of its signals; when they differ, the first in :data:`CLOSING_PRECEDENCE` (the reason
  that most surely ends the matter: not a resident, then not processable, then unfounded, then
  a repeat).

Case ids derive from household key, night and first signal, so replaying a night gives the
same ids. Everything is computed for all households at once.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from signals import ddas
from signals.ddas import RESULTS, STATUS_PICKED_UP
from signals.ids import stable_id
from signals.membership import is_in
from signals.schema import DATE, INT, STRING, conform

CASE_COLUMNS: dict[str, str] = {
    "case_id": STRING,
    "household_key": STRING,
    "case_type": STRING,  # "enkelvoudig" | "meervoudig" | "opeenvolgend"
    "opened_on": DATE,
    "picked_up_on": DATE,  # DDAS datumOpgepakt: first pick-up
    "last_pickup_on": DATE,  # latest pick-up; the repeat look-back counts from it
    "status": STRING,  # "open" | "closed"
    "closed_on": DATE,
    "result": STRING,  # DDAS EnumEindresultaat once closed
    "closed_by": STRING,  # a user, or the run that closed it
    "version": INT,  # optimistic concurrency (connectors.database); NA for a new case
}
CASE_SIGNAL_COLUMNS: dict[str, str] = {"case_id": STRING, "signal_key": STRING}
OPEN = "open"
CLOSED = "closed"
DEFAULT_CASE_TYPE = "enkelvoudig"


#: Which not-picked-up status closes a same-night case when its signals differ.
CLOSING_PRECEDENCE: tuple[str, ...] = (
    ddas.STATUS_NOT_RESIDENT,
    ddas.STATUS_DECEASED,
    ddas.STATUS_KNOWN_AT_DEBT_HELP,
    ddas.STATUS_OTHER_REASON,
    ddas.STATUS_UNFOUNDED,
    ddas.STATUS_REPEAT,
)


def case_id_for(household_key: str, opened_on: date, first_signal_key: str) -> str:
    """Deterministic case id. The first signal is part of it, so a case opened and closed on a
    night and a later case of the same household and night never share an id."""
    return stable_id("zaak", household_key, opened_on.isoformat(), first_signal_key)


def assign_cases(
    decisions: pd.DataFrame,
    household_state: pd.DataFrame,
    cases: pd.DataFrame,
    night: date,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tonight's cases and case↔signal links.

    ``cases`` are the open cases of the households involved (closed ones are left as they
    are). Returns the cases that are new or changed tonight (``CASE_COLUMNS``; a changed case
    keeps its ``version`` so the store can check nobody else changed it meanwhile) and the
    links of tonight's signals.
    """
    cases = conform(cases, CASE_COLUMNS)
    open_cases = cases[cases["status"].eq(OPEN).fillna(False).astype(bool)]
    doubled = open_cases["household_key"].duplicated()
    if doubled.any():
        raise ValueError(f"{int(doubled.sum())} household(s) have more than one open case")
    if decisions.empty:
        return conform(pd.DataFrame(), CASE_COLUMNS), conform(pd.DataFrame(), CASE_SIGNAL_COLUMNS)
    today = pd.Timestamp(night)
    per_household = _per_household(decisions)
    case_type = (
        household_state.dropna(subset=["household_key"])
        .drop_duplicates("household_key")
        .set_index("household_key")["case_type"]
    )
    per_household["case_type"] = (
        case_type.reindex(per_household.index).astype("string").fillna(DEFAULT_CASE_TYPE)
    )
    existing = open_cases.set_index("household_key")
    joins = is_in(per_household.index, existing.index)

    joined = existing.loc[per_household.index[joins]].copy()
    picked_join = per_household.loc[joins, "picked"].to_numpy(dtype=bool)
    joined["case_type"] = per_household.loc[joins, "case_type"].to_numpy()
    first_pickup = picked_join & joined["picked_up_on"].isna().to_numpy()
    joined.loc[first_pickup, "picked_up_on"] = today
    joined.loc[picked_join, "last_pickup_on"] = today

    fresh = per_household[~joins]
    new = conform(
        pd.DataFrame(
            {
                "case_id": [
                    case_id_for(str(h), night, str(k))
                    for h, k in zip(
                        fresh.index.tolist(), fresh["first_signal"].tolist(), strict=True
                    )
                ],
                "household_key": fresh.index,
                "case_type": fresh["case_type"].to_numpy(),
                "opened_on": today,
                "status": OPEN,
            },
            index=pd.RangeIndex(len(fresh)),
        ),
        CASE_COLUMNS,
    )
    picked_new = fresh["picked"].to_numpy(dtype=bool)
    new.loc[picked_new, "picked_up_on"] = today
    new.loc[picked_new, "last_pickup_on"] = today
    new.loc[~picked_new, "status"] = CLOSED
    new.loc[~picked_new, "closed_on"] = today
    new.loc[~picked_new, "result"] = fresh.loc[~picked_new, "closing_status"].to_numpy()
    new.loc[~picked_new, "closed_by"] = SYSTEM
    if new["result"].notna().any() and not set(new["result"].dropna()) <= set(RESULTS):
        raise ValueError("a not-picked-up status has no DDAS end result to close a case with")

    out = pd.concat(
        [conform(joined.reset_index(), CASE_COLUMNS), conform(new, CASE_COLUMNS)],
        ignore_index=True,
    )
    case_of = pd.Series(out["case_id"].to_numpy(), index=out["household_key"].to_numpy())
    links = pd.DataFrame(
        {
            "case_id": decisions["household_key"].map(case_of).to_numpy(),
            "signal_key": decisions["signal_key"].to_numpy(),
        }
    ).sort_values(["case_id", "signal_key"], kind="stable")
    return (
        conform(out.sort_values("case_id", kind="stable"), CASE_COLUMNS),
        conform(links, CASE_SIGNAL_COLUMNS),
    )


#: ``closed_by`` of what the pipeline itself decides (a worker's name otherwise).
SYSTEM = "systeem"


def _per_household(decisions: pd.DataFrame) -> pd.DataFrame:
    """Per household: any signal picked up, its first signal key, and the closing status."""
    frame = decisions[["household_key", "signal_key", "status"]].copy()
    rank = {status: i for i, status in enumerate(CLOSING_PRECEDENCE)}
    frame["is_picked"] = frame["status"].eq(STATUS_PICKED_UP).fillna(False).astype(bool)
    frame["closing_rank"] = frame["status"].map(rank).astype("Float64").fillna(len(rank))
    grouped = frame.groupby("household_key", sort=True)
    out = pd.DataFrame(
        {
            "picked": grouped["is_picked"].any(),
            "first_signal": grouped["signal_key"].min(),
        }
    )
    best = frame.sort_values(["closing_rank", "signal_key"], kind="stable").drop_duplicates(
        "household_key"
    )
    out["closing_status"] = best.set_index("household_key")["status"].reindex(out.index)
    out.index = out.index.astype("string")
    return out
