"""The record as the risk model reads it: every fact with the night it became known.

A delivery became known on the night of the run that loaded it (``pipeline_runs.as_of``),
never before its own date; a contact attempt on the day it was recorded. The pure feature
code (``signals.risk.features``) hides from each night whatever became known after it.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.database.models import (
    Aftercare,
    Case,
    ContactAttempt,
    Delivery,
    PipelineRun,
    Signal,
    SignalState,
    TaskVersion,
)
from signals.risk.features import History


def _frame(session: Session, query: object, columns: list[str]) -> pd.DataFrame:
    rows = session.execute(query).all()  # type: ignore[call-overload]
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


def _dates(frame: pd.DataFrame, *names: str) -> pd.DataFrame:
    for name in names:
        frame[name] = pd.to_datetime(frame[name])
    return frame


def _known_on(frame: pd.DataFrame) -> pd.DataFrame:
    """Known on the loading run's night, or the delivery date (never earlier than it)."""
    frame = _dates(frame, "delivery_date", "run_night")
    frame["known_on"] = frame["run_night"].fillna(frame["delivery_date"])
    frame["known_on"] = frame[["known_on", "delivery_date"]].max(axis=1)
    return frame.drop(columns="run_night")


def load_history(session: Session) -> History:
    """Signals, complete deliveries, nazorg rows, attempts and cases of the whole record."""
    loaded = Delivery.status == "loaded"
    signals = _frame(
        session,
        select(
            Signal.household_key,
            Signal.signal_id,
            Signal.partner,
            Signal.partner_type,
            Signal.delivery_date,
            PipelineRun.as_of,
            Signal.amount,
            Signal.arrears_months,
            Signal.arrears_since,
            Signal.crisis_kind,
            SignalState.signal_state,
            Signal.age_at_signal,
            Signal.wijkcode,
        )
        .join(Delivery, Delivery.delivery_id == Signal.delivery_id)
        .outerjoin(PipelineRun, PipelineRun.run_id == Delivery.run_id)
        .outerjoin(SignalState, SignalState.signal_key == Signal.signal_key)
        .where(loaded, Signal.household_key.is_not(None)),
        [
            "household_key",
            "signal_id",  # not a feature: lets a test trace an escalation to its delivery
            "partner",
            "partner_type",
            "delivery_date",
            "run_night",
            "amount",
            "arrears_months",
            "arrears_since",
            "crisis_kind",
            "signal_state",
            "age_at_signal",
            "wijkcode",
        ],
    )
    signals = _dates(_known_on(signals), "arrears_since")
    deliveries = _known_on(
        _frame(
            session,
            select(Delivery.partner, Delivery.delivery_date, PipelineRun.as_of)
            .outerjoin(PipelineRun, PipelineRun.run_id == Delivery.run_id)
            .where(loaded, Delivery.is_correction.is_(False), Delivery.partner != "nazorg"),
            ["partner", "delivery_date", "run_night"],
        )
    )
    aftercare = _frame(
        session,
        select(
            Aftercare.household_key,
            Aftercare.trajectory_end_date,
            Aftercare.trajectory_outcome,
            Aftercare.delivery_date,
            PipelineRun.as_of,
        )
        .join(Delivery, Delivery.delivery_id == Aftercare.delivery_id)
        .outerjoin(PipelineRun, PipelineRun.run_id == Delivery.run_id),
        [
            "household_key",
            "trajectory_end_date",
            "trajectory_outcome",
            "delivery_date",
            "run_night",
        ],
    )
    aftercare = _dates(_known_on(aftercare), "trajectory_end_date").drop(columns="delivery_date")
    attempts = _frame(
        session,
        select(
            Case.household_key,
            ContactAttempt.attempt_date,
            ContactAttempt.reached,
            ContactAttempt.recorded_at,
        ).join(Case, Case.case_id == ContactAttempt.case_id),
        ["household_key", "attempt_date", "reached", "recorded_at"],
    )
    recorded = pd.to_datetime(attempts["recorded_at"], utc=True)
    attempts["recorded_on"] = recorded.dt.tz_localize(None).dt.normalize()
    attempts = _dates(attempts.drop(columns="recorded_at"), "attempt_date")
    return History(
        signals=signals,
        deliveries=deliveries,
        aftercare=aftercare,
        attempts=attempts,
        cases=load_case_spans(session),
    )


def load_case_spans(session: Session) -> pd.DataFrame:
    """``case_id, household_key, opened_on, closed_on, picked_up_on`` of every case."""
    cases = _frame(
        session,
        select(Case.case_id, Case.household_key, Case.opened_on, Case.closed_on, Case.picked_up_on),
        ["case_id", "household_key", "opened_on", "closed_on", "picked_up_on"],
    )
    return _dates(cases, "opened_on", "closed_on", "picked_up_on")


def load_task_history(session: Session) -> pd.DataFrame:
    """``household_key, night, band, team, status``: every version of every task, with the
    night it was written (a worker's change: the day it was recorded)."""
    tasks = _frame(
        session,
        select(
            TaskVersion.household_key,
            TaskVersion.night,
            TaskVersion.recorded_at,
            TaskVersion.band,
            TaskVersion.team,
            TaskVersion.status,
        ),
        ["household_key", "night", "recorded_at", "band", "team", "status"],
    )
    recorded = pd.to_datetime(tasks["recorded_at"], utc=True).dt.tz_localize(None).dt.normalize()
    tasks["night"] = pd.to_datetime(tasks["night"]).fillna(recorded)
    return tasks.drop(columns="recorded_at")


def last_night(session: Session) -> pd.Timestamp | None:
    """The newest night a run succeeded for."""
    night = session.scalar(
        select(func.max(PipelineRun.as_of)).where(PipelineRun.status == "succeeded")
    )
    return pd.Timestamp(night) if night is not None else None
