"""Team leads and administrators: users and API tokens, weekly capacity per team, the triage
policy in force (read-only) and the pipeline runs with their summaries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from connectors.database.casework import ConcurrentChangeError, set_team_capacity
from connectors.database.engine import session_scope
from connectors.database.models import WEB_ROLES, PipelineRun, Team, WebUser
from connectors.database.users import (
    TEAM_ROLES,
    AccountError,
    User,
    create_user,
    get_user,
    issue_token,
    list_tokens,
    list_users,
    revoke_token,
    set_password,
    update_user,
)
from signals.triage.policy import TriagePolicy
from webapp import formatting
from webapp.auth import checked_form, require
from webapp.context import WebContext, web_context
from webapp.pages import render

router = APIRouter(include_in_schema=False)
ADMIN = require("beheerder")
LEADS = require("teamleider", "beheerder")
OVERSIGHT = require("teamleider", "beheerder", "gegevensbeheerder")

ROLE_LABELS = {
    "medewerker": "medewerker (werkt de taken van één team)",
    "teamleider": "teamleider (capaciteit van één team)",
    "gegevensbeheerder": "gegevensbeheerder (quarantaine)",
    "beheerder": "beheerder (gebruikers en teams)",
    "analist": "analist (alleen pseudonieme gegevens)",
}


# --- users -------------------------------------------------------------------------------------


def _users_page(
    request: Request, ctx: WebContext, status_code: int = 200, **values: Any
) -> Response:
    with session_scope(ctx.engine) as session:
        users = list_users(session)
        tokens = list_tokens(session)
    return render(
        request,
        "users.html",
        status_code,
        title="Gebruikers",
        users=users,
        tokens=tokens,
        roles=[(role, ROLE_LABELS[role]) for role in WEB_ROLES],
        teams=ctx.team_names(),
        values=values.pop("values", {}),
        errors=values.pop("errors", {}),
        new_token=values.pop("new_token", None),
        done=request.query_params.get("klaar"),
        **values,
    )


@router.get("/beheer/gebruikers")
def users_page(
    request: Request, _user: User = Depends(ADMIN), ctx: WebContext = Depends(web_context)
) -> Response:
    return _users_page(request, ctx)


@router.post("/beheer/gebruikers")
def add_user(
    request: Request,
    form: FormData = Depends(checked_form),
    user: User = Depends(ADMIN),
    ctx: WebContext = Depends(web_context),
) -> Response:
    values = {
        name: str(form.get(name) or "").strip()
        for name in ("gebruikersnaam", "naam", "rol", "team")
    }
    password = str(form.get("wachtwoord") or "")
    errors: dict[str, str] = {}
    if values["rol"] not in WEB_ROLES:
        errors["rol"] = "Kies een rol."
    elif values["rol"] in TEAM_ROLES and values["team"] not in ctx.team_names():
        errors["team"] = "Deze rol hoort bij een team; kies het team."
    elif values["rol"] not in TEAM_ROLES and values["team"]:
        errors["team"] = "Deze rol hoort niet bij een team; kies ‘geen team’."
    if not errors:
        try:
            with session_scope(ctx.engine) as session:
                create_user(
                    session,
                    values["gebruikersnaam"],
                    values["naam"],
                    password,
                    values["rol"],
                    values["team"] or None,
                    actor=user.actor,
                    teams=set(ctx.team_names()),
                )
        except AccountError as error:
            text = str(error)
            field = (
                "wachtwoord"
                if "wachtwoord" in text
                else "naam"
                if text.startswith("Vul de naam")
                else "gebruikersnaam"
            )
            errors[field] = text
    if errors:
        return _users_page(request, ctx, 400, values=values, errors=errors)
    return RedirectResponse("/beheer/gebruikers?klaar=aangemaakt", 303)


def _user_or_404(ctx: WebContext, user_id: int) -> User:
    with session_scope(ctx.engine) as session:
        found = get_user(session, user_id)
    if found is None:
        raise HTTPException(404, "Deze gebruiker bestaat niet.")
    return found


def _user_page(
    request: Request, ctx: WebContext, user_id: int, status_code: int = 200, **values: Any
) -> Response:
    account = _user_or_404(ctx, user_id)
    with session_scope(ctx.engine) as session:
        tokens = [t for t in list_tokens(session) if t.username == account.username]
    return render(
        request,
        "user.html",
        status_code,
        title=f"Gebruiker {account.username}",
        account=account,
        tokens=tokens,
        roles=[(role, ROLE_LABELS[role]) for role in WEB_ROLES],
        teams=ctx.team_names(),
        errors=values.pop("errors", {}),
        new_token=values.pop("new_token", None),
        done=request.query_params.get("klaar"),
        **values,
    )


@router.get("/beheer/gebruikers/{user_id}")
def user_page(
    request: Request,
    user_id: int,
    _user: User = Depends(ADMIN),
    ctx: WebContext = Depends(web_context),
) -> Response:
    return _user_page(request, ctx, user_id)


@router.post("/beheer/gebruikers/{user_id}")
def change_user(
    request: Request,
    user_id: int,
    form: FormData = Depends(checked_form),
    user: User = Depends(ADMIN),
    ctx: WebContext = Depends(web_context),
) -> Response:
    _user_or_404(ctx, user_id)
    role = str(form.get("rol") or "")
    team = str(form.get("team") or "") or None
    active = form.get("actief") == "ja"
    if user_id == user.user_id and (role != "beheerder" or not active):
        return _user_page(
            request, ctx, user_id, 400,
            errors={"rol": "U kunt uw eigen beheerrechten niet intrekken; laat dat een andere "
                    "beheerder doen."},
        )  # fmt: skip
    try:
        with session_scope(ctx.engine) as session:
            update_user(
                session, user_id, role, team, active, user.actor, teams=set(ctx.team_names())
            )
    except AccountError as error:
        field = "team" if "team" in str(error) else "rol"
        return _user_page(request, ctx, user_id, 400, errors={field: str(error)})
    return RedirectResponse(f"/beheer/gebruikers/{user_id}?klaar=gewijzigd", 303)


@router.post("/beheer/gebruikers/{user_id}/wachtwoord")
def reset_password(
    request: Request,
    user_id: int,
    form: FormData = Depends(checked_form),
    user: User = Depends(ADMIN),
    ctx: WebContext = Depends(web_context),
) -> Response:
    _user_or_404(ctx, user_id)
    try:
        with session_scope(ctx.engine) as session:
            set_password(session, user_id, str(form.get("wachtwoord") or ""), user.actor)
    except AccountError as error:
        return _user_page(request, ctx, user_id, 400, errors={"wachtwoord": str(error)})
    return RedirectResponse(f"/beheer/gebruikers/{user_id}?klaar=wachtwoord", 303)


@router.post("/beheer/gebruikers/{user_id}/tokens")
def add_token(
    request: Request,
    user_id: int,
    form: FormData = Depends(checked_form),
    user: User = Depends(ADMIN),
    ctx: WebContext = Depends(web_context),
) -> Response:
    _user_or_404(ctx, user_id)
    try:
        with session_scope(ctx.engine) as session:
            token = issue_token(session, user_id, str(form.get("tokennaam") or ""), user.actor)
    except AccountError as error:
        return _user_page(request, ctx, user_id, 400, errors={"tokennaam": str(error)})
    # Shown once, on this response only (never stored, never in a URL).
    return _user_page(request, ctx, user_id, new_token=token)


@router.post("/beheer/tokens/{token_id}/intrekken")
def withdraw_token(
    token_id: int,
    _form: FormData = Depends(checked_form),
    user: User = Depends(ADMIN),
    ctx: WebContext = Depends(web_context),
) -> Response:
    try:
        with session_scope(ctx.engine) as session:
            revoke_token(session, token_id, user.actor)
    except AccountError:
        raise HTTPException(404, "Dit token bestaat niet of is al ingetrokken.") from None
    return RedirectResponse("/beheer/gebruikers?klaar=ingetrokken", 303)


# --- teams and capacity ------------------------------------------------------------------------


def _visible_teams(user: User, ctx: WebContext) -> list[str]:
    """A team lead sees and sets their own team; an administrator every team."""
    names = ctx.team_names()
    return (
        [user.team]
        if user.role == "teamleider" and user.team in names
        else (names if user.role == "beheerder" else [])
    )


def _policy_in_force(ctx: WebContext) -> TriagePolicy:
    """The policy version in force for the current night (the latest one before any)."""
    try:
        return ctx.res.policy_book.in_force(ctx.today())
    except LookupError:
        return ctx.res.policy_book.latest()


def _full_names(session: Session, actors: list[str | None]) -> dict[str, str]:
    """``web:<username>`` -> the account's full name, for the actors given."""
    usernames = {a[4:] for a in actors if a and a.startswith("web:")}
    if not usernames:
        return {}
    query = select(WebUser.username, WebUser.full_name).where(WebUser.username.in_(usernames))
    return {f"web:{username}": full for username, full in session.execute(query).all()}


