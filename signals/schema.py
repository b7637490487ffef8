"""Column contracts of the tables that pass between pipeline stages.

Every reader produces the **canonical signal table** (``SIGNAL_SCHEMA``), whatever the partner's
format; the aftercare file (finished debt trajectories) produces ``AFTERCARE_SCHEMA``. A row that
could not be parsed becomes a row of ``REJECT_SCHEMA`` with its reason, so that for every file
``rows in = canonical rows + rejected rows``.

Dates are timezone-naive ``datetime64[ns]`` at midnight; amounts are euros as ``Float64``;
missing values are ``pd.NA``/``NaT``, never sentinel strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Final

import pandas as pd

STRING: Final = "string"
INT: Final = "Int64"
FLOAT: Final = "Float64"
BOOL: Final = "boolean"
DATE: Final = "datetime64[ns]"

#: Lineage carried on every row, canonical or rejected.
LINEAGE_SCHEMA: dict[str, str] = {
    "partner": STRING,  # partner id from the catalog, e.g. "domesta"
    "delivery_date": DATE,  # the date in the file name
    "source_file": STRING,  # path relative to the inbox, e.g. "domesta/2026-10-05.csv"
    "source_row": INT,  # line (CSV, JSONL) or sheet row (XLSX) where the record is; header = 1
    "raw": STRING,  # the record as received: JSON object of source column -> text
}

#: The canonical signal table: one arrears item (or bank referral) at one partner.
SIGNAL_SCHEMA: dict[str, str] = {
    **LINEAGE_SCHEMA,
    "partner_type": STRING,  # DDAS EnumSignaalpartner, e.g. "Huur"
    "signal_id": STRING,  # the partner's own id of the signal
    "postcode": STRING,  # normalised: four digits + two capitals, no space ("7906KL")
    "huisnummer": INT,
    "toevoeging": STRING,  # normalised: capitals/digits, "" when none
    "bsn": STRING,  # nine digits, only health insurers send it
    "birth_date": DATE,
    "amount": FLOAT,  # arrears in euros
    "arrears_months": FLOAT,  # months of rent/premium in arrears, where sent
    "monthly_rent": FLOAT,
    "days_overdue": INT,
    "arrears_since": DATE,  # DDAS ontstaansdatum
    "signal_date": DATE,  # DDAS signaaldatum
    "eviction_requested": BOOL,  # rent: eviction procedure started (crisis)
    "end_of_supply_date": DATE,  # energy: end-of-supply signal (crisis) when set
    "cak_registered": BOOL,  # health insurance: reported to the CAK (crisis)
    "warm_handover": BOOL,
    "consent": BOOL,  # bank referrals: the customer agreed to be contacted
    "indicators": STRING,  # bank referrals: sorted, comma-separated indicator codes
}

#: Finished debt trajectories (nazorg file); a household in it that signals again relapsed.
AFTERCARE_SCHEMA: dict[str, str] = {
    **LINEAGE_SCHEMA,
    "dossier_id": STRING,
    "postcode": STRING,
    "huisnummer": INT,
    "toevoeging": STRING,
    "trajectory_end_date": DATE,
    "trajectory_outcome": STRING,
}

#: A row kept out of the pipeline, with why. Reasons never quote identifying values.
REJECT_SCHEMA: dict[str, str] = {
    **LINEAGE_SCHEMA,
    "stage": STRING,  # "read" (could not be parsed) or "validation" (broke an expectation)
    "reason_code": STRING,  # stable machine code, e.g. "amount_not_numeric"
    "reason_en": STRING,
    "reason_nl": STRING,
}

#: English and Dutch names of canonical columns, used in reasons.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "signal_id": ("signal id", "signaalkenmerk"),
    "partner_type": ("partner type", "partnertype"),
    "postcode": ("postcode", "postcode"),
    "toevoeging": ("house number suffix", "toevoeging"),
    "bsn": ("BSN", "BSN"),
    "dossier_id": ("dossier id", "dossiernummer"),
    "huisnummer": ("house number", "huisnummer"),
    "birth_date": ("birth date", "geboortedatum"),
    "amount": ("arrears amount", "achterstandsbedrag"),
    "arrears_months": ("months in arrears", "aantal maanden achterstand"),
    "monthly_rent": ("monthly rent", "maandhuur"),
    "days_overdue": ("days overdue", "aantal dagen achterstand"),
    "arrears_since": ("arrears start date", "ontstaansdatum"),
    "signal_date": ("signal date", "signaaldatum"),
    "eviction_requested": ("eviction requested", "ontruiming aangevraagd"),
    "end_of_supply_date": ("end-of-supply date", "einddatum levering"),
    "cak_registered": ("CAK registration", "CAK-aanmelding"),
    "warm_handover": ("warm handover", "warme overdracht"),
    "consent": ("consent", "toestemming"),
    "trajectory_end_date": ("trajectory end date", "einddatum traject"),
    "trajectory_outcome": ("trajectory outcome", "uitkomst traject"),
}

IDENTIFYING_COLUMNS: tuple[str, ...] = ("postcode", "huisnummer", "toevoeging", "bsn", "birth_date")


def empty_frame(schema: Mapping[str, str]) -> pd.DataFrame:
    """An empty table with the schema's columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in schema.items()})


