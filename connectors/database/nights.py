"""What a night reads (only the households involved) and how it stores its outcome.

The outcome of a night's triage is stored in ONE transaction, and only what changed is
written: new decisions, tonight's household states, new and changed cases and tasks (each
version-checked against what the night read, so a result a worker recorded meanwhile is
never overwritten or reopened: the night then fails with ``ConcurrentChangeError`` and is
triaged again on fresh data), the planning fields of every open task, and the closures the
policy lets the system make.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from connectors.database.bulk import insert_missing_frame
from connectors.database.frames import CASE_SCHEMA, raw_columns, to_frame, to_records
from connectors.database.history import (
    load_complete_deliveries,
    load_held_back,
    mark_triaged,
    untriaged_deliveries,
)
from connectors.database.models import (
    Aftercare,
    Case,
    CaseSignal,
    ContactAttempt,
    Signal,
    SignalState,
    SignalStatus,
    Task,
    Team,
)
from connectors.database.runs import audit
from connectors.database.selection import rows_for_keys
from connectors.database.sql import table_of
from connectors.database.state import (
    households_resolved_by_untriaged_deliveries,
    load_resolutions,
    save_decisions,
    save_household_states,
)
from connectors.database.versions import (
    append_history,
    insert_new,
    insert_new_frame,
    update_checked,
)
from signals.cases import CASE_SIGNAL_COLUMNS
from signals.ddas import STATUS_PICKED_UP
from signals.membership import is_in
from signals.schema import (
    LINKED_AFTERCARE_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    PICKUP_SCHEMA,
    SIGNAL_STATE_SCHEMA,
    STRING,
    TASK_SCHEMA,
    conform,
)
from signals.triage.night import NightInput, NightOutput, Plan

#: Planning fields: derived every night from the open work, not a change of the task itself.
PLAN_COLUMNS: tuple[str, ...] = (
    "priority",
    "band",
    "team_rank",
    "planned_week",
    "over_capacity",
    "plan_status",
)
#: What makes a new version of a task (everything but the planning fields and the version).
TASK_CONTENT: tuple[str, ...] = tuple(
    name for name in TASK_SCHEMA if name not in (*PLAN_COLUMNS, "version", "task_id")
)
CASE_CONTENT: tuple[str, ...] = tuple(
    name for name in CASE_SCHEMA if name not in ("version", "case_id")
)
#: Beyond the multiple-partner window, signals older than this matter to no state of tonight.
HISTORY_MARGIN_DAYS = 31


def run_actor(run_id: str | None) -> str:
    return f"run:{run_id}" if run_id else "run"


# --- Reading --------------------------------------------------------------------------------


def _undecided(query: Select[Any], night: dt.date) -> Select[Any]:
    """``query`` restricted to signals delivered up to ``night`` without a decision yet."""
    return query.outerjoin(SignalStatus, SignalStatus.signal_key == Signal.signal_key).where(
        SignalStatus.signal_key.is_(None), Signal.delivery_date <= night
    )


def undecided_signals(session: Session, night: dt.date) -> pd.DataFrame:
    """Linked signals delivered up to ``night`` that have no decision yet."""
    columns = raw_columns(*[getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA])
    query = _undecided(select(*columns), night).order_by(Signal.signal_key)
    return to_frame(session.execute(query).all(), LINKED_SIGNAL_SCHEMA)


def undecided_keys(session: Session, night: dt.date) -> pd.DataFrame:
    """``signal_key`` and ``household_key`` of the undecided signals (see ``undecided_signals``)."""
    schema = {"signal_key": STRING, "household_key": STRING}
    query = _undecided(select(*raw_columns(Signal.signal_key, Signal.household_key)), night)
    return to_frame(session.execute(query.order_by(Signal.signal_key)).all(), schema)


def undecided_signal_states(session: Session, night: dt.date) -> pd.DataFrame:
    """The signal states of the undecided signals, in ``signal_key`` order."""
    columns = raw_columns(*[getattr(SignalState, name) for name in SIGNAL_STATE_SCHEMA])
    query = _undecided(
        select(*columns).join(Signal, Signal.signal_key == SignalState.signal_key), night
    )
    return to_frame(
        session.execute(query.order_by(SignalState.signal_key)).all(), SIGNAL_STATE_SCHEMA
    )


def tonights_signals(
    session: Session, undecided: pd.DataFrame, history: pd.DataFrame
) -> pd.DataFrame:
    """The undecided signals' rows: from ``history`` where it holds them (read once, not
    twice), the rest (older than the history window, or without household) by key."""
    in_history = is_in(history["signal_key"], undecided["signal_key"])
    found = history[in_history]
    rest = undecided.loc[~is_in(undecided["signal_key"], found["signal_key"]), "signal_key"]
    columns = raw_columns(*[getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA])
    rows = rows_for_keys(
        session, lambda keys: select(*columns).where(Signal.signal_key.in_(keys)), rest
    )
    both = pd.concat([found, to_frame(rows, LINKED_SIGNAL_SCHEMA)], ignore_index=True)
    return conform(both.sort_values("signal_key", kind="stable"), LINKED_SIGNAL_SCHEMA)


def aftercare_of_untriaged(session: Session) -> pd.DataFrame:
    """Households in nazorg deliveries the triage has not yet taken into account."""
    from connectors.database.models import Delivery

    query = (
        select(Aftercare.household_key)
        .join(Delivery, Delivery.delivery_id == Aftercare.delivery_id)
        .where(Delivery.triaged_on.is_(None), Delivery.status == "loaded")
        .distinct()
    )
    return to_frame(session.execute(query).all(), {"household_key": STRING})


def household_history(
    session: Session, households: Sequence[str], night: dt.date, days: int
) -> pd.DataFrame:
    """The households' linked signals delivered in the ``days`` up to ``night``."""
    columns = raw_columns(*[getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA])
    since = night - dt.timedelta(days=days)
    rows = rows_for_keys(
        session,
        lambda keys: select(*columns).where(
            Signal.household_key.in_(keys),
            Signal.delivery_date > since,
            Signal.delivery_date <= night,
        ),
        households,
    )
    return to_frame(rows, LINKED_SIGNAL_SCHEMA).sort_values("signal_key", kind="stable")


