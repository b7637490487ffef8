"""Outreach workers in the app: the queue, a task, attempts, the result, the lists, the audit."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from connectors.database.audit import load_audit_log
from connectors.database.engine import session_scope
from connectors.database.models import Case, ContactAttempt, Task
from connectors.database.versions import update_checked
from tests.scenario import town_fixture  # noqa: F401
from tests.web.conftest import LOKET, WebTown, csrf_of

ATTEMPT = {"soort": "Telefoon", "datum": "2026-10-06", "dagdeel": "Middag", "bereikt": "nee"}


def signed_in(web: WebTown, username: str = "medewerker"):  # type: ignore[no-untyped-def]
    client = web.client()
    web.login(client, username)
    return client


def test_the_queue_is_in_work_order_with_address_and_status(web: WebTown) -> None:
    client = signed_in(web)
    html = client.get("/werkbak").text
    own = web.tasks()
    own = own[own["team"] == LOKET].sort_values("team_rank")
    positions = [html.index(f"/taken/{task_id}") for task_id in own["task_id"]]
    assert positions == sorted(positions)
    assert "deze week" in html and "7901 AB" in html and "Enkelvoudig signaal" in html


def test_filters_and_postcode_search_narrow_the_queue(web: WebTown) -> None:
    client = signed_in(web)
    first = web.task_of("hh-loket-1")["task_id"]
    found = client.get("/werkbak", params={"postcode": "7901 ab"}).text
    assert f"/taken/{first}" in found and "1 van 3 taken getoond" in found
    assert "0 van 3" in client.get("/werkbak", params={"status": "te-laat"}).text
    assert "3 van 3" in client.get("/werkbak", params={"soort": "Brief"}).text
    refused = client.get("/werkbak", params={"postcode": "abc!"})
    assert "Typ (het begin van) een postcode" in refused.text and "3 van 3" in refused.text


def test_task_page_shows_why_what_when_timeline_and_is_audited(web: WebTown) -> None:
    client = signed_in(web)
    task = web.task_of("hh-loket-1")
    html = client.get(f"/taken/{task['task_id']}").text
    assert "7901 AB" in html and "Enkelvoudig signaal" in html and "Uiterlijk" in html
    assert "Water" in html and "water (Water)" not in html and "Opgepakt" in html  # timeline
    assert "Nieuw: Nieuw" not in html and "Taak taak-" not in html
    assert f"Taak {str(task['task_id']).removeprefix('taak-')} " in html
    with session_scope(web.res.engine) as session:
        log = load_audit_log(session, action="open_addresses")
    entry = next(e for e in log if e["entity"] == f"task {task['task_id']}")
    assert entry["actor"] == "web:medewerker" and '"team": "Loket Geldzaken"' in entry["details"]
    assert "7901" not in entry["details"]


def test_two_attempts_and_a_warm_handover_close_the_case(web: WebTown) -> None:
    client = signed_in(web)
    task = web.task_of("hh-loket-1")
    path = f"/taken/{task['task_id']}"
    for attempt in (ATTEMPT, {**ATTEMPT, "datum": "2026-10-07", "bereikt": "ja"}):
        token = csrf_of(client.get(path).text)
        response = client.post(f"{path}/contactpoging", data={**attempt, "csrf_token": token})
        assert response.status_code == 303
    again = client.post(
        f"{path}/contactpoging", data={**ATTEMPT, "csrf_token": csrf_of(client.get(path).text)}
    )
    assert "poging-bekend" in again.headers["location"]  # the same attempt is not doubled
    assert "Contactpogingen (2)" in client.get(path).text
    html = client.get(f"{path}/resultaat").text
    token = csrf_of(html)
    version = re.search(r'name="versie" value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    result = "Vervolghulp en/of verwijzing financieel"  # warme overdracht naar schuldhulp
    response = client.post(
        f"{path}/resultaat",
        data={"resultaat": result, "resultaatdatum": "2026-10-07", "csrf_token": token,
              "versie": version},
    )  # fmt: skip
    assert response.status_code == 303
    with session_scope(web.res.engine) as session:
        case = session.get(Case, task["case_id"])
        assert case is not None and (case.status, case.result) == ("closed", result)
        assert case.closed_by == "web:medewerker"
        assert session.get(Task, task["task_id"]).status == "afgerond"  # type: ignore[union-attr]
        kinds = session.scalars(
            select(ContactAttempt.source).where(ContactAttempt.case_id == task["case_id"])
        ).all()
    assert kinds == ["web", "web"]
    closed = client.get(path).text
    assert "Zaak afgesloten op 07-10-2026" in closed and "Contactpoging vastleggen" not in closed
    assert f"afgesloten op 07-10-2026 met resultaat {result}" in closed
    assert "in de werkvolgorde" not in closed and "te laat" not in closed
    assert "al afgesloten" in client.get(f"{path}/resultaat").text


def test_invalid_attempt_is_refused_with_an_error_summary(web: WebTown) -> None:
    client = signed_in(web)
    path = f"/taken/{web.task_of('hh-loket-1')['task_id']}"
    token = csrf_of(client.get(path).text)
    response = client.post(
        f"{path}/contactpoging",
        data={"soort": "Postduif", "datum": "2099-01-01", "dagdeel": "", "csrf_token": token},
    )
    assert response.status_code == 400
    html = response.text
    assert "4 fouten" in html and 'href="#veld-datum"' in html and "in de toekomst" in html
    assert 'aria-invalid="true"' in html


def test_a_result_after_the_night_changed_the_task_asks_again_and_keeps_the_choice(
    web: WebTown,
) -> None:
    client = signed_in(web)
    task = web.task_of("hh-loket-2")
    path = f"/taken/{task['task_id']}"
    token = csrf_of(client.get(path).text)
    with session_scope(web.res.engine) as session:  # the night re-plans meanwhile
        update_checked(
            session,
            "task",
            [{"task_id": task["task_id"], "version": int(task["version"]), "team_rank": 9}],
            "run:nacht",
            "replanned",
        )
    result = "Definitief geen contact kunnen krijgen"
    response = client.post(
        f"{path}/resultaat",
        data={"resultaat": result, "resultaatdatum": "2026-10-08", "csrf_token": token,
              "versie": str(task["version"])},
    )  # fmt: skip
    assert response.status_code == 409
    assert "gewijzigd sinds u haar opende" in response.text
    assert f'<option value="{result}" selected>' in response.text
    with session_scope(web.res.engine) as session:
        assert session.get(Case, task["case_id"]).status == "open"  # type: ignore[union-attr]
    token = csrf_of(response.text)
    retry = client.post(
        f"{path}/resultaat",
        data={"resultaat": result, "resultaatdatum": "2026-10-08", "csrf_token": token,
              "versie": str(int(task["version"]) + 1)},
    )  # fmt: skip
    assert retry.status_code == 303


def test_printable_list_and_xlsx_hold_only_the_own_team(web: WebTown) -> None:
    client = signed_in(web)
    printed = client.get("/werkbak/afdrukken").text
    assert "Takenlijst Loket Geldzaken" in printed and "7906 KL" not in printed
    assert 'href="/static/app/print.css" media="print"' in printed
    response = client.get("/werkbak/takenlijst.xlsx")
    assert response.status_code == 200
    assert "takenlijst_loket-geldzaken" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Taken"]
    assert sheet.max_row - 1 == 3
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows
    with session_scope(web.res.engine) as session:
        log = load_audit_log(session, action="open_addresses")
    assert any(e["entity"].startswith("task_list") and e["actor"] == "web:medewerker" for e in log)


def test_api_records_an_attempt_and_reads_the_task(web: WebTown) -> None:
    client = web.client()
    headers = {"Authorization": f"Bearer {web.token('collega')}"}
    task = web.task_of("hh-mw-1")
    response = client.post(
        f"/api/v1/taken/{task['task_id']}/contactpogingen",
        headers=headers,
        json={"soort": "Huisbezoek", "datum": "2026-10-06", "dagdeel": "Avond", "bereikt": True},
    )
    assert response.status_code == 201 and response.json() == {"toegevoegd": 1, "al_bekend": 0}
    detail = client.get(f"/api/v1/taken/{task['task_id']}", headers=headers).json()
    assert detail["adres"]["postcode"] == "7906KL" and len(detail["contactpogingen"]) == 1
    bad = client.post(
        f"/api/v1/taken/{task['task_id']}/resultaat",
        headers=headers,
        json={"resultaat": "Klaar", "datum": "2026-10-06"},
    )
    assert bad.status_code == 422
    done = client.post(
        f"/api/v1/taken/{task['task_id']}/resultaat",
        headers=headers,
        json={"resultaat": "Vervolghulp en/of verwijzing financieel", "datum": "2026-10-06"},
    )
    assert done.json() == {"afgesloten": 1, "al_afgesloten": 0}
    referrals = client.get("/api/v1/verwijzingen", headers=headers).json()
    assert [r["task_id"] for r in referrals] == [task["task_id"]]
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/taken/{task_id}/resultaat" in spec["paths"]


def test_a_team_lead_assigns_a_task_within_the_team_only(web: WebTown) -> None:
    from connectors.database.models import WebUser

    lead = signed_in(web, "teamleider")
    task = web.task_of("hh-loket-3")["task_id"]
    with session_scope(web.res.engine) as session:
        ids = dict(session.execute(select(WebUser.username, WebUser.user_id)).all())
    page = lead.get(f"/taken/{task}").text
    assert "Toewijzen aan" in page and "Collega" not in page  # only the own team is offered
    refused = lead.post(
        f"/taken/{task}/toewijzen",
        data={"csrf_token": csrf_of(page), "medewerker": str(ids["collega"])},
    )
    assert refused.status_code == 400 and "van uw eigen team" in refused.text
    done = lead.post(
        f"/taken/{task}/toewijzen",
        data={"csrf_token": csrf_of(page), "medewerker": str(ids["medewerker"])},
    )
    assert done.status_code == 303
    worker = signed_in(web)
    mine = worker.get("/werkbak", params={"wie": "mij"}).text
    assert f"/taken/{task}" in mine and "1 van 3 taken getoond" in mine
    assert "Toewijzen aan" not in worker.get(f"/taken/{task}").text  # a worker does not assign
    with session_scope(web.res.engine) as session:
        log = load_audit_log(session, action="assign_task")
    assert [e["actor"] for e in log] == ["web:teamleider"]


def test_a_runs_summary_names_each_delivering_partner() -> None:
    from webapp.views.admin import summary_counts

    counts = {
        "partners": [
            {"partner": "domesta", "leveringen": 1, "ontvangen": 10, "geaccepteerd": 9,
             "quarantaine": 1, "afgewezen_bestanden": 0},
            {"partner": "water", "leveringen": 0, "ontvangen": 0, "geaccepteerd": 0,
             "quarantaine": 0, "afgewezen_bestanden": 0},
        ],
        "cases_opened": 3,
        "internal_key": 5,
    }  # fmt: skip
    assert summary_counts(counts) == [
        ("domesta", "1 levering, 10 regels ontvangen, 9 geaccepteerd, 1 in quarantaine"),
        ("zaken geopend", "3"),
    ]


def test_the_policy_page_explains_placeholders_and_drops_english_comments(web: WebTown) -> None:
    client = web.client()
    web.login(client, "teamleider")
    html = client.get("/beheer/beleid").text
    assert "{previous_outcome}" not in html.split("<pre")[0]
    assert "‹uitkomst vorig traject›" in html and "‹partner van het huisbezoek›" in html
    assert "HOW THE RULES COMBINE" not in html and "task_rules" in html


def test_yaml_comments_go_but_a_hash_inside_quotes_stays() -> None:
    from webapp.formatting import without_comments

    text = '# English\nkey: 1   # why\nname: "a # b"\n'
    assert without_comments(text) == 'key: 1\nname: "a # b"\n'


def test_teams_page_names_the_policy_in_force_and_the_colleagues_full_name(web: WebTown) -> None:
    import datetime as dt

    lead = web.client()
    web.login(lead, "teamleider")
    page = lead.get("/beheer/teams").text
    version = web.res.policy_book.in_force(dt.date.today()).version
    assert f"nu geldt versie {version}" in page and "Vastgesteld door</dt><dd>beleid" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    done = lead.post(
        "/beheer/teams/capaciteit",
        data={"csrf_token": token.group(1), "team": "Loket Geldzaken", "capaciteit": "7"},
    )
    assert done.status_code == 303
    page = lead.get("/beheer/teams").text
    assert "<dd>Teamleider</dd>" in page and "web:teamleider" not in page


def test_task_words_are_plain_dutch() -> None:
    from webapp.formatting import crisis_nl, partner_nl, task_code

    assert crisis_nl("eindelevering,cak") == "einde levering, CAK-aanmelding"
    assert partner_nl("energie", "Energie") == "Energie"
    assert partner_nl("essent", "Energie") == "essent (Energie)"
    assert task_code("taak-3f2a") == "3f2a"