@lru_cache(maxsize=64)
def _dtype(name: str) -> object:
    # Compared as dtypes, not names: pandas' default ``str`` dtype equals the name "string".
    return pd.api.types.pandas_dtype(name)


def conform(frame: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """Return ``frame`` with exactly the schema's columns, in order, cast to their dtypes.

    Columns the frame lacks are added as all-missing; extra columns are dropped.
    """
    # Built in one constructor call from (lazily copied) Series: adding columns one by one
    # costs more than the data itself for the many small frames of a night.
    index = pd.RangeIndex(len(frame))
    columns: dict[str, pd.Series] = {}
    for name, dtype in schema.items():
        if name in frame.columns:
            values = frame[name]
            if values.dtype != _dtype(dtype):
                values = values.astype(dtype)  # type: ignore[call-overload]
            columns[name] = values.reset_index(drop=True)
        else:
            columns[name] = pd.Series(pd.NA, index=index, dtype=dtype)
    return pd.DataFrame(columns, index=index, copy=False)


# --- Downstream of the edge: pseudonymous tables (analyst side) -----------------------------

#: A validated signal linked to its household. Identifying columns are gone: the address is in
#: the encrypted contact vault, the raw row too. ``signal_key`` is unique across all deliveries.
LINKED_SIGNAL_SCHEMA: dict[str, str] = {
    "signal_key": STRING,  # "<partner>/<delivery date>/<signal_id>"
    "partner": STRING,
    "partner_type": STRING,
    "delivery_date": DATE,
    "source_file": STRING,
    "source_row": INT,
    "signal_id": STRING,
    "household_key": STRING,  # HMAC-SHA256 of the normalised address (hex)
    "person_key": STRING,  # HMAC-SHA256 of the BSN when sent (hex), else NA
    "in_municipality": BOOL,  # the address is in the reference list
    "wijkcode": STRING,
    "wijknaam": STRING,
    "buurtcode": STRING,
    "age_at_signal": INT,  # whole years at signal_date, from birth_date; NA when not sent
    "amount": FLOAT,
    "arrears_months": FLOAT,
    "days_overdue": INT,
    "arrears_since": DATE,
    "signal_date": DATE,
    "crisis": BOOL,
    "crisis_kind": STRING,  # "ontruiming" | "eindelevering" | "cak" | NA
    "warm_handover": BOOL,
    "consent": BOOL,
    "indicators": STRING,
}

#: Finished trajectories, pseudonymised like signals.
LINKED_AFTERCARE_SCHEMA: dict[str, str] = {
    "household_key": STRING,
    "dossier_id": STRING,
    "trajectory_end_date": DATE,
    "trajectory_outcome": STRING,
    "delivery_date": DATE,
}

#: Signal state, one row per linked signal (``signal_key``) of a delivery.
SIGNAL_STATE_SCHEMA: dict[str, str] = {
    "signal_key": STRING,
    "household_key": STRING,
    "partner": STRING,
    "signal_state": STRING,  # "new" | "repeat" | "increased" | "escalated"
    # The amount of the same arrears (same signal id, else the same household at the partner)
    # in the partner's previous complete delivery: one delivery's amount, never a sum.
    "previous_amount": FLOAT,
}

#: Household × partner pairs whose arrears disappeared from a later complete delivery.
RESOLUTION_SCHEMA: dict[str, str] = {
    "household_key": STRING,
    "partner": STRING,
    "resolved_on": DATE,  # delivery date of the first complete delivery without it
}

#: Earlier pick-ups of arrears, per household and partner: the "herhaalde melding" look-back.
PICKUP_SCHEMA: dict[str, str] = {
    "household_key": STRING,
    "partner": STRING,
    "picked_up_on": DATE,
}

#: Household-level state on the night being processed.
HOUSEHOLD_STATE_SCHEMA: dict[str, str] = {
    "household_key": STRING,
    "case_type": STRING,  # "enkelvoudig" | "meervoudig" | "opeenvolgend"
    "active_partners": STRING,  # sorted, comma-separated partner ids with signals in the window
    "partner_count": INT,
    "total_amount": FLOAT,  # sum of current arrears over partners
    "relapse": BOOL,  # finished a debt trajectory before this signal
    "previous_trajectory_outcome": STRING,
    # Every partner that listed the household has since dropped it (arrears resolved there),
    # from this date; NA while a partner still lists it (or lists are referrals, e.g. bank).
    "resolved_since": DATE,
}

#: Triage decision per signal: what happens, by which rule of which policy version.
DECISION_SCHEMA: dict[str, str] = {
    "signal_key": STRING,
    "household_key": STRING,
    "status": STRING,  # DDAS EnumSignaalstatus
    "rule": STRING,  # id of the policy rule that fired, e.g. "drempelbedrag"
    "policy_version": STRING,
    "reason_nl": STRING,
}

#: Outreach task: the work a team does for one open case (one open task per case).
TASK_SCHEMA: dict[str, str] = {
    "task_id": STRING,
    "case_id": STRING,
    "household_key": STRING,
    "team": STRING,
    "contact_kind": STRING,  # DDAS EnumContactsoort, e.g. "Huisbezoek"
    "joint_with": STRING,  # second party on a joint visit (e.g. the housing corporation)
    "due_date": DATE,  # uiterlijk
    "priority": INT,  # 1 = first over all open work (work order across teams)
    "band": INT,  # the policy's priority band (1 = crisis ...); resolved tasks come last
    "team_rank": INT,  # 1, 2, 3 ... within the team, in work order
    "planned_week": STRING,  # ISO week "2026-W47" the task falls in after capacity planning
    "over_capacity": BOOL,  # planned after its due week (or in a week already full)
    "plan_status": STRING,  # "deze week" | "later" | "te laat sinds …" | "opgelost bij …"
    "reason_nl": STRING,
    "news_nl": STRING,  # what was new when the task last changed
    "suggestions": STRING,  # "; "-separated instruments (Voorzieningenwijzer, ...)
    "signal_partners": STRING,
    "crisis_kinds": STRING,  # sorted, comma-separated: ontruiming, eindelevering, cak
    "total_amount": FLOAT,
    "wijk": STRING,
    "rule": STRING,
    "policy_version": STRING,
    "resolved_since": DATE,  # the household's arrears were resolved at all its partners
    "score": FLOAT,  # risk score of a promoted model, NA without one
    "model_version": STRING,
    "score_reasons_nl": STRING,
    "status": STRING,  # "open" | "afgerond"
    "created_on": DATE,
    "updated_on": DATE,
    "closed_by": STRING,
    "version": INT,  # optimistic concurrency (connectors.database); NA for a new task
}

#: A recorded contact attempt (from the task-list import or the web app).
CONTACT_ATTEMPT_SCHEMA: dict[str, str] = {
    "case_id": STRING,
    "task_id": STRING,
    "contact_kind": STRING,  # DDAS EnumContactsoort
    "attempt_date": DATE,
    "part_of_day": STRING,  # DDAS EnumDagdeel
    "reached": BOOL,
}
