"""The DDAS Vroegsignalering v1.2 delivery to CBS (uitwisselmodel), built as a plain dict.

Pure: DataFrames in, a JSON-ready dict out. Conventions of this builder:

- A signal belongs to the period when its signaaldatum (else its delivery date) lies in
  [period_start, period_end]. A case is reported when it was open during the period
  (opened on or before the end, not closed before the start); the signals it links are
  reported too, so that every reference of a case resolves to a reported signal.
- The signal ``ID`` is the pseudonymous ``signal_key``. The client is identified by postcode +
  huisnummer (+ toevoeging) from the contact vault, never by BSN, name or birth date.
- ``matchingsdatum`` is the day the case was opened; the matching period runs from the
  earliest to the latest signaaldatum of its signals.
- Results closed after the period end, and attempts after it, are left out of this period.
- Optional values that are unknown are omitted, never written as null.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from signals import ddas

DDAS_DATE = "%Y-%m-%d"
DDAS_DATE_TIME = "%Y-%m-%dT%H:%M:%SZ"


def build_ddas_report(
    signals: pd.DataFrame,
    decisions: pd.DataFrame,
    cases: pd.DataFrame,
    case_signals: pd.DataFrame,
    attempts: pd.DataFrame,
    addresses: pd.DataFrame,
    period_start: date,
    period_end: date,
    municipality_code: str,
    organisation: str,
    supplier_code: str,
    generated_at: datetime,
) -> dict[str, Any]:
    """The uitwisselmodel for one municipality and period (see the module docstring)."""
    if period_end < period_start:
        raise ValueError("period_end lies before period_start")
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware (it is reported in UTC)")
    reported_cases = _cases_in_period(cases, period_start, period_end)
    links = case_signals[case_signals["case_id"].isin(reported_cases["case_id"])]
    unknown = set(links["signal_key"]) - set(signals["signal_key"])
    if unknown:
        raise ValueError(f"{len(unknown)} case link(s) point at signals absent from the signals")
    dates = _signal_dates(signals)
    in_period = dates.between(pd.Timestamp(period_start), pd.Timestamp(period_end)).to_numpy()
    chosen = signals[in_period | signals["signal_key"].isin(links["signal_key"]).to_numpy()]
    levering: dict[str, Any] = {
        "teller": 1,
        "gemeentecode": municipality_code,
        "aanleverendeOrganisatie": {"naam": organisation},
        "vroegsignalen": signal_items(chosen, decisions, addresses),
        "vroegsignaalzaken": case_items(reported_cases, links, dates, attempts, period_end),
    }
    return {
        "startdatumLevering": period_start.strftime(DDAS_DATE),
        "einddatumLevering": period_end.strftime(DDAS_DATE),
        "aanleverdatumEnTijd": generated_at.astimezone(UTC).strftime(DDAS_DATE_TIME),
        "codeGegevensleverancier": supplier_code,
        "leveringen": [levering],
    }


def signal_items(
    signals: pd.DataFrame, decisions: pd.DataFrame, addresses: pd.DataFrame
) -> list[dict[str, Any]]:
    """One ``vroegsignaal`` per signal (LINKED_SIGNAL_SCHEMA), sorted by ID."""
    statuses = _statuses(decisions)
    clients = _clients(addresses)
    items = []
    for signal in _records(signals.sort_values("signal_key")):
        key = str(signal["signal_key"])
        partner_type = signal["partner_type"]
        if partner_type not in ddas.PARTNER_TYPES:
            raise ValueError(f"signal {key}: partner type is not a DDAS EnumSignaalpartner")
        client = clients.get(str(signal["household_key"]))
        if client is None:
            raise ValueError(f"signal {key}: no address in the contact vault for its household")
        item: dict[str, Any] = {"ID": key}
        _put(item, "crisissignaal", _bool(signal["crisis"]))
        _put(item, "warmeOverdracht", _bool(signal["warm_handover"]))
        _put(item, "bedrag", whole_euros(signal["amount"]))
        _put(item, "ontstaansdatum", _date(signal["arrears_since"]))
        _put(item, "signaaldatum", _date(signal["signal_date"]))
        item["status"] = statuses.get(key, ddas.STATUS_PENDING)
        item["signaalpartner"] = {"type": partner_type}
        item["client"] = client
        items.append(item)
    return items


def case_items(
    cases: pd.DataFrame,
    links: pd.DataFrame,
    signal_dates: pd.Series,
    attempts: pd.DataFrame,
    period_end: date,
) -> list[dict[str, Any]]:
    """One ``vroegsignaalzaak`` per case, with its signal references and contact attempts."""
    keys_by_case = links.groupby("case_id")["signal_key"].agg(lambda s: sorted(set(s))).to_dict()
    attempts_by_case = _attempts_by_case(attempts, period_end)
    end = pd.Timestamp(period_end)
    items = []
    for case in _records(cases.sort_values("case_id")):
        case_id = str(case["case_id"])
        keys = keys_by_case.get(case_id, [])
        if not keys:
            raise ValueError(f"case {case_id} has no linked signal (DDAS needs at least one)")
        item: dict[str, Any] = {}
        closed_in_time = pd.isna(case["closed_on"]) or case["closed_on"] <= end
        if not pd.isna(case["result"]) and closed_in_time:
            if case["result"] not in ddas.RESULTS:
                raise ValueError(f"case {case_id}: result is not a DDAS EnumEindresultaat")
            item["resultaat"] = case["result"]
        _put(item, "matchingsdatum", _date(case["opened_on"]))
        matched = signal_dates[signal_dates.index.isin(keys)].dropna()
        if not matched.empty:
            item["startdatumMatchingperiode"] = _date(matched.min())
            item["einddatumMatchingperiode"] = _date(matched.max())
        if not pd.isna(case["picked_up_on"]) and case["picked_up_on"] <= end:
            item["datumOpgepakt"] = _date(case["picked_up_on"])
        item["vroegsignalen"] = [{"ID": key} for key in keys]
        if case_id in attempts_by_case:
            item["contactpogingen"] = attempts_by_case[case_id]
        items.append(item)
    return items


def whole_euros(amount: Any) -> int | None:
    """Euros rounded half up to a whole number, as DDAS wants (12.50 -> 13)."""
    if amount is None or pd.isna(amount):
        return None
    return int(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cases_in_period(cases: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    opened = cases["opened_on"] <= pd.Timestamp(end)
    not_closed_before = cases["closed_on"].isna() | (cases["closed_on"] >= pd.Timestamp(start))
    return cases[opened & not_closed_before]


def _signal_dates(signals: pd.DataFrame) -> pd.Series:
    """signaaldatum, else the delivery date, indexed by signal_key."""
    dates = signals["signal_date"].fillna(signals["delivery_date"])
    return pd.Series(dates.to_numpy(), index=signals["signal_key"].to_numpy())


def _statuses(decisions: pd.DataFrame) -> dict[str, str]:
    if decisions["signal_key"].duplicated().any():
        raise ValueError("decisions hold more than one decision for a signal")
    decided = decisions.dropna(subset=["status"])
    unknown = set(decided["status"]) - set(ddas.SIGNAL_STATUSES)
    if unknown:
        raise ValueError(f"decision status(es) not in DDAS EnumSignaalstatus: {sorted(unknown)}")
    return dict(zip(decided["signal_key"], decided["status"], strict=True))


def _clients(addresses: pd.DataFrame) -> dict[str, dict[str, str]]:
    if addresses["household_key"].duplicated().any():
        raise ValueError("the address frame holds more than one address for a household_key")
    clients: dict[str, dict[str, str]] = {}
    for row in _records(addresses):
        if pd.isna(row["postcode"]) or pd.isna(row["huisnummer"]):
            continue  # no usable address: the signal using it is refused above
        client = {
            "postcode": str(row["postcode"]).replace(" ", "").upper(),
            "huisnummer": str(int(row["huisnummer"])),
        }
        if not pd.isna(row["toevoeging"]) and str(row["toevoeging"]).strip():
            client["huisnummertoevoeging"] = str(row["toevoeging"]).strip()
        clients[str(row["household_key"])] = client
    return clients


def _attempts_by_case(attempts: pd.DataFrame, period_end: date) -> dict[str, list[dict[str, Any]]]:
    in_time = attempts[attempts["attempt_date"] <= pd.Timestamp(period_end)]
    ordered = in_time.sort_values(["case_id", "attempt_date"], kind="stable")
    by_case: dict[str, list[dict[str, Any]]] = {}
    for attempt in _records(ordered):
        if attempt["contact_kind"] not in ddas.CONTACT_KINDS:
            raise ValueError(
                f"case {attempt['case_id']}: contact kind not in DDAS EnumContactsoort"
            )
        item: dict[str, Any] = {"soort": attempt["contact_kind"]}
        _put(item, "bereikt", _bool(attempt["reached"]))
        _put(item, "datum", _date(attempt["attempt_date"]))
        if not pd.isna(attempt["part_of_day"]):
            if attempt["part_of_day"] not in ddas.PARTS_OF_DAY:
                raise ValueError(f"case {attempt['case_id']}: part of day not in DDAS EnumDagdeel")
            item["dagdeel"] = attempt["part_of_day"]
        by_case.setdefault(str(attempt["case_id"]), []).append(item)
    return by_case


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # Plain dicts: row values keep pandas' missing markers (pd.NA / NaT) for pd.isna.
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _put(item: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        item[key] = value


def _bool(value: Any) -> bool | None:
    return None if value is None or pd.isna(value) else bool(value)


def _date(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime(DDAS_DATE)
