"""Task lists for outreach teams: one CSV and one XLSX file per team.

One file per team (rather than one workbook with a sheet per team) so that a team only ever
receives the addresses of its own work. The XLSX has the sheet ``Taken`` (styled, frozen header,
drop-down lists with the DDAS enumerations, date validation) and a hidden sheet ``Keuzelijsten``
holding those lists: they exceed Excel's 255-character limit for inline lists. It prints as a
work list: A4 landscape, fitted to the page width, the header row repeated on every page,
reasons wrapped; the fill-in columns lie outside the print area (for digital use). The CSV is
UTF-8 with BOM and ``;`` as delimiter, so that it opens correctly in a Dutch Excel.

No cell is ever written as a formula, whatever text reached the data (``columns.safe_text``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from copy import copy
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from connectors.exports import columns as col

OPEN = "open"
DATE_FORMAT_XLSX = "DD-MM-YYYY"
DATE_FORMAT_CSV = "%d-%m-%Y"
EURO_FORMAT_XLSX = '"€" #,##0.00'
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
FILL_IN_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="BFBFBF")
#: Earliest date accepted in a date cell; the import refuses dates in the future.
EARLIEST_DATE_FORMULA = "DATE(2000,1,1)"


def task_list_frame(tasks: pd.DataFrame, addresses: pd.DataFrame) -> pd.DataFrame:
    """Open tasks (TASK_SCHEMA) joined with their decrypted addresses, as the worker sees them.

    In the team's work order (``team_rank``: 1 is the first to do). The fill-in columns are
    empty. A task whose household has no address in ``addresses`` cannot be visited or
    written to: that raises, naming the task ids (never an address). ``addresses`` may carry
    ``straat`` and ``woonplaats`` (from the reference list); otherwise those stay empty.
    """
    open_tasks = tasks[tasks["status"] == OPEN]
    address = _address_lookup(addresses)
    joined = open_tasks.merge(address, on="household_key", how="left", validate="many_to_one")
    missing = joined.loc[joined["postcode"].isna(), "task_id"].tolist()
    if missing:
        raise ValueError(f"no address in the contact vault for tasks {sorted(missing)}")
    joined = joined.sort_values(
        ["team", "team_rank", "priority", "task_id"], kind="stable", na_position="last"
    )
    frame = pd.DataFrame(
        {
            col.RANK: joined["team_rank"],
            col.ADDRESS: address_lines(joined),
            col.CONTACT: contact_lines(joined),
            col.STATUS: joined["plan_status"],
            col.DUE: joined["due_date"],
            col.WEEK: joined["planned_week"],
            col.CONTACT_KIND: joined["contact_kind"],
            col.JOINT_WITH: joined["joint_with"],
            col.POSTCODE: joined["postcode"].map(col.display_postcode).astype("string"),
            col.HOUSE_NUMBER: joined["huisnummer"],
            col.SUFFIX: joined["toevoeging"].fillna(""),
            col.STREET: joined["straat"],
            col.PLACE: joined["woonplaats"],
            col.WIJK: joined["wijk"],
            col.REASON: joined["reason_nl"],
            col.NEWS: joined["news_nl"],
            col.SCORE_REASONS: joined["score_reasons_nl"],
            col.SUGGESTIONS: joined["suggestions"],
            col.PARTNERS: joined["signal_partners"],
            col.AMOUNT: joined["total_amount"],
            col.OVER_CAPACITY: joined["over_capacity"].map(_yes_no).astype("string"),
            col.TEAM: joined["team"],
            col.TASK_ID: joined["task_id"],
        }
    ).reset_index(drop=True)[list(col.TASK_COLUMNS)]
    for name in col.FILL_IN_COLUMNS:
        frame[name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame


def write_task_lists(
    tasks: pd.DataFrame,
    addresses: pd.DataFrame,
    out_dir: Path,
    team: str | None = None,
    *,
    as_of: date,
) -> list[Path]:
    """Write ``takenlijst_<team>_<as_of>.csv`` and ``.xlsx`` per team (or for ``team`` only).

    Returns the written paths, CSV before XLSX, teams in alphabetical order. A team without
    open tasks gets no files.
    """
    frame = task_list_frame(tasks, addresses)
    if team is not None:
        frame = frame[frame[col.TEAM] == team]
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    teams = sorted(str(name) for name in frame[col.TEAM].dropna().unique())
    if len({_slug(name) for name in teams}) < len(teams):
        raise ValueError("two team names map to the same file name; rename one of the teams")
    for team_name in teams:
        team_frame = frame[frame[col.TEAM] == team_name].reset_index(drop=True)
        stem = f"takenlijst_{_slug(team_name)}_{as_of.isoformat()}"
        written.append(write_task_list_csv(team_frame, out_dir / f"{stem}.csv"))
        title = f"Takenlijst {team_name} — {as_of.strftime('%d-%m-%Y')}"
        written.append(write_task_list_xlsx(team_frame, out_dir / f"{stem}.xlsx", title))
    return written


def write_task_list_csv(frame: pd.DataFrame, path: Path) -> Path:
    """CSV for Dutch Excel: UTF-8 with BOM, ``;``, decimal comma, dates dd-mm-jjjj."""
    out = frame.copy()
    out[col.DUE] = out[col.DUE].dt.strftime(DATE_FORMAT_CSV)
    for name in out.columns:
        if col.col_is_text(out[name]):
            out[name] = out[name].map(col.safe_text, na_action="ignore")
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig", decimal=",", float_format="%.2f")
    return path


def write_task_list_xlsx(frame: pd.DataFrame, path: Path, title: str = "Takenlijst") -> Path:
    """XLSX with a styled frozen header, real date cells, DDAS drop-downs and print settings."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = col.TASK_SHEET
    list_ranges = _write_choice_sheet(workbook.create_sheet(col.CHOICE_SHEET))
    _write_rows(sheet, frame)
    last_row = max(len(frame) + 1, 2)
    _add_validations(sheet, list_ranges, last_row)
    _style_sheet(sheet, frame)
    _print_settings(sheet, frame, title)
    workbook.save(path)
    return path


