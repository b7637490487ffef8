"""Every page in headless Chromium: axe-core finds no serious or critical WCAG violation,
the pages load nothing from elsewhere, and the CSP blocks nothing of our own."""

from __future__ import annotations

import pytest

from tests.scenario import town_fixture  # noqa: F401
from tests.web.browser import (
    chromium,
    live_server,
    new_page,
    require_browser,
    serious_violations,
    sign_in,
)
from tests.web.conftest import PASSWORD, WebTown

#: username -> pages to check ({task} a task of their team); with the sign-in page, error
#: pages and a form with errors, that is every page of the app.
PAGES = {
    "medewerker": ["/werkbak", "/werkbak?postcode=!!", "/taken/{task}", "/werkbak/afdrukken",
                   "/taken/{task}/contactpoging", "/taken/{task}/resultaat",
                   "/api/docs", "/bestaat-niet"],
    "teamleider": ["/werkbak", "/taken/{task}", "/beheer/teams", "/beheer/beleid", "/beheer/runs"],
    "gegevensbeheerder": ["/quarantaine", "/quarantaine/1"],
    "beheerder": ["/beheer/gebruikers", "/beheer/gebruikers/1", "/beheer/teams", "/quarantaine"],
    "analist": ["/"],
}  # fmt: skip
pytestmark = pytest.mark.e2e  # a real browser: not among the fast unit tests


def test_axe_finds_no_serious_violation_on_any_page(web: WebTown) -> None:
    require_browser()
    from webapp.app import create_app

    task = web.task_of("hh-loket-1")["task_id"]
    found: dict[str, list[object]] = {}
    problems: list[str] = []
    with live_server(create_app(web.settings())) as base, chromium() as browser:
        page = new_page(browser)
        page.on("console", lambda message: problems.append(message.text))
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith(base) or request.url.startswith("data:")
                else problems.append(f"request elsewhere: {request.url}")
            ),
        )
        page.goto(f"{base}/inloggen")
        found["/inloggen"] = serious_violations(page)
        page.get_by_role("button", name="Inloggen").click()  # empty: the error summary
        page.wait_for_load_state()
        found["/inloggen (fouten)"] = serious_violations(page)
        for username, paths in PAGES.items():
            sign_in(page, base, username, PASSWORD)
            for path in paths:
                page.goto(base + path.format(task=task))
                found[f"{username} {path}"] = serious_violations(page)
            if username == "medewerker":  # the attempt form with every error shown
                page.goto(f"{base}/taken/{task}/contactpoging")
                page.get_by_role("button", name="Contactpoging opslaan").click()
                page.wait_for_load_state()
                found["contactpoging (fouten)"] = serious_violations(page)
                page.goto(f"{base}/taken/{task}/resultaat")
                page.get_by_role("button", name="Resultaat opslaan en zaak afsluiten").click()
                page.wait_for_load_state()
                found["resultaat (fouten)"] = serious_violations(page)
            page.get_by_role("button", name="Uitloggen").click()
            page.wait_for_load_state()
        # The check itself can fail: a page without alt text and labels is caught.
        page.set_content('<html><body><img src="/x.png"><input type="text"></body></html>')
        caught = {v["id"] for v in serious_violations(page)}
    assert {"image-alt", "label"} <= caught
    assert {page: v for page, v in found.items() if v} == {}
    # Only the deliberate 404 and the refused form (400) may log a failed load.
    assert [p for p in problems if "status of 40" not in p] == []
