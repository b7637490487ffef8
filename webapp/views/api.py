"""The JSON API: the same resources and access rules as the pages, with a bearer token.

A case system (e.g. the municipality's schuldhulp system) signs in with a token of its own
account, reads its team's tasks and referrals ("warme overdracht", recorded as the DDAS result
it is) and records attempts and results. Addresses are only in a task's own answer, for the
outreach roles of that team, and every such answer is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from connectors.database.casefile import (
    attempts_of,
    household_timeline,
    open_team_addresses,
    team_queue,
    team_task,
)
from connectors.database.casework import (
    ConcurrentChangeError,
    record_case_results,
    record_contact_attempts,
    set_team_capacity,
)
from connectors.database.engine import session_scope
from connectors.database.models import Case, PipelineRun, Task, Team
from connectors.database.quarantine_view import open_raw_row, quarantine_row, quarantine_rows
from connectors.database.users import User
from connectors.quarantine import refused_files
from signals import ddas
from webapp.auth import api_user, require
from webapp.context import WebContext, web_context
from webapp.navigation import OUTREACH
from webapp.pages import render
from webapp.views.admin import summary_counts

router = APIRouter(prefix="/api/v1", tags=["vroegsignaal"])
docs_router = APIRouter(include_in_schema=False)
WORKER = api_user(*OUTREACH)
STEWARD = api_user("gegevensbeheerder")
LEADS = api_user("teamleider", "beheerder")
OVERSIGHT = api_user("teamleider", "beheerder", "gegevensbeheerder")
ANYONE = api_user()

#: The DDAS results that hand the resident over to further help (a referral).
REFERRAL_RESULTS = tuple(r for r in ddas.RESULTS if r.startswith(("Vervolghulp", "Verwijzing")))
TASK_FIELDS = (
    "task_id",
    "case_id",
    "team",
    "team_rank",
    "plan_status",
    "due_date",
    "contact_kind",
    "joint_with",
    "reason_nl",
    "news_nl",
    "suggestions",
    "signal_partners",
    "crisis_kinds",
    "total_amount",
    "wijk",
    "rule",
    "policy_version",
    "resolved_since",
    "status",
    "version",
)


class AttemptIn(BaseModel):
    """A contact attempt (DDAS Contactpoging)."""

    soort: str = Field(description="DDAS contactsoort, bijvoorbeeld 'Telefoon'")
    datum: dt.date = Field(description="De dag van de poging (niet in de toekomst)")
    dagdeel: str = Field(description="Ochtend, Middag of Avond")
    bereikt: bool = Field(description="Of de inwoner bereikt is")


class ResultIn(BaseModel):
    """The end result of the case (DDAS eindresultaat); closes the case."""

    resultaat: str = Field(
        description="DDAS eindresultaat, bijvoorbeeld 'Vervolghulp en/of verwijzing "
        "financieel' (warme overdracht naar schuldhulp)"
    )
    datum: dt.date = Field(description="De dag van het resultaat")
    versie: int | None = Field(
        default=None, description="De versie van de taak die u las; een andere geeft 409"
    )


class CapacityIn(BaseModel):
    capaciteit: int = Field(ge=1, le=10_000, description="Taken per week")


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _task_json(task: dict[str, Any]) -> dict[str, Any]:
    return {name: _plain(task.get(name)) for name in TASK_FIELDS}


def _team(user: User) -> str:
    if not user.team:
        raise HTTPException(403, "Dit account hoort bij geen team.")
    return user.team


def _own_task(ctx: WebContext, task_id: str, team: str) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        task = team_task(session, task_id, team)
    if task is None:
        raise HTTPException(404, "Deze taak bestaat niet, of hoort niet bij uw team.")
    return task


@router.get("/ik", summary="Wie ben ik")
def who_am_i(user: User = Depends(ANYONE)) -> dict[str, Any]:
    """The account the token belongs to: name, role and team."""
    return {"gebruikersnaam": user.username, "rol": user.role, "team": user.team}


@router.get("/taken", summary="Open taken van mijn team, in werkvolgorde")
def list_tasks(
    user: User = Depends(WORKER), ctx: WebContext = Depends(web_context)
) -> list[dict[str, Any]]:
    """The team's open tasks in work order, without addresses."""
    with session_scope(ctx.engine) as session:
        tasks = team_queue(session, _team(user))
    clean = tasks.astype(object).where(tasks.notna(), None)
    return [
        _task_json({str(k): v for k, v in row.items()}) for row in clean.to_dict(orient="records")
    ]