def address_lines(joined: pd.DataFrame) -> pd.Series:
    """ "Hoofdstraat 12 B, 7906 KL Hoogeveen" (street and place when the address list has them)."""
    number = joined["huisnummer"].astype("string").fillna("")
    suffix = joined["toevoeging"].astype("string").fillna("")
    house = number + (" " + suffix).where(suffix != "", "")
    street = joined["straat"].astype("string")
    postcode = joined["postcode"].map(col.display_postcode).astype("string")
    place = joined["woonplaats"].astype("string")
    first = (street + " " + house).where(street.notna(), "huisnummer " + house)
    second = (postcode + " " + place).where(place.notna(), postcode)
    return (first + ", " + second).astype("string")


def contact_lines(joined: pd.DataFrame) -> pd.Series:
    """ "Huisbezoek, samen met Domesta"."""
    kind = joined["contact_kind"].astype("string").fillna("")
    joint = joined["joint_with"].astype("string")
    return (kind + (", samen met " + joint).fillna("")).astype("string")


def _address_lookup(addresses: pd.DataFrame) -> pd.DataFrame:
    lookup = addresses.copy()
    for optional in ("straat", "woonplaats"):
        if optional not in lookup.columns:
            lookup[optional] = pd.NA
    lookup = lookup[
        ["household_key", "postcode", "huisnummer", "toevoeging", "straat", "woonplaats"]
    ]
    if lookup["household_key"].duplicated().any():
        raise ValueError("the address frame holds more than one address for a household_key")
    return lookup


def _yes_no(value: object) -> str:
    return col.YES if value is True else col.NO


