"""The access matrix: every role (and no one) against every page and API endpoint.

Allowed: neither 403 nor a redirect to sign in; refused: 403; not signed in: a redirect to the
sign-in page (pages) or 401 (API). Another team's task answers 404 like one that does not exist.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.scenario import town_fixture  # noqa: F401
from tests.web.conftest import ACCOUNTS, LOKET, MW, WebTown, csrf_of

OUTREACH = {"medewerker", "collega", "teamleider"}
LEADS = {"teamleider", "beheerder"}
OVERSIGHT = {"teamleider", "beheerder", "gegevensbeheerder"}
STEWARD = {"gegevensbeheerder"}
ADMIN = {"beheerder"}
SIGNED_IN = set(ACCOUNTS)
NOT_ANALYST = SIGNED_IN - {"analist"}

#: (method, path, roles allowed). {task} is a task of the user's own team where one applies.
PAGES = [
    ("GET", "/", SIGNED_IN),
    ("GET", "/werkbak", OUTREACH),
    ("GET", "/werkbak?status=te-laat&soort=Brief", OUTREACH),
    ("GET", "/werkbak/afdrukken", OUTREACH),
    ("GET", "/werkbak/takenlijst.xlsx", OUTREACH),
    ("GET", "/taken/{task}", OUTREACH),
    ("GET", "/taken/{task}/contactpoging", OUTREACH),
    ("GET", "/taken/{task}/resultaat", OUTREACH),
    ("POST", "/taken/{task}/contactpoging", OUTREACH),
    ("POST", "/taken/{task}/resultaat", OUTREACH),
    ("POST", "/taken/{task}/toewijzen", {"teamleider"}),
    ("GET", "/quarantaine", STEWARD),
    ("GET", "/quarantaine/{qid}", STEWARD),
    ("POST", "/quarantaine/{qid}/afwijzen", STEWARD),
    ("POST", "/quarantaine/{qid}/herindienen", STEWARD),
    ("GET", "/beheer/gebruikers", ADMIN),
    ("POST", "/beheer/gebruikers", ADMIN),
    ("GET", "/beheer/gebruikers/{uid}", ADMIN),
    ("POST", "/beheer/gebruikers/{uid}", ADMIN),
    ("POST", "/beheer/gebruikers/{uid}/wachtwoord", ADMIN),
    ("POST", "/beheer/gebruikers/{uid}/tokens", ADMIN),
    ("POST", "/beheer/tokens/999/intrekken", ADMIN),
    ("GET", "/beheer/teams", LEADS),
    ("POST", "/beheer/teams/capaciteit", LEADS),
    ("GET", "/beheer/beleid", OVERSIGHT),
    ("GET", "/beheer/runs", OVERSIGHT),
    ("GET", "/api/docs", NOT_ANALYST),
    ("POST", "/uitloggen", SIGNED_IN),
]
API = [
    ("GET", "/api/v1/ik", SIGNED_IN),
    ("GET", "/api/v1/taken", OUTREACH),
    ("GET", "/api/v1/taken/{task}", OUTREACH),
    ("POST", "/api/v1/taken/{task}/contactpogingen", OUTREACH),
    ("POST", "/api/v1/taken/{task}/resultaat", OUTREACH),
    ("GET", "/api/v1/verwijzingen", OUTREACH),
    ("GET", "/api/v1/quarantaine", STEWARD),
    ("GET", "/api/v1/quarantaine/{qid}", STEWARD),
    ("GET", "/api/v1/teams", LEADS),
    ("PUT", "/api/v1/teams/Nazorg/capaciteit", {"beheerder"}),
    ("GET", "/api/v1/beleid", OVERSIGHT),
    ("GET", "/api/v1/runs", OVERSIGHT),
]
HOUSEHOLD_OF = {LOKET: "hh-loket-1", MW: "hh-mw-1"}


def fill(web: WebTown, path: str, username: str | None) -> str:
    team = ACCOUNTS[username][1] if username else LOKET
    task = web.task_of(HOUSEHOLD_OF.get(team or LOKET, "hh-loket-1"))["task_id"]
    return path.format(task=task, qid=1, uid=1)


def page_client(web: WebTown, username: str | None) -> TestClient:
    client = web.client()
    if username:
        web.login(client, username)
    return client


def test_every_page_for_every_role(web: WebTown) -> None:
    failures = []
    for username in [None, *ACCOUNTS]:
        client = page_client(web, username)  # one sign-in per role; signing out comes last
        start = "/inloggen" if username is None else "/"
        token = csrf_of(client.get(start, follow_redirects=True).text)
        for method, template, allowed in PAGES:
            path = fill(web, template, username)
            data = {"csrf_token": token, "team": LOKET} if method == "POST" else None
            response = client.request(method, path, data=data)
            target = response.headers.get("location", "")
            login = response.status_code == 303 and target.startswith("/inloggen?volgende")
            if username is None:
                ok = login
            elif username in allowed:
                ok = response.status_code != 403 and not login
            else:
                ok = response.status_code == 403
            if not ok:
                failures.append((username, method, path, response.status_code, target))
    assert failures == []


def test_every_api_endpoint_for_every_role(web: WebTown) -> None:
    tokens = {username: web.token(username) for username in ACCOUNTS}
    client = web.client()
    failures = []
    for username in [None, *ACCOUNTS]:
        headers = {"Authorization": f"Bearer {tokens[username]}"} if username else {}
        for method, template, allowed in API:
            path = fill(web, template, username)
            body = {"capaciteit": 7} if method == "PUT" else {} if method == "POST" else None
            response = client.request(method, path, headers=headers, json=body)
            if username is None:
                ok = response.status_code == 401
            elif username in allowed:
                ok = response.status_code not in (401, 403)
            else:
                ok = response.status_code == 403
            if not ok:
                failures.append((username, method, path, response.status_code))
    assert failures == []


def test_another_teams_task_is_not_reachable_by_url(web: WebTown) -> None:
    other = web.task_of("hh-mw-1")["task_id"]
    client = page_client(web, "medewerker")  # Loket Geldzaken
    token = csrf_of(client.get("/werkbak").text)
    for method, path in (
        ("GET", f"/taken/{other}"),
        ("GET", f"/taken/{other}/contactpoging"),
        ("GET", f"/taken/{other}/resultaat"),
        ("POST", f"/taken/{other}/contactpoging"),
        ("POST", f"/taken/{other}/resultaat"),
    ):
        response = client.request(
            method, path, data={"csrf_token": token} if method == "POST" else None
        )
        assert response.status_code == 404
        assert "7906" not in response.text  # not even the postcode of that household
    api = web.client()
    headers = {"Authorization": f"Bearer {web.token('medewerker')}"}
    assert api.get(f"/api/v1/taken/{other}", headers=headers).status_code == 404
    assert api.get("/api/v1/taken/taak-bestaat-niet", headers=headers).status_code == 404


def test_a_queue_shows_only_its_own_team(web: WebTown) -> None:
    client = page_client(web, "medewerker")
    html = client.get("/werkbak").text
    own = web.tasks()
    for _, task in own.iterrows():
        assert (f"/taken/{task['task_id']}" in html) == (task["team"] == LOKET)
    assert "7901 AB" in html and "7906 KL" not in html
    listed = (
        web.client()
        .get("/api/v1/taken", headers={"Authorization": f"Bearer {web.token('collega')}"})
        .json()
    )
    assert {task["team"] for task in listed} == {MW}


#: Routes anyone may use: signing in, the static files, the (data-free) API description.
PUBLIC = {("GET", "/inloggen"), ("POST", "/inloggen"), ("GET", "/api/openapi.json")}


def _shape(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "{}", path.split("?")[0])


def test_the_matrix_covers_every_route_of_the_app(web: WebTown) -> None:
    from starlette.routing import Mount

    from webapp.app import create_app

    app = create_app(web.settings())
    routes = {
        (method, _shape(route.path))
        for route in app.routes
        if not isinstance(route, Mount)
        for method in getattr(route, "methods", set()) - {"HEAD"}
    }
    covered = {(m, _shape(p)) for m, p, _ in PAGES + API} | {(m, _shape(p)) for m, p in PUBLIC}
    covered |= {("PUT", "/api/v1/teams/{}/capaciteit"), ("POST", "/beheer/tokens/{}/intrekken")}
    assert routes - covered == set()
