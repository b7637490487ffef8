"""The application factory: ``create_app(settings)`` builds the FastAPI app of one installation."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from connectors.settings import Settings, get_settings
from flows.resources import resources
from webapp import formatting
from webapp.auth import CsrfRejected, Forbidden, LoginRequired
from webapp.context import ASSETS_DIR, STATIC_DIR, TEMPLATES_DIR, WebContext
from webapp.context import web_context as app_context
from webapp.pages import render
from webapp.security import SECURITY_HEADERS, Secrets, SecurityHeaders

#: npm packages whose built files the app serves itself (no CDN): path -> folder.
VENDOR_ASSETS = {
    "/static/nlds/tokens": ASSETS_DIR
    / "@nl-design-system-unstable"
    / "voorbeeld-design-tokens"
    / "dist",
    "/static/nlds/components": ASSETS_DIR / "@utrecht" / "component-library-css" / "dist",
}


log = logging.getLogger(__name__)

#: The page of an unexpected error when even the template cannot be rendered.
PLAIN_500 = (
    '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Er ging iets mis'
    '</title></head><body><main id="inhoud"><h1>Er ging iets mis</h1><p>De pagina kon niet '
    "worden getoond door een fout aan onze kant. Probeer het later opnieuw; blijft het "
    'misgaan, meld het dan bij de functioneel beheerder.</p><p><a href="/">Naar de '
    "startpagina</a></p></main></body></html>"
)
SERVER_ERROR_MESSAGE = (
    "De pagina kon niet worden getoond door een fout aan onze kant. Probeer het later "
    "opnieuw; blijft het misgaan, meld het dan bij de functioneel beheerder."
)


class AssetsMissingError(RuntimeError):
    """The NL Design System files were not installed (``make install`` runs npm ci)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web application on the installation ``settings`` describes (keys, database)."""
    settings = settings or get_settings()
    secret = settings.web_secret_bytes()  # refuses a missing or demo secret first
    res = resources(settings)
    app = FastAPI(
        title="vroegsignaal",
        description="Werkbak, beheer en gegevensbeheer van vroegsignalering; JSON-API met "
        "token (Authorization: Bearer).",
        docs_url=None,  # Swagger UI needs a CDN and inline script; /api/docs renders the spec
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    formatting.register(templates.env)
    app.state.web = WebContext(settings, res, Secrets(secret), templates)
    app.add_middleware(SecurityHeaders)
    app.mount("/static/app", StaticFiles(directory=STATIC_DIR), name="static")
    for path, folder in VENDOR_ASSETS.items():
        if not folder.is_dir():
            raise AssetsMissingError(
                f"{folder} is missing: run 'make install' (it installs the NL Design System "
                "styles from webapp/assets/package-lock.json)"
            )
        app.mount(path, StaticFiles(directory=folder), name=path)
    _handlers(app)
    from webapp.views import admin, analyst, analyst_api, api, login, queue, steward

    for module in (login, queue, admin, steward, api, analyst, analyst_api):
        app.include_router(module.router)
    app.include_router(api.docs_router)
    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, error: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        suffix = "&verlopen=1" if error.expired else ""
        return RedirectResponse(f"/inloggen?volgende={quote(target, safe='')}{suffix}", 303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _error: Forbidden) -> Response:
        return render(
            request,
            "error.html",
            403,
            title="Geen toegang",
            message=("Uw rol geeft geen toegang tot deze pagina."),
        )

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _error: CsrfRejected) -> Response:
        return render(
            request,
            "error.html",
            403,
            title="Formulier niet aanvaard",
            message=(
                "Het formulier is verlopen of komt niet van deze site. Ga terug, laad de pagina "
                "opnieuw en probeer het nog eens."
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": error.detail}, error.status_code, headers=error.headers)
        titles = {404: "Niet gevonden", 405: "Niet toegestaan", 429: "Te veel pogingen"}
        message = (
            "Deze pagina bestaat niet, of u heeft er geen toegang toe."
            if error.status_code == 404
            else str(error.detail)
        )
        return render(
            request,
            "error.html",
            error.status_code,
            title=titles.get(error.status_code, "Fout"),
            message=message,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            fields = [".".join(str(p) for p in item["loc"]) for item in error.errors()]
            return JSONResponse({"detail": "Ongeldige invoer", "velden": fields}, 422)
        return render(
            request,
            "error.html",
            400,
            title="Ongeldige invoer",
            message=(
                "De pagina kreeg een waarde die zij niet kent. Ga terug en probeer het opnieuw."
            ),
        )

    @app.exception_handler(Exception)
    async def _server_error(request: Request, error: Exception) -> Response:
        # Only the kind of error and the route: a message may hold a row's values.
        log.error("unexpected %s on %s", type(error).__name__, request.url.path)
        if request.url.path.startswith("/api/"):
            response: Response = JSONResponse({"detail": "Interne fout"}, 500)
        else:
            response = _server_error_page(request)
        # This answer leaves past the middleware, so it gets the headers here.
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Cache-Control"] = "no-store"
        return response


def _server_error_page(request: Request) -> Response:
    """The Dutch error page without the user: the database may be what failed."""
    try:
        ctx = app_context(request)
        return ctx.templates.TemplateResponse(
            request,
            "error.html",
            {
                "user": None,
                "sections": [],
                "municipality": ctx.settings.municipality_name,
                "path": request.url.path,
                "title": "Er ging iets mis",
                "message": SERVER_ERROR_MESSAGE,
            },
            status_code=500,
        )
    except Exception:  # the last resort must not fail
        return HTMLResponse(PLAIN_500, 500)
