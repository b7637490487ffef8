"""The app's defences: headers, CSRF, session fixation and expiry, injection, rate limit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from connectors.database.engine import session_scope
from connectors.database.models import ContactAttempt, WebSession, WebUser
from tests.scenario import town_fixture  # noqa: F401
from tests.web.conftest import PASSWORD, WebTown, csrf_of
from webapp.security import SESSION_COOKIE

INJECTIONS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1",
    "Robert'); DROP TABLE web_users;--",
    "{{ 7*7 }}",
]


def attempts(web: WebTown) -> int:
    with session_scope(web.res.engine) as session:
        return int(session.scalar(select(func.count()).select_from(ContactAttempt)) or 0)


def test_security_headers_on_pages_api_static_and_errors(web: WebTown) -> None:
    client = web.client()
    for path in ("/inloggen", "/api/v1/ik", "/static/app/app.css", "/bestaat-niet"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
    assert client.get("/inloggen").headers["cache-control"] == "no-store"


def test_pages_hold_no_inline_script_or_style(web: WebTown) -> None:
    client = web.client()
    web.login(client, "medewerker")
    task = web.task_of("hh-loket-1")["task_id"]
    for path in ("/inloggen", "/werkbak", f"/taken/{task}", "/werkbak/afdrukken"):
        html = client.get(path).text
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert " onclick=" not in html


def test_a_form_without_the_sessions_csrf_token_is_refused(web: WebTown) -> None:
    client = web.client()
    web.login(client, "medewerker")
    task = web.task_of("hh-loket-1")["task_id"]
    form = {"soort": "Telefoon", "datum": "2026-10-06", "dagdeel": "Ochtend", "bereikt": "ja"}
    assert client.post(f"/taken/{task}/contactpoging", data=form).status_code == 403
    other = web.client()
    web.login(other, "teamleider")
    foreign = csrf_of(other.get("/werkbak").text)  # a valid token, of another session
    response = client.post(f"/taken/{task}/contactpoging", data={**form, "csrf_token": foreign})
    assert response.status_code == 403
    assert attempts(web) == 0
    own = csrf_of(client.get("/werkbak").text)
    response = client.post(f"/taken/{task}/contactpoging", data={**form, "csrf_token": own})
    assert response.status_code == 303
    assert attempts(web) == 1


def test_sign_in_without_a_token_is_refused(web: WebTown) -> None:
    client = web.client()
    response = client.post(
        "/inloggen", data={"gebruikersnaam": "beheerder", "wachtwoord": PASSWORD}
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def test_the_session_is_new_at_every_sign_in_and_the_old_one_dies(web: WebTown) -> None:
    client = web.client()
    web.login(client, "medewerker")
    first = client.cookies[SESSION_COOKIE]
    token = csrf_of(client.get("/werkbak").text)  # signing in again, the first cookie sent
    response = client.post(
        "/inloggen",
        data={"csrf_token": token, "gebruikersnaam": "medewerker", "wachtwoord": PASSWORD},
    )
    assert response.status_code == 303
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    planted = web.client()
    planted.cookies.set(SESSION_COOKIE, first)  # the old id, as an attacker who learnt it
    assert planted.get("/werkbak").headers["location"].startswith("/inloggen")
    forged = web.client()
    forged.cookies.set(SESSION_COOKIE, "aanvaller-gekozen-id")
    issued = web.login(forged, "medewerker")
    assert issued not in ("aanvaller-gekozen-id", "None", first, second)
    with session_scope(web.res.engine) as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 2


def test_sign_out_ends_the_session_on_the_server(web: WebTown) -> None:
    client = web.client()
    web.login(client, "medewerker")
    cookie = client.cookies[SESSION_COOKIE]
    token = csrf_of(client.get("/werkbak").text)
    assert client.post("/uitloggen", data={"csrf_token": token}).status_code == 303
    replay = web.client()
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/werkbak").headers["location"].startswith("/inloggen")


def test_an_idle_session_expires(web: WebTown) -> None:
    client = web.client()
    web.login(client, "medewerker")
    assert client.get("/werkbak").status_code == 200
    with session_scope(web.res.engine) as session:
        session.execute(
            update(WebSession).values(
                last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
            )
        )
    response = client.get("/werkbak")
    assert response.status_code == 303
    assert "verlopen=1" in response.headers["location"]


def test_cookies_are_httponly_samesite_and_secure_behind_https(web: WebTown) -> None:
    client = web.client(base_url="https://testserver", web_secure_cookies=True)
    token = csrf_of(client.get("/inloggen").text)
    response = client.post(
        "/inloggen",
        data={"csrf_token": token, "gebruikersnaam": "medewerker", "wachtwoord": PASSWORD},
    )
    cookie = next(
        value for name, value in response.headers.multi_items() if value.startswith("vs_sessie=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie


def test_sign_in_is_rate_limited_per_account(web: WebTown) -> None:
    client = web.client()
    for _ in range(5):
        token = csrf_of(client.get("/inloggen").text)
        response = client.post(
            "/inloggen",
            data={"csrf_token": token, "gebruikersnaam": "beheerder", "wachtwoord": "fout"},
        )
        assert response.status_code == 400
    token = csrf_of(client.get("/inloggen").text)
    response = client.post(
        "/inloggen",
        data={"csrf_token": token, "gebruikersnaam": "beheerder", "wachtwoord": PASSWORD},
    )
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.text
    web.login(client, "medewerker")  # another account from the same client still signs in


def test_injection_strings_are_shown_as_text_everywhere(web: WebTown) -> None:
    client = web.client()
    web.login(client, "medewerker")
    task = web.task_of("hh-loket-1")["task_id"]
    for text in INJECTIONS:
        for name in ("status", "soort", "wijk", "postcode"):
            response = client.get("/werkbak", params={name: text})
            assert response.status_code == 200
            assert "<script>alert" not in response.text and "<img src=x" not in response.text
        token = csrf_of(client.get(f"/taken/{task}").text)
        for field in ("soort", "datum", "dagdeel", "bereikt"):
            form = {"soort": "Telefoon", "datum": "2026-10-06", "dagdeel": "Ochtend"}
            form.update({"bereikt": "ja", field: text, "csrf_token": token})
            response = client.post(f"/taken/{task}/contactpoging", data=form)
            assert response.status_code == 400
            assert "<script>alert" not in response.text and "<img src=x" not in response.text
        response = client.post(
            f"/taken/{task}/resultaat",
            data={"csrf_token": token, "resultaat": text, "resultaatdatum": text},
        )
        assert response.status_code == 400 and "<script>alert" not in response.text
    assert attempts(web) == 0
    admin = web.client()
    web.login(admin, "beheerder")
    for number, text in enumerate(INJECTIONS):
        token = csrf_of(admin.get("/beheer/gebruikers").text)
        response = admin.post(
            "/beheer/gebruikers",
            data={
                "csrf_token": token,
                "gebruikersnaam": f"test{number}",
                "naam": text,
                "rol": "analist",
                "team": "",
                "wachtwoord": PASSWORD,
            },
        )
        assert response.status_code == 303
        bad_name = admin.post(
            "/beheer/gebruikers",
            data={"csrf_token": token, "gebruikersnaam": text, "naam": "x", "rol": "analist",
                  "wachtwoord": PASSWORD},
        )  # fmt: skip
        assert bad_name.status_code == 400 and "<script>alert" not in bad_name.text
    listing = admin.get("/beheer/gebruikers").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in listing
    assert "{{ 7*7 }}" in listing and "49" not in listing.split("{{ 7*7 }}")[0][-5:]
    with session_scope(web.res.engine) as session:  # the table survived the DROP string
        names = set(session.scalars(select(WebUser.full_name)))
    assert set(INJECTIONS) <= names
    steward = web.client()
    web.login(steward, "gegevensbeheerder")
    for text in INJECTIONS:
        response = steward.get("/quarantaine", params={"partner": text})
        assert response.status_code == 200 and "<script>alert" not in response.text
        token = csrf_of(steward.get("/quarantaine/1").text)
        response = steward.post(
            "/quarantaine/999/afwijzen", data={"csrf_token": token, "reden": text}
        )
        assert response.status_code == 404
    for path in ("/taken/<script>alert(1)</script>", "/taken/' OR '1'='1"):
        response = client.get(path)
        assert response.status_code == 404 and "<script>alert" not in response.text


def test_after_sign_in_only_a_path_of_this_site_is_followed(web: WebTown) -> None:
    for target, expected in (
        ("/werkbak?status=later", "/werkbak?status=later"),
        ("//elders.example/inloggen", "/"),
        ("https://elders.example/", "/"),
        ("/\\elders.example", "/"),
    ):
        client = web.client()
        token = csrf_of(client.get("/inloggen").text)
        response = client.post(
            "/inloggen",
            data={"csrf_token": token, "gebruikersnaam": "medewerker", "wachtwoord": PASSWORD,
                  "volgende": target},
        )  # fmt: skip
        assert response.headers["location"] == expected


def test_the_api_takes_no_session_cookie(web: WebTown) -> None:
    client = web.client()
    web.login(client, "medewerker")  # a browser session is no API credential (no CSRF risk)
    assert client.get("/api/v1/taken").status_code == 401


def test_sign_in_removes_dead_sessions(web: WebTown) -> None:
    old = web.client()
    web.login(old, "medewerker")
    with session_scope(web.res.engine) as session:
        session.execute(
            update(WebSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
        )
    web.login(web.client(), "collega")
    with session_scope(web.res.engine) as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1


def test_an_unexpected_error_is_a_dutch_page_without_a_trace(web: WebTown) -> None:
    from fastapi.testclient import TestClient

    from webapp.app import create_app

    app = create_app(web.settings())

    @app.get("/kapot")
    def _broken() -> None:
        raise RuntimeError("geheime-waarde 7901AB")

    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/kapot")
    assert response.status_code == 500
    page = response.text
    assert "<main" in page and "Er ging iets mis" in page and 'lang="nl"' in page
    assert "Traceback" not in page and "RuntimeError" not in page and "7901AB" not in page
    assert response.headers["x-frame-options"] == "DENY"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
