"""What an outreach worker reads about their team's work: the queue, one task, its household.

Every read is scoped to a team: a task of another team is answered as absent. Opening
addresses goes through the contact vault for the outreach role and is audited by the caller's
actor (who, which team, how many).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.database.cases import load_contact_attempts, load_tasks
from connectors.database.deliveries import load_vault_tokens
from connectors.database.models import Case, Signal, SignalState, SignalStatus, Task
from connectors.database.runs import audit
from connectors.exports.outreach import EXPORT_ROLE, with_street
from connectors.vault import ContactVault

#: The plan kinds a queue is filtered by, as the workers say them (prefix of ``plan_status``).
PLAN_FILTERS = {
    "deze-week": "deze week",
    "later": "later",
    "te-laat": "te laat",
    "opgelost": "opgelost bij de partner",
}


def plan_kind(plan_status: object) -> str:
    """The filter key of a task's ``plan_status`` ("te laat sinds 13-10-2026" -> "te-laat")."""
    text = str(plan_status or "")
    for key, prefix in PLAN_FILTERS.items():
        if text.startswith(prefix):
            return key
    return "later" if text else ""


def team_queue(session: Session, team: str) -> pd.DataFrame:
    """The team's open tasks in work order (``team_rank``: 1 is the first to do)."""
    tasks = load_tasks(session, team=team, status="open")
    tasks = tasks.assign(plan_kind=tasks["plan_status"].map(plan_kind))
    return tasks.sort_values(
        ["team_rank", "priority", "task_id"], kind="stable", na_position="last"
    ).reset_index(drop=True)


def team_task(session: Session, task_id: str, team: str) -> dict[str, Any] | None:
    """One task of ``team`` (open or finished) with its case, or None (absent, or another
    team's: the two are not told apart)."""
    task = session.get(Task, task_id)
    if task is None or task.team != team:
        return None
    case = session.get(Case, task.case_id)
    values = {column.name: getattr(task, column.name) for column in Task.__table__.columns}
    values["case"] = (
        {column.name: getattr(case, column.name) for column in Case.__table__.columns}
        if case is not None
        else {}
    )
    return values


def attempts_of(session: Session, case_id: str) -> list[dict[str, Any]]:
    """Every contact attempt of the case, oldest first."""
    frame = load_contact_attempts(session, [case_id])
    return _records(frame)


def household_timeline(session: Session, household_key: str) -> list[dict[str, Any]]:
    """The household's signals, newest first: partner, date, amount, state, triage decision."""
    query = (
        select(
            Signal.delivery_date,
            Signal.partner,
            Signal.partner_type,
            Signal.amount,
            Signal.arrears_months,
            Signal.crisis_kind,
            SignalState.signal_state,
            SignalStatus.status,
            SignalStatus.reason_nl,
            SignalStatus.policy_version,
        )
        .outerjoin(SignalState, SignalState.signal_key == Signal.signal_key)
        .outerjoin(SignalStatus, SignalStatus.signal_key == Signal.signal_key)
        .where(Signal.household_key == household_key)
        .order_by(Signal.delivery_date.desc(), Signal.partner)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def open_team_addresses(
    session: Session,
    vault: ContactVault,
    team: str,
    tasks: pd.DataFrame,
    reference: pd.DataFrame | None,
    actor: str,
    purpose: str,
    entity_id: str | None = None,
) -> dict[str, dict[str, Any]]:
    """household_key -> address (postcode, huisnummer, toevoeging, straat, woonplaats) of the
    team's own tasks among ``tasks``; audited as ``open_addresses`` with ``purpose``."""
    own = tasks[tasks["team"] == team]
    keys = sorted(set(own["household_key"].dropna().astype(str)))
    if not keys:
        return {}
    sealed = load_vault_tokens(session, keys).rename(columns={"token": "sealed_address"})
    addresses = with_street(vault.reveal_addresses(sealed, EXPORT_ROLE, team, own), reference)
    audit(
        session,
        actor,
        "open_addresses",
        purpose,
        entity_id,
        {"team": team, "addresses": len(addresses)},
    )
    return {str(row["household_key"]): row for row in _records(addresses)}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts with missing values as None (templates show them as blank)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in clean.to_dict(orient="records")]
