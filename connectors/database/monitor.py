"""The monitor's inputs, read from the point-in-time record.

Everything is read as it stood on a night (``as_of``), at the moment the last successful run up
to that night finished (when one is recorded): decisions taken up to the night, deliveries
loaded by then, cases as their versions stood, attempts recorded by then. Figures count each
signal in the month of its decision, so a delivery arriving later adds to the month it
arrives in and never changes a month already reported (``signals.monitor.facts``).

What does change a past month, on purpose: contact attempts and results that workers record
later complete the reach and results of the cases picked up then; a late file turns a
"missing" delivery of its month into a "late" one; a nazorg file delivered later adds the
trajectories it lists to the relapse curve.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.database.as_of import NoSuchNightError, cases_as_of, end_of_night
from connectors.database.cases import load_cases
from connectors.database.frames import CASE_SIGNAL_SCHEMA, to_frame
from connectors.database.models import (
    Aftercare,
    CaseSignal,
    CaseVersion,
    ContactAttempt,
    Delivery,
    PipelineRun,
    Signal,
    SignalState,
    SignalStatus,
)
from connectors.wijken import read_wijken
from signals.monitor.facts import DELIVERY_FACT_SCHEMA, SIGNAL_FACT_SCHEMA, MonitorInput
from signals.schema import CONTACT_ATTEMPT_SCHEMA, LINKED_AFTERCARE_SCHEMA, STRING

_DECISION_COLUMNS = ("signal_state", "status", "rule", "policy_version", "decided_on")
_SIGNAL_COLUMNS = [name for name in SIGNAL_FACT_SCHEMA if name not in _DECISION_COLUMNS]


def moment_of(session: Session, night: dt.date) -> dt.datetime | None:
    """When the last successful run of a night up to ``night`` finished; ``None`` when none is
    recorded (the record is then read as it stands now)."""
    try:
        return end_of_night(session, night).at
    except NoSuchNightError:
        latest = session.scalar(
            select(func.max(PipelineRun.finished_at)).where(
                PipelineRun.as_of <= night, PipelineRun.status == "succeeded"
            )
        )
        return latest if isinstance(latest, dt.datetime) else None


def load_monitor_input(
    session: Session, as_of: dt.date, wijken: Path | None, at: dt.datetime | None = None
) -> MonitorInput:
    """The record as it stood on ``as_of`` (at ``at``, default :func:`moment_of`)."""
    at = at if at is not None else moment_of(session, as_of)
    return MonitorInput(
        signals=_signals(session, as_of, at),
        cases=_cases(session, as_of, at),
        case_signals=_case_signals(session),
        attempts=_attempts(session, as_of, at),
        deliveries=_deliveries(session, as_of, at),
        aftercare=_aftercare(session, as_of, at),
        wijken=read_wijken(wijken) if wijken is not None else None,
        as_of=as_of,
    )


def _signals(session: Session, as_of: dt.date, at: dt.datetime | None) -> pd.DataFrame:
    """Decided signals with their state and decision (decisions are final once taken)."""
    query = (
        select(
            *[getattr(Signal, name) for name in _SIGNAL_COLUMNS],
            SignalState.signal_state,
            SignalStatus.status,
            SignalStatus.rule,
            SignalStatus.policy_version,
            SignalStatus.decided_on,
        )
        .join(SignalStatus, SignalStatus.signal_key == Signal.signal_key)
        .join(Delivery, Delivery.delivery_id == Signal.delivery_id)
        .outerjoin(SignalState, SignalState.signal_key == Signal.signal_key)
        .where(SignalStatus.decided_on <= as_of)
        .order_by(Signal.signal_key)
    )
    if at is not None:
        query = query.where(Delivery.loaded_at <= at)
    schema = {name: SIGNAL_FACT_SCHEMA[name] for name in [*_SIGNAL_COLUMNS, *_DECISION_COLUMNS]}
    return to_frame(session.execute(query).all(), schema)


def _cases(session: Session, as_of: dt.date, at: dt.datetime | None) -> pd.DataFrame:
    """Cases opened by ``as_of`` as they stood, with the type each had when it was opened."""
    cases = load_cases(session) if at is None else cases_as_of(session, at)
    cases = cases[cases["opened_on"] <= pd.Timestamp(as_of)].reset_index(drop=True)
    first = to_frame(
        session.execute(
            select(CaseVersion.case_id, CaseVersion.case_type).where(CaseVersion.version == 1)
        ).all(),
        {"case_id": STRING, "opening_case_type": STRING},
    ).set_index("case_id")["opening_case_type"]
    cases["opening_case_type"] = (
        cases["case_id"].map(first).astype("string").fillna(cases["case_type"])
    )
    # A result recorded after the night is not known on it.
    late = cases["closed_on"] > pd.Timestamp(as_of)
    cases["closed_on"] = cases["closed_on"].mask(late)
    cases["result"] = cases["result"].mask(late)
    return cases


def _case_signals(session: Session) -> pd.DataFrame:
    query = select(CaseSignal.case_id, CaseSignal.signal_key)
    return to_frame(session.execute(query).all(), CASE_SIGNAL_SCHEMA)


def _attempts(session: Session, as_of: dt.date, at: dt.datetime | None) -> pd.DataFrame:
    query = select(*[getattr(ContactAttempt, name) for name in CONTACT_ATTEMPT_SCHEMA]).where(
        ContactAttempt.attempt_date <= as_of
    )
    if at is not None:
        query = query.where(ContactAttempt.recorded_at <= at)
    return to_frame(session.execute(query).all(), CONTACT_ATTEMPT_SCHEMA)


def _deliveries(session: Session, as_of: dt.date, at: dt.datetime | None) -> pd.DataFrame:
    query = select(
        Delivery.partner,
        Delivery.delivery_date,
        Delivery.status,
        Delivery.rows_received,
        Delivery.rows_quarantined,
        Delivery.is_correction,
        func.coalesce(Delivery.triaged_on, Delivery.delivery_date),
    ).where(Delivery.delivery_date <= as_of)
    if at is not None:
        query = query.where(Delivery.loaded_at <= at)
    return to_frame(session.execute(query).all(), DELIVERY_FACT_SCHEMA)


def _aftercare(session: Session, as_of: dt.date, at: dt.datetime | None) -> pd.DataFrame:
    query = (
        select(*[getattr(Aftercare, name) for name in LINKED_AFTERCARE_SCHEMA])
        .join(Delivery, Delivery.delivery_id == Aftercare.delivery_id)
        .where(Aftercare.delivery_date <= as_of)
    )
    if at is not None:
        query = query.where(Delivery.loaded_at <= at)
    return to_frame(session.execute(query).all(), LINKED_AFTERCARE_SCHEMA)
