"""A small municipality for the analysts' pages: a few months of signals through the real
night, a worker's attempts and result, a relapse, addresses in the vault (which the analysts
must never see), and an analyst's account. The app runs on it in FastAPI's TestClient."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from connectors.database.engine import session_scope
from connectors.database.models import ContactVault, WebUser
from connectors.database.users import create_user, issue_token
from connectors.settings import get_settings
from tests.scenario import Town, town_fixture  # noqa: F401  (the town fixture)

PASSWORD = "een-lang-wachtwoord-1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: household -> address in the vault: none of these may appear on an analyst page.
ADDRESSES = {
    "a1" * 32: ("7901AB", 4817, "C"),
    "b2" * 32: ("7902CD", 3921, ""),
    "c3" * 32: ("7903EF", 5813, "A"),
    "d4" * 32: ("7906KL", 6127, ""),
}
H1, H2, H3, H4 = list(ADDRESSES)
RENT = {"amount": 900.0, "arrears_months": 2.0}


@dataclass
class AnalystTown:
    town: Town

    def settings(self):  # type: ignore[no-untyped-def]
        return get_settings(data_dir=self.town.root, demo=True)

    def client(self) -> TestClient:
        from webapp.app import create_app

        return TestClient(create_app(self.settings()), follow_redirects=False)

    def login(self, client: TestClient, username: str = "analist") -> None:
        found = CSRF.search(client.get("/inloggen").text)
        assert found
        response = client.post(
            "/inloggen",
            data={"csrf_token": found.group(1), "gebruikersnaam": username, "wachtwoord": PASSWORD},
        )
        assert response.status_code == 303, response.text[:300]

    def token(self, username: str = "analist") -> str:
        with session_scope(self.town.res.engine) as session:
            user_id = session.scalar(select(WebUser.user_id).where(WebUser.username == username))
            assert user_id is not None
            return issue_token(session, user_id, "test", actor="test")


def build(town: Town) -> AnalystTown:
    town.nazorg("2025-11-20", [(H4, "2025-10-01", "schuldregeling_geslaagd")])
    town.night("2025-11-20")
    town.deliver("zorg", "2026-01-03", [{"household": H2, "id": "ZV-2", "amount": 400.0}])
    town.night("2026-01-03")
    town.deliver(
        "domesta",
        "2026-01-05",
        [{"household": H1, "id": "DOM-1", **RENT}, {"household": H3, "id": "DOM-3", **RENT}],
    )
    town.night("2026-01-05")
    town.record_attempt(H1, "2026-01-09", reached=False, kind="Brief")
    town.record_attempt(H3, "2026-01-20", reached=True, kind="Huisbezoek")
    town.deliver(
        "domesta",
        "2026-02-05",
        [
            {"household": H1, "id": "DOM-1", **RENT},
            {"household": H3, "id": "DOM-3", **RENT, "amount": 1800.0, "crisis_kind": "ontruiming"},
            {"household": H4, "id": "DOM-4", **RENT, "wijkcode": "WK011801", "wijknaam": "Noord"},
        ],
    )
    town.night("2026-02-05")
    team = str(town.task_of(H1)["team"])  # the worker's team has H1's task (part 1 records it)
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
        create_user(session, "analist", "Anna Analist", PASSWORD, "analist", None, actor="test")
        create_user(
            session,
            "medewerker",
            "Mo Medewerker",
            PASSWORD,
            "medewerker",
            team,
            actor="test",
        )
    return AnalystTown(town)


@pytest.fixture
def analyst_town(town: Town) -> Iterator[AnalystTown]:
    yield build(town)


def root_of(town: AnalystTown) -> Path:
    return town.town.root
