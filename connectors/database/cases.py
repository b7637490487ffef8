"""Cases (vroegsignaalzaken), their signals, outreach tasks, teams, contact attempts and results."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.database import casework
from connectors.database.frames import (
    CASE_SCHEMA,
    CASE_SIGNAL_SCHEMA,
    raw_columns,
    to_frame,
)
from connectors.database.models import Case, CaseSignal, ContactAttempt, Task, Team
from signals.schema import CONTACT_ATTEMPT_SCHEMA, INT, STRING, TASK_SCHEMA

#: Contact attempts as stored: the contract + where and when they were recorded.
RECORDED_ATTEMPT_SCHEMA: dict[str, str] = {
    **CONTACT_ATTEMPT_SCHEMA,
    "source": STRING,
    "recorded_at": "datetime64[ns]",
    "recorded_by": STRING,
}
TEAM_SCHEMA: dict[str, str] = {"name": STRING, "weekly_capacity": INT}


def load_cases(session: Session, status: str | None = None) -> pd.DataFrame:
    """Cases (``CASE_SCHEMA``), only those with ``status`` if given."""
    query = select(*[getattr(Case, name) for name in CASE_SCHEMA]).order_by(Case.case_id)
    if status is not None:
        query = query.where(Case.status == status)
    return to_frame(session.execute(query).all(), CASE_SCHEMA)


def load_open_cases(session: Session) -> pd.DataFrame:
    """Open cases (``CASE_SCHEMA``): at most one per household."""
    return load_cases(session, status="open")


def load_case_signals(session: Session) -> pd.DataFrame:
    query = select(CaseSignal.case_id, CaseSignal.signal_key).order_by(
        CaseSignal.case_id, CaseSignal.signal_key
    )
    return to_frame(session.execute(query).all(), CASE_SIGNAL_SCHEMA)


def load_tasks(
    session: Session, team: str | None = None, status: str | None = "open"
) -> pd.DataFrame:
    """Tasks (``TASK_SCHEMA``) of one team or all, in priority order; ``status=None``: all."""
    query = select(*raw_columns(*[getattr(Task, name) for name in TASK_SCHEMA])).order_by(
        Task.priority, Task.due_date, Task.task_id
    )
    if team is not None:
        query = query.where(Task.team == team)
    if status is not None:
        query = query.where(Task.status == status)
    return to_frame(session.execute(query).all(), TASK_SCHEMA)


def load_teams(session: Session) -> pd.DataFrame:
    query = select(Team.name, Team.weekly_capacity).order_by(Team.name)
    return to_frame(session.execute(query).all(), TEAM_SCHEMA)


def load_contact_attempts(session: Session, case_ids: list[str] | None = None) -> pd.DataFrame:
    """Recorded attempts (``RECORDED_ATTEMPT_SCHEMA``) in the order they happened."""
    columns = [getattr(ContactAttempt, name) for name in RECORDED_ATTEMPT_SCHEMA]
    query = select(*columns).order_by(
        ContactAttempt.case_id, ContactAttempt.attempt_date, ContactAttempt.attempt_id
    )
    if case_ids is not None:
        query = query.where(ContactAttempt.case_id.in_(case_ids))
    return to_frame(session.execute(query).all(), RECORDED_ATTEMPT_SCHEMA)


def record_contact_attempts(session: Session, attempts: pd.DataFrame, source: str) -> int:
    """Record contact attempts; see :func:`connectors.database.casework.record_contact_attempts`
    (this shorthand records them on behalf of ``source``). Returns the number added."""
    return casework.record_contact_attempts(session, attempts, source, actor=source).added


def record_case_results(session: Session, results: pd.DataFrame, actor: str = "import") -> int:
    """Close cases with their result; see :func:`casework.record_case_results`."""
    return casework.record_case_results(session, results, actor).closed
