"""A small municipality with tasks in two teams, addresses in the vault, a quarantined row,
and one account per role; the app under test on it (FastAPI's TestClient, no server)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update

from connectors.database.engine import session_scope
from connectors.database.models import ContactVault, Quarantine
from connectors.database.users import create_user, issue_token
from connectors.settings import get_settings
from flows.resources import Resources
from tests.scenario import Town

NIGHT = dt.date(2026, 10, 5)
PASSWORD = "een-lang-wachtwoord-1"
LOKET, MW = "Loket Geldzaken", "Maatschappelijk werk"
#: username -> (role, team)
ACCOUNTS = {
    "medewerker": ("medewerker", LOKET),
    "collega": ("medewerker", MW),
    "teamleider": ("teamleider", LOKET),
    "gegevensbeheerder": ("gegevensbeheerder", None),
    "beheerder": ("beheerder", None),
    "analist": ("analist", None),
}
#: household -> (postcode, huisnummer, toevoeging)
ADDRESSES = {
    "hh-loket-1": ("7901AB", 12, ""),
    "hh-loket-2": ("7902CD", 3, "A"),
    "hh-loket-3": ("7903EF", 8, ""),
    "hh-mw-1": ("7906KL", 16, "B"),
    "hh-mw-2": ("7907MN", 1, ""),
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebTown:
    town: Town
    root: Path

    @property
    def res(self) -> Resources:
        return self.town.res

    def tasks(self) -> pd.DataFrame:
        return self.town.tasks(status=None)

    def task_of(self, household: str) -> pd.Series:
        tasks = self.tasks()
        return tasks[tasks["household_key"] == household].iloc[0]

    def client(self, base_url: str = "http://testserver", **settings: object) -> TestClient:
        from webapp.app import create_app

        app = create_app(self.settings(**settings))
        return TestClient(app, base_url=base_url, follow_redirects=False)

    def settings(self, **overrides: object):  # type: ignore[no-untyped-def]
        return get_settings(data_dir=self.root, demo=True, **overrides)

    def login(self, client: TestClient, username: str, password: str = PASSWORD) -> str:
        """Sign in; returns the session cookie the server set."""
        token = csrf_of(client.get("/inloggen").text)
        response = client.post(
            "/inloggen",
            data={"csrf_token": token, "gebruikersnaam": username, "wachtwoord": password},
        )
        assert response.status_code == 303, response.text[:500]
        return str(response.cookies.get("vs_sessie"))

    def token(self, username: str) -> str:
        from connectors.database.models import WebUser

        with session_scope(self.res.engine) as session:
            user_id = session.scalar(select(WebUser.user_id).where(WebUser.username == username))
            assert user_id is not None
            return issue_token(session, user_id, "test", actor="test")


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def build_town(root: Path) -> WebTown:
    town = Town(root)
    town.deliver(
        "water",
        NIGHT,
        [
            {"household": h, "amount": 300.0 + 10 * n}
            for n, h in enumerate(ADDRESSES)
            if "loket" in h
        ],
    )
    town.deliver(
        "domesta",
        NIGHT,
        [{"household": h, "arrears_months": 2.5, "amount": 1500.0} for h in ADDRESSES if "mw" in h],
        held_back=["hh-quarantined"],
    )
    town.night(NIGHT)
    res = town.res
    with session_scope(res.engine) as session:
        session.execute(
            insert(ContactVault),
            [
                {
                    "household_key": key,
                    "address_token": res.vault.seal(
                        {"postcode": pc, "huisnummer": nr, "toevoeging": tv}
                    ),
                    "updated_at": dt.datetime.now(dt.UTC),
                }
                for key, (pc, nr, tv) in ADDRESSES.items()
            ],
        )
        raw = {
            "signaal_id": "DOM-99",
            "postcode": "7909 ZZ",
            "huisnummer": "77",
            "bsn": "123456789",
            "bedrag": "1200,00",
        }
        session.execute(
            update(Quarantine).values(
                raw_token=res.raw_vault.seal({"raw": json.dumps(raw)}),
                failed_expectations="expect_column_values_to_be_in_set(bsn)",
            )
        )
        for username, (role, team) in ACCOUNTS.items():
            create_user(session, username, username.title(), PASSWORD, role, team, actor="test")
    return WebTown(town, root)


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters in the web tests (the real ones cost ~0.1 s per hash)."""
    from argon2 import PasswordHasher

    from connectors.database import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def web(town: Town) -> Iterator[WebTown]:
    yield build_town(town.root)
