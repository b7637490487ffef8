"""The analysts' pages in a real browser (Debian's Chromium through Playwright): sign in,
filter the monitor by wijk and partner type, open a household from the explorer, download a
table; screenshots kept as artefacts; axe-core finds no serious or critical violation."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.analyst.conftest import H4, PASSWORD, AnalystTown
from tests.conftest import ROOT, require

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("VS_TEST_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "webapp" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
#: Screenshots of the run, kept for whoever reviews it (also in CI artefacts).
ARTEFACTS = ROOT / "var" / "test-artefacts" / "analyst"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_app(analyst_town: AnalystTown) -> Iterator[str]:
    """The app on a real HTTP port (uvicorn in a thread), on the analysts' small town."""
    require(Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None, "no Chromium")
    require(AXE.is_file(), "axe-core is not installed (make install)")
    import uvicorn

    from webapp.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(analyst_town.settings()), "127.0.0.1", port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    serious = [v for v in found if v.get("impact") in ("serious", "critical")]
    assert not serious, f"{where}: " + json.dumps(
        [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in serious],
        ensure_ascii=False,
    )


def test_an_analyst_filters_opens_a_household_and_downloads(live_app: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # axe is injected as a script of its own; the app's CSP rightly refuses that.
        context = browser.new_context(bypass_csp=True, accept_downloads=True, locale="nl-NL")
        page = context.new_page()
        page.goto(f"{live_app}/analyse/monitor")
        page.fill("#veld-gebruikersnaam", "analist")
        page.fill("#veld-wachtwoord", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/analyse/monitor")
        _axe(page, "monitor")
        page.screenshot(path=str(ARTEFACTS / "monitor.png"), full_page=True)

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
        page.screenshot(path=str(ARTEFACTS / "monitor-noord-huur.png"), full_page=True)

        with page.expect_download() as download_info:
            page.click("#signalen a[href*='signalen.csv']")
        download = download_info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        text = target.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("maand;signalen;nieuwe episodes")
        shutil.copy(target, ARTEFACTS / target.name)

        page.click("nav.vs-nav a[href='/analyse/huishoudens']")
        page.wait_for_url("**/analyse/huishoudens")
        page.select_option("#veld-terugval", "ja")
        page.click("form.vs-filters button[type=submit]")
        page.wait_for_url("**terugval=ja**")
        _axe(page, "huishoudens")
        page.screenshot(path=str(ARTEFACTS / "huishoudens.png"), full_page=True)
        page.click(f"a[href='/analyse/huishoudens/{H4[:12]}']")
        page.wait_for_url(f"**/analyse/huishoudens/{H4[:12]}")
        assert page.locator("h1").inner_text() == f"Huishouden {H4[:12]}"
        assert page.locator("#kop-signalen").count() == 1
        _axe(page, "huishouden")
        page.screenshot(path=str(ARTEFACTS / "huishouden.png"), full_page=True)
        context.close()
        browser.close()