def _set_by_nl(actor: str | None, names: dict[str, str], version: str) -> str:
    """Who set a capacity, in words: a colleague's full name, or the policy in force now."""
    if not actor or actor.startswith("beleid"):
        # The capacity the night copied from the policy: name the version that governs now.
        return f"het triagebeleid (nu geldt versie {version})"
    return names.get(actor) or formatting.actor_nl(actor)


def _teams_page(
    request: Request, user: User, ctx: WebContext, status_code: int = 200, **values: Any
) -> Response:
    visible = _visible_teams(user, ctx)
    policy = _policy_in_force(ctx)
    with session_scope(ctx.engine) as session:
        stored = {t.name: t for t in session.scalars(select(Team).where(Team.name.in_(visible)))}
        names = _full_names(session, [t.set_by for t in stored.values()])
        rows = [
            {
                "name": name,
                "capacity": stored[name].weekly_capacity if name in stored else None,
                "set_by": _set_by_nl(stored[name].set_by, names, policy.version)
                if name in stored
                else None,
                "version": stored[name].version if name in stored else None,
            }
            for name in visible
        ]
        members = {
            name: [
                (u.username, u.full_name, u.role)
                for u in session.scalars(
                    select(WebUser).where(WebUser.team == name).order_by(WebUser.username)
                )
            ]
            for name in visible
        }
    defaults = {team.name: team.weekly_capacity for team in policy.teams}
    return render(
        request,
        "teams.html",
        status_code,
        title="Teams en capaciteit",
        teams=rows,
        members=members,
        defaults=defaults,
        errors=values.pop("errors", {}),
        done=request.query_params.get("klaar"),
        **values,
    )


