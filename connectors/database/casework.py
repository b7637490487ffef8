"""The outreach workers' writes: contact attempts, case results, team capacity.

Used by the results import and the web application. Every write is version-checked and
appends to the history (``connectors.database.versions``), so a result recorded while a night
runs is never lost and never reopened: the night notices the changed version and triages
again on fresh data. A closed case is never closed again, and recording the same attempt
twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from connectors.database.frames import CASE_RESULT_SCHEMA, to_records
from connectors.database.models import Case, ContactAttempt, Task, Team
from connectors.database.runs import audit
from connectors.database.selection import rows_for_keys
from connectors.database.sql import table_of
from connectors.database.versions import ConcurrentChangeError, insert_new, now, update_checked
from signals import ddas
from signals.schema import CONTACT_ATTEMPT_SCHEMA


class UnknownCaseError(ValueError):
    """Rows refer to case or task ids the database does not hold; nothing of them was written."""


class WrongTeamError(ValueError):
    """Rows refer to tasks of another team than the list's; nothing of them was written."""


@dataclass(frozen=True)
class AttemptsRecorded:
    added: int
    already_known: int


@dataclass(frozen=True)
class ResultsRecorded:
    closed: int
    already_closed: int


def _task_rows(session: Session, task_ids: Iterable[str]) -> dict[str, tuple[str, str, int, str]]:
    """task_id -> (case_id, team, version, status)."""
    rows = rows_for_keys(
        session,
        lambda keys: select(Task.task_id, Task.case_id, Task.team, Task.version, Task.status).where(
            Task.task_id.in_(keys)
        ),
        task_ids,
    )
    return {str(t): (str(c), str(team), int(v), str(s)) for t, c, team, v, s in rows}


def _check_tasks(
    session: Session, frame: pd.DataFrame, team: str | None
) -> dict[str, tuple[str, str, int, str]]:
    wanted = set(frame["task_id"].dropna().astype(str))
    known = _task_rows(session, wanted)
    unknown = sorted(wanted - set(known))
    if unknown or frame["task_id"].isna().any():
        raise UnknownCaseError(
            f"{len(unknown) or 'some'} unknown or missing task id(s), e.g. "
            f"{', '.join(unknown[:3])}; nothing recorded"
        )
    mismatched = [
        t for t in wanted if str(frame.loc[frame["task_id"] == t, "case_id"].iloc[0]) != known[t][0]
    ]
    if mismatched:
        raise UnknownCaseError(f"{len(mismatched)} task(s) do not belong to the case given")
    if team is not None:
        other = sorted(t for t in wanted if known[t][1] != team)
        if other:
            raise WrongTeamError(
                f"{len(other)} task(s) belong to another team than {team!r}; nothing recorded"
            )
    return known


def record_contact_attempts(
    session: Session,
    attempts: pd.DataFrame,
    source: str,
    actor: str,
    team: str | None = None,
    expected_versions: Mapping[str, int] | None = None,
) -> AttemptsRecorded:
    """Record contact attempts (``CONTACT_ATTEMPT_SCHEMA``); all rows or none.

    An attempt identical to one already recorded (the same list imported twice) is skipped.
    ``team``: the rows must all be that team's tasks. ``expected_versions`` (task id ->
    version the worker saw) makes the write fail when the task changed meanwhile.
    """
    rows = to_records(attempts, CONTACT_ATTEMPT_SCHEMA)
    if any(not row["case_id"] or not row["attempt_date"] for row in rows):
        raise ValueError("contact attempts need a case_id and an attempt date")
    if not rows:
        return AttemptsRecorded(0, 0)
    known = _check_tasks(session, attempts, team)
    existing = _attempt_identities(session, {row["case_id"] for row in rows})
    recorded_at = now()
    new_rows = []
    for row in rows:
        identity = tuple(row[name] for name in CONTACT_ATTEMPT_SCHEMA)
        if identity in existing:
            continue
        existing.add(identity)
        new_rows.append({**row, "source": source, "recorded_at": recorded_at, "recorded_by": actor})
    if new_rows:
        session.execute(insert(table_of(ContactAttempt)), new_rows)
        touched = sorted({str(row["task_id"]) for row in new_rows})
        update_checked(
            session,
            "task",
            [
                {
                    "task_id": task,
                    "version": (expected_versions or {}).get(task, known[task][2]),
                    "updated_on": recorded_at.date(),
                }
                for task in touched
            ],
            actor,
            "attempt",
        )
    return AttemptsRecorded(len(new_rows), len(rows) - len(new_rows))


