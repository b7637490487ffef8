"""Outreach workers: their team's queue, a task with its household, attempts and the result.

Everything is scoped to the user's own team; another team's task answers 404 like a task
that does not exist. Every page that shows addresses is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.responses import FileResponse

from connectors.database.assignments import AssignmentError, assign, assignees, team_members
from connectors.database.casefile import (
    PLAN_FILTERS,
    attempts_of,
    household_timeline,
    open_team_addresses,
    team_queue,
    team_task,
)
from connectors.database.casework import (
    ConcurrentChangeError,
    UnknownCaseError,
    WrongTeamError,
    record_case_results,
    record_contact_attempts,
)
from connectors.database.engine import session_scope
from connectors.database.users import User
from connectors.exports.outreach import export_team_task_lists
from signals import ddas
from webapp import formatting
from webapp.auth import checked_form, require
from webapp.context import WebContext, web_context
from webapp.navigation import OUTREACH
from webapp.pages import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
POSTCODE_PART = re.compile(r"^[0-9]{1,4}[A-Z]{0,2}$")
WORKER = require(*OUTREACH)
LEAD = require("teamleider")
ASSIGNEE_FILTERS = {"mij": "Aan mij toegewezen", "niemand": "Aan niemand toegewezen"}


def team_of(user: User) -> str:
    if not user.team:  # an outreach role always has a team (checked when the account is made)
        raise HTTPException(403, "Uw account hoort bij geen team.")
    return user.team


def reference_or_none(ctx: WebContext) -> pd.DataFrame | None:
    """The address list (for street and place), or None when it cannot be read."""
    from flows.resources import reference_addresses

    try:
        return reference_addresses(str(ctx.settings.reference))
    except (OSError, ValueError):
        return None


def normalise_postcode(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def filtered_queue(
    tasks: pd.DataFrame,
    addresses: dict[str, dict[str, Any]],
    status: str,
    kind: str,
    wijk: str,
    postcode: str,
) -> pd.DataFrame:
    """The queue narrowed by the filters (unknown filter values were refused before)."""
    keep = pd.Series(True, index=tasks.index)
    if status:
        keep &= tasks["plan_kind"] == status
    if kind:
        keep &= tasks["contact_kind"] == kind
    if wijk:
        keep &= tasks["wijk"] == wijk
    if postcode:
        postcodes = tasks["household_key"].map(
            lambda key: str(addresses.get(str(key), {}).get("postcode") or "")
        )
        keep &= postcodes.str.startswith(postcode)
    return tasks[keep]


def _queue_filters(request: Request, tasks: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """The filters asked for, and an error per filter with a value it does not know."""
    params = request.query_params
    chosen = {
        "status": params.get("status", ""),
        "soort": params.get("soort", ""),
        "wijk": params.get("wijk", ""),
        "postcode": normalise_postcode(params.get("postcode", "")),
        "wie": params.get("wie", ""),
    }
    errors: dict[str, str] = {}
    if chosen["status"] and chosen["status"] not in PLAN_FILTERS:
        errors["status"] = "Kies een status uit de lijst."
    if chosen["soort"] and chosen["soort"] not in ddas.CONTACT_KINDS:
        errors["soort"] = "Kies een soort contact uit de lijst."
    if chosen["wijk"] and chosen["wijk"] not in set(tasks["wijk"].dropna()):
        errors["wijk"] = "Kies een wijk uit de lijst."
    if chosen["postcode"] and not POSTCODE_PART.match(chosen["postcode"]):
        errors["postcode"] = "Typ (het begin van) een postcode, bijvoorbeeld 7906 of 7906KL."
    if chosen["wie"] and chosen["wie"] not in ASSIGNEE_FILTERS:
        errors["wie"] = "Kies uit de lijst wiens taken u wilt zien."
    for name in errors:
        chosen[name] = ""
    return chosen, errors


def _team_view(
    request: Request, user: User, ctx: WebContext, purpose: str
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]], dict[str, str], dict[str, str], pd.DataFrame]:
    team = team_of(user)
    with session_scope(ctx.engine) as session:
        tasks = team_queue(session, team)
        addresses = open_team_addresses(
            session, ctx.res.vault, team, tasks, reference_or_none(ctx), user.actor, purpose, team
        )
        given = assignees(session, tasks["task_id"].astype(str))
    tasks = tasks.assign(
        assignee=tasks["task_id"].map(lambda t: given.get(str(t), (None, None))[1]),
        assignee_id=tasks["task_id"].map(lambda t: given.get(str(t), (None, None))[0]),
    )
    chosen, errors = _queue_filters(request, tasks)
    shown = filtered_queue(
        tasks, addresses, chosen["status"], chosen["soort"], chosen["wijk"], chosen["postcode"]
    )
    if chosen["wie"] == "mij":
        shown = shown[shown["assignee_id"] == user.user_id]
    elif chosen["wie"] == "niemand":
        shown = shown[shown["assignee_id"].isna()]
    return shown, addresses, chosen, errors, tasks


@router.get("/werkbak")
def queue_page(
    request: Request, user: User = Depends(WORKER), ctx: WebContext = Depends(web_context)
) -> Response:
    shown, addresses, chosen, errors, tasks = _team_view(request, user, ctx, "team_queue")
    pages = max(1, math.ceil(len(shown) / PAGE_SIZE))
    try:
        page = min(max(1, int(request.query_params.get("pagina", "1"))), pages)
    except ValueError:
        page = 1
    rows = shown.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    counts = tasks["plan_kind"].value_counts().to_dict()
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return render(
        request,
        "queue.html",
        title=f"Werkbak {user.team}",
        tasks=_rows(rows),
        addresses=addresses,
        total=len(tasks),
        shown=len(shown),
        counts={key: int(counts.get(key, 0)) for key in PLAN_FILTERS},
        plan_filters=PLAN_FILTERS,
        assignee_filters=ASSIGNEE_FILTERS,
        contact_kinds=ddas.CONTACT_KINDS,
        wijken=sorted(set(tasks["wijk"].dropna())),
        chosen=chosen,
        errors=errors,
        page=page,
        pages=pages,
        query=query,
    )


@router.get("/werkbak/afdrukken")
def print_page(
    request: Request, user: User = Depends(WORKER), ctx: WebContext = Depends(web_context)
) -> Response:
    shown, addresses, chosen, errors, _tasks = _team_view(request, user, ctx, "printed_queue")
    return render(
        request,
        "queue_print.html",
        title=f"Takenlijst {user.team}",
        tasks=_rows(shown),
        addresses=addresses,
        chosen=chosen,
        errors=errors,
        today=ctx.today(),
    )


@router.get("/werkbak/takenlijst.xlsx")
def task_list_xlsx(
    user: User = Depends(WORKER), ctx: WebContext = Depends(web_context)
) -> Response:
    """The team's XLSX task list, written by the same export as the nightly run (audited)."""
    team = team_of(user)
    folder = Path(tempfile.mkdtemp(prefix="vs-takenlijst-"))
    paths = export_team_task_lists(
        ctx.engine,
        ctx.res.vault,
        folder,
        ctx.today(),
        team,
        actor=user.actor,
        reference=reference_or_none(ctx),
    )
    xlsx = [path for path in paths if path.suffix == ".xlsx"]
    if not xlsx:
        _remove(folder)
        raise HTTPException(404, "Uw team heeft geen open taken; er is geen takenlijst.")
    return FileResponse(
        xlsx[0],
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=xlsx[0].name,
        background=BackgroundTask(_remove, folder),  # the file holds addresses: not kept
    )


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _task_or_404(ctx: WebContext, task_id: str, team: str) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        task = team_task(session, task_id, team)
    if task is None:
        raise HTTPException(404, "Deze taak bestaat niet, of hoort niet bij uw team.")
    return task