def household_aftercare(session: Session, households: Sequence[str]) -> pd.DataFrame:
    columns = raw_columns(*[getattr(Aftercare, name) for name in LINKED_AFTERCARE_SCHEMA])
    rows = rows_for_keys(
        session, lambda keys: select(*columns).where(Aftercare.household_key.in_(keys)), households
    )
    return to_frame(rows, LINKED_AFTERCARE_SCHEMA)


def household_pickups(session: Session, households: Sequence[str]) -> pd.DataFrame:
    """Earlier pick-ups per household × partner (``PICKUP_SCHEMA``)."""
    rows = rows_for_keys(
        session,
        lambda keys: (
            select(Signal.household_key, Signal.partner, SignalStatus.decided_on)
            .join(SignalStatus, SignalStatus.signal_key == Signal.signal_key)
            .where(SignalStatus.status == STATUS_PICKED_UP, Signal.household_key.in_(keys))
        ),
        households,
    )
    return to_frame(rows, PICKUP_SCHEMA)


def open_cases_of(session: Session, households: Sequence[str]) -> pd.DataFrame:
    columns = raw_columns(*[getattr(Case, name) for name in CASE_SCHEMA])
    rows = rows_for_keys(
        session,
        lambda keys: select(*columns).where(Case.status == "open", Case.household_key.in_(keys)),
        households,
    )
    return to_frame(rows, CASE_SCHEMA)


def open_tasks(session: Session) -> pd.DataFrame:
    """Every open task (``TASK_SCHEMA`` with its version): all share the teams' capacity."""
    columns = raw_columns(*[getattr(Task, name) for name in TASK_SCHEMA])
    query = select(*columns).where(Task.status == "open").order_by(Task.task_id)
    return to_frame(session.execute(query).all(), TASK_SCHEMA)


def team_capacity(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Team.name, Team.weekly_capacity)).all())  # type: ignore[arg-type]


