"""Read a filled-in task list (XLSX or CSV) back: contact attempts and case results.

All or nothing: every filled cell is checked, and one bad cell rejects the whole file with a
list of cell errors (sheet, row, column, Dutch and English message). Messages never quote a
cell's content, so an address typed into the wrong column cannot leak into logs. The caller
stores the returned frames in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from connectors.exports import columns as col
from signals import ddas
from signals.schema import CONTACT_ATTEMPT_SCHEMA, DATE, STRING, conform

#: The result of a case as recorded on the task list.
CASE_RESULT_SCHEMA: dict[str, str] = {
    "case_id": STRING,
    "task_id": STRING,
    "result": STRING,  # DDAS EnumEindresultaat
    "result_date": DATE,
}

_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class CellError:
    """One refused cell. ``row`` is the sheet row (XLSX) or line (CSV); the header is row 1."""

    sheet: str
    row: int
    column: str
    message_nl: str
    message_en: str


class ImportRejected(Exception):  # noqa: N818 - the name the callers agreed on
    """The task list was refused as a whole; ``errors`` says where and why."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__(f"task list rejected: {len(errors)} invalid cell(s)")


@dataclass(frozen=True)
class ImportResult:
    attempts: pd.DataFrame  # CONTACT_ATTEMPT_SCHEMA
    results: pd.DataFrame  # CASE_RESULT_SCHEMA
    team: str | None = None  # the team whose list it is (every task must be that team's)


@dataclass(frozen=True)
class _Row:
    sheet: str
    number: int
    cells: Mapping[str, object]


def import_task_list(path: Path, tasks: pd.DataFrame, today: date) -> ImportResult:
    """Read a filled-in task list; ``tasks`` (task_id, case_id) are the tasks it may name.

    Dates after ``today`` are refused; an empty ``resultaat_datum`` becomes ``today``.
    """
    rows = list(_read_rows(path))
    return _parse_rows(rows, _case_by_task(tasks), today, _team_by_task(tasks))


def _parse_rows(
    rows: list[_Row],
    case_by_task: Mapping[str, str],
    today: date,
    team_by_task: Mapping[str, str] | None = None,
) -> ImportResult:
    errors: list[CellError] = []
    teams = {str(t).strip() for row in rows if _filled(t := row.cells.get(col.TEAM))}
    if len(teams) > 1:
        raise ImportRejected(
            [CellError(rows[0].sheet, 1, col.TEAM, "lijst van meer dan één team", "several teams")]
        )
    team = next(iter(teams), None)
    attempts: list[dict[str, object]] = []
    results: list[dict[str, object]] = []
    seen: dict[str, _Row] = {}
    for row in rows:
        if not any(_filled(row.cells.get(name)) for name in col.FILL_IN_COLUMNS):
            continue  # nothing recorded for this task yet
        task_id = _text(row.cells.get(col.TASK_ID)) or ""
        case_id = case_by_task.get(task_id)
        if case_id is None:
            errors.append(_error(row, col.TASK_ID, "onbekende of lege Taak-ID", "unknown or empty"))
            continue
        if team is not None and team_by_task and team_by_task.get(task_id) != team:
            errors.append(
                _error(
                    row, col.TASK_ID, "taak hoort niet bij het team van deze lijst", "other team"
                )
            )
            continue
        if task_id in seen:
            errors.append(
                _error(row, col.TASK_ID, "taak staat dubbel in de lijst", "duplicate task")
            )
            continue
        seen[task_id] = row
        for number in range(1, col.MAX_ATTEMPTS + 1):
            attempt = _parse_attempt(row, number, today, errors)
            if attempt is not None:
                attempts.append({"case_id": case_id, "task_id": task_id, **attempt})
        result = _parse_result(row, today, errors)
        if result is not None:
            results.append({"case_id": case_id, "task_id": task_id, **result})
    if errors:
        raise ImportRejected(errors)
    return ImportResult(
        attempts=conform(
            pd.DataFrame(attempts, columns=list(CONTACT_ATTEMPT_SCHEMA)), CONTACT_ATTEMPT_SCHEMA
        ),
        results=conform(
            pd.DataFrame(results, columns=list(CASE_RESULT_SCHEMA)), CASE_RESULT_SCHEMA
        ),
        team=team,
    )


def _parse_attempt(
    row: _Row, number: int, today: date, errors: list[CellError]
) -> dict[str, object] | None:
    names = {field: col.attempt_column(number, field) for field in col.ATTEMPT_FIELDS}
    if not any(_filled(row.cells.get(name)) for name in names.values()):
        return None
    before = len(errors)
    kind = _choice(row, names["soort"], ddas.CONTACT_KINDS, errors, required=True)
    when = _date(row, names["datum"], today, errors, required=True)
    part = _choice(row, names["dagdeel"], ddas.PARTS_OF_DAY, errors, required=False)
    reached = _choice(row, names["bereikt"], col.YES_NO, errors, required=False)
    if len(errors) > before or when is None:
        return None
    return {
        "contact_kind": kind,
        "attempt_date": pd.Timestamp(when),
        "part_of_day": part if part is not None else pd.NA,
        "reached": pd.NA if reached is None else reached == col.YES,
    }


