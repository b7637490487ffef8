"""Task lists per team: CSV for Dutch Excel, XLSX with DDAS drop-down lists."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from connectors.exports import columns as col
from connectors.exports.task_list import task_list_frame, write_task_lists
from signals import ddas
from signals.schema import TASK_SCHEMA, conform

AS_OF = date(2026, 11, 16)
REQUIRED_ORDER = [
    "prioriteit",
    "taak_id",
    "team",
    "contactsoort",
    "uiterlijk",
    "postcode",
    "huisnummer",
    "toevoeging",
    "wijk",
    "signaalpartners",
    "totaal_achterstand",
    "reden",
    "suggesties",
    "ingepland_week",
    "boven_capaciteit",
]


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
    assert [row["taak_id"] for row in sheet_rows(noord)] == ["T-1", "T-2"]  # T-9 is finished


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
    assert [name for name in header if name.startswith("poging_")] == list(col.ATTEMPT_COLUMNS)
    assert "resultaat" in header
    first, second = rows
    assert first["taak_id"] == "T-1"
    assert first["uiterlijk"] == "19-11-2026"
    assert first["postcode"] == "7906 KL"
    assert first["toevoeging"] == "B"
    assert first["boven_capaciteit"] == "ja"
    assert first["samen_met"] == "Domesta"
    assert second["boven_capaciteit"] == "nee"
    assert second["totaal_achterstand"] == "1234,50"
    assert all(first[name] == "" for name in col.FILL_IN_COLUMNS)


def test_xlsx_has_real_dates_styled_frozen_header_and_widths(tmp_path: Path) -> None:
    xlsx_path = write_task_lists(make_tasks(), make_addresses(), tmp_path, "Noord", as_of=AS_OF)[1]

    workbook = load_workbook(xlsx_path)
    sheet = workbook["Taken"]
    header = [cell.value for cell in sheet[1]]
    assert header[: len(REQUIRED_ORDER)] == REQUIRED_ORDER
    assert sheet.freeze_panes == "C2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["L"].width > 10  # reden
    rows = sheet_rows(sheet)
    assert rows[0]["uiterlijk"] == datetime(2026, 11, 19)
    assert rows[0]["postcode"] == "7906 KL"
    assert rows[1]["totaal_achterstand"] == pytest.approx(1234.5)
    due_cell = sheet.cell(row=2, column=header.index("uiterlijk") + 1)
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
        ("poging_1_soort", ddas.CONTACT_KINDS),
        ("poging_3_soort", ddas.CONTACT_KINDS),
        ("poging_2_dagdeel", ddas.PARTS_OF_DAY),
        ("poging_1_bereikt", ("ja", "nee")),
        ("resultaat", ddas.RESULTS),
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
    for name in ("poging_1_datum", "poging_2_datum", "poging_3_datum", "resultaat_datum"):
        letter = sheet.cell(row=1, column=header.index(name) + 1).column_letter
        (validation,) = _validation_for(sheet, f"{letter}2")
        assert validation.type == "date"
        assert sheet[f"{letter}2"].number_format == "DD-MM-YYYY"
    letter = sheet.cell(row=1, column=header.index("taak_id") + 1).column_letter
    assert _validation_for(sheet, f"{letter}2") == []


def test_task_without_address_is_refused_naming_the_task_not_an_address() -> None:
    addresses = make_addresses()
    addresses = addresses[addresses["household_key"] != "h2"]

    with pytest.raises(ValueError, match="T-2") as raised:
        task_list_frame(make_tasks(), addresses)
    assert "7908" not in str(raised.value)


def test_frame_is_in_the_order_of_the_work_week_due_date_then_priority() -> None:
    frame = task_list_frame(make_tasks(), make_addresses())
    assert frame["taak_id"].tolist() == ["T-1", "T-3", "T-2"]  # one week: by due date

    later = make_tasks()
    later.loc[later["task_id"] == "T-1", "planned_week"] = "2026-W49"  # spilled over
    later.loc[later["task_id"] == "T-3", "due_date"] = pd.Timestamp("2026-11-30")  # tie with T-2
    frame = task_list_frame(later, make_addresses())
    assert frame["taak_id"].tolist() == ["T-3", "T-2", "T-1"]  # tie broken by priority
    assert list(frame.columns[: len(REQUIRED_ORDER)]) == REQUIRED_ORDER