def attempts_this_week(session: Session, night: dt.date) -> dict[str, int]:
    """Contact attempts per team dated in the planning night's week, up to the night."""
    monday = night - dt.timedelta(days=night.weekday())
    query = (
        select(Task.team, func.count(ContactAttempt.attempt_id))
        .join(Task, Task.task_id == ContactAttempt.task_id)
        .where(ContactAttempt.attempt_date >= monday, ContactAttempt.attempt_date <= night)
        .group_by(Task.team)
    )
    return {str(team): int(count) for team, count in session.execute(query).all()}


def reached_cases(session: Session) -> set[str]:
    """Cases with at least one contact attempt that reached the resident."""
    query = select(ContactAttempt.case_id).where(ContactAttempt.reached.is_(True)).distinct()
    return set(session.scalars(query))


@dataclass
class HouseholdFacts:
    """Everything stored about a set of households that tonight's triage reads."""

    history: pd.DataFrame
    held_back: pd.DataFrame
    resolutions: pd.DataFrame
    aftercare: pd.DataFrame
    open_cases: pd.DataFrame
    pickups: pd.DataFrame


def load_household_facts(
    session: Session, households: Sequence[str], night: dt.date, history_days: int
) -> HouseholdFacts:
    return HouseholdFacts(
        history=household_history(session, households, night, history_days + HISTORY_MARGIN_DAYS),
        held_back=load_held_back(session, households=households),
        resolutions=load_resolutions(session, households),
        aftercare=household_aftercare(session, households),
        open_cases=open_cases_of(session, households),
        pickups=household_pickups(session, households),
    )


# --- Writing --------------------------------------------------------------------------------


def seed_teams(session: Session, teams: dict[str, int], policy_version: str) -> None:
    """Teams the policy names that the database does not know yet, with the policy's capacity.

    A capacity set later by a team lead is kept: the policy only gives the default.
    """
    known = set(session.scalars(select(Team.name)))
    rows = [
        {"name": name, "weekly_capacity": capacity, "set_by": f"beleid {policy_version}"}
        for name, capacity in sorted(teams.items())
        if name not in known
    ]
    insert_new(session, "team", rows, actor=f"beleid {policy_version}", change="opened")


def save_night(
    session: Session,
    night: dt.date,
    run_id: str | None,
    result: NightOutput,
    plan: Plan,
    read_cases: pd.DataFrame,
    read_tasks: pd.DataFrame,
    delivery_ids: Sequence[int],
) -> dict[str, int]:
    """Store the night's outcome in the caller's transaction; returns counts of what changed.

    ``read_cases`` / ``read_tasks`` are the open cases and tasks as the night read them (with
    their versions): rows are written only where they differ, and only if still unchanged.
    """
    actor = run_actor(run_id)
    save_decisions(session, result.decisions, night, run_id)
    save_household_states(session, result.household_states, night, run_id)
    counts = _save_cases(session, result.cases, read_cases, night, actor)
    insert_missing_frame(
        session,
        table_of(CaseSignal),
        result.case_signals,
        dict(CASE_SIGNAL_COLUMNS),
        keys=["case_id", "signal_key"],
    )
    counts.update(_save_tasks(session, plan.tasks, read_tasks, night, actor))
    counts["closed_by_system"] = _close(
        session, plan, read_cases_versions(session, plan), night, actor
    )
    mark_triaged(session, delivery_ids, night)
    return counts


def read_cases_versions(session: Session, plan: Plan) -> dict[str, int]:
    ids = list(plan.closures["case_id"].astype(str))
    rows = rows_for_keys(
        session, lambda keys: select(Case.case_id, Case.version).where(Case.case_id.in_(keys)), ids
    )
    return {str(case_id): int(version) for case_id, version in rows}


def _differences(
    new: pd.DataFrame, old: pd.DataFrame, key: str, columns: Sequence[str]
) -> pd.DataFrame:
    """Per row of ``new`` and column: differs from the row of ``old`` with the same key?

    A row ``old`` does not hold differs in every column. Compared column by column in the
    columns' own dtypes (an object copy of every open task cost more than the rest).
    """
    before = old.drop_duplicates(key).set_index(key)
    keys = new[key]
    known = is_in(keys, before.index)
    aligned = before.reindex(keys.to_numpy())
    out: dict[str, np.ndarray] = {}
    for name in columns:
        a = new[name].reset_index(drop=True)
        b = aligned[name].reset_index(drop=True)
        if b.dtype != a.dtype:
            b = b.astype(a.dtype)
        both_missing = (a.isna() & b.isna()).to_numpy(dtype=bool)
        equal = (a == b).fillna(False).to_numpy(dtype=bool)
        out[name] = ~(equal | both_missing) | ~known
    return pd.DataFrame(out, index=new.index, columns=list(columns))