@router.get("/beheer/teams")
def teams_page(
    request: Request, user: User = Depends(LEADS), ctx: WebContext = Depends(web_context)
) -> Response:
    return _teams_page(request, user, ctx)


@router.post("/beheer/teams/capaciteit")
def change_capacity(
    request: Request,
    form: FormData = Depends(checked_form),
    user: User = Depends(LEADS),
    ctx: WebContext = Depends(web_context),
) -> Response:
    team = str(form.get("team") or "")
    if team not in _visible_teams(user, ctx):
        raise HTTPException(403, "U kunt alleen de capaciteit van uw eigen team wijzigen.")
    text = str(form.get("capaciteit") or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        return _teams_page(
            request, user, ctx, 400,
            errors={"capaciteit": "Vul een heel aantal taken per week in (1 of meer)."},
        )  # fmt: skip
    try:
        with session_scope(ctx.engine) as session:
            set_team_capacity(session, team, int(text), user.actor)
    except ConcurrentChangeError:
        return _teams_page(
            request, user, ctx, 409,
            errors={"capaciteit": "De capaciteit werd tegelijk elders gewijzigd; probeer het "
                    "opnieuw."},
        )  # fmt: skip
    return RedirectResponse("/beheer/teams?klaar=capaciteit", 303)


# --- policy and runs ---------------------------------------------------------------------------


@router.get("/beheer/beleid")
def policy_page(
    request: Request, _user: User = Depends(OVERSIGHT), ctx: WebContext = Depends(web_context)
) -> Response:
    book = ctx.res.policy_book
    today = ctx.today()
    try:
        active = book.in_force(today)
    except LookupError:
        active = book.latest()
    folder = ctx.settings.triage_policy
    path = folder / f"{active.version}.yaml" if folder.is_dir() else folder
    try:
        text = formatting.without_comments(path.read_text(encoding="utf-8"))
    except OSError:
        text = ""
    versions = sorted(book.versions, key=lambda p: p.effective_from, reverse=True)
    return render(
        request,
        "policy.html",
        title="Triagebeleid",
        policy=active,
        versions=versions,
        text=text,
        today=today,
    )


@router.get("/beheer/runs")
def runs_page(
    request: Request, _user: User = Depends(OVERSIGHT), ctx: WebContext = Depends(web_context)
) -> Response:
    with session_scope(ctx.engine) as session:
        runs = [
            {
                "run_id": run.run_id,
                "flow": run.flow,
                "as_of": run.as_of,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "status": run.status,
                "counts": summary_counts(run.counts or {}),
            }
            for run in session.scalars(
                select(PipelineRun).order_by(PipelineRun.started_at.desc()).limit(100)
            )
        ]
    return render(request, "runs.html", title="Nachtelijke runs", runs=runs)


#: The Dutch words of a run's other counts (triage, retention); an unknown key is left out.
COUNT_LABELS = {
    "signals_decided": "signalen beoordeeld",
    "picked_up": "signalen opgepakt",
    "cases_opened": "zaken geopend",
    "closed_by_system": "taken automatisch afgesloten",
    "open_tasks": "openstaande taken",
    "resolved_everywhere": "open taken waarvan de achterstand overal is opgelost",
    "closed_cases": "afgesloten zaken verwijderd",
    "unused_signals": "ongebruikte signalen verwijderd",
    "quarantine_rows": "quarantaineregels verwijderd",
    "aftercare_rows": "nazorgregels verwijderd",
    "resolutions": "oplossingen verwijderd",
    "households": "huishoudens verwijderd",
    "exports": "exportmappen en -bestanden verwijderd",
    "inbox_files": "bestanden uit de inbox verwijderd",
}


def _count(number: object, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def summary_counts(counts: dict[str, Any]) -> list[tuple[str, str]]:
    """A run's counts as (name, text) pairs in Dutch: per partner that delivered, its rows
    received, accepted and quarantined and its refused files; then the other known counts."""
    pairs: list[tuple[str, str]] = []
    partners = counts.get("partners")
    if isinstance(partners, list):
        for row in partners:
            if not isinstance(row, dict) or not row.get("leveringen"):
                continue
            text = (
                f"{_count(row.get('leveringen'), 'levering', 'leveringen')}, "
                f"{_count(row.get('ontvangen'), 'regel', 'regels')} ontvangen, "
                f"{row.get('geaccepteerd')} geaccepteerd, {row.get('quarantaine')} in quarantaine"
            )
            if row.get("afgewezen_bestanden"):
                text += (
                    f", {_count(row.get('afgewezen_bestanden'), 'bestand', 'bestanden')} geweigerd"
                )
            pairs.append((str(row.get("partner")), text))
    for name, value in counts.items():
        label = COUNT_LABELS.get(str(name))
        if label and isinstance(value, int | float) and not isinstance(value, bool):
            pairs.append((label, str(value)))
    return pairs[:24]
