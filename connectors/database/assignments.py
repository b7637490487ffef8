"""A team lead gives a task of the team to one of its members; every change is audited.

Kept beside the task (not in it): the night's planning never touches it, so an assignment
survives every re-plan, and a task's history stays the pipeline's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connectors.database.models import Task, TaskAssignment, WebUser
from connectors.database.runs import audit
from connectors.database.selection import rows_for_keys

OUTREACH_ROLES = ("medewerker", "teamleider")


class AssignmentError(ValueError):
    """The task or the person cannot be assigned; the message (Dutch) says why."""


def team_members(session: Session, team: str) -> list[tuple[int, str]]:
    """(user id, full name) of the team's active outreach accounts, by name."""
    query = (
        select(WebUser.user_id, WebUser.full_name)
        .where(WebUser.team == team, WebUser.active.is_(True), WebUser.role.in_(OUTREACH_ROLES))
        .order_by(WebUser.full_name)
    )
    return [(int(uid), str(name)) for uid, name in session.execute(query)]


def assign(session: Session, task_id: str, team: str, user_id: int | None, actor: str) -> None:
    """Give the team's task to ``user_id`` (None: to nobody)."""
    task = session.get(Task, task_id)
    if task is None or task.team != team:
        raise AssignmentError("Deze taak bestaat niet, of hoort niet bij uw team.")
    if user_id is not None and user_id not in {uid for uid, _ in team_members(session, team)}:
        raise AssignmentError("Kies iemand van uw eigen team.")
    session.execute(delete(TaskAssignment).where(TaskAssignment.task_id == task_id))
    if user_id is not None:
        session.add(
            TaskAssignment(
                task_id=task_id,
                user_id=user_id,
                assigned_by=actor,
                assigned_at=dt.datetime.now(dt.UTC),
            )
        )
    audit(session, actor, "assign_task", "task", task_id, {"team": team, "user_id": user_id})


def assignees(session: Session, task_ids: Iterable[str]) -> dict[str, tuple[int, str]]:
    """task id -> (user id, full name) of whoever has it."""
    rows = rows_for_keys(
        session,
        lambda keys: (
            select(TaskAssignment.task_id, WebUser.user_id, WebUser.full_name)
            .join(WebUser, WebUser.user_id == TaskAssignment.user_id)
            .where(TaskAssignment.task_id.in_(keys))
        ),
        task_ids,
    )
    return {str(task): (int(uid), str(name)) for task, uid, name in rows}
