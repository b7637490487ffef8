"""The pseudonymous household explorer: one row per household, and one household's timeline.

Nothing here identifies a resident: a household is shown by a short reference (the start of
its keyed pseudonym), its age as a band and its arrears as a band; postcode, huisnummer, BSN
and birth date never reach these frames (they do not exist past the linkage step).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from signals.monitor.facts import MonitorInput, wijk_labels
from signals.monitor.figures import ESCALATIONS, RESULT_GROUPS, RESULT_OTHER

#: Characters of the household key shown as its reference (48 bits: no collision in a town).
REFERENCE_LENGTH = 12
AGE_BANDS = ((18, "18–26"), (27, "27–44"), (45, "45–66"), (67, "67+"))
AMOUNT_BANDS = (
    (0.0, "< € 500"),
    (500.0, "€ 500 – 1.000"),
    (1000.0, "€ 1.000 – 2.500"),
    (2500.0, "€ 2.500 – 5.000"),
    (5000.0, "≥ € 5.000"),
)
SCORE_BANDS = ((0.0, "laag"), (1 / 3, "midden"), (2 / 3, "hoog"))
UNKNOWN = "onbekend"
#: The order a filter's bands are offered in (the bands' own, numeric order).
BAND_ORDER: dict[str, tuple[str, ...]] = {
    "leeftijdsgroep": tuple(text for _, text in AGE_BANDS),
    "bedraggroep": tuple(text for _, text in AMOUNT_BANDS),
    "scoregroep": tuple(text for _, text in SCORE_BANDS),
}
#: Dates on the household page, as everywhere for Dutch readers: dd-mm-jjjj.
DATE_NL = "%d-%m-%Y"
NO_SCORE = "geen score"
STATUS_OPEN = "zaak open"
STATUS_CLOSED = "zaak afgesloten"
STATUS_NOT_PICKED = "niet opgepakt"
STATE_NL = {
    "new": "nieuw",
    "repeat": "herhaald",
    "increased": "gestegen",
    "escalated": "escalatie",
}

#: The explorer's columns, in order (Dutch headers).
COLUMNS = [
    "huishouden",
    "wijk",
    "zaaktype",
    "leeftijdsgroep",
    "partnertypen",
    "bedraggroep",
    "scoregroep",
    "status",
    "terugval",
    "signalen",
    "eerste signaal",
    "laatste signaal",
]
#: Filters of the list: query parameter -> column (partnertypen matches one of the types).
FILTERS = {
    "zaaktype": "zaaktype",
    "wijk": "wijk",
    "leeftijd": "leeftijdsgroep",
    "partnertype": "partnertypen",
    "bedrag": "bedraggroep",
    "score": "scoregroep",
    "status": "status",
    "terugval": "terugval",
}


def reference(household_key: pd.Series) -> pd.Series:
    return household_key.astype("string").str.slice(0, REFERENCE_LENGTH)


def _band(values: pd.Series, bands: Sequence[tuple[float, str]], missing: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    out = pd.Series(missing, index=values.index, dtype="string")
    for lower, name in bands:
        out[(numbers >= lower).fillna(False).to_numpy(dtype=bool)] = name
    return out


def household_table(data: MonitorInput, states: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per household with a decided signal: the explorer's columns (``COLUMNS``).

    ``states`` are each household's newest stored state (``HOUSEHOLD_STATE_SCHEMA``), ``tasks``
    the tasks (``TASK_SCHEMA``) — their score, when a model is promoted.
    """
    signals = data.signals.dropna(subset=["household_key", "decided_on"]).copy()
    if signals.empty:
        return pd.DataFrame(columns=COLUMNS)
    signals["wijk"] = wijk_labels(signals["wijkcode"], signals["wijknaam"], data.wijken)
    ordered = signals.sort_values(["delivery_date", "signal_key"], kind="stable")
    grouped = ordered.groupby("household_key", sort=True)
    latest = grouped.tail(1).set_index("household_key")
    out = pd.DataFrame(index=grouped.size().index)
    out["huishouden"] = reference(pd.Series(out.index, index=out.index))
    out["wijk"] = latest["wijk"].reindex(out.index)
    state = states.drop_duplicates("household_key").set_index("household_key")
    cases = data.cases.sort_values(["opened_on", "case_id"], kind="stable")
    last_case = cases.drop_duplicates("household_key", keep="last").set_index("household_key")
    case_type = state["case_type"].reindex(out.index).astype("string")
    out["zaaktype"] = case_type.fillna(last_case["case_type"].reindex(out.index)).fillna(UNKNOWN)
    ages = grouped["age_at_signal"].last()
    out["leeftijdsgroep"] = _band(ages, AGE_BANDS, UNKNOWN)
    out["partnertypen"] = grouped["partner_type"].agg(
        lambda kinds: ", ".join(sorted(set(kinds.dropna().astype(str))))
    )
    amount = state["total_amount"].reindex(out.index).astype("Float64")
    current = ordered.drop_duplicates(["household_key", "partner"], keep="last")
    fallback = current.groupby("household_key")["amount"].sum(min_count=1).astype("Float64")
    out["bedraggroep"] = _band(amount.fillna(fallback.reindex(out.index)), AMOUNT_BANDS, UNKNOWN)
    scored = tasks.dropna(subset=["household_key"]).sort_values(
        ["updated_on", "task_id"], kind="stable"
    )
    score = scored.drop_duplicates("household_key", keep="last").set_index("household_key")
    out["scoregroep"] = _band(score["score"].reindex(out.index), SCORE_BANDS, NO_SCORE)
    status = pd.Series(STATUS_NOT_PICKED, index=out.index, dtype="string")
    picked = last_case["picked_up_on"].reindex(out.index).notna().to_numpy(dtype=bool)
    is_open = (last_case["status"].reindex(out.index) == "open").fillna(False).to_numpy(dtype=bool)
    status[picked] = STATUS_CLOSED
    status[picked & is_open] = STATUS_OPEN
    out["status"] = status
    relapse = state["relapse"].reindex(out.index).astype("boolean").fillna(False)
    out["terugval"] = np.where(relapse.to_numpy(dtype=bool), "ja", "nee")
    out["signalen"] = grouped.size().astype("int64")
    out["eerste signaal"] = grouped["delivery_date"].min().dt.strftime("%Y-%m-%d")
    out["laatste signaal"] = grouped["delivery_date"].max().dt.strftime("%Y-%m-%d")
    return out.reset_index(drop=True)[COLUMNS]


