"""Deleting what the retention policy says, counting every deletion; open cases are untouchable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, delete, exists, select
from sqlalchemy.orm import Session

from connectors.database.models import (
    Aftercare,
    Case,
    CaseSignal,
    CaseVersion,
    ContactVault,
    Household,
    HouseholdState,
    Quarantine,
    Resolution,
    Signal,
    TaskVersion,
)
from connectors.database.runs import audit


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    unused_signal_months: int = Field(default=6, ge=1)
    closed_case_months: int = Field(default=24, ge=1)
    quarantine_months: int = Field(default=6, ge=1)
    export_days: int = Field(default=30, ge=1)
    inbox_months: int = Field(default=6, ge=1)
    aftercare_months: int = Field(default=36, ge=1)
    resolution_months: int = Field(default=12, ge=1)


def load_retention_policy(path: Path) -> RetentionPolicy:
    return RetentionPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class RetentionCounts:
    closed_cases: int = 0
    unused_signals: int = 0
    quarantine_rows: int = 0
    aftercare_rows: int = 0
    resolutions: int = 0
    households: int = 0


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (clamped to the month's end)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def apply_retention(engine: Engine, policy: RetentionPolicy, today: dt.date) -> RetentionCounts:
    """Delete expired data in one transaction and log the counts in the audit log."""
    counts = RetentionCounts()
    with Session(engine) as session, session.begin():
        counts.closed_cases = _closed_cases(
            session, months_before(today, policy.closed_case_months)
        )
        counts.unused_signals = _unused_signals(
            session, months_before(today, policy.unused_signal_months)
        )
        counts.quarantine_rows = _quarantine(
            session, months_before(today, policy.quarantine_months)
        )
        counts.aftercare_rows = _older(
            session,
            Aftercare,
            Aftercare.trajectory_end_date,
            months_before(today, policy.aftercare_months),
        )
        counts.resolutions = _older(
            session,
            Resolution,
            Resolution.resolved_on,
            months_before(today, policy.resolution_months),
        )
        counts.households = _orphan_households(session)
        audit(session, "retention", "delete", "retention", policy.version, counts.__dict__)
    return counts


def _in_open_case() -> object:
    return exists().where(
        CaseSignal.signal_key == Signal.signal_key,
        CaseSignal.case_id == Case.case_id,
        Case.status == "open",
    )


def _closed_cases(session: Session, cutoff: dt.date) -> int:
    expired = select(Case.case_id).where(Case.status == "closed", Case.closed_on < cutoff)
    case_ids = list(session.scalars(expired))
    if not case_ids:
        return 0
    signal_keys = select(CaseSignal.signal_key).where(CaseSignal.case_id.in_(case_ids))
    session.execute(
        delete(Signal)
        .where(Signal.signal_key.in_(signal_keys), ~_in_open_case())  # type: ignore[operator]
        .execution_options(synchronize_session=False)
    )
    result = session.execute(delete(Case).where(Case.case_id.in_(case_ids)))
    _forget_history(session, case_ids)
    return int(result.rowcount)  # type: ignore[attr-defined]


def _forget_history(session: Session, case_ids: list[str]) -> None:
    """A deleted case takes its history (and its tasks') with it."""
    session.execute(delete(CaseVersion).where(CaseVersion.case_id.in_(case_ids)))
    session.execute(delete(TaskVersion).where(TaskVersion.case_id.in_(case_ids)))


def _unused_signals(session: Session, cutoff: dt.date) -> int:
    """Signals older than ``cutoff`` never part of a picked-up case (nor of any open case)."""
    picked_up = exists().where(
        CaseSignal.signal_key == Signal.signal_key,
        CaseSignal.case_id == Case.case_id,
        Case.picked_up_on.is_not(None),
    )
    result = session.execute(
        delete(Signal)
        .where(Signal.delivery_date < cutoff, ~picked_up, ~_in_open_case())  # type: ignore[operator]
        .execution_options(synchronize_session=False)
    )
    # Closed never-picked-up cases left without signals go too, with their history.
    empty = list(
        session.scalars(
            select(Case.case_id).where(
                Case.status == "closed",
                Case.picked_up_on.is_(None),
                ~exists().where(CaseSignal.case_id == Case.case_id),
            )
        )
    )
    if empty:
        session.execute(delete(Case).where(Case.case_id.in_(empty)))
        _forget_history(session, empty)
    return int(result.rowcount)  # type: ignore[attr-defined]


def _older(session: Session, model: type, column: Any, cutoff: dt.date) -> int:
    result = session.execute(delete(model).where(column < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _quarantine(session: Session, cutoff: dt.date) -> int:
    result = session.execute(delete(Quarantine).where(Quarantine.delivery_date < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _orphan_households(session: Session) -> int:
    """Households with no signal and no case left: their vault entry goes with them."""
    orphan = ~exists().where(Signal.household_key == Household.household_key) & ~exists().where(
        Case.household_key == Household.household_key
    )
    keys = list(session.scalars(select(Household.household_key).where(orphan)))
    if not keys:
        return 0
    session.execute(delete(ContactVault).where(ContactVault.household_key.in_(keys)))
    session.execute(delete(HouseholdState).where(HouseholdState.household_key.in_(keys)))
    result = session.execute(delete(Household).where(Household.household_key.in_(keys)))
    return int(result.rowcount)  # type: ignore[attr-defined]