def _slug(team: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-") or "team"


def _cell_value(value: object) -> object:
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _write_rows(sheet: Worksheet, frame: pd.DataFrame) -> None:
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([col.safe_text(_cell_value(value)) for value in row])
    # A string cell is always text: openpyxl would take "=..." for a formula. The leading "'"
    # of safe_text keeps it text too when a worker edits the cell in Excel. Only a string
    # openpyxl typed as a formula needs correcting.
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":
                cell.data_type = "s"


def _write_choice_sheet(sheet: Worksheet) -> dict[str, str]:
    """One column per DDAS list; returns list name -> absolute range for the validations."""
    ranges: dict[str, str] = {}
    for index, (name, values) in enumerate(col.CHOICE_LISTS.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=name)
        for offset, value in enumerate(values, start=2):
            sheet.cell(row=offset, column=index, value=value)
        last = len(values) + 1
        ranges[name] = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${last}"
    sheet.sheet_state = "hidden"
    return ranges


def _add_validations(sheet: Worksheet, list_ranges: dict[str, str], last_row: int) -> None:
    headers = [str(cell.value) for cell in sheet[1]]
    by_list: dict[str, DataValidation] = {}
    dates = _date_validation()
    sheet.add_data_validation(dates)
    for index, header in enumerate(headers, start=1):
        cells = f"{get_column_letter(index)}2:{get_column_letter(index)}{last_row}"
        if header in col.DATE_COLUMNS and header != col.DUE:
            dates.add(cells)
            continue
        list_name = col.choice_list_for(header) if header in col.FILL_IN_COLUMNS else None
        if list_name is None:
            continue
        if list_name not in by_list:
            by_list[list_name] = _list_validation(list_ranges[list_name])
            sheet.add_data_validation(by_list[list_name])
        by_list[list_name].add(cells)


def _list_validation(formula: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showDropDown=False,  # False means: show the arrow (the OOXML name is inverted)
        showErrorMessage=True,
        errorTitle="Ongeldige keuze",
        error="Kies een waarde uit de lijst (DDAS).",
    )


def _date_validation() -> DataValidation:
    return DataValidation(
        type="date",
        operator="between",
        formula1=EARLIEST_DATE_FORMULA,
        formula2="TODAY()",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Ongeldige datum",
        error="Vul een datum in (dd-mm-jjjj), niet in de toekomst.",
    )


def _style_sheet(sheet: Worksheet, frame: pd.DataFrame) -> None:
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = "C2"  # header row and number + status stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    border = Border(bottom=THIN)
    _row_heights(sheet, frame)
    for index, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(str(name), frame[name])
        number_format = _number_format(str(name))
        alignment = wrapped if name in col.WRAPPED else top
        if frame.empty:
            continue
        first = sheet.cell(row=2, column=index)
        first.alignment = alignment
        first.border = border
        if number_format:
            first.number_format = number_format
        if name in col.FILL_IN_COLUMNS:
            first.fill = FILL_IN_FILL
        # The column's other cells share the first one's style. Copying its style array (as
        # openpyxl does when it copies a cell) is several times faster than setting four style
        # attributes per cell, which each look the style up in the workbook again.
        for (cell,) in sheet.iter_rows(
            min_row=3, max_row=len(frame) + 1, min_col=index, max_col=index
        ):
            cell._style = copy(first._style)


#: Column-width units that fit across an A4 landscape page at 100% (our margins; measured by
#: printing through LibreOffice).
PAGE_CHARACTERS = 100


def _row_heights(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Rows tall enough for their wrapped text (spreadsheets do not all measure it on open)."""
    lines = np.ones(len(frame), dtype=np.int64)
    for name in col.WRAPPED:
        width = col.PRINT_WIDTHS.get(name, 30)
        if name in frame.columns:
            length = frame[name].astype("string").fillna("").str.len().to_numpy(dtype=np.int64)
            # About one character of this text fits per unit of column width (LibreOffice, A4).
            per_line = max(int(width * 1.0), 1)
            lines = np.maximum(lines, -(-length // per_line))
    sheet.row_dimensions[1].height = 30
    for row, count in enumerate(lines.tolist(), start=2):
        sheet.row_dimensions[row].height = 15 * max(int(count), 1)


def _print_settings(sheet: Worksheet, frame: pd.DataFrame, title: str) -> None:
    """A4 landscape work list: the printed columns scaled to the page width, the header on
    every page, as many pages as the list needs."""
    printed = len(col.PRINTED_COLUMNS)
    sheet.print_area = f"A1:{get_column_letter(printed)}{len(frame) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    widths = sum(
        sheet.column_dimensions[get_column_letter(i)].width or 10 for i in range(1, printed + 1)
    )
    sheet.page_setup.scale = max(40, min(100, int(100 * PAGE_CHARACTERS / widths)))
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    # Room for the page header and footer above and below the table (LibreOffice draws them
    # inside the margin: at 0.6 inch the title overlapped the column headers).
    sheet.page_margins.top = sheet.page_margins.bottom = 0.9
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    sheet.oddHeader.center.text = title
    sheet.oddFooter.center.text = "Pagina &P van &N"
    sheet.oddFooter.right.text = "Vertrouwelijk: alleen voor het eigen team"


def _number_format(name: str) -> str | None:
    if name in col.DATE_COLUMNS:
        return DATE_FORMAT_XLSX
    if name == col.AMOUNT:
        return EURO_FORMAT_XLSX
    return None


def _width(name: str, values: pd.Series) -> float:
    if name in col.PRINT_WIDTHS:
        return float(col.PRINT_WIDTHS[name])
    if name in col.WRAPPED:
        return 30.0
    lengths: Sequence[int] = [len(str(v)) for v in values.dropna()] or [0]
    list_name = col.choice_list_for(name) if name in col.FILL_IN_COLUMNS else None
    choices = col.CHOICE_LISTS.get(list_name, ()) if list_name else ()
    longest = max(len(name), max(lengths), *(len(c) for c in choices), 6)
    return float(min(longest + 2, 40))