def filter_options(table: pd.DataFrame) -> dict[str, list[str]]:
    """Per filter, the values that occur (partner types one by one)."""
    options: dict[str, list[str]] = {}
    for name, column in FILTERS.items():
        if column == "partnertypen":
            kinds = {k.strip() for text in table[column].dropna() for k in str(text).split(",")}
            options[name] = sorted(k for k in kinds if k)
        else:
            present = set(table[column].dropna().astype(str))
            order = {text: rank for rank, text in enumerate(BAND_ORDER.get(column, ()))}
            # Bands in their numeric order ("< € 500" before "€ 1.000 – 2.500"), "onbekend" last.
            options[name] = sorted(present, key=lambda v: (v == UNKNOWN, order.get(v, -1), v))
    return options


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame
    total: int
    page: int
    pages: int


def select_households(
    table: pd.DataFrame,
    filters: Mapping[str, str | None],
    sort: str = "laatste signaal",
    descending: bool = True,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """The rows matching ``filters`` (query parameter -> value), sorted and paged."""
    keep = np.ones(len(table), dtype=bool)
    for name, value in filters.items():
        if not value or name not in FILTERS:
            continue
        column = table[FILTERS[name]].astype(str)
        if FILTERS[name] == "partnertypen":
            keep &= column.str.split(", ").apply(lambda kinds, v=value: v in kinds).to_numpy(bool)
        else:
            keep &= (column == value).to_numpy(dtype=bool)
    chosen = table[keep]
    key = sort if sort in COLUMNS else "laatste signaal"
    chosen = chosen.sort_values(
        [key, "huishouden"], ascending=[not descending, True], kind="stable"
    )
    total = len(chosen)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = chosen.iloc[(page - 1) * per_page : page * per_page].reset_index(drop=True)
    return Page(rows, total, page, pages)


def _result_group(results: pd.Series) -> pd.Series:
    groups = results.map(RESULT_GROUPS).astype("string")
    return groups.where(results.isna() | groups.notna(), RESULT_OTHER)


def timeline(
    data: MonitorInput, tasks: pd.DataFrame, household_key: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One household's (signals with decisions, cases, contact attempts, tasks), oldest first."""
    own = data.signals[data.signals["household_key"] == household_key].sort_values(
        ["delivery_date", "signal_key"], kind="stable"
    )
    signals = pd.DataFrame(
        {
            "geleverd": own["delivery_date"].dt.strftime(DATE_NL),
            "partnertype": own["partner_type"],
            "partner": own["partner"],
            "toestand": own["signal_state"].map(STATE_NL).fillna(own["signal_state"]),
            "crisis": own["crisis_kind"].map(ESCALATIONS).fillna(""),
            "bedrag": own["amount"].round(0),
            "beoordeeld": own["decided_on"].dt.strftime(DATE_NL),
            "besluit": own["status"],
            "regel": own["rule"],
            "beleidsversie": own["policy_version"],
        }
    ).reset_index(drop=True)
    cases = data.cases[data.cases["household_key"] == household_key].sort_values("opened_on")
    case_rows = pd.DataFrame(
        {
            "zaak": cases["case_id"].astype("string").str.slice(0, 10),
            "geopend": cases["opened_on"].dt.strftime(DATE_NL),
            "zaaktype": cases["case_type"],
            "opgepakt": cases["picked_up_on"].dt.strftime(DATE_NL),
            "afgesloten": cases["closed_on"].dt.strftime(DATE_NL),
            "resultaat": cases["result"],
            "resultaatgroep": _result_group(cases["result"]),
        }
    ).reset_index(drop=True)
    attempts = data.attempts[data.attempts["case_id"].isin(cases["case_id"])].sort_values(
        "attempt_date", kind="stable"
    )
    attempt_rows = pd.DataFrame(
        {
            "zaak": attempts["case_id"].astype("string").str.slice(0, 10),
            "datum": attempts["attempt_date"].dt.strftime(DATE_NL),
            "soort": attempts["contact_kind"],
            "dagdeel": attempts["part_of_day"],
            "bereikt": attempts["reached"].map({True: "ja", False: "nee"}).fillna("onbekend"),
        }
    ).reset_index(drop=True)
    own_tasks = tasks[tasks["household_key"] == household_key].sort_values(
        ["created_on", "task_id"], kind="stable"
    )
    task_rows = pd.DataFrame(
        {
            "team": own_tasks["team"],
            "contactsoort": own_tasks["contact_kind"],
            "status": own_tasks["status"],
            "regel": own_tasks["rule"],
            "uiterlijk": own_tasks["due_date"].dt.strftime(DATE_NL),
            "score": own_tasks["score"].round(2),
            "redenen van de score": own_tasks["score_reasons_nl"],
        }
    ).reset_index(drop=True)
    return signals, case_rows, attempt_rows, task_rows