@router.get("/taken/{task_id}", summary="Eén taak met adres, signalen en contactpogingen")
def get_task(
    task_id: str, user: User = Depends(WORKER), ctx: WebContext = Depends(web_context)
) -> dict[str, Any]:
    """A task of the own team with the household's address (audited), why, what, by when, its
    signals and every contact attempt. Another team's task answers 404."""
    team = _team(user)
    task = _own_task(ctx, task_id, team)
    from webapp.views.queue import reference_or_none

    with session_scope(ctx.engine) as session:
        frame = pd.DataFrame([{"household_key": task["household_key"], "team": task["team"]}])
        addresses = open_team_addresses(
            session, ctx.res.vault, team, frame, reference_or_none(ctx), user.actor, "api_task",
            task_id,
        )  # fmt: skip
        signals = household_timeline(session, str(task["household_key"]))
        attempts = attempts_of(session, str(task["case_id"]))
    address = addresses.get(str(task["household_key"]), {})
    case = task["case"]
    return {
        **_task_json(task),
        "adres": {k: _plain(v) for k, v in address.items() if k != "household_key"},
        "zaak": {
            "case_id": case.get("case_id"),
            "status": case.get("status"),
            "case_type": case.get("case_type"),
            "opened_on": _plain(case.get("opened_on")),
            "closed_on": _plain(case.get("closed_on")),
            "result": case.get("result"),
        },
        "signalen": [{k: _plain(v) for k, v in s.items()} for s in signals],
        "contactpogingen": [
            {k: _plain(v) for k, v in a.items() if k not in ("case_id", "task_id")}
            for a in attempts
        ],
    }


@router.post(
    "/taken/{task_id}/contactpogingen", status_code=201, summary="Contactpoging vastleggen"
)
def post_attempt(
    task_id: str,
    attempt: AttemptIn,
    user: User = Depends(WORKER),
    ctx: WebContext = Depends(web_context),
) -> dict[str, Any]:
    team = _team(user)
    task = _own_task(ctx, task_id, team)
    problems = []
    if task["status"] != "open":
        problems.append("de taak is afgerond")
    if attempt.soort not in ddas.CONTACT_KINDS:
        problems.append(f"soort moet een van {list(ddas.CONTACT_KINDS)} zijn")
    if attempt.dagdeel not in ddas.PARTS_OF_DAY:
        problems.append(f"dagdeel moet een van {list(ddas.PARTS_OF_DAY)} zijn")
    problems += _date_problems(attempt.datum, ctx, task)
    if problems:
        raise HTTPException(422, "; ".join(problems))
    frame = pd.DataFrame(
        [
            {
                "case_id": task["case_id"],
                "task_id": task_id,
                "contact_kind": attempt.soort,
                "attempt_date": pd.Timestamp(attempt.datum),
                "part_of_day": attempt.dagdeel,
                "reached": attempt.bereikt,
            }
        ]
    )
    try:
        with session_scope(ctx.engine) as session:
            outcome = record_contact_attempts(session, frame, "api", user.actor, team=team)
    except ConcurrentChangeError:
        raise HTTPException(409, "De taak werd tegelijk gewijzigd; probeer het opnieuw.") from None
    return {"toegevoegd": outcome.added, "al_bekend": outcome.already_known}


def _date_problems(day: dt.date, ctx: WebContext, task: dict[str, Any]) -> list[str]:
    opened = task["case"].get("opened_on")
    if day > ctx.today():
        return ["datum ligt in de toekomst"]
    if opened is not None and day < opened:
        return ["datum ligt vóór de opening van de zaak"]
    return []


@router.post("/taken/{task_id}/resultaat", summary="Resultaat vastleggen en zaak afsluiten")
def post_result(
    task_id: str,
    result: ResultIn,
    user: User = Depends(WORKER),
    ctx: WebContext = Depends(web_context),
) -> dict[str, Any]:
    """Close the case with its DDAS result. A warm handover is recorded as the referral result
    it is ('Vervolghulp en/of verwijzing financieel' to debt help)."""
    team = _team(user)
    task = _own_task(ctx, task_id, team)
    problems = [] if result.resultaat in ddas.RESULTS else ["resultaat is geen DDAS-eindresultaat"]
    problems += _date_problems(result.datum, ctx, task)
    if problems:
        raise HTTPException(422, "; ".join(problems))
    frame = pd.DataFrame(
        [
            {
                "case_id": task["case_id"],
                "task_id": task_id,
                "result": result.resultaat,
                "result_date": pd.Timestamp(result.datum),
            }
        ]
    )
    versions = {task_id: result.versie} if result.versie is not None else None
    try:
        with session_scope(ctx.engine) as session:
            outcome = record_case_results(
                session, frame, user.actor, team=team, expected_versions=versions
            )
    except ConcurrentChangeError:
        raise HTTPException(
            409, "De taak is gewijzigd sinds de versie die u las; lees haar opnieuw."
        ) from None
    return {"afgesloten": outcome.closed, "al_afgesloten": outcome.already_closed}


