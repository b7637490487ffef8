"""What every request handler needs: settings, the installation's resources, signing, templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from connectors.settings import Settings
from flows.resources import Resources
from webapp.security import Secrets

WEBAPP_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEBAPP_DIR / "templates"
STATIC_DIR = WEBAPP_DIR / "static"
ASSETS_DIR = WEBAPP_DIR / "assets" / "node_modules"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass
class WebContext:
    settings: Settings
    res: Resources
    secrets: Secrets
    templates: Jinja2Templates

    @property
    def engine(self) -> Engine:
        return self.res.engine

    @property
    def idle_timeout(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.settings.web_session_idle_minutes)

    @property
    def max_session_age(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settings.web_session_max_hours)

    def today(self) -> dt.date:
        """Today in Amsterdam: the working day the teams mean."""
        return dt.datetime.now(AMSTERDAM).date()

    def team_names(self) -> list[str]:
        """The teams of the triage policy in force (the ones tasks are routed to)."""
        return sorted(team.name for team in self.res.policy.teams)


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context
