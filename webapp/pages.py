"""Rendering a page: the template gets the user, the menu and a CSRF token for its forms."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from webapp.auth import csrf_binding, current_user
from webapp.context import web_context
from webapp.navigation import sections_for
from webapp.security import PRE_SESSION_COOKIE, new_pre_session


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """The page ``template`` with ``values``; sets a pre-session cookie when a form needs one."""
    ctx = web_context(request)
    user = current_user(request)
    binding = csrf_binding(request)
    new_pre = None
    if binding is None:
        new_pre = new_pre_session()
        binding = f"p:{new_pre}"
    context = {
        "user": user,
        "sections": sections_for(user.role) if user else [],
        "csrf_token": ctx.secrets.csrf_token(binding),
        "municipality": ctx.settings.municipality_name,
        "path": request.url.path,
        **values,
    }
    response = ctx.templates.TemplateResponse(request, template, context, status_code=status_code)
    if new_pre is not None:
        response.set_cookie(
            PRE_SESSION_COOKIE,
            ctx.secrets.sign_cookie(new_pre),
            httponly=True,
            samesite="lax",
            secure=ctx.settings.web_secure_cookies,
            path="/",
        )
    return response