def _task_page(
    request: Request,
    user: User,
    ctx: WebContext,
    task_id: str,
    status_code: int = 200,
    template: str = "task.html",
    **values: Any,
) -> Response:
    """The task page, or one of its form pages (``attempt.html``, ``result.html``)."""
    team = team_of(user)
    with session_scope(ctx.engine) as session:
        task = team_task(session, task_id, team)
        if task is None:
            raise HTTPException(404, "Deze taak bestaat niet, of hoort niet bij uw team.")
        frame = pd.DataFrame([{"household_key": task["household_key"], "team": task["team"]}])
        addresses = open_team_addresses(
            session, ctx.res.vault, team, frame, reference_or_none(ctx), user.actor, "task",
            task_id,
        )  # fmt: skip
        timeline = household_timeline(session, str(task["household_key"]))
        attempts = attempts_of(session, str(task["case_id"]))
        assignee = assignees(session, [task_id]).get(task_id)
        members = team_members(session, team) if user.role == "teamleider" else []
    defaults = {
        "soort": task.get("contact_kind") or "",
        "datum": ctx.today().isoformat(),
        "dagdeel": "",
        "bereikt": "",
        "resultaat": "",
        "resultaatdatum": ctx.today().isoformat(),
    }
    titles = {"attempt.html": "Contactpoging vastleggen", "result.html": "Resultaat vastleggen"}
    return render(
        request,
        template,
        status_code,
        title=titles.get(template, f"Taak {formatting.task_code(task_id)}"),
        task=task,
        case=task["case"],
        address=addresses.get(str(task["household_key"])),
        timeline=timeline,
        attempts=attempts,
        contact_kinds=ddas.CONTACT_KINDS,
        parts_of_day=ddas.PARTS_OF_DAY,
        results=ddas.RESULTS,
        assignee=assignee,
        members=[(str(uid), name) for uid, name in members],
        assign_errors=values.pop("assign_errors", {}),
        values={**defaults, **values.pop("values", {})},
        attempt_errors=values.pop("attempt_errors", {}),
        result_errors=values.pop("result_errors", {}),
        saved=request.query_params.get("opgeslagen"),
        **values,
    )


