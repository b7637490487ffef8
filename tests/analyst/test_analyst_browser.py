"""The analysts' pages in a real browser (Debian's Chromium through Playwright): sign in,
filter the monitor by wijk and partner type, open a household from the explorer, download a
table; screenshots kept as artefacts; axe-core finds no serious or critical violation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.analyst.conftest import H4, PASSWORD, AnalystTown
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

pytestmark = pytest.mark.e2e


def _axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found = serious_violations(page)
    assert not found, f"{where}: {found}"


def test_an_analyst_filters_opens_a_household_and_downloads(
    analyst_town: AnalystTown, tmp_path: Path
) -> None:
    require_browser()
    from webapp.app import create_app

    with live_server(create_app(analyst_town.settings())) as base, chromium() as browser:
        page = new_page(browser)
        sign_in(page, base, "analist", PASSWORD)
        page.goto(f"{base}/analyse/monitor")
        _axe(page, "monitor")
        screenshot(page, "analist-monitor")

        page.select_option("#veld-van", "2026-01")
        page.select_option("#veld-tot", "2026-02")
        page.select_option("#veld-wijk", "Noord")
        page.select_option("#veld-partnertype", "Huur")
        page.click("form.vs-filters button[type=submit]")
        page.wait_for_url("**wijk=Noord**")
        assert "partnertype=Huur" in page.url
        caption = page.locator("#signalen caption").first.inner_text()
        assert "Noord" in caption and "Huur" in caption
        assert page.locator("#signalen svg[role=img]").count() == 1
        _axe(page, "monitor, gefilterd")
        screenshot(page, "analist-monitor-noord-huur")

        with page.expect_download() as download_info:
            page.click("#signalen a[href*='signalen.csv']")
        download = download_info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        text = target.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("maand;signalen;nieuwe episodes")
        assert text.splitlines()[1:] == [
            "2026-01;0;0;0;0;0",
            "2026-02;<10;<10;–;–;–",
        ]  # Dutch decimals
        shutil.copy(target, ARTEFACTS / f"analist-{target.name}")

        page.click("nav.vs-nav a[href='/analyse/huishoudens']")
        page.wait_for_url("**/analyse/huishoudens")
        page.select_option("#veld-terugval", "ja")
        page.click("form.vs-filters button[type=submit]")
        page.wait_for_url("**terugval=ja**")
        _axe(page, "huishoudens")
        screenshot(page, "analist-huishoudens")
        page.click(f"a[href='/analyse/huishoudens/{H4[:12]}']")
        page.wait_for_url(f"**/analyse/huishoudens/{H4[:12]}")
        assert page.locator("h1").inner_text() == f"Huishouden {H4[:12]}"
        assert page.locator("#kop-signalen").count() == 1
        _axe(page, "huishouden")
        screenshot(page, "analist-huishouden")
