"""The monitor read from a small history built through the real night (the Town harness):
known answers, stable closed months, and the report command's files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.monitor import load_monitor_input
from connectors.exports.monitor_report import export_monitor_report
from signals.monitor import build_monitor
from signals.monitor.suppression import TOTAL
from tests.scenario import Town, town_fixture  # noqa: F401

RENT = {"amount": 900.0, "arrears_months": 2.0}


def _history(town: Town) -> None:
    """January: rent arrears of h1 and h3, health insurance of h2. h1 and h3 are reached.
    February: h1 and h3 again (same ids), an eviction request for h3, and h5 — who finished a
    debt trajectory in October — signals: a relapse."""
    town.nazorg("2025-11-20", [("h5", "2025-10-01", "schuldregeling_geslaagd")])
    town.night("2025-11-20")
    town.deliver("zorg", "2026-01-03", [{"household": "h2", "id": "ZV-2", "amount": 400.0}])
    town.night("2026-01-03")
    town.deliver(
        "domesta",
        "2026-01-05",
        [{"household": "h1", "id": "DOM-1", **RENT}, {"household": "h3", "id": "DOM-3", **RENT}],
    )
    town.night("2026-01-05")
    town.record_attempt("h1", "2026-01-09", reached=False, kind="Brief")
    town.record_attempt("h1", "2026-01-14", reached=True)
    town.record_attempt("h3", "2026-01-20", reached=True, kind="Huisbezoek")
    town.close("h1", "2026-01-28", "(Budget)advies en/of quick fix")
    town.deliver(
        "domesta",
        "2026-02-05",
        [
            {"household": "h1", "id": "DOM-1", **RENT},
            {
                "household": "h3",
                "id": "DOM-3",
                **RENT,
                "amount": 1800.0,
                "crisis_kind": "ontruiming",
            },
            {"household": "h5", "id": "DOM-5", **RENT},
        ],
    )
    town.night("2026-02-05")


def _tables(town: Town, as_of: str, start: str = "2026-01-01") -> dict:
    with session_scope(town.res.engine) as session:
        data = load_monitor_input(session, dt.date.fromisoformat(as_of), None)
    return build_monitor(data, dt.date.fromisoformat(start), dt.date.fromisoformat(as_of))


def _total(values: pd.DataFrame, **chosen: str) -> pd.Series:
    keep = pd.Series(True, index=values.index)
    for name in values.columns:
        if name in chosen:
            keep &= values[name] == chosen[name]
        elif values[name].dtype == "string" and name in {
            "partnertype",
            "wijk",
            "soort",
            "status",
            "resultaat",
            "zaaktype",
            "jaar einde",
            "uitkomst",
        }:
            keep &= values[name] == TOTAL
    assert int(keep.sum()) == 1, chosen
    return values[keep].iloc[0]


def test_figures_of_a_small_history(town: Town) -> None:
    _history(town)
    tables = _tables(town, "2026-02-28")
    signals = tables["signalen"].values
    assert _total(signals, maand="2026-01")[["signalen", "nieuwe episodes"]].tolist() == [3, 3]
    # February: DOM-1 and DOM-3 again (no new episode), DOM-5 new.
    assert _total(signals, maand="2026-02")[["signalen", "nieuwe episodes"]].tolist() == [3, 1]

    reach = tables["bereik"].values
    january = _total(reach, maand="2026-01")
    assert (january["zaken"], january["bereikt"], january["contactpogingen"]) == (3, 2, 3)
    # h1: first attempt 4 days after the delivery of 2026-01-05, reached after 9; h3: 15 and 15.
    assert january["mediaan dagen tot eerste bereikt contact"] == pytest.approx(12.0)

    results = tables["resultaten"].values
    assert _total(results, maand="2026-01", resultaat="Hulp geaccepteerd")["zaken"] == 1

    escalations = tables["escalaties"].values
    february = _total(escalations, maand="2026-02", soort="Ontruimingsaanvraag")
    assert (february["escalaties"], february["eerder bereikt"]) == (1, 1)  # h3, reached 20 Jan

    relapse = tables["terugval"].values
    everyone = _total(relapse)
    assert (everyone["trajecten"], everyone["opnieuw gesignaleerd"]) == (1, 1)

    quality = tables["datakwaliteit"].values
    domesta = quality[(quality["partner"] == "domesta") & (quality["maand"] == "2026-02")].iloc[0]
    assert (domesta["bestanden"], domesta["rijen ontvangen"]) == (1, 3)


def test_a_late_file_does_not_change_a_closed_month(town: Town) -> None:
    _history(town)
    before = _tables(town, "2026-02-28")["signalen"].values
    # The energy supplier's January file arrives only in March.
    town.deliver("energie", "2026-01-08", [{"household": "h2", "id": "EN-2", "amount": 300.0}])
    town.night("2026-03-02")
    after = _tables(town, "2026-03-31")["signalen"].values
    for month in ("2026-01", "2026-02"):
        old = before[before["maand"] == month].reset_index(drop=True)
        new = after[after["maand"] == month].reset_index(drop=True)
        merged = old.merge(
            new, on=["maand", "partnertype", "wijk"], how="outer", suffixes=("_o", "_n")
        )
        assert (merged["signalen_o"].fillna(0) == merged["signalen_n"].fillna(0)).all(), month
    assert _total(after, maand="2026-03")["signalen"] == 1  # counted when it arrived
    # Read as it stood on 28 February, the record does not know the late file at all.
    assert _total(_tables(town, "2026-02-28")["signalen"].values, maand=TOTAL)["signalen"] == 6


def test_the_report_writes_a_sheet_per_table_and_the_charts(town: Town, tmp_path: Path) -> None:
    _history(town)
    settings = town.res.settings
    report = export_monitor_report(
        town.res.engine, settings, dt.date(2026, 1, 1), dt.date(2026, 2, 28), tmp_path / "out"
    )
    workbook = load_workbook(report.workbook, read_only=True)
    assert workbook.sheetnames == ["Toelichting", *report.tables]
    sheet = workbook["signalen"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("maand", "partnertype", "wijk", "signalen", "nieuwe episodes")
    # Every count of this small history is below 10: shown as "<10" (zero stays zero).
    counts = {row[3] for row in rows[1:]}
    assert counts <= {"<10", "x", 0}
    workbook.close()
    names = sorted(path.name for path in report.charts)
    assert "terugval.png" in names and "signalen.png" in names
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in report.charts)


def test_the_report_command(town: Town, tmp_path: Path) -> None:
    _history(town)
    with session_scope(town.res.engine) as session:
        run = repo.start_run(session, "nightly", dt.date(2026, 2, 5))
        repo.finish_run(session, run)
    result = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(town.root),
            "report",
            "monitor",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-28",
            "--out",
            str(tmp_path / "raad"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "8 tabellen" in result.output
    assert (tmp_path / "raad" / "monitor_2026-01-01_2026-02-28.xlsx").is_file()
    assert len(list((tmp_path / "raad" / "monitor_2026-01-01_2026-02-28").glob("*.png"))) == 9


@pytest.mark.postgres
def test_figures_of_a_small_history_on_postgresql(
    town: Town, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.resources import _resources

    monkeypatch.setenv("VS_DATABASE_URL", postgres_url)
    _resources.cache_clear()
    try:
        assert town.res.engine.dialect.name == "postgresql"
        test_figures_of_a_small_history(town)
        _late_file_leaves_february(town)
    finally:
        town.res.engine.dispose()
        _resources.cache_clear()


def _late_file_leaves_february(town: Town) -> None:
    """On a history already built: a late January file, read as of February, changes nothing."""
    before = _tables(town, "2026-02-28")["signalen"].values
    town.deliver("energie", "2026-01-08", [{"household": "h2", "id": "EN-2", "amount": 300.0}])
    town.night("2026-03-02")
    after = _tables(town, "2026-02-28")["signalen"].values
    assert before.equals(after)
    assert _total(_tables(town, "2026-03-31")["signalen"].values, maand="2026-03")["signalen"] == 1
