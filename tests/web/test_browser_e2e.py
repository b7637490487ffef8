"""End to end on the sample municipality, in headless Chromium: a worker signs in, sees only
their team's queue, records two attempts and a warm handover; the next night keeps them, its
task list no longer holds the closed task, and the DDAS report carries attempts and result.
Screenshots of the queue, the task page and the steward's page go to var/test-artefacts/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from connectors.database.engine import session_scope
from connectors.database.models import Case, CaseSignal, ContactAttempt, Quarantine, Task
from connectors.database.users import create_user
from tests.conftest import ROOT
from tests.flow_fixtures import Municipality, clear_resources, use_municipality
from tests.web.browser import (
    ARTEFACTS,
    chromium,
    live_server,
    new_page,
    require_browser,
    screenshot,
    serious_violations,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

SAMPLE = ROOT / "data" / "sample"
FIRST, LAST, NEXT_NIGHT = date(2025, 11, 1), date(2025, 11, 12), date(2025, 11, 14)
TEAM = "Loket Geldzaken"
PASSWORD = "een-lang-wachtwoord-1"
HANDOVER = "Vervolghulp en/of verwijzing financieel"
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]")


@pytest.fixture
def sample(tmp_path: Any, prefect_harness: None) -> Iterator[Municipality]:
    """The sample municipality's first nights, in a database of this test."""
    from flows.backfill import backfill

    town = Municipality(
        root=SAMPLE,
        inbox=SAMPLE / "inbox",
        reference=SAMPLE / "reference" / "adressen.csv",
        data_dir=tmp_path / "var",
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_municipality(monkeypatch, town)
        clear_resources()
        backfill(start=FIRST, end=LAST)
        yield town
    clear_resources()


def test_worker_records_attempts_and_result_that_the_next_night_keeps(
    sample: Municipality,
) -> None:
    require_browser()
    from connectors.exports.outreach import export_team_task_lists
    from connectors.exports.reports import export_ddas
    from connectors.settings import get_settings
    from flows.backfill import backfill
    from flows.resources import resources
    from webapp.app import create_app

    settings = get_settings()
    res = resources(settings)
    with session_scope(res.engine) as session:
        create_user(session, "anna", "Anna de Vries", PASSWORD, "medewerker", TEAM, actor="test")
        create_user(session, "sam", "Sam Bakker", PASSWORD, "gegevensbeheerder", None, "test")
        own = set(
            session.scalars(select(Task.task_id).where(Task.team == TEAM, Task.status == "open"))
        )
        others = set(session.scalars(select(Task.task_id).where(Task.team != TEAM)))
        first_quarantined = session.scalar(
            select(Quarantine.quarantine_id).where(Quarantine.status == "open").limit(1)
        )
    assert own and others and first_quarantined is not None

    with live_server(create_app(settings)) as base, chromium() as browser:
        page = new_page(browser)
        sign_in(page, base, "anna", PASSWORD)
        assert page.url.endswith("/werkbak")
        links = page.locator("a[href^='/taken/']")
        listed = {href.removeprefix("/taken/") for href in links.evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")}  # fmt: skip
        assert listed and listed <= own and not listed & others
        assert serious_violations(page) == []
        screenshot(page, "werkbak")

        page.goto(f"{base}/werkbak/afdrukken")  # the printed team list: A4 landscape, pages
        pdf = page.pdf(path=str(ARTEFACTS / "takenlijst.pdf"), prefer_css_page_size=True)
        boxes = [tuple(map(float, b)) for b in MEDIA_BOX.findall(pdf)]
        assert len(boxes) > 1 and all(width > height for _, _, width, height in boxes)
        page.goto(f"{base}/werkbak")
        links.first.click()
        page.wait_for_load_state()
        task_id = page.url.rsplit("/", 1)[-1]
        for day, part, reached in (("2025-11-12", "Middag", "Nee"), ("2025-11-13", "Avond", "Ja")):
            page.get_by_role("link", name="Contactpoging vastleggen").click()
            page.wait_for_load_state()
            page.get_by_label("Soort contact").select_option("Telefoon")
            page.get_by_label("Datum", exact=True).fill(day)
            page.get_by_label(part).check()
            page.get_by_label(reached, exact=True).check()
            page.get_by_role("button", name="Contactpoging opslaan").click()
            page.wait_for_load_state()
            assert "De contactpoging is opgeslagen" in page.content()
        assert serious_violations(page) == []
        screenshot(page, "taak")  # the task page with both attempts
        page.get_by_role("link", name="Resultaat vastleggen en zaak afsluiten").click()
        page.wait_for_load_state()
        page.get_by_label("Resultaat (DDAS-eindresultaat)").select_option(HANDOVER)
        page.get_by_label("Datum van het resultaat").fill("2025-11-13")
        assert serious_violations(page) == []
        screenshot(page, "resultaat")
        page.get_by_role("button", name="Resultaat opslaan en zaak afsluiten").click()
        page.wait_for_load_state()
        assert "Het resultaat is opgeslagen" in page.content()
        page.get_by_role("button", name="Uitloggen").click()
        page.wait_for_load_state()

        sign_in(page, base, "sam", PASSWORD)
        assert page.url.endswith("/quarantaine")
        assert serious_violations(page) == []
        screenshot(page, "quarantaine")
        page.goto(f"{base}/quarantaine/{first_quarantined}")
        screenshot(page, "quarantaineregel")

    backfill(start=LAST, end=NEXT_NIGHT)  # the next night, with the work recorded
    with session_scope(res.engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        case = session.get(Case, task.case_id)
        assert case is not None and (case.status, case.result) == ("closed", HANDOVER)
        assert task.status == "afgerond"
        attempts = session.scalars(
            select(ContactAttempt.attempt_date).where(ContactAttempt.case_id == case.case_id)
        ).all()
        signal_keys = set(
            session.scalars(select(CaseSignal.signal_key).where(CaseSignal.case_id == case.case_id))
        )
    assert len(attempts) == 2
    lists = export_team_task_lists(
        res.engine, res.vault, settings.task_list_dir / "e2e", NEXT_NIGHT, TEAM, actor="test"
    )
    listed_next = (next(p for p in lists if p.suffix == ".csv")).read_text(encoding="utf-8-sig")
    assert task_id not in listed_next  # closed stays closed; not planned again
    report = json.loads(
        export_ddas(
            res.engine, res.vault, settings, FIRST, date(2025, 11, 30),
            settings.ddas_export_dir / "e2e.json",
        ).read_text(encoding="utf-8")
    )  # fmt: skip
    cases = report["leveringen"][0]["vroegsignaalzaken"]
    item = next(c for c in cases if {s["ID"] for s in c["vroegsignalen"]} == signal_keys)
    assert item["resultaat"] == HANDOVER
    assert [(a["datum"], a["dagdeel"], a["bereikt"]) for a in item["contactpogingen"]] == [
        ("2025-11-12", "Middag", False),
        ("2025-11-13", "Avond", True),
    ]