@router.get("/verwijzingen", summary="Verwijzingen (warme overdracht) van mijn team")
def referrals(
    user: User = Depends(WORKER), ctx: WebContext = Depends(web_context)
) -> list[dict[str, Any]]:
    """Closed cases of the team whose result hands the resident over to further help, newest
    first, for the case system to take over (without addresses: ask the task for those)."""
    team = _team(user)
    query = (
        select(Task.task_id, Case.case_id, Case.result, Case.closed_on, Case.closed_by)
        .join(Case, Case.case_id == Task.case_id)
        .where(Task.team == team, Case.status == "closed", Case.result.in_(REFERRAL_RESULTS))
        .order_by(Case.closed_on.desc(), Task.task_id)
    )
    with session_scope(ctx.engine) as session:
        rows = session.execute(query).all()
    return [
        {
            "task_id": task_id,
            "case_id": case_id,
            "resultaat": result,
            "afgesloten_op": _plain(closed_on),
            "door": closed_by,
        }
        for task_id, case_id, result, closed_on, closed_by in rows
    ]


@router.get("/quarantaine", summary="Open regels in quarantaine en geweigerde bestanden")
def api_quarantine(
    _user: User = Depends(STEWARD), ctx: WebContext = Depends(web_context)
) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        rows = quarantine_rows(session, "open")
        files = refused_files(session)
    return {
        "regels": [{k: _plain(v) for k, v in row.items()} for row in rows],
        "geweigerde_bestanden": files,
    }


@router.get("/quarantaine/{quarantine_id}", summary="Eén regel met de ruwe inhoud (vastgelegd)")
def api_quarantine_row(
    quarantine_id: int, user: User = Depends(STEWARD), ctx: WebContext = Depends(web_context)
) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        row = quarantine_row(session, quarantine_id)
        if row is None:
            raise HTTPException(404, "Deze regel staat niet in de quarantaine.")
        raw = open_raw_row(session, ctx.res.raw_vault, quarantine_id, user.actor)
    return {**{k: _plain(v) for k, v in row.items()}, "ruw": raw}


@router.get("/teams", summary="Teams met hun capaciteit per week")
def api_teams(user: User = Depends(LEADS), ctx: WebContext = Depends(web_context)) -> list[Any]:
    names = [_team(user)] if user.role == "teamleider" else ctx.team_names()
    with session_scope(ctx.engine) as session:
        stored: dict[str, tuple[int | None, str | None]] = {
            t.name: (t.weekly_capacity, t.set_by)
            for t in session.scalars(select(Team).where(Team.name.in_(names)))
        }
    return [
        {
            "team": name,
            "capaciteit": stored.get(name, (None, None))[0],
            "vastgesteld_door": stored.get(name, (None, None))[1],
        }
        for name in names
    ]


@router.put(
    "/teams/{team}/capaciteit", summary="Capaciteit per week (geldt vanaf de volgende planning)"
)
def api_capacity(
    team: str,
    body: CapacityIn,
    user: User = Depends(LEADS),
    ctx: WebContext = Depends(web_context),
) -> dict[str, Any]:
    allowed = [user.team] if user.role == "teamleider" else ctx.team_names()
    if team not in allowed:
        raise HTTPException(403, "U kunt alleen de capaciteit van uw eigen team wijzigen.")
    try:
        with session_scope(ctx.engine) as session:
            set_team_capacity(session, team, body.capaciteit, user.actor)
    except ConcurrentChangeError:
        raise HTTPException(409, "Tegelijk elders gewijzigd; probeer het opnieuw.") from None
    return {"team": team, "capaciteit": body.capaciteit}


@router.get("/beleid", summary="Het triagebeleid dat vandaag geldt")
def api_policy(
    _user: User = Depends(OVERSIGHT), ctx: WebContext = Depends(web_context)
) -> dict[str, Any]:
    book = ctx.res.policy_book
    try:
        active = book.in_force(ctx.today())
    except LookupError:
        active = book.latest()
    return {
        "versie": active.version,
        "geldig_vanaf": active.effective_from.isoformat(),
        "versies": [p.version for p in book.versions],
        "taakregels": [
            {
                "regel": r.id,
                "team": r.team,
                "contact": r.contact_kind,
                "werkdagen": r.due_working_days,
            }
            for r in active.task_rules
        ],
    }


@router.get("/runs", summary="De laatste nachtelijke runs met hun tellingen")
def api_runs(
    _user: User = Depends(OVERSIGHT), ctx: WebContext = Depends(web_context)
) -> list[dict[str, Any]]:
    with session_scope(ctx.engine) as session:
        runs = session.scalars(
            select(PipelineRun).order_by(PipelineRun.started_at.desc()).limit(100)
        ).all()
        return [
            {
                "run_id": run.run_id,
                "soort": run.flow,
                "nacht": _plain(run.as_of),
                "status": run.status,
                "gestart": _plain(run.started_at),
                "klaar": _plain(run.finished_at),
                "tellingen": dict(summary_counts(run.counts or {})),
            }
            for run in runs
        ]


@docs_router.get("/api/docs")
def api_docs(
    request: Request,
    _user: User = Depends(require("medewerker", "teamleider", "gegevensbeheerder", "beheerder")),
) -> Response:
    """The OpenAPI description as a page of this site (no CDN, no inline script)."""
    spec = request.app.openapi()
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                }
            )
    return render(request, "api_docs.html", title="API", endpoints=endpoints)
