"""The web app's sign-in, sessions and casework on PostgreSQL (the production database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.database.engine import session_scope
from connectors.database.models import Case
from tests.scenario import Town, town_fixture  # noqa: F401
from tests.web.conftest import WebTown, build_town, csrf_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def web_pg(town: Town, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebTown]:
    from flows.resources import _resources

    monkeypatch.setenv("VS_DATABASE_URL", postgres_url)
    _resources.cache_clear()
    built = build_town(town.root)
    yield built
    built.res.engine.dispose()
    _resources.cache_clear()


def test_a_worker_records_attempts_and_a_result_on_postgres(web_pg: WebTown) -> None:
    assert web_pg.res.engine.dialect.name == "postgresql"
    client = web_pg.client()
    web_pg.login(client, "medewerker")
    task = web_pg.task_of("hh-loket-1")
    path = f"/taken/{task['task_id']}"
    attempt = {"soort": "Huisbezoek", "datum": "2026-10-06", "dagdeel": "Ochtend", "bereikt": "ja"}
    response = client.post(
        f"{path}/contactpoging", data={**attempt, "csrf_token": csrf_of(client.get(path).text)}
    )
    assert response.status_code == 303
    html = client.get(path).text
    assert "Contactpogingen (1)" in html
    response = client.post(
        f"{path}/resultaat",
        data={"resultaat": "(Budget)advies en/of quick fix", "resultaatdatum": "2026-10-06",
              "csrf_token": csrf_of(html), "versie": str(int(task["version"]) + 1)},
    )  # fmt: skip
    assert response.status_code == 303
    with session_scope(web_pg.res.engine) as session:
        case = session.get(Case, task["case_id"])
        assert case is not None and case.status == "closed"
    other = web_pg.task_of("hh-mw-1")["task_id"]
    assert client.get(f"/taken/{other}").status_code == 404
