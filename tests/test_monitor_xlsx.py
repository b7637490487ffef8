"""The monitor workbook prints sensibly and says the threshold as on the web."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from connectors.exports.monitor_report import write_tables_xlsx
from signals.monitor import build_monitor
from tests.test_monitor_figures import _record


def test_every_sheet_prints_landscape_one_page_wide_with_its_header(tmp_path: Path) -> None:
    tables = build_monitor(_record(), date(2026, 1, 1), date(2026, 3, 31))
    path = write_tables_xlsx(
        tables, 10, tmp_path / "m.xlsx", (date(2026, 1, 1), date(2026, 3, 31)), date(2026, 3, 31)
    )
    book = load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert book["signalen"].print_title_rows == "$1:$1"
    about = book["Toelichting"]
    texts = [str(cell.value) for row in about.iter_rows() for cell in row if cell.value]
    assert any("1 tot en met 9" in text for text in texts)
    assert not any("1 tot 10" in text for text in texts)
    assert all(cell.alignment.wrap_text for row in about.iter_rows() for cell in row)