def _parse_result(row: _Row, today: date, errors: list[CellError]) -> dict[str, object] | None:
    filled_date = _filled(row.cells.get(col.RESULT_DATE_COLUMN))
    if not _filled(row.cells.get(col.RESULT_COLUMN)):
        if filled_date:
            errors.append(
                _error(
                    row,
                    col.RESULT_COLUMN,
                    "resultaat_datum ingevuld zonder resultaat",
                    "result date without a result",
                )
            )
        return None
    before = len(errors)
    result = _choice(row, col.RESULT_COLUMN, ddas.RESULTS, errors, required=True)
    when = _date(row, col.RESULT_DATE_COLUMN, today, errors, required=False)
    if len(errors) > before:
        return None
    return {"result": result, "result_date": pd.Timestamp(when or today)}


def _choice(
    row: _Row, column: str, allowed: tuple[str, ...], errors: list[CellError], *, required: bool
) -> str | None:
    value = row.cells.get(column)
    if not _filled(value):
        if required:
            errors.append(_error(row, column, "verplicht veld is leeg", "required cell is empty"))
        return None
    by_folded = {option.casefold(): option for option in allowed}
    option = by_folded.get(str(value).strip().casefold())
    if option is None:
        errors.append(
            _error(
                row,
                column,
                f"waarde staat niet in de keuzelijst ({_list_name(column)})",
                f"value is not in the list ({_list_name(column)})",
            )
        )
    return option


def _date(
    row: _Row, column: str, today: date, errors: list[CellError], *, required: bool
) -> date | None:
    value = row.cells.get(column)
    if not _filled(value):
        if required:
            errors.append(_error(row, column, "verplicht veld is leeg", "required cell is empty"))
        return None
    parsed = _to_date(value)
    if parsed is None:
        errors.append(
            _error(row, column, "geen geldige datum (dd-mm-jjjj)", "not a valid date (dd-mm-yyyy)")
        )
    elif parsed > today:
        errors.append(_error(row, column, "datum ligt in de toekomst", "date is in the future"))
        return None
    return parsed


def _to_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DUTCH_DATE.match(str(value).strip())
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    iso = _ISO_DATE.match(str(value).strip())
    if iso:
        parts = (iso.group(1), iso.group(2), iso.group(3))
    if parts is None:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _list_name(column: str) -> str:
    return col.choice_list_for(column) or column


def _error(row: _Row, column: str, message_nl: str, message_en: str) -> CellError:
    return CellError(row.sheet, row.number, column, message_nl, message_en)


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _text(value: object) -> str | None:
    return str(value).strip() if _filled(value) else None


def _team_by_task(tasks: pd.DataFrame) -> dict[str, str]:
    known = tasks.dropna(subset=["task_id", "team"])
    return dict(zip(known["task_id"].astype(str), known["team"].astype(str), strict=True))


def _case_by_task(tasks: pd.DataFrame) -> dict[str, str]:
    known = tasks.dropna(subset=["task_id", "case_id"])
    return dict(zip(known["task_id"].astype(str), known["case_id"].astype(str), strict=True))


def _read_rows(path: Path) -> Iterator[_Row]:
    if path.suffix.lower() == ".xlsx":
        yield from _read_xlsx(path)
    elif path.suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        raise ValueError(f"unsupported task list format: {path.suffix!r} (use .xlsx or .csv)")


def _read_xlsx(path: Path) -> Iterator[_Row]:
    workbook = load_workbook(path, data_only=True)
    try:
        sheets = [s for s in workbook.worksheets if s.sheet_state == "visible"]
        task_sheets = [
            s for s in sheets if col.TASK_ID in _header(s.iter_rows(max_row=1, values_only=True))
        ]
        if not task_sheets:
            raise ImportRejected([_missing_header(path.name)])
        for sheet in task_sheets:
            rows = sheet.iter_rows(values_only=True)
            header = _header(rows)
            _check_header(sheet.title, header)
            for number, values in enumerate(rows, start=2):
                yield _Row(sheet.title, number, dict(zip(header, values, strict=False)))
    finally:
        workbook.close()


def _read_csv(path: Path) -> Iterator[_Row]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # Dutch Excel's plain "CSV (puntkomma)" is Windows-1252
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = [str(name).strip() for name in next(reader, [])]
        if col.TASK_ID not in header:
            raise ImportRejected([_missing_header(path.name)])
        _check_header(path.name, header)
        line = reader.line_num
        for values in reader:
            yield _Row(path.name, line + 1, dict(zip(header, values, strict=False)))
            line = reader.line_num


def _header(rows: Iterator[tuple[object, ...]]) -> list[str]:
    first = next(rows, ())
    return ["" if value is None else str(value).strip() for value in first]


def _check_header(sheet: str, header: list[str]) -> None:
    missing = [name for name in (col.TASK_ID, *col.FILL_IN_COLUMNS[:-1]) if name not in header]
    if missing:
        raise ImportRejected(
            [CellError(sheet, 1, name, "kolom ontbreekt", "column is missing") for name in missing]
        )


def _missing_header(sheet: str) -> CellError:
    return CellError(sheet, 1, col.TASK_ID, "geen takenlijst: kolom ontbreekt", "not a task list")
