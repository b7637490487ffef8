"""Task lists per team: CSV for Dutch Excel, XLSX with DDAS drop-down lists."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from connectors.exports import columns as col
from connectors.exports.task_list import task_list_frame, write_task_lists
from signals import ddas
from signals.schema import TASK_SCHEMA, conform

AS_OF = date(2026, 11, 16)
REQUIRED_ORDER = list(col.TASK_COLUMNS)


def make_tasks() -> pd.DataFrame:
    base = {
        "contact_kind": "Huisbezoek",
        "planned_week": "2026-W47",
        "reason_nl": "Meervoudig signaal",
        "suggestions": "Voorzieningenwijzer; Schuldhulpmaatje",
        "signal_partners": "domesta, zorg",
        "wijk": "Centrum",
        "status": "open",
        "created_on": pd.Timestamp(AS_OF),
    }
    rows = [
        {**base, "task_id": "T-2", "case_id": "C-2", "household_key": "h2", "team": "Noord",
         "priority": 2, "due_date": pd.Timestamp("2026-11-30"), "over_capacity": False,
         "total_amount": 1234.5},
        {**base, "task_id": "T-1", "case_id": "C-1", "household_key": "h1", "team": "Noord",
         "priority": 1, "due_date": pd.Timestamp("2026-11-19"), "over_capacity": True,
         "total_amount": 80.0, "joint_with": "Domesta"},
        {**base, "task_id": "T-3", "case_id": "C-3", "household_key": "h3",
         "team": "Jongeren & Co", "priority": 1, "due_date": pd.Timestamp("2026-11-25"),
         "over_capacity": False, "total_amount": 300.0},
        {**base, "task_id": "T-9", "case_id": "C-9", "household_key": "h1", "team": "Noord",
         "priority": 1, "due_date": pd.Timestamp("2026-11-01"), "over_capacity": False,
         "total_amount": 10.0, "status": "afgerond"},
    ]  # fmt: skip
    return conform(pd.DataFrame(rows), TASK_SCHEMA)


def make_addresses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_key": ["h1", "h2", "h3"],
            "postcode": ["7906KL", "7908RT", "7901AB"],
            "huisnummer": pd.array([16, 3, 12], dtype="Int64"),
            "toevoeging": ["B", "", "A"],
        }
    ).astype({"household_key": "string", "postcode": "string", "toevoeging": "string"})


def sheet_rows(sheet: Worksheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(v) for v in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_one_csv_and_one_xlsx_per_team_with_open_tasks_only(tmp_path: Path) -> None:
    paths = write_task_lists(make_tasks(), make_addresses(), tmp_path, as_of=AS_OF)

    assert [p.name for p in paths] == [
        "takenlijst_jongeren-co_2026-11-16.csv",
        "takenlijst_jongeren-co_2026-11-16.xlsx",
        "takenlijst_noord_2026-11-16.csv",
        "takenlijst_noord_2026-11-16.xlsx",
    ]
    noord = load_workbook(paths[3])["Taken"]
    assert [row["Taak-ID"] for row in sheet_rows(noord)] == ["T-1", "T-2"]  # T-9 is finished


def test_team_filter_writes_only_that_team(tmp_path: Path) -> None:
    paths = write_task_lists(make_tasks(), make_addresses(), tmp_path, "Jongeren & Co", as_of=AS_OF)

    assert len(paths) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    assert all("jongeren-co" in p.name for p in paths)


def test_csv_opens_in_dutch_excel(tmp_path: Path) -> None:
    csv_path = write_task_lists(make_tasks(), make_addresses(), tmp_path, "Noord", as_of=AS_OF)[0]

    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    header = list(rows[0].keys())
    assert header[: len(REQUIRED_ORDER)] == REQUIRED_ORDER
    assert [name for name in header if name.startswith("Poging ")] == list(col.ATTEMPT_COLUMNS)
    assert "Resultaat" in header
    first, second = rows
    assert first["Taak-ID"] == "T-1"
    assert first["Uiterlijk"] == "19-11-2026"
    assert first["Postcode"] == "7906 KL"
    assert first[col.SUFFIX] == "B"
    assert first[col.OVER_CAPACITY] == "ja"
    assert first[col.JOINT_WITH] == "Domesta"
    assert second[col.OVER_CAPACITY] == "nee"
    assert second[col.AMOUNT] == "1234,50"
    assert all(first[name] == "" for name in col.FILL_IN_COLUMNS)


def test_xlsx_has_real_dates_styled_frozen_header_and_widths(tmp_path: Path) -> None:
    xlsx_path = write_task_lists(make_tasks(), make_addresses(), tmp_path, "Noord", as_of=AS_OF)[1]

    workbook = load_workbook(xlsx_path)
    sheet = workbook["Taken"]
    header = [cell.value for cell in sheet[1]]
    assert header[: len(REQUIRED_ORDER)] == REQUIRED_ORDER
    assert sheet.freeze_panes == "C2"
    assert all(cell.font.bold for cell in sheet[1])
    reason = get_column_letter(header.index(col.REASON) + 1)
    assert sheet.column_dimensions[reason].width == col.PRINT_WIDTHS[col.REASON]  # it wraps
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"  # the header repeats on every printed page
    rows = sheet_rows(sheet)
    assert rows[0]["Uiterlijk"] == datetime(2026, 11, 19)
    assert rows[0]["Postcode"] == "7906 KL"
    assert rows[1][col.AMOUNT] == pytest.approx(1234.5)
    due_cell = sheet.cell(row=2, column=header.index("Uiterlijk") + 1)
    assert due_cell.is_date
    assert workbook[col.CHOICE_SHEET].sheet_state == "hidden"


def _validation_for(sheet: Worksheet, cell: str) -> list[DataValidation]:
    return [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]


def _range_values(workbook: object, formula: str) -> list[object]:
    sheet_name, cells = formula.split("!")
    sheet = workbook[sheet_name.strip("'")]  # type: ignore[index]
    return [cells_row[0].value for cells_row in sheet[cells.replace("$", "")]]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("Poging 1 soort", ddas.CONTACT_KINDS),
        ("Poging 3 soort", ddas.CONTACT_KINDS),
        ("Poging 2 dagdeel", ddas.PARTS_OF_DAY),
        ("Poging 1 bereikt", ("ja", "nee")),
        ("Resultaat", ddas.RESULTS),
    ],
)
def test_drop_down_lists_point_at_the_ddas_enumerations(
    tmp_path: Path, column: str, expected: tuple[str, ...]
) -> None:
    xlsx_path = write_task_lists(make_tasks(), make_addresses(), tmp_path, "Noord", as_of=AS_OF)[1]

    workbook = load_workbook(xlsx_path)
    sheet = workbook["Taken"]
    letter = sheet.cell(row=1, column=[c.value for c in sheet[1]].index(column) + 1).column_letter
    for row in (2, 3):
        (validation,) = _validation_for(sheet, f"{letter}{row}")
        assert validation.type == "list"
        assert validation.formula1.split("!")[0].strip("'") == col.CHOICE_SHEET
        assert tuple(_range_values(workbook, validation.formula1)) == tuple(expected)
    assert len(",".join(ddas.RESULTS)) > 255  # why the lists live on a hidden sheet


def test_date_columns_have_date_validation(tmp_path: Path) -> None:
    xlsx_path = write_task_lists(make_tasks(), make_addresses(), tmp_path, "Noord", as_of=AS_OF)[1]

    sheet = load_workbook(xlsx_path)["Taken"]
    header = [c.value for c in sheet[1]]
    for name in ("Poging 1 datum", "Poging 2 datum", "Poging 3 datum", "Resultaat datum"):
        letter = sheet.cell(row=1, column=header.index(name) + 1).column_letter
        (validation,) = _validation_for(sheet, f"{letter}2")
        assert validation.type == "date"
        assert sheet[f"{letter}2"].number_format == "DD-MM-YYYY"
    letter = sheet.cell(row=1, column=header.index("Taak-ID") + 1).column_letter
    assert _validation_for(sheet, f"{letter}2") == []


def test_task_without_address_is_refused_naming_the_task_not_an_address() -> None:
    addresses = make_addresses()
    addresses = addresses[addresses["household_key"] != "h2"]

    with pytest.raises(ValueError, match="T-2") as raised:
        task_list_frame(make_tasks(), addresses)
    assert "7908" not in str(raised.value)


def test_frame_is_in_the_teams_work_order() -> None:
    tasks = make_tasks()
    tasks["team_rank"] = tasks["task_id"].map({"T-1": 2, "T-2": 1, "T-3": 1, "T-9": 3})
    frame = task_list_frame(tasks, make_addresses())
    # Per team in its own order: the team's number 1 first.
    assert frame["Taak-ID"].tolist() == ["T-3", "T-2", "T-1"]
    assert frame[col.RANK].tolist() == [1, 1, 2]
    assert list(frame.columns[: len(REQUIRED_ORDER)]) == REQUIRED_ORDER


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    tasks = make_tasks()
    tasks["wijk"] = '=HYPERLINK("http://example.invalid","klik")'
    csv_path, xlsx_path = write_task_lists(tasks, make_addresses(), tmp_path, "Noord", as_of=AS_OF)
    sheet = load_workbook(xlsx_path)["Taken"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index(col.WIJK) + 1)
    # Text, and text still when a worker edits the cell in Excel (the leading apostrophe).
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.DictReader(handle, delimiter=";"))
    assert first[col.WIJK].startswith("'=")