@router.get("/taken/{task_id}")
def task_page(
    request: Request,
    task_id: str,
    user: User = Depends(WORKER),
    ctx: WebContext = Depends(web_context),
) -> Response:
    return _task_page(request, user, ctx, task_id)


@router.get("/taken/{task_id}/contactpoging")
def attempt_page(
    request: Request,
    task_id: str,
    user: User = Depends(WORKER),
    ctx: WebContext = Depends(web_context),
) -> Response:
    """One thing per page: the form of a contact attempt."""
    return _task_page(request, user, ctx, task_id, template="attempt.html")


@router.get("/taken/{task_id}/resultaat")
def result_page(
    request: Request,
    task_id: str,
    user: User = Depends(WORKER),
    ctx: WebContext = Depends(web_context),
) -> Response:
    """One thing per page: the form of the case's result."""
    return _task_page(request, user, ctx, task_id, template="result.html")


def parse_day(text: str, today: dt.date, opened: dt.date | None) -> tuple[dt.date | None, str]:
    """A date from a form (``JJJJ-MM-DD``, or ``DD-MM-JJJJ``): not in the future, not before
    the case was opened. Returns the date or an error message."""
    text = text.strip()
    day = None
    for layout in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = dt.datetime.strptime(text, layout).date()
            break
        except ValueError:
            continue
    if day is None:
        return None, "Vul een datum in als dd-mm-jjjj."
    if day > today:
        return None, "De datum ligt in de toekomst; vul de dag in waarop het gebeurde."
    if opened is not None and day < opened:
        return None, f"De datum ligt vóór de opening van de zaak ({opened.strftime('%d-%m-%Y')})."
    return day, ""


@router.post("/taken/{task_id}/contactpoging")
def record_attempt(
    request: Request,
    task_id: str,
    form: FormData = Depends(checked_form),
    user: User = Depends(WORKER),
    ctx: WebContext = Depends(web_context),
) -> Response:
    team = team_of(user)
    task = _task_or_404(ctx, task_id, team)
    values = {name: str(form.get(name) or "") for name in ("soort", "datum", "dagdeel", "bereikt")}
    errors: dict[str, str] = {}
    if task["status"] != "open":
        errors["soort"] = "Deze taak is afgerond; er kan geen contactpoging meer bij."
    if values["soort"] not in ddas.CONTACT_KINDS:
        errors["soort"] = "Kies de soort contact."
    day, problem = parse_day(values["datum"], ctx.today(), task["case"].get("opened_on"))
    if problem:
        errors["datum"] = problem
    if values["dagdeel"] not in ddas.PARTS_OF_DAY:
        errors["dagdeel"] = "Kies het dagdeel."
    if values["bereikt"] not in ("ja", "nee"):
        errors["bereikt"] = "Kies of u de inwoner heeft bereikt."
    if errors:
        return _task_page(
            request, user, ctx, task_id, 400, "attempt.html", values=values, attempt_errors=errors
        )
    assert day is not None  # no error, so the date parsed
    attempt = pd.DataFrame(
        [
            {
                "case_id": task["case_id"],
                "task_id": task_id,
                "contact_kind": values["soort"],
                "attempt_date": pd.Timestamp(day),
                "part_of_day": values["dagdeel"],
                "reached": values["bereikt"] == "ja",
            }
        ]
    )
    try:
        with session_scope(ctx.engine) as session:
            outcome = record_contact_attempts(session, attempt, "web", user.actor, team=team)
    except (UnknownCaseError, WrongTeamError):
        raise HTTPException(404, "Deze taak bestaat niet, of hoort niet bij uw team.") from None
    except ConcurrentChangeError:
        return _task_page(
            request, user, ctx, task_id, 409, "attempt.html", values=values,
            attempt_errors={"soort": (
                "De taak werd op hetzelfde moment gewijzigd (bijvoorbeeld door de nachtelijke "
                "planning). Uw poging is niet opgeslagen; sla haar opnieuw op."
            )},
        )  # fmt: skip
    saved = "poging" if outcome.added else "poging-bekend"
    return RedirectResponse(f"/taken/{task_id}?opgeslagen={saved}#pogingen", 303)


