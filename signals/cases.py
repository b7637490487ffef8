"""Cases (vroegsignaalzaken): one open case per household; tonight's signals join or open one.

- A household with an open case: every signal of tonight joins it (also the ones not picked
  up, so the case shows its full history); a picked-up signal sets ``picked_up_on`` the first
  time and ``last_pickup_on`` every time; the case type follows the household state.
- A household without an open case and at least one picked-up signal: a new open case.
- A household without an open case and no picked-up signal: a case opened and closed the same
  night, its ``result`` the DDAS "niet opgepakt"/"geen inwoner" status of the signal. DDAS
  reports every signal inside a vroegsignaalzaak with an eindresultaat, and EnumEindresultaat
  carries exactly these values, so reporting needs no special case for unhandled signals.

Case ids derive from household key and night, so replaying a night gives the same ids.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from signals.ddas import RESULTS, STATUS_PICKED_UP
from signals.ids import stable_id
from signals.schema import DATE, STRING, conform

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
}
CASE_SIGNAL_COLUMNS: dict[str, str] = {"case_id": STRING, "signal_key": STRING}
OPEN = "open"
CLOSED = "closed"
DEFAULT_CASE_TYPE = "enkelvoudig"


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
    """Cases after tonight (all of them, ``CASE_COLUMNS``) and tonight's case↔signal links."""
    cases = conform(cases, CASE_COLUMNS)
    open_cases = cases[cases["status"].eq(OPEN).fillna(False).astype(bool)]
    doubled = open_cases["household_key"].duplicated()
    if doubled.any():
        raise ValueError(f"{int(doubled.sum())} household(s) have more than one open case")
    open_by_household = dict(
        zip(open_cases["household_key"].astype(str), open_cases.index.tolist(), strict=True)
    )
    case_types = _case_types(household_state)
    today = pd.Timestamp(night)
    new_rows: list[dict[str, object]] = []
    links: list[dict[str, str]] = []
    ordered = decisions.sort_values(["household_key", "signal_key"], kind="stable")
    for household, group in ordered.groupby("household_key", sort=True):
        key = str(household)
        picked = bool(group["status"].eq(STATUS_PICKED_UP).any())
        case_type = case_types.get(key, DEFAULT_CASE_TYPE)
        if key in open_by_household:
            index = open_by_household[key]
            _join(cases, index, case_type, picked, today)
            case_id = str(cases.at[index, "case_id"])
        else:
            first_signal = str(group["signal_key"].iloc[0])
            row = _new_case(
                key, case_type, picked, str(group["status"].iloc[0]), night, first_signal
            )
            new_rows.append(row)
            case_id = str(row["case_id"])
        links.extend({"case_id": case_id, "signal_key": str(s)} for s in group["signal_key"])
    out = pd.concat([cases, conform(pd.DataFrame(new_rows), CASE_COLUMNS)], ignore_index=True)
    out = conform(out.sort_values("case_id", kind="stable"), CASE_COLUMNS)
    link_frame = conform(
        pd.DataFrame(links, columns=list(CASE_SIGNAL_COLUMNS)), CASE_SIGNAL_COLUMNS
    )
    return out, link_frame


def _case_types(household_state: pd.DataFrame) -> dict[str, str]:
    state = household_state.dropna(subset=["household_key", "case_type"])
    return dict(
        zip(state["household_key"].astype(str), state["case_type"].astype(str), strict=True)
    )


def _join(
    cases: pd.DataFrame, index: int, case_type: str, picked: bool, today: pd.Timestamp
) -> None:
    cases.at[index, "case_type"] = case_type
    if picked:
        if pd.isna(cases["picked_up_on"].loc[index]):
            cases.at[index, "picked_up_on"] = today
        cases.at[index, "last_pickup_on"] = today


def _new_case(
    household: str,
    case_type: str,
    picked: bool,
    first_status: str,
    night: date,
    first_signal: str,
) -> dict[str, object]:
    today = pd.Timestamp(night)
    row: dict[str, object] = {
        "case_id": case_id_for(household, night, first_signal),
        "household_key": household,
        "case_type": case_type,
        "opened_on": today,
        "status": OPEN,
    }
    if picked:
        row.update(picked_up_on=today, last_pickup_on=today)
        return row
    if first_status not in RESULTS:
        raise ValueError(f"status {first_status!r} has no DDAS end result to close a case with")
    row.update(status=CLOSED, closed_on=today, result=first_status)
    return row
