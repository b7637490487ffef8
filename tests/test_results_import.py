"""Filled-in task lists come back: all-or-nothing import of contact attempts and results."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from connectors.exports.results_import import (
    CASE_RESULT_SCHEMA,
    ImportRejected,
    import_task_list,
)
from connectors.exports.task_list import write_task_lists
from signals.schema import CONTACT_ATTEMPT_SCHEMA, TASK_SCHEMA, conform

AS_OF = date(2026, 11, 16)
TODAY = date(2026, 11, 27)


def make_tasks() -> pd.DataFrame:
    rows = [
        {"task_id": f"T-{n}", "case_id": f"C-{n}", "household_key": f"h{n}", "team": "Noord",
         "contact_kind": "Huisbezoek", "priority": n, "due_date": pd.Timestamp("2026-11-30"),
         "status": "open", "over_capacity": False, "total_amount": 100.0 * n,
         "wijk": "Centrum"}
        for n in (1, 2, 3)
    ]  # fmt: skip
    return conform(pd.DataFrame(rows), TASK_SCHEMA)


def make_addresses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_key": ["h1", "h2", "h3"],
            "postcode": ["7906KL", "7908RT", "7901AB"],
            "huisnummer": pd.array([16, 3, 12], dtype="Int64"),
            "toevoeging": ["B", "", ""],
        }
    )


def exported(tmp_path: Path, suffix: str) -> Path:
    paths = write_task_lists(make_tasks(), make_addresses(), tmp_path, as_of=AS_OF)
    return next(p for p in paths if p.suffix == suffix)


def fill_xlsx(path: Path, cells: Mapping[str, Mapping[str, object]]) -> Path:
    """Fill cells as a worker would: {taak_id: {column: value}}."""
    workbook = load_workbook(path)
    sheet = workbook["Taken"]
    header = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        task_id = sheet.cell(row=row, column=header.index("Taak-ID") + 1).value
        for column, value in cells.get(str(task_id), {}).items():
            sheet.cell(row=row, column=header.index(column) + 1, value=value)
    workbook.save(path)
    return path


def row_of(path: Path, task_id: str) -> int:
    sheet = load_workbook(path)["Taken"]
    header = [c.value for c in sheet[1]]
    column = header.index("Taak-ID") + 1
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == task_id)


VALID: dict[str, dict[str, object]] = {
    "T-1": {
        "Poging 1 soort": "Brief",
        "Poging 1 datum": datetime(2026, 11, 17),
        "Poging 1 dagdeel": "Ochtend",
        "Poging 1 bereikt": "nee",
        "Poging 2 soort": "Huisbezoek",
        "Poging 2 datum": datetime(2026, 11, 20),
        "Poging 2 dagdeel": "Avond",
        "Poging 2 bereikt": "ja",
        "Resultaat": "Vervolghulp en/of verwijzing financieel",
        "Resultaat datum": datetime(2026, 11, 24),
    },
    "T-3": {
        "Poging 1 soort": "Telefoon",
        "Poging 1 datum": datetime(2026, 11, 18),
    },
}


def test_xlsx_round_trip_gives_attempts_and_results(tmp_path: Path) -> None:
    path = fill_xlsx(exported(tmp_path, ".xlsx"), VALID)

    result = import_task_list(path, make_tasks(), TODAY)

    attempts = result.attempts
    assert list(attempts.columns) == list(CONTACT_ATTEMPT_SCHEMA)
    assert dict(attempts.dtypes.astype(str)) == {
        k: str(v) for k, v in CONTACT_ATTEMPT_SCHEMA.items()
    }
    assert attempts["task_id"].tolist() == ["T-1", "T-1", "T-3"]
    assert attempts["case_id"].tolist() == ["C-1", "C-1", "C-3"]
    assert attempts["contact_kind"].tolist() == ["Brief", "Huisbezoek", "Telefoon"]
    assert attempts["attempt_date"].tolist() == [
        pd.Timestamp("2026-11-17"),
        pd.Timestamp("2026-11-20"),
        pd.Timestamp("2026-11-18"),
    ]
    assert attempts["part_of_day"].tolist()[:2] == ["Ochtend", "Avond"]
    assert attempts["part_of_day"].isna().tolist() == [False, False, True]
    assert attempts["reached"].tolist()[:2] == [False, True]
    assert pd.isna(attempts["reached"].iloc[2])
    results = result.results
    assert list(results.columns) == list(CASE_RESULT_SCHEMA)
    assert results.to_dict("records") == [
        {
            "case_id": "C-1",
            "task_id": "T-1",
            "result": "Vervolghulp en/of verwijzing financieel",
            "result_date": pd.Timestamp("2026-11-24"),
        }
    ]


def test_untouched_list_imports_nothing(tmp_path: Path) -> None:
    result = import_task_list(exported(tmp_path, ".xlsx"), make_tasks(), TODAY)

    assert result.attempts.empty
    assert result.results.empty


def test_result_without_date_is_dated_on_the_import_day(tmp_path: Path) -> None:
    path = fill_xlsx(exported(tmp_path, ".xlsx"), {"T-2": {"Resultaat": "Inwoner is overleden"}})

    results = import_task_list(path, make_tasks(), TODAY).results

    assert results["result_date"].tolist() == [pd.Timestamp(TODAY)]
    assert results["case_id"].tolist() == ["C-2"]


def test_invalid_result_rejects_the_whole_sheet_with_its_row(tmp_path: Path) -> None:
    cells: dict[str, dict[str, object]] = {**VALID, "T-2": {"Resultaat": "Geholpen"}}
    path = fill_xlsx(exported(tmp_path, ".xlsx"), cells)

    with pytest.raises(ImportRejected) as raised:
        import_task_list(path, make_tasks(), TODAY)

    (error,) = raised.value.errors
    assert (error.sheet, error.row, error.column) == ("Taken", row_of(path, "T-2"), "Resultaat")
    assert "EnumEindresultaat" in error.message_en
    assert error.message_nl and error.message_nl != error.message_en


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"Poging 1 soort": "Brief", "Poging 1 datum": "31-02-2026"}, "Poging 1 datum"),
        ({"Poging 1 soort": "Brief", "Poging 1 datum": "gisteren"}, "Poging 1 datum"),
        ({"Poging 1 soort": "Brief", "Poging 1 datum": datetime(2026, 12, 1)}, "Poging 1 datum"),
        ({"Poging 2 datum": datetime(2026, 11, 20), "Poging 2 bereikt": "ja"}, "Poging 2 soort"),
        ({"Poging 1 soort": "Brief"}, "Poging 1 datum"),
        ({"Poging 1 soort": "Duif", "Poging 1 datum": "20-11-2026"}, "Poging 1 soort"),
        ({"Poging 1 soort": "Brief", "Poging 1 datum": "20-11-2026", "Poging 1 dagdeel": "Nacht"},
         "Poging 1 dagdeel"),
        ({"Poging 1 soort": "Brief", "Poging 1 datum": "20-11-2026",
          "Poging 1 bereikt": "misschien"}, "Poging 1 bereikt"),
        ({"Resultaat datum": datetime(2026, 11, 20)}, "Resultaat"),
    ],
)  # fmt: skip
def test_invalid_cells_are_rejected_and_nothing_is_imported(
    tmp_path: Path, cells: dict[str, object], column: str
) -> None:
    path = fill_xlsx(exported(tmp_path, ".xlsx"), {**VALID, "T-2": cells})

    with pytest.raises(ImportRejected) as raised:
        import_task_list(path, make_tasks(), TODAY)

    assert [(e.row, e.column) for e in raised.value.errors] == [(row_of(path, "T-2"), column)]


def test_unknown_task_id_is_rejected(tmp_path: Path) -> None:
    path = fill_xlsx(exported(tmp_path, ".xlsx"), VALID)
    known = make_tasks()
    known = known[known["task_id"] != "T-3"]

    with pytest.raises(ImportRejected) as raised:
        import_task_list(path, known, TODAY)

    assert [(e.row, e.column) for e in raised.value.errors] == [(row_of(path, "T-3"), "Taak-ID")]


def test_every_error_is_reported_at_once_without_quoting_cell_content(tmp_path: Path) -> None:
    cells = {
        "T-1": {"Poging 1 soort": "7906 KL 16", "Poging 1 datum": "20-11-2026"},
        "T-2": {"Resultaat": "Geholpen"},
    }
    path = fill_xlsx(exported(tmp_path, ".xlsx"), cells)

    with pytest.raises(ImportRejected) as raised:
        import_task_list(path, make_tasks(), TODAY)

    assert len(raised.value.errors) == 2
    text = str(raised.value) + " ".join(e.message_nl + e.message_en for e in raised.value.errors)
    assert "7906" not in text
    assert "Geholpen" not in text


def test_csv_round_trip(tmp_path: Path) -> None:
    path = exported(tmp_path, ".csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    rows[0].update({"Poging 1 soort": "Telefoon", "Poging 1 datum": "20-11-2026",
                    "Poging 1 dagdeel": "Middag", "Poging 1 bereikt": "Ja",
                    "Resultaat": "Geen reactie na eerder contact",
                    "Resultaat datum": "2026-11-25"})  # fmt: skip
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)

    result = import_task_list(path, make_tasks(), TODAY)

    assert result.attempts[["task_id", "contact_kind", "part_of_day"]].values.tolist() == [
        ["T-1", "Telefoon", "Middag"]
    ]
    assert result.attempts["reached"].tolist() == [True]
    assert result.results["result_date"].tolist() == [pd.Timestamp("2026-11-25")]


def test_csv_error_names_the_line(tmp_path: Path) -> None:
    path = exported(tmp_path, ".csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2] + "morgen"  # into resultaat_datum, the last column, of the second task
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    with pytest.raises(ImportRejected) as raised:
        import_task_list(path, make_tasks(), TODAY)

    (error,) = raised.value.errors
    assert (error.sheet, error.row) == (path.name, 3)


def test_a_file_that_is_not_a_task_list_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "iets.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")

    with pytest.raises(ImportRejected) as raised:
        import_task_list(path, make_tasks(), TODAY)

    assert raised.value.errors[0].column == "Taak-ID"


def test_csv_saved_by_excel_as_windows_1252_is_read(tmp_path: Path) -> None:
    path = exported(tmp_path, ".csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1][:-1] + "(Budget)advies en/of quick fix;"  # into resultaat
    text = "\n".join(lines) + "\n"
    path.write_bytes(text.replace("Centrum", "Centrum é").encode("cp1252"))

    results = import_task_list(path, make_tasks(), TODAY).results

    assert results["task_id"].tolist() == ["T-1"]
    assert results["result"].tolist() == ["(Budget)advies en/of quick fix"]
