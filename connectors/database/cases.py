"""Cases (vroegsignaalzaken), their signals, outreach tasks, teams, contact attempts and results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from connectors.database.frames import (
    CASE_RESULT_SCHEMA,
    CASE_SCHEMA,
    CASE_SIGNAL_SCHEMA,
    to_frame,
    to_records,
)
from connectors.database.models import Case, CaseSignal, ContactAttempt, Task, Team
from connectors.database.sql import insert_missing, last_per_key, table_of, upsert
from signals import ddas
from signals.schema import CONTACT_ATTEMPT_SCHEMA, INT, STRING, TASK_SCHEMA

#: Contact attempts as stored: the contract + where and when they were recorded.
RECORDED_ATTEMPT_SCHEMA: dict[str, str] = {
    **CONTACT_ATTEMPT_SCHEMA,
    "source": STRING,
    "recorded_at": "datetime64[ns]",
}
TEAM_SCHEMA: dict[str, str] = {"name": STRING, "weekly_capacity": INT}


class UnknownCaseError(ValueError):
    """Rows refer to case ids the database does not hold; nothing of them was written."""


def upsert_cases(session: Session, cases: pd.DataFrame) -> None:
    """Insert new cases and update known ones by ``case_id`` (``CASE_SCHEMA``).

    Closing rows are written first, so a household's old case can close and its new case
    open in one call without tripping the one-open-case rule.
    """
    rows = last_per_key(to_records(cases, CASE_SCHEMA), ["case_id"])
    rows.sort(key=lambda row: row["status"] == "open")
    upsert(session, table_of(Case), rows, keys=["case_id"])


def link_case_signals(session: Session, links: pd.DataFrame) -> None:
    """Attach signals to cases (``case_id``, ``signal_key``); known links are kept as they are."""
    rows = to_records(links, CASE_SIGNAL_SCHEMA)
    insert_missing(session, table_of(CaseSignal), rows, keys=["case_id", "signal_key"])


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


def record_case_results(session: Session, results: pd.DataFrame) -> None:
    """Close cases with their DDAS end result (``CASE_RESULT_SCHEMA``); all rows or none.

    The case's open task is finished too (status ``afgerond``) on the result date.
    """
    rows = to_records(results, CASE_RESULT_SCHEMA)
    invalid = sum(1 for row in rows if row["result"] not in ddas.RESULTS or not row["result_date"])
    if invalid:
        raise ValueError(f"{invalid} result rows lack a result date or a DDAS eindresultaat")
    _require_known_cases(session, (row["case_id"] for row in rows))
    if not rows:
        return
    cases = [
        {"case_id": r["case_id"], "result": r["result"], "closed_on": r["result_date"]}
        for r in rows
    ]
    with session.begin_nested():
        session.execute(update(Case), [{**case, "status": "closed"} for case in cases])
        for case in cases:
            session.execute(
                update(Task)
                .where(Task.case_id == case["case_id"], Task.status == "open")
                .values(status="afgerond", updated_on=case["closed_on"])
            )


def upsert_tasks(session: Session, tasks: pd.DataFrame) -> None:
    """Insert new tasks and update known ones by ``task_id`` (``TASK_SCHEMA``)."""
    rows = last_per_key(to_records(tasks, TASK_SCHEMA), ["task_id"])
    rows.sort(key=lambda row: row["status"] == "open")  # finish old tasks before new ones open
    upsert(session, table_of(Task), rows, keys=["task_id"])


def load_tasks(
    session: Session, team: str | None = None, status: str | None = "open"
) -> pd.DataFrame:
    """Tasks (``TASK_SCHEMA``) of one team or all, in priority order; ``status=None``: all."""
    query = select(*[getattr(Task, name) for name in TASK_SCHEMA]).order_by(
        Task.priority, Task.due_date, Task.task_id
    )
    if team is not None:
        query = query.where(Task.team == team)
    if status is not None:
        query = query.where(Task.status == status)
    return to_frame(session.execute(query).all(), TASK_SCHEMA)


def upsert_teams(session: Session, teams: pd.DataFrame) -> None:
    """Teams and their weekly capacity (``name``, ``weekly_capacity``)."""
    upsert(session, table_of(Team), to_records(teams, TEAM_SCHEMA), keys=["name"])


def load_teams(session: Session) -> pd.DataFrame:
    query = select(Team.name, Team.weekly_capacity).order_by(Team.name)
    return to_frame(session.execute(query).all(), TEAM_SCHEMA)


def record_contact_attempts(session: Session, attempts: pd.DataFrame, source: str) -> int:
    """Record contact attempts (``CONTACT_ATTEMPT_SCHEMA``); all rows or none.

    An attempt identical to one already recorded (the same task list imported twice) is
    skipped. Returns the number of attempts added.
    """
    rows = to_records(attempts, CONTACT_ATTEMPT_SCHEMA)
    incomplete = sum(1 for row in rows if not row["case_id"] or not row["attempt_date"])
    if incomplete:
        raise ValueError(f"{incomplete} contact attempts lack a case_id or an attempt date")
    _require_known_cases(session, (row["case_id"] for row in rows))
    known = _attempt_identities(session, {row["case_id"] for row in rows})
    recorded_at = dt.datetime.now(dt.UTC)
    new_rows = []
    for row in rows:
        identity = tuple(row[name] for name in CONTACT_ATTEMPT_SCHEMA)
        if identity not in known:
            known.add(identity)
            new_rows.append({**row, "source": source, "recorded_at": recorded_at})
    with session.begin_nested():
        if new_rows:
            session.execute(insert(table_of(ContactAttempt)), new_rows)
    return len(new_rows)


def load_contact_attempts(session: Session, case_ids: list[str] | None = None) -> pd.DataFrame:
    """Recorded attempts (``RECORDED_ATTEMPT_SCHEMA``) in the order they happened."""
    columns = [getattr(ContactAttempt, name) for name in RECORDED_ATTEMPT_SCHEMA]
    query = select(*columns).order_by(
        ContactAttempt.case_id, ContactAttempt.attempt_date, ContactAttempt.attempt_id
    )
    if case_ids is not None:
        query = query.where(ContactAttempt.case_id.in_(case_ids))
    return to_frame(session.execute(query).all(), RECORDED_ATTEMPT_SCHEMA)


def _attempt_identities(session: Session, case_ids: set[str]) -> set[tuple[object, ...]]:
    if not case_ids:
        return set()
    existing = to_records(load_contact_attempts(session, sorted(case_ids)), CONTACT_ATTEMPT_SCHEMA)
    return {tuple(row[name] for name in CONTACT_ATTEMPT_SCHEMA) for row in existing}


def _require_known_cases(session: Session, case_ids: Iterable[str]) -> None:
    wanted = set(case_ids)
    if not wanted:
        return
    known = set(session.scalars(select(Case.case_id).where(Case.case_id.in_(wanted))))
    unknown = sorted(wanted - known)
    if unknown:
        raise UnknownCaseError(
            f"{len(unknown)} unknown case id(s), e.g. {', '.join(unknown[:3])}; nothing recorded"
        )
