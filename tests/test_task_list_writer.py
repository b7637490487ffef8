"""The task-list writers at the cell level: text stays text, numbers and dates stay typed,
the layout (validations, print settings) is in the file, and chunking changes nothing."""

from __future__ import annotations

import csv
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from connectors.exports import columns as col
from connectors.exports import task_list as tl
from connectors.exports.columns import safe_text, safe_text_column
from tests.test_task_list_export import AS_OF, make_addresses, make_tasks

HOSTILE = [
    '=HYPERLINK("http://example.invalid","klik")',
    "+31 6 1234",
    "-Oost",
    "@SUM(A1)",
    "\tTab",
    "<r><t>x</t></r>",  # the shape of XlsxWriter's own rich-text markup
    "a & b <c> \"d\" 'e'",
    "  spaties rondom  ",
    "bel\x01 niet",  # a control character XML cannot hold
]


def _noord(tmp_path: Path, tasks: pd.DataFrame | None = None) -> tuple[Path, Path]:
    csv_path, xlsx_path = tl.write_task_lists(
        make_tasks() if tasks is None else tasks, make_addresses(), tmp_path, "Noord", as_of=AS_OF
    )
    return csv_path, xlsx_path


def _column(sheet: Worksheet, name: str) -> list[object]:
    header = [cell.value for cell in sheet[1]]
    index = header.index(name)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_an_inline_string_in_xlsx_and_safe_in_csv(
    tmp_path: Path, text: str
) -> None:
    tasks = make_tasks()
    tasks["wijk"] = text
    csv_path, xlsx_path = _noord(tmp_path, tasks)

    sheet = load_workbook(xlsx_path)["Taken"]
    cells = _column(sheet, col.WIJK)
    expected = safe_text(text.replace("\x01", "_x0001_"))
    assert [cell.data_type for cell in cells] == ["s", "s"]
    assert [cell.value for cell in cells] == [expected, expected]
    with zipfile.ZipFile(xlsx_path) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and 't="str"' not in xml  # no formula cell anywhere
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [row[col.WIJK] for row in rows] == [safe_text(text)] * 2


def test_numbers_and_dates_are_typed_cells(tmp_path: Path) -> None:
    tasks = make_tasks()
    tasks["team_rank"] = tasks["task_id"].map({"T-1": 1, "T-2": 2, "T-3": 1, "T-9": 3})
    sheet = load_workbook(_noord(tmp_path, tasks)[1])["Taken"]

    rank, due, amount, number = (
        _column(sheet, name) for name in (col.RANK, col.DUE, col.AMOUNT, col.HOUSE_NUMBER)
    )
    assert [(c.data_type, c.value) for c in rank] == [("n", 1), ("n", 2)]
    assert [c.value for c in due] == [datetime(2026, 11, 19), datetime(2026, 11, 30)]
    assert all(c.is_date and c.number_format == tl.DATE_FORMAT_XLSX for c in due)
    assert [c.value for c in amount] == [pytest.approx(80.0), pytest.approx(1234.5)]
    assert all(c.number_format == tl.EURO_FORMAT_XLSX for c in amount)
    assert [c.value for c in number] == [16, 3]
    # Empty cells stay empty but keep their column's style (the fill-in colour).
    result = _column(sheet, col.RESULT_COLUMN)
    assert [c.value for c in result] == [None, None]
    assert {c.fill.fgColor.rgb[-6:] for c in result} == {"FFF2CC"}


