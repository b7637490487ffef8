"""The analysts' pages and API on a small history: monitor with filters, downloads, the
household explorer and page, a worker's attempt reaching the figures, roles, and a privacy scan
of every analyst page and response."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from signals.monitor.households import REFERENCE_LENGTH
from signals.schema import IDENTIFYING_COLUMNS
from tests.analyst.conftest import ADDRESSES, H1, H3, H4, AnalystTown
from tests.scenario import Town
from tests.web.conftest import csrf_of

TABLES = (
    "signalen",
    "opgepakt",
    "zaaktypen",
    "bereik",
    "resultaten",
    "escalaties",
    "terugval",
    "datakwaliteit",
)


def _signed_in(analyst_town: AnalystTown) -> TestClient:
    client = analyst_town.client()
    analyst_town.login(client)
    return client


def _csv(response) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:300]
    return pd.read_csv(io.BytesIO(response.content), sep=";", encoding="utf-8-sig", dtype=str)


def test_the_monitor_shows_a_chart_and_a_table_per_figure(analyst_town: AnalystTown) -> None:
    client = _signed_in(analyst_town)
    page = client.get("/analyse/monitor?van=2026-01&tot=2026-02")
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert html.count("<svg") == len(TABLES) + 1  # relapse per outcome and per year
    for key in TABLES:
        assert f'id="{key}"' in html
        assert f"/analyse/monitor/{key}.csv?" in html
    assert "<script" not in html.split("</head>")[1]  # the charts need no script
    assert "&lt;10" in html  # small counts are hidden


def test_filters_by_wijk_and_partner_type(analyst_town: AnalystTown) -> None:
    client = _signed_in(analyst_town)
    table = _csv(
        client.get(
            "/analyse/monitor/signalen.csv?van=2026-01&tot=2026-02&wijk=Noord&partnertype=Huur"
        )
    )
    assert list(table["maand"]) == ["2026-01", "2026-02"]
    assert list(table["signalen"]) == ["0", "<10"]  # DOM-4 of H4 in Noord, February
    assert "wijk" not in table.columns
    assert client.get("/analyse/monitor?wijk=Nergensland").status_code == 400
    assert client.get("/analyse/monitor?van=januari").status_code == 400


def test_every_table_downloads_as_csv_and_xlsx_with_the_values_shown(
    analyst_town: AnalystTown,
) -> None:
    client = _signed_in(analyst_town)
    for key in TABLES:
        csv = _csv(client.get(f"/analyse/monitor/{key}.csv?van=2026-01&tot=2026-02"))
        response = client.get(f"/analyse/monitor/{key}.xlsx?van=2026-01&tot=2026-02")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == list(csv.columns), key
        assert len(rows) - 1 == len(csv), key
    assert client.get("/analyse/monitor/geheim.csv").status_code == 404


def test_the_explorer_filters_sorts_pages_and_opens_a_household(analyst_town: AnalystTown) -> None:
    client = _signed_in(analyst_town)
    page = client.get("/analyse/huishoudens")
    assert page.status_code == 200
    refs = re.findall(r'href="/analyse/huishoudens/([0-9a-f]{12})"', page.text)
    assert sorted(refs) == sorted(h[:REFERENCE_LENGTH] for h in (H1, "b2" * 32, H3, H4))
    relapse = _csv(client.get("/analyse/huishoudens.csv?terugval=ja"))
    assert list(relapse["huishouden"]) == [H4[:REFERENCE_LENGTH]]
    noord = _csv(client.get("/analyse/huishoudens.csv?wijk=Noord&partnertype=Huur"))
    assert list(noord["huishouden"]) == [H4[:REFERENCE_LENGTH]]
    by_signals = _csv(client.get("/analyse/huishoudens.csv?sorteer=signalen&richting=af"))
    assert by_signals["signalen"].astype(int).is_monotonic_decreasing
    assert client.get("/analyse/huishoudens?bedrag=veel").status_code == 400
    household = client.get(f"/analyse/huishoudens/{H3[:REFERENCE_LENGTH]}")
    assert household.status_code == 200
    text = household.text
    assert "escalatie" in text and "Ontruimingsaanvraag" in text  # the timeline
    assert "Huisbezoek" in text  # the attempt
    assert "Opgepakt" in text and "beleidsversie" in text  # decisions with rule and policy
    assert client.get("/analyse/huishoudens/ffffffffffff").status_code == 404


def test_a_workers_result_in_the_app_shows_in_the_reach_and_results(
    analyst_town: AnalystTown, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VS_SUPPRESSION_THRESHOLD", "1")  # show this small town's true counts
    client = _signed_in(analyst_town)
    reach_url = "/analyse/monitor/bereik.csv?van=2026-01&tot=2026-02"
    results_url = "/analyse/monitor/resultaten.csv?van=2026-01&tot=2026-02"
    january = _csv(client.get(reach_url)).set_index("maand").loc["2026-01"]
    assert (january["zaken"], january["bereikt"], january["contactpogingen"]) == ("3", "1", "2")
    # The worker records on the task page (part 1) that H1 was reached, then the result.
    worker = analyst_town.client()
    analyst_town.login(worker, "medewerker")
    path = f"/taken/{analyst_town.town.task_of(H1)['task_id']}"
    attempt = {"soort": "Telefoon", "datum": "2026-02-03", "dagdeel": "Middag", "bereikt": "ja"}
    token = csrf_of(worker.get(path).text)
    response = worker.post(f"{path}/contactpoging", data={**attempt, "csrf_token": token})
    assert response.status_code == 303, response.text[:300]
    html = worker.get(f"{path}/resultaat").text  # the result form has a page of its own
    version = re.search(r'name="versie" value="(\d+)"', html)
    assert version
    response = worker.post(
        f"{path}/resultaat",
        data={"resultaat": "(Budget)advies en/of quick fix", "resultaatdatum": "2026-02-10",
              "csrf_token": csrf_of(html), "versie": version.group(1)},
    )  # fmt: skip
    assert response.status_code == 303, response.text[:300]
    january = _csv(client.get(reach_url)).set_index("maand").loc["2026-01"]
    assert (january["bereikt"], january["contactpogingen"]) == ("2", "3")
    results = _csv(client.get(results_url))
    month = results[(results["maand"] == "2026-02") & (results["resultaat"] == "Hulp geaccepteerd")]
    assert list(month["zaken"]) == ["1"]
    headers = {"Authorization": f"Bearer {analyst_town.token()}"}
    api = client.get("/api/analyse/monitor?van=2026-01&tot=2026-02", headers=headers).json()
    reach = next(r for r in api["tabellen"]["bereik"]["rijen"] if r["maand"] == "2026-01")
    assert reach["bereikt"] == 2


def test_only_analysts_see_the_pages_and_the_api(analyst_town: AnalystTown) -> None:
    anonymous = analyst_town.client()
    assert anonymous.get("/analyse/monitor").status_code == 303
    worker = analyst_town.client()
    analyst_town.login(worker, "medewerker")
    assert worker.get("/analyse/monitor").status_code == 403
    assert worker.get("/analyse/huishoudens").status_code == 403
    assert anonymous.get("/api/analyse/monitor").status_code == 401
    token = analyst_town.token("medewerker")
    assert (
        anonymous.get(
            "/api/analyse/huishoudens", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 403
    )


def _forbidden_values() -> list[re.Pattern[str]]:
    patterns = [re.compile(r"\b\d{9}\b")]  # a BSN
    for postcode, number, suffix in ADDRESSES.values():
        patterns.append(re.compile(rf"{postcode[:4]}\s?{postcode[4:]}", re.IGNORECASE))
        patterns.append(re.compile(rf"\b{number}\b"))
        if suffix:
            patterns.append(re.compile(rf"\b{number}\s?-?{suffix}\b"))
    return patterns


def _scan(text: str, where: str) -> None:
    for pattern in _forbidden_values():
        assert not pattern.search(text), f"{where}: {pattern.pattern}"


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return {str(k).lower() for k in value} | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_analyst_page_or_response_holds_an_identifying_value(analyst_town: AnalystTown) -> None:
    client = _signed_in(analyst_town)
    token = analyst_town.token()
    pages = [
        "/analyse/monitor",
        "/analyse/monitor?van=2026-01&tot=2026-02&wijk=Noord",
        "/analyse/huishoudens",
    ]
    pages += [f"/analyse/huishoudens/{h[:REFERENCE_LENGTH]}" for h in ADDRESSES]
    seen = set()
    queue = list(pages)
    while queue:  # follow every analyst link, downloads included
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if url.split("?")[0].endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
            text = "\n".join(
                ";".join("" if v is None else str(v) for v in row)
                for row in sheet.iter_rows(values_only=True)
            )
        else:
            text = response.content.decode("utf-8-sig")
        _scan(text, url)
        for link in re.findall(r'href="(/analyse/[^"#]+)"', text):
            link = link.replace("&amp;", "&")
            if link not in seen and len(seen) < 200:
                queue.append(link)
    assert any(url.endswith(".xlsx") or ".xlsx?" in url for url in seen)
    headers = {"Authorization": f"Bearer {token}"}
    responses = [
        client.get("/api/analyse/monitor", headers=headers),
        client.get("/api/analyse/huishoudens", headers=headers),
        *[
            client.get(f"/api/analyse/huishoudens/{h[:REFERENCE_LENGTH]}", headers=headers)
            for h in ADDRESSES
        ],
    ]
    for response in responses:
        assert response.status_code == 200, response.text[:300]
        _scan(response.text, str(response.url))
        assert not (
            _keys(response.json()) & {*IDENTIFYING_COLUMNS, "address", "adres", "household_key"}
        )
    assert json.loads(responses[1].text)["totaal"] == "<10"


def test_the_pages_work_on_a_record_without_signals(town: Town) -> None:
    from connectors.database.engine import session_scope
    from connectors.database.users import create_user
    from tests.analyst.conftest import PASSWORD

    town.night("2026-01-05")
    with session_scope(town.res.engine) as session:
        create_user(session, "analist", "Anna Analist", PASSWORD, "analist", None, actor="test")
    empty = AnalystTown(town)
    client = _signed_in(empty)
    for url in ("/analyse/monitor", "/analyse/huishoudens", "/analyse/monitor/terugval.xlsx"):
        assert client.get(url).status_code == 200, url
    assert (
        client.get("/analyse/huishoudens.csv").content.decode("utf-8-sig").startswith("huishouden;")
    )