@router.post("/taken/{task_id}/resultaat")
def record_result(
    request: Request,
    task_id: str,
    form: FormData = Depends(checked_form),
    user: User = Depends(WORKER),
    ctx: WebContext = Depends(web_context),
) -> Response:
    team = team_of(user)
    task = _task_or_404(ctx, task_id, team)
    values = {name: str(form.get(name) or "") for name in ("resultaat", "resultaatdatum")}
    errors: dict[str, str] = {}
    if values["resultaat"] not in ddas.RESULTS:
        errors["resultaat"] = "Kies het resultaat."
    day, problem = parse_day(values["resultaatdatum"], ctx.today(), task["case"].get("opened_on"))
    if problem:
        errors["resultaatdatum"] = problem
    try:
        seen_version = int(str(form.get("versie") or ""))
    except ValueError:
        seen_version = int(task["version"])
    if errors:
        return _task_page(
            request, user, ctx, task_id, 400, "result.html", values=values, result_errors=errors
        )
    assert day is not None  # no error, so the date parsed
    result = pd.DataFrame(
        [
            {
                "case_id": task["case_id"],
                "task_id": task_id,
                "result": values["resultaat"],
                "result_date": pd.Timestamp(day),
            }
        ]
    )
    try:
        with session_scope(ctx.engine) as session:
            outcome = record_case_results(
                session, result, user.actor, team=team, expected_versions={task_id: seen_version}
            )
    except (UnknownCaseError, WrongTeamError):
        raise HTTPException(404, "Deze taak bestaat niet, of hoort niet bij uw team.") from None
    except ConcurrentChangeError:
        return _task_page(
            request, user, ctx, task_id, 409, "result.html", values=values,
            result_errors={"resultaat": (
                "De taak is gewijzigd sinds u haar opende (bijvoorbeeld door de nachtelijke "
                "run). Bekijk de taak opnieuw en sla het resultaat dan nog eens op; uw keuze "
                "staat nog ingevuld."
            )},
        )  # fmt: skip
    saved = "resultaat" if outcome.closed else "al-afgesloten"
    return RedirectResponse(f"/taken/{task_id}?opgeslagen={saved}", 303)


@router.post("/taken/{task_id}/toewijzen")
def assign_task(
    request: Request,
    task_id: str,
    form: FormData = Depends(checked_form),
    user: User = Depends(LEAD),
    ctx: WebContext = Depends(web_context),
) -> Response:
    """A team lead gives the task to a member of the team (or to nobody)."""
    team = team_of(user)
    _task_or_404(ctx, task_id, team)
    chosen = str(form.get("medewerker") or "")
    if chosen and not chosen.isdigit():
        return _task_page(
            request, user, ctx, task_id, 400,
            assign_errors={"medewerker": "Kies iemand van uw team."},
        )  # fmt: skip
    try:
        with session_scope(ctx.engine) as session:
            assign(session, task_id, team, int(chosen) if chosen else None, user.actor)
    except AssignmentError as error:
        return _task_page(
            request, user, ctx, task_id, 400, assign_errors={"medewerker": str(error)}
        )
    return RedirectResponse(f"/taken/{task_id}?opgeslagen=toegewezen", 303)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in clean.to_dict(orient="records")]