def test_validations_print_settings_and_layout_are_in_the_file(tmp_path: Path) -> None:
    workbook = load_workbook(_noord(tmp_path)[1])
    sheet = workbook["Taken"]

    assert workbook.sheetnames == [col.TASK_SHEET, col.CHOICE_SHEET]
    assert workbook[col.CHOICE_SHEET].sheet_state == "hidden"
    kinds = sorted(v.type for v in sheet.data_validations.dataValidation)
    assert kinds == ["date", "list", "list", "list", "list"]
    assert all(v.showErrorMessage and v.allow_blank for v in sheet.data_validations.dataValidation)
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:AK3"
    assert sheet.print_area == "'Taken'!$A$1:$I$3"  # the printed columns only
    assert sheet.print_title_rows == "$1:$1"
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9)
    assert 40 <= int(setup.scale) <= 100
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.4, 0.4, 0.9, 0.9)
    assert (margins.header, margins.footer) == (0.3, 0.3)
    assert sheet.oddHeader.center.text == "Takenlijst Noord — 16-11-2026"
    assert sheet.oddFooter.center.text == "Pagina &P van &N"
    assert sheet.oddFooter.right.text == "Vertrouwelijk: alleen voor het eigen team"
    assert not sheet.print_options.gridLines
    assert sheet.row_dimensions[1].height == tl.HEADER_HEIGHT
    # Row 2 holds "Huisbezoek, samen met Domesta" in a 13-wide wrapped column: three lines.
    assert sheet.row_dimensions[2].height == 3 * tl.ROW_HEIGHT
    assert all(cell.font.bold for cell in sheet[1])


def test_an_ampersand_in_the_team_name_is_escaped_in_the_page_header(tmp_path: Path) -> None:
    paths = tl.write_task_lists(
        make_tasks(), make_addresses(), tmp_path, "Jongeren & Co", as_of=AS_OF
    )
    sheet = load_workbook(paths[1])["Taken"]
    # "&&" prints one "&"; a bare "&" would start a header code.
    assert sheet.oddHeader.center.text == "Takenlijst Jongeren && Co — 16-11-2026"


def test_rows_written_in_chunks_equal_rows_written_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = make_tasks()
    base = base[base["team"] == "Noord"].iloc[[0]]
    tasks = pd.concat([base] * 7, ignore_index=True)
    tasks["task_id"] = [f"T-{i}" for i in range(7)]
    tasks["household_key"] = "h1"
    tasks["team_rank"] = pd.array(range(1, 8), dtype="Int64")
    tasks.loc[5, "wijk"] = "=1+1"
    whole_csv, whole_xlsx = _noord(tmp_path / "heel", tasks)
    monkeypatch.setattr(tl, "CHUNK_ROWS", 3)
    part_csv, part_xlsx = _noord(tmp_path / "delen", tasks)

    assert part_csv.read_bytes() == whole_csv.read_bytes()
    assert part_csv.read_bytes().count(b"Taak-ID") == 1  # one header
    whole, part = (
        [[c.value for c in row] for row in load_workbook(path)["Taken"].iter_rows()]
        for path in (whole_xlsx, part_xlsx)
    )
    assert part == whole
    assert [row[9] for row in part[1:]] == [f"T-{i}" for i in range(7)]


def test_an_empty_list_still_has_its_header_and_layout(tmp_path: Path) -> None:
    frame = tl.task_list_frame(make_tasks(), make_addresses()).iloc[0:0]
    path = tl.write_task_list_xlsx(frame, tmp_path / "leeg.xlsx")
    sheet = load_workbook(path)["Taken"]
    assert [c.value for c in sheet[1]] == list(frame.columns)
    assert sheet.max_row == 1
    assert len(sheet.data_validations.dataValidation) == 5


def test_a_list_longer_than_a_sheet_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = tl.task_list_frame(make_tasks(), make_addresses())
    monkeypatch.setattr(tl, "XLSX_MAX_ROWS", len(frame))
    with pytest.raises(ValueError, match="split the team"):
        tl.write_task_list_xlsx(frame, Path("niet-geschreven.xlsx"))
    assert not Path("niet-geschreven.xlsx").exists()


@given(st.lists(st.one_of(st.none(), st.text(max_size=8), st.sampled_from(HOSTILE)), max_size=20))
def test_safe_text_column_is_safe_text_on_every_value(values: list[str | None]) -> None:
    for dtype in ("string", object):
        column = pd.Series(values, dtype=dtype)
        expected = [None if pd.isna(v) else safe_text(v) for v in column]
        got = [None if pd.isna(v) else v for v in safe_text_column(column)]
        assert got == expected


def test_safe_text_column_leaves_numbers_alone() -> None:
    numbers = pd.Series([1, -2, None], dtype="Int64")
    assert safe_text_column(numbers) is numbers
    mixed = pd.Series(["-3", -3, None], dtype=object)
    assert safe_text_column(mixed).tolist() == ["'-3", -3, None]
