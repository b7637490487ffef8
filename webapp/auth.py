"""Who is asking: the session cookie (pages) or a bearer token (API), and what their role allows.

A page asked for without a session redirects to the sign-in page; a role that may not use it
gets 403. Another team's task is answered as if it did not exist (404), so ids cannot be
probed.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

from connectors.database.engine import session_scope
from connectors.database.users import User, session_user, token_user
from webapp.context import WebContext, web_context
from webapp.security import CSRF_FIELD, PRE_SESSION_COOKIE, SESSION_COOKIE

ALL_ROLES = ("medewerker", "teamleider", "gegevensbeheerder", "beheerder", "analist")


class LoginRequired(Exception):  # noqa: N818 - an outcome, not an error
    """No (live) session: the page sends the visitor to the sign-in page."""

    def __init__(self, expired: bool = False) -> None:
        self.expired = expired


class Forbidden(Exception):  # noqa: N818
    """Signed in, but this role may not use this page."""


class CsrfRejected(Exception):  # noqa: N818
    """A form came without the token of this session."""


def session_id(request: Request, ctx: WebContext) -> str | None:
    return ctx.secrets.unsign_cookie(request.cookies.get(SESSION_COOKIE))


def current_user(request: Request) -> User | None:
    """The user of the request's session (looked up once per request), else None."""
    if hasattr(request.state, "user"):
        found: User | None = request.state.user
        return found
    ctx = web_context(request)
    sid = session_id(request, ctx)
    user = None
    if sid is not None:
        with session_scope(ctx.engine) as session:
            user = session_user(session, sid, ctx.idle_timeout, ctx.max_session_age)
        request.state.session_expired = user is None
    request.state.user = user
    return user


def require(*roles: str) -> Callable[[Request], User]:
    """A dependency: the signed-in user, who must have one of ``roles``."""
    allowed = roles or ALL_ROLES

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise LoginRequired(expired=bool(getattr(request.state, "session_expired", False)))
        if user.role not in allowed:
            raise Forbidden()
        return user

    return dependency


def csrf_binding(request: Request) -> str | None:
    """What this visitor's CSRF token is bound to: the session, or before sign-in the
    pre-session cookie."""
    ctx = web_context(request)
    sid = session_id(request, ctx)
    if sid is not None and current_user(request) is not None:
        return f"s:{sid}"
    pre = ctx.secrets.unsign_cookie(request.cookies.get(PRE_SESSION_COOKIE))
    return f"p:{pre}" if pre else None


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token was checked against this visitor's binding."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    ctx = web_context(request)
    if not ctx.secrets.csrf_valid(token if isinstance(token, str) else None, csrf_binding(request)):
        raise CsrfRejected()
    return form


def api_user(*roles: str) -> Callable[[Request], User]:
    """A dependency of the JSON API: the user of the bearer token, with one of ``roles``."""
    allowed = roles or ALL_ROLES

    def dependency(request: Request, ctx: WebContext = Depends(web_context)) -> User:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        user = None
        if scheme.lower() == "bearer" and token.strip():
            with session_scope(ctx.engine) as session:
                user = token_user(session, token.strip())
        if user is None:
            raise HTTPException(
                status_code=401,
                detail="Geen geldig API-token (Authorization: Bearer <token>).",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if user.role not in allowed:
            raise HTTPException(status_code=403, detail="Deze rol heeft hier geen toegang.")
        return user

    return dependency
