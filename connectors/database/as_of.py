"""The record as it stood at a past moment: cases, tasks, decisions, attempts, capacity.

Everything the pipeline and the workers change is appended with when it became true
(``*_versions``, ``signal_statuses.decided_on``, ``contact_attempts.recorded_at``,
``household_states.night``), so any past night can be read back: the open cases and tasks
as they stood, what each partner was told, and the task lists of that night (their planning
is recomputed from the tasks, capacity and attempts as they stood, by the same planning code).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.database.cases import RECORDED_ATTEMPT_SCHEMA
from connectors.database.frames import CASE_SCHEMA, STORED_DECISION_SCHEMA, to_frame
from connectors.database.models import (
    CaseVersion,
    ContactAttempt,
    Delivery,
    PipelineRun,
    Signal,
    SignalStatus,
    TaskVersion,
    TeamVersion,
)
from signals.capacity import plan_capacity
from signals.schema import LINKED_SIGNAL_SCHEMA, TASK_SCHEMA
from signals.triage.policy import TriagePolicy


class NoSuchNightError(LookupError):
    """No successful run is recorded for the night asked for."""


@dataclass(frozen=True)
class Moment:
    """A point in the record: the end of a night's run."""

    night: dt.date
    at: dt.datetime


def end_of_night(session: Session, night: dt.date) -> Moment:
    """When the last successful run for ``night`` finished."""
    finished = session.scalar(
        select(func.max(PipelineRun.finished_at)).where(
            PipelineRun.as_of == night, PipelineRun.status == "succeeded"
        )
    )
    if finished is None:
        raise NoSuchNightError(f"no successful run is recorded for the night {night.isoformat()}")
    return Moment(night, finished)


def _latest(session: Session, model: type, key: str, at: dt.datetime) -> list[Any]:
    """The newest version per key recorded at or before ``at``."""
    versions = (
        select(getattr(model, key), func.max(model.version).label("version"))  # type: ignore[attr-defined]
        .where(model.recorded_at <= at)  # type: ignore[attr-defined]
        .group_by(getattr(model, key))
        .subquery()
    )
    return list(
        session.scalars(
            select(model).join(
                versions,
                (getattr(model, key) == versions.c[key]) & (model.version == versions.c.version),  # type: ignore[attr-defined]
            )
        )
    )


def cases_as_of(session: Session, at: dt.datetime) -> pd.DataFrame:
    """Every case as it stood at ``at`` (``CASE_SCHEMA``)."""
    rows = [
        tuple(getattr(v, name) for name in CASE_SCHEMA)
        for v in _latest(session, CaseVersion, "case_id", at)
    ]
    return to_frame(rows, CASE_SCHEMA).sort_values("case_id", kind="stable").reset_index(drop=True)


def tasks_as_of(session: Session, at: dt.datetime) -> pd.DataFrame:
    """Every task as it stood at ``at`` (``TASK_SCHEMA``; its planning fields are those of its
    last change — recompute them with :func:`capacity_as_of` and :func:`attempts_as_of`)."""
    rows = [
        tuple(getattr(v, name) for name in TASK_SCHEMA)
        for v in _latest(session, TaskVersion, "task_id", at)
    ]
    return to_frame(rows, TASK_SCHEMA).sort_values("task_id", kind="stable").reset_index(drop=True)


def capacity_as_of(session: Session, at: dt.datetime) -> dict[str, int]:
    teams = _latest(session, TeamVersion, "name", at)
    return {str(v.name): int(v.weekly_capacity) for v in teams}  # type: ignore[attr-defined]


def attempts_as_of(session: Session, at: dt.datetime) -> pd.DataFrame:
    """Contact attempts recorded at or before ``at`` (``RECORDED_ATTEMPT_SCHEMA``)."""
    columns = [getattr(ContactAttempt, name) for name in RECORDED_ATTEMPT_SCHEMA]
    query = (
        select(*columns)
        .where(ContactAttempt.recorded_at <= at)
        .order_by(ContactAttempt.case_id, ContactAttempt.attempt_date, ContactAttempt.attempt_id)
    )
    return to_frame(session.execute(query).all(), RECORDED_ATTEMPT_SCHEMA)


def done_in_week(attempts: pd.DataFrame, tasks: pd.DataFrame, night: dt.date) -> dict[str, int]:
    """Attempts per team dated in ``night``'s week up to the night (what planning counts)."""
    monday = pd.Timestamp(night - dt.timedelta(days=night.weekday()))
    in_week = attempts[
        (attempts["attempt_date"] >= monday) & (attempts["attempt_date"] <= pd.Timestamp(night))
    ]
    team_of = tasks.drop_duplicates("task_id").set_index("task_id")["team"]
    counts = in_week["task_id"].map(team_of).value_counts()
    return {str(team): int(count) for team, count in counts.items()}


def decisions_as_of(session: Session, night: dt.date) -> pd.DataFrame:
    """Decisions taken up to ``night`` (decisions are final, so this is what was known)."""
    query = select(*[getattr(SignalStatus, n) for n in STORED_DECISION_SCHEMA]).where(
        SignalStatus.decided_on <= night
    )
    return to_frame(
        session.execute(query.order_by(SignalStatus.signal_key)).all(), STORED_DECISION_SCHEMA
    )


def signals_as_of(session: Session, at: dt.datetime) -> pd.DataFrame:
    """Linked signals of the deliveries loaded at or before ``at`` (a late file is not known
    to the nights before it arrived)."""
    columns = [getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA]
    query = (
        select(*columns)
        .join(Delivery, Delivery.delivery_id == Signal.delivery_id)
        .where(Delivery.loaded_at <= at)
        .order_by(Signal.signal_key)
    )
    return to_frame(session.execute(query).all(), LINKED_SIGNAL_SCHEMA)


def planned_tasks_as_of(
    session: Session, night: dt.date, at: dt.datetime, policy: TriagePolicy
) -> pd.DataFrame:
    """The open tasks of ``night`` as its task lists showed them, planning included."""
    tasks = tasks_as_of(session, at)
    open_tasks = tasks[tasks["status"] == "open"]
    attempts = attempts_as_of(session, at)
    return plan_capacity(
        open_tasks,
        policy,
        night,
        capacity_as_of(session, at),
        done_in_week(attempts, tasks, night),
    )