def _attempt_identities(session: Session, case_ids: set[str]) -> set[tuple[object, ...]]:
    columns = [getattr(ContactAttempt, name) for name in CONTACT_ATTEMPT_SCHEMA]
    found = rows_for_keys(
        session, lambda keys: select(*columns).where(ContactAttempt.case_id.in_(keys)), case_ids
    )
    return {tuple(_plain(value) for value in row) for row in found}


def _plain(value: object) -> object:
    return value.date() if isinstance(value, dt.datetime) else value


def record_case_results(
    session: Session,
    results: pd.DataFrame,
    actor: str,
    team: str | None = None,
    expected_versions: Mapping[str, int] | None = None,
) -> ResultsRecorded:
    """Close cases with their DDAS end result (``CASE_RESULT_SCHEMA``); all rows or none.

    The case's open task is finished too (``afgerond``). A case that is already closed is left
    as it is and counted in ``already_closed``.
    """
    rows = to_records(results, CASE_RESULT_SCHEMA)
    invalid = sum(1 for row in rows if row["result"] not in ddas.RESULTS or not row["result_date"])
    if invalid:
        raise ValueError(f"{invalid} result rows lack a result date or a DDAS eindresultaat")
    if not rows:
        return ResultsRecorded(0, 0)
    known = _check_tasks(session, results, team)
    case_ids = sorted({str(row["case_id"]) for row in rows})
    cases = {
        str(c): (str(s), int(v))
        for c, s, v in rows_for_keys(
            session,
            lambda keys: select(Case.case_id, Case.status, Case.version).where(
                Case.case_id.in_(keys)
            ),
            case_ids,
        )
    }
    to_close = [row for row in rows if cases[str(row["case_id"])][0] == "open"]
    update_checked(
        session,
        "case",
        [
            {
                "case_id": row["case_id"],
                "version": cases[str(row["case_id"])][1],
                "status": "closed",
                "result": row["result"],
                "closed_on": row["result_date"],
                "closed_by": actor,
            }
            for row in to_close
        ],
        actor,
        "closed",
        where={"status": "open"},
    )
    open_tasks = [row for row in to_close if known[str(row["task_id"])][3] == "open"]
    update_checked(
        session,
        "task",
        [
            {
                "task_id": row["task_id"],
                "version": (expected_versions or {}).get(
                    str(row["task_id"]), known[str(row["task_id"])][2]
                ),
                "status": "afgerond",
                "closed_by": actor,
                "updated_on": row["result_date"],
            }
            for row in open_tasks
        ],
        actor,
        "closed",
    )
    return ResultsRecorded(len(to_close), len(rows) - len(to_close))


def set_team_capacity(session: Session, team: str, capacity: int, actor: str) -> None:
    """A team lead's weekly capacity for ``team``; the next planning uses it. Audited."""
    if capacity < 1:
        raise ValueError("a weekly capacity is at least 1")
    current = session.execute(
        select(Team.weekly_capacity, Team.version).where(Team.name == team)
    ).first()
    if current is None:
        insert_new(
            session,
            "team",
            [{"name": team, "weekly_capacity": capacity, "set_by": actor}],
            actor,
            "opened",
        )
    else:
        update_checked(
            session,
            "team",
            [
                {
                    "name": team,
                    "version": current.version,
                    "weekly_capacity": capacity,
                    "set_by": actor,
                }
            ],
            actor,
            "capacity",
        )
    audit(session, actor, "set_capacity", "team", team, {"weekly_capacity": capacity})


__all__ = [
    "AttemptsRecorded",
    "ConcurrentChangeError",
    "ResultsRecorded",
    "UnknownCaseError",
    "WrongTeamError",
    "record_case_results",
    "record_contact_attempts",
    "set_team_capacity",
]