def _changed(new: pd.DataFrame, old: pd.DataFrame, key: str, columns: Sequence[str]) -> pd.Series:
    """Per row of ``new``: does it differ from ``old`` (same key) in any of ``columns``?"""
    return _differences(new, old, key, columns).any(axis=1)


def _save_cases(
    session: Session, cases: pd.DataFrame, read: pd.DataFrame, night: dt.date, actor: str
) -> dict[str, int]:
    cases = conform(cases, CASE_SCHEMA)
    new = cases[cases["version"].isna()]
    is_open = new["status"].eq("open").fillna(False).astype(bool)
    opened = insert_new_frame(session, "case", new[is_open], CASE_SCHEMA, actor, "opened", night)
    closed_at_once = insert_new_frame(
        session, "case", new[~is_open], CASE_SCHEMA, actor, "opened_closed", night
    )
    known = cases[cases["version"].notna()]
    changed = known[_changed(known, read, "case_id", CASE_CONTENT)]
    records = to_records(changed, CASE_SCHEMA)
    update_checked(
        session,
        "case",
        [{k: r[k] for k in ("case_id", "version", *CASE_CONTENT)} for r in records],
        actor,
        "joined",
        night,
        where={"status": "open"},
    )
    return {
        "cases_opened": opened,
        "cases_closed_at_once": closed_at_once,
        "cases_changed": len(records),
    }


def _save_tasks(
    session: Session, planned: pd.DataFrame, read: pd.DataFrame, night: dt.date, actor: str
) -> dict[str, int]:
    planned = conform(planned, TASK_SCHEMA)
    is_open = planned["status"] == "open"
    new = planned[planned["version"].isna() & is_open]
    opened = insert_new_frame(session, "task", new, TASK_SCHEMA, actor, "opened", night)
    known = planned[planned["version"].notna() & is_open]
    differs = _differences(known, read, "task_id", TASK_CONTENT)
    content = known[differs.any(axis=1)]
    differs = differs.loc[content.index]
    records = {r["task_id"]: r for r in to_records(content, TASK_SCHEMA)}
    scored = differs.drop(columns=list(SCORE_COLUMNS)).any(axis=1)
    resolved = differs.drop(columns=["resolved_since"]).any(axis=1)
    change = pd.Series("reshaped", index=content.index)
    change[~scored] = "scored"
    change[~resolved] = "resolved"
    for name in sorted(set(change)):
        chosen = [records[str(t)] for t in content.loc[change == name, "task_id"]]
        update_checked(
            session,
            "task",
            [
                {k: r[k] for k in ("task_id", "version", *TASK_CONTENT, *PLAN_COLUMNS)}
                for r in chosen
            ],
            actor,
            name,
            night,
            where={"status": "open"},
        )
    plan_only = known[~is_in(known["task_id"], content["task_id"])]
    moved = plan_only[_changed(plan_only, read, "task_id", PLAN_COLUMNS)]
    _update_plans(session, moved)
    return {"tasks_opened": opened, "tasks_changed": len(records), "tasks_replanned": len(moved)}


SCORE_COLUMNS = ("score", "model_version", "score_reasons_nl")
WRITTEN_TASK_COLUMNS = ("task_id", "version", *TASK_CONTENT, *PLAN_COLUMNS)


def _update_plans(session: Session, tasks: pd.DataFrame) -> None:
    if tasks.empty:
        return
    table = table_of(Task)
    rows = to_records(tasks, {name: TASK_SCHEMA[name] for name in ("task_id", *PLAN_COLUMNS)})
    statement = (
        update(table)
        .where(table.c.task_id == bindparam("_key"), table.c.status == "open")
        .values({name: bindparam(f"_set_{name}") for name in PLAN_COLUMNS})
    )
    session.execute(
        statement,
        [{"_key": r["task_id"], **{f"_set_{n}": r[n] for n in PLAN_COLUMNS}} for r in rows],
    )


