"""Signing in and out, and the start page that sends each role to its work."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from connectors.database.engine import session_scope
from connectors.database.runs import audit
from connectors.database.users import (
    User,
    authenticate,
    end_session,
    prune_login_attempts,
    prune_sessions,
    recent_failures,
    record_login_attempt,
    start_session,
)
from webapp.auth import checked_form, current_user, require, session_id
from webapp.context import WebContext, web_context
from webapp.navigation import sections_for
from webapp.pages import render
from webapp.security import PRE_SESSION_COOKIE, SESSION_COOKIE

router = APIRouter(include_in_schema=False)

#: Per client, a shared office computer may see a few people mistype: a wider limit.
CLIENT_FACTOR = 4


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no ``//host``, no scheme) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/inloggen")
def login_page(
    request: Request, volgende: str | None = None, verlopen: bool = False, uitgelogd: bool = False
) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(_safe_next(volgende), 303)
    notice = None
    if verlopen:
        notice = "Uw sessie is verlopen. Log opnieuw in."
    elif uitgelogd:
        notice = "U bent uitgelogd."
    return render(request, "login.html", notice=notice, volgende=_safe_next(volgende), errors={})


@router.post("/inloggen")
def login(
    request: Request,
    form: FormData = Depends(checked_form),
    ctx: WebContext = Depends(web_context),
) -> Response:
    username = str(form.get("gebruikersnaam") or "").strip()
    password = str(form.get("wachtwoord") or "")
    target = _safe_next(str(form.get("volgende") or "/"))
    errors: dict[str, str] = {}
    if not username:
        errors["gebruikersnaam"] = "Vul uw gebruikersnaam in."
    if not password:
        errors["wachtwoord"] = "Vul uw wachtwoord in."
    if errors:
        return render(request, "login.html", 400, errors=errors, volgende=target, name=username)
    client = ctx.secrets.client_hash(request.client.host if request.client else "onbekend")
    window = ctx.settings.web_login_window_minutes
    limit = ctx.settings.web_login_max_failures
    with session_scope(ctx.engine) as session:
        by_name, by_client = recent_failures(
            session, username, client, window=dt.timedelta(minutes=window)
        )
        if by_name >= limit or by_client >= limit * CLIENT_FACTOR:
            return render(
                request,
                "login.html",
                429,
                errors={
                    "gebruikersnaam": (
                        f"Te veel mislukte pogingen. Wacht {window} minuten en probeer het dan "
                        "opnieuw, of vraag de beheerder om hulp."
                    )
                },
                volgende=target,
                name=username,
            )
        user = authenticate(session, username, password)
        record_login_attempt(session, username, client, user is not None)
        if user is None:
            failed = {
                "gebruikersnaam": "Deze combinatie van gebruikersnaam en wachtwoord klopt niet."
            }
        else:
            old = session_id(request, ctx)
            if old is not None:
                end_session(session, old)  # rotation: the id from before sign-in is dead
            new_id = start_session(session, user.user_id)
            # Housekeeping at each sign-in: dead sessions and old attempts are not kept.
            prune_sessions(session, ctx.idle_timeout, ctx.max_session_age)
            keep = max(dt.timedelta(days=1), dt.timedelta(minutes=window))
            prune_login_attempts(session, dt.datetime.now(dt.UTC) - keep)
            audit(session, user.actor, "sign_in", "web_user", user.username)
    if user is None:
        return render(request, "login.html", 400, errors=failed, volgende=target, name=username)
    response = RedirectResponse(target, 303)
    response.set_cookie(
        SESSION_COOKIE,
        ctx.secrets.sign_cookie(new_id),
        httponly=True,
        samesite="lax",
        secure=ctx.settings.web_secure_cookies,
        path="/",
    )
    response.delete_cookie(PRE_SESSION_COOKIE, path="/")
    return response


@router.post("/uitloggen")
def logout(
    request: Request,
    _form: FormData = Depends(checked_form),
    user: User = Depends(require()),
    ctx: WebContext = Depends(web_context),
) -> Response:
    sid = session_id(request, ctx)
    with session_scope(ctx.engine) as session:
        if sid is not None:
            end_session(session, sid)
        audit(session, user.actor, "sign_out", "web_user", user.username)
    response = RedirectResponse("/inloggen?uitgelogd=1", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, user: User = Depends(require())) -> Response:
    sections = sections_for(user.role)
    if len(sections) >= 1 and user.role != "analist":
        return RedirectResponse(sections[0].path, 303)
    return render(request, "home.html", sections=sections)