def _close(
    session: Session, plan: Plan, versions: dict[str, int], night: dt.date, actor: str
) -> int:
    closures = plan.closures
    if closures.empty:
        return 0
    task_version = {
        str(t): v for t, v in zip(plan.tasks["task_id"], plan.tasks["version"], strict=True)
    }
    case_rows = [
        {
            "case_id": str(c.case_id),
            "version": versions[str(c.case_id)],
            "status": "closed",
            "result": str(c.result),
            "closed_on": night,
            "closed_by": str(c.closed_by),
        }
        for c in closures.itertuples()
    ]
    update_checked(session, "case", case_rows, actor, "closed", night, where={"status": "open"})
    task_rows = [
        {
            "task_id": str(c.task_id),
            "version": int(task_version[str(c.task_id)]),
            "status": "afgerond",
            "closed_by": str(c.closed_by),
            "updated_on": night,
        }
        for c in closures.itertuples()
        if pd.notna(task_version.get(str(c.task_id)))
    ]
    update_checked(session, "task", task_rows, actor, "closed", night, where={"status": "open"})
    audit(
        session,
        actor,
        "close_resolved",
        "case",
        None,
        {"cases": len(case_rows), "result": str(closures["result"].iloc[0]), "night": night},
    )
    return len(case_rows)


__all__ = [
    "PLAN_COLUMNS",
    "TASK_CONTENT",
    "HouseholdFacts",
    "aftercare_of_untriaged",
    "append_history",
    "attempts_this_week",
    "load_household_facts",
    "open_tasks",
    "reached_cases",
    "save_night",
    "seed_teams",
    "team_capacity",
    "undecided_signals",
]


@dataclass
class LoadedNight:
    """A night's triage input, and what the night must compare its writes against."""

    batch: NightInput
    open_tasks: pd.DataFrame  # every open task, as read (with versions)
    delivery_ids: list[int]  # the loaded deliveries tonight's triage takes into account
    capacity: dict[str, int]
    done_this_week: dict[str, int]
    reached_cases: set[str]


def load_night(
    session: Session,
    night: dt.date,
    window_days: int,
    recurrence_days: int,
    episodic_partners: frozenset[str] | None,
) -> LoadedNight:
    """Everything the triage of ``night`` reads, for the households involved tonight only.

    Involved: households with undecided signals, households that a not-yet-triaged delivery
    dropped (their arrears may be resolved everywhere now) and households a not-yet-triaged
    nazorg delivery lists (a relapse may move their task up).
    """
    untriaged = untriaged_deliveries(session)
    untriaged = untriaged[untriaged["delivery_date"] <= pd.Timestamp(night)]
    undecided = undecided_keys(session, night)
    nazorg = aftercare_of_untriaged(session)
    households = (
        set(undecided["household_key"].dropna())
        | households_resolved_by_untriaged_deliveries(session)
        | set(nazorg["household_key"].dropna())
    )
    keys = sorted(households)
    facts = load_household_facts(session, keys, night, max(window_days, recurrence_days))
    all_open = open_tasks(session)
    signals = tonights_signals(session, undecided, facts.history)
    batch = NightInput(
        households=pd.Series(keys, dtype="string"),
        signals=signals,
        signal_state=undecided_signal_states(session, night),
        history=facts.history,
        complete_deliveries=load_complete_deliveries(session),
        held_back=facts.held_back,
        resolutions=facts.resolutions,
        aftercare=facts.aftercare,
        nazorg_tonight=nazorg,
        open_cases=facts.open_cases,
        open_tasks=all_open[is_in(all_open["household_key"], pd.Series(keys))].reset_index(
            drop=True
        ),
        pickups=facts.pickups,
        window_days=window_days,
        recurrence_days=recurrence_days,
        episodic_partners=episodic_partners,
    )
    return LoadedNight(
        batch=batch,
        open_tasks=all_open,
        delivery_ids=[int(i) for i in untriaged["delivery_id"]],
        capacity=team_capacity(session),
        done_this_week=attempts_this_week(session, night),
        reached_cases=reached_cases(session),
    )
