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

import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet as XlsxSheet

from connectors.exports import columns as col

OPEN = "open"
DATE_FORMAT_XLSX = "DD-MM-YYYY"
DATE_FORMAT_CSV = "%d-%m-%Y"
EURO_FORMAT_XLSX = '"€" #,##0.00'
HEADER_FILL_COLOR = "#1F4E78"
HEADER_FONT_COLOR = "#FFFFFF"
FILL_IN_COLOR = "#FFF2CC"
BORDER_COLOR = "#BFBFBF"
#: Row heights in points: the header, and each line of wrapped text in a data row.
HEADER_HEIGHT = 30
ROW_HEIGHT = 15
#: Earliest date accepted in a date cell; the import refuses dates in the future.
EARLIEST_DATE_FORMULA = "DATE(2000,1,1)"
#: Day 0 of Excel's date serial numbers (1900 system, as of 1 March 1900).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Rows in one sheet of an XLSX file (the header included).
XLSX_MAX_ROWS = 1_048_576
#: Rows built (XLSX) or sanitised and written (CSV) at a time: bounds the memory either needs.
CHUNK_ROWS = 20_000
#: The data sheet inside the XLSX package (XlsxWriter numbers sheets in the order added).
TASK_SHEET_PART = "xl/worksheets/sheet1.xml"
#: A cell of the template row as XlsxWriter writes it: column letter and style number.
TEMPLATE_CELL = re.compile(r'<c r="([A-Z]+)2" s="(\d+)"/>')
#: Characters XML 1.0 cannot hold (tab, line feed and carriage return it can).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Deflate level of the data sheet: at 100k rows 1 takes 4.3 s against 5.4 s for 6, for a
#: 35% larger file (21 against 15 MiB).
ZIP_LEVEL = 1
#: From this many rows the data sheet is written as Zip64 (≈2 KB of XML per typical row).
ZIP64_ROWS = 200_000
#: Column width in pixels per character (Calibri 11, the default font).
PIXELS_PER_CHARACTER = 7
#: XlsxWriter's paper-size code for A4.
A4 = 9
#: The choice sheet as a formula names it (quoted, as the files always had it).
CHOICE_SHEET_REF = "'" + col.CHOICE_SHEET.replace("'", "''") + "'"


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
    """CSV for Dutch Excel: UTF-8 with BOM, ``;``, decimal comma, dates dd-mm-jjjj.

    Written in chunks of ``CHUNK_ROWS``, so the sanitised copy never holds the whole list.
    """
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            out = frame.iloc[start : start + CHUNK_ROWS].copy()
            out[col.DUE] = out[col.DUE].dt.strftime(DATE_FORMAT_CSV)
            for name in out.columns:
                out[name] = col.safe_text_column(out[name])
            out.to_csv(
                handle,
                sep=";",
                index=False,
                header=start == 0,
                decimal=",",
                float_format="%.2f",
            )
    return path


def write_task_list_xlsx(frame: pd.DataFrame, path: Path, title: str = "Takenlijst") -> Path:
    """XLSX with a styled frozen header, real date cells, DDAS drop-downs and print settings.

    XlsxWriter writes the workbook (styles, validations, print settings, the choice sheet) with
    the header and one row of empty styled cells; the data rows then replace that row, built
    column-wise by ``_sheet_rows`` and streamed into the file, so time is linear and memory
    bounded by ``CHUNK_ROWS`` whatever the list's length. Text is always an inline string
    (never a formula, whatever it starts with) and made safe (``columns.safe_text_column``).
    """
    if len(frame) + 1 > XLSX_MAX_ROWS:
        raise ValueError(
            f"a task list of {len(frame)} tasks does not fit in one XLSX sheet "
            f"({XLSX_MAX_ROWS - 1} rows at most); split the team"
        )
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        layout = Path(tmp) / "opmaak.xlsx"
        _write_layout(frame, layout, title)
        if frame.empty:
            os.replace(layout, path)
        else:
            _fill_rows(layout, path, frame)
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


def _write_layout(frame: pd.DataFrame, path: Path, title: str) -> None:
    """The workbook without its data: header, a template row of empty styled cells (row 2,
    and the last row, so that the sheet's dimension covers the list), and everything else."""
    options = {
        "constant_memory": True,
        # Belt and braces: only typed write calls are used here, so text stays text anyway.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(str(path), options) as workbook:
        sheet = workbook.add_worksheet(col.TASK_SHEET)
        choices = workbook.add_worksheet(col.CHOICE_SHEET)
        widths = _column_widths(frame)
        _style_sheet(sheet, frame, widths)
        _print_settings(sheet, frame, widths, title)
        header = workbook.add_format(
            {
                "bold": True,
                "font_color": HEADER_FONT_COLOR,
                "bg_color": HEADER_FILL_COLOR,
                "pattern": 1,
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        sheet.set_row(0, HEADER_HEIGHT)
        for index, name in enumerate(frame.columns):
            sheet.write_string(0, index, str(name), header)
        if not frame.empty:
            formats = [workbook.add_format(_cell_style(str(name))) for name in frame.columns]
            for row in sorted({1, len(frame)}):
                for index, cell_format in enumerate(formats):
                    sheet.write_blank(row, index, None, cell_format)
        _add_validations(sheet, frame, _write_choice_sheet(choices))


def _fill_rows(layout: Path, path: Path, frame: pd.DataFrame) -> None:
    """Copy ``layout`` to ``path`` with the template rows replaced by the frame's rows."""
    with (
        zipfile.ZipFile(layout) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as target,
    ):
        for info in source.infolist():
            if info.filename != TASK_SHEET_PART:
                target.writestr(info, source.read(info))
                continue
            xml = source.read(info).decode("utf-8")
            start, end = xml.index('<row r="2"'), xml.index("</sheetData>")
            # The style of each column's cells, as XlsxWriter numbered them in the template.
            styles = dict(TEMPLATE_CELL.findall(xml, start, end))
            # Zip64 only where the sheet may pass 2 GiB (a national list), for older readers.
            large = len(frame) >= ZIP64_ROWS
            with target.open(info.filename, "w", force_zip64=large) as sheet:
                sheet.write(xml[:start].encode("utf-8"))
                for rows in _sheet_rows(frame, styles):
                    sheet.write(rows)
                sheet.write(xml[end:].encode("utf-8"))


def _cell_style(name: str) -> dict[str, object]:
    """The XlsxWriter format of a column's data cells."""
    style: dict[str, object] = {
        "valign": "top",
        "bottom": 1,  # thin
        "bottom_color": BORDER_COLOR,
        "text_wrap": name in col.WRAPPED,
    }
    number_format = _number_format(name)
    if number_format:
        style["num_format"] = number_format
    if name in col.FILL_IN_COLUMNS:
        style.update({"bg_color": FILL_IN_COLOR, "pattern": 1})
    return style


def _sheet_rows(frame: pd.DataFrame, styles: dict[str, str]) -> Iterator[memoryview]:
    """The ``<row>`` elements of the data rows (UTF-8), ``CHUNK_ROWS`` rows at a time.

    Built a column at a time with Arrow's string kernels: no Python per row or per cell.
    """
    heights = _row_heights(frame)
    letters = [xl_col_to_name(index) for index in range(len(frame.columns))]
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        numbers = pc.cast(pa.array(np.arange(start + 2, start + 2 + len(chunk))), pa.string())
        cells = [
            _cells(chunk[name], letter, styles[letter], numbers)
            for name, letter in zip(chunk.columns, letters, strict=True)
        ]
        height = pc.cast(pa.array(heights[start : start + len(chunk)]), pa.string())
        rows = pc.binary_join_element_wise(
            '<row r="', numbers, '" ht="', height, '" customHeight="1">', *cells, "</row>", ""
        )
        yield from _joined(rows)


def _cells(column: pd.Series, letter: str, style: str, numbers: pa.Array) -> pa.Array:
    """One column's ``<c>`` elements: a number, an inline string, or an empty styled cell."""
    opening = pc.binary_join_element_wise(f'<c r="{letter}', numbers, f'" s="{style}"', "")
    empty = pc.binary_join_element_wise(opening, "/>", "")
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        # A date cell holds Excel's serial day number; the column's format shows it as a date.
        days = ((column - EXCEL_EPOCH) / pd.Timedelta(days=1)).astype("Float64")
        return _number_cells(pa.array(days.array), opening, empty)
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        return _number_cells(pa.array(column.array), opening, empty)
    text = _xml_text(col.safe_text_column(column.astype("string")))
    filled = pc.and_kleene(pc.is_valid(text), pc.not_equal(text, ""))
    tag = pc.if_else(pc.match_substring_regex(text, r"^\s|\s$"), '<t xml:space="preserve">', "<t>")
    escaped = pc.replace_substring(
        pc.replace_substring(pc.replace_substring(text, "&", "&amp;"), "<", "&lt;"), ">", "&gt;"
    )
    strings = pc.binary_join_element_wise(
        opening, ' t="inlineStr"><is>', tag, escaped, "</t></is></c>", ""
    )
    return pc.if_else(pc.fill_null(filled, False), strings, empty)


def _number_cells(values: pa.Array, opening: pa.Array, empty: pa.Array) -> pa.Array:
    # Arrow writes the shortest text that reads back as the same double (46345, 1234.5).
    numbers = pc.binary_join_element_wise(
        opening, "><v>", pc.cast(values, pa.string()), "</v></c>", ""
    )
    return pc.if_else(pc.is_valid(values), numbers, empty)


def _xml_text(text: pd.Series) -> pa.Array:
    """Text as Arrow strings, characters XML 1.0 cannot hold written as Excel's ``_xHHHH_``."""
    illegal = text.str.contains(XML_ILLEGAL.pattern, regex=True, na=False)
    if illegal.any():  # rare: only those few values are rewritten one by one
        text = text.copy()
        text[illegal] = text[illegal].map(_excel_escape)
    # Arrow's 32-bit offsets (pandas holds large strings): a chunk stays far below 2 GiB.
    return pa.array(text.array).cast(pa.string())


def _excel_escape(value: str) -> str:
    return XML_ILLEGAL.sub(lambda match: f"_x{ord(match.group()):04X}_", value)


def _joined(rows: pa.Array | pa.ChunkedArray) -> Iterator[memoryview]:
    """The strings of ``rows`` (no nulls) end to end: each chunk's data between its offsets."""
    for chunk in rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]:
        if len(chunk) == 0:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
        first, last = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
        yield memoryview(chunk.buffers()[2])[int(first) : int(last)]


def _write_choice_sheet(sheet: XlsxSheet) -> dict[str, str]:
    """One column per DDAS list; returns list name -> absolute range for the validations."""
    lists = list(col.CHOICE_LISTS.items())
    ranges: dict[str, str] = {}
    for index, (name, values) in enumerate(lists):
        letter = xl_col_to_name(index)
        ranges[name] = f"{CHOICE_SHEET_REF}!${letter}$2:${letter}${len(values) + 1}"
    # Row by row (constant-memory mode): the list names, then their values side by side.
    longest = max(len(values) for _, values in lists)
    for row in range(longest + 1):
        for index, (name, values) in enumerate(lists):
            if row == 0:
                sheet.write_string(0, index, name)
            elif row <= len(values):
                sheet.write_string(row, index, values[row - 1])
    sheet.hide()
    return ranges


def _add_validations(sheet: XlsxSheet, frame: pd.DataFrame, list_ranges: dict[str, str]) -> None:
    last_row = max(len(frame) + 1, 2)
    dates: list[str] = []
    by_list: dict[str, list[str]] = {}
    for index, header in enumerate(str(name) for name in frame.columns):
        letter = xl_col_to_name(index)
        cells = f"{letter}2:{letter}{last_row}"
        if header in col.DATE_COLUMNS and header != col.DUE:
            dates.append(cells)
            continue
        list_name = col.choice_list_for(header) if header in col.FILL_IN_COLUMNS else None
        if list_name is not None:
            by_list.setdefault(list_name, []).append(cells)
    # One validation per kind, over all its ranges (``multi_range``), as the file always had.
    if dates:
        sheet.data_validation(
            1, 0, last_row - 1, 0, {**_date_validation(), "multi_range": " ".join(dates)}
        )
    for list_name, ranges in by_list.items():
        options = {**_list_validation(list_ranges[list_name]), "multi_range": " ".join(ranges)}
        sheet.data_validation(1, 0, last_row - 1, 0, options)


def _list_validation(source: str) -> dict[str, object]:
    return {
        "validate": "list",
        "source": f"={source}",
        "ignore_blank": True,
        "dropdown": True,  # the arrow
        "show_input": False,
        "show_error": True,
        "error_title": "Ongeldige keuze",
        "error_message": "Kies een waarde uit de lijst (DDAS).",
    }


def _date_validation() -> dict[str, object]:
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": f"={EARLIEST_DATE_FORMULA}",
        "maximum": "=TODAY()",
        "ignore_blank": True,
        "show_input": False,
        "show_error": True,
        "error_title": "Ongeldige datum",
        "error_message": "Vul een datum in (dd-mm-jjjj), niet in de toekomst.",
    }


def _style_sheet(sheet: XlsxSheet, frame: pd.DataFrame, widths: list[float]) -> None:
    sheet.freeze_panes(1, 2)  # C2: header row and number + status stay in view
    sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    for index, width in enumerate(widths):
        # In pixels (7 per character of Calibri 11): the file then holds exactly ``width``
        # characters, as it always did; XlsxWriter's character widths add the cell padding.
        sheet.set_column_pixels(index, index, round(width * PIXELS_PER_CHARACTER))


#: Column-width units that fit across an A4 landscape page at 100% (our margins; measured by
#: printing through LibreOffice).
PAGE_CHARACTERS = 100


def _row_heights(frame: pd.DataFrame) -> np.ndarray:
    """Heights (points) of the data rows, tall enough for their wrapped text (spreadsheets
    do not all measure it on open)."""
    lines = np.ones(len(frame), dtype=np.int64)
    for name in col.WRAPPED:
        width = col.PRINT_WIDTHS.get(name, 30)
        if name in frame.columns:
            length = frame[name].astype("string").fillna("").str.len().to_numpy(dtype=np.int64)
            # About one character of this text fits per unit of column width (LibreOffice, A4).
            per_line = max(int(width * 1.0), 1)
            lines = np.maximum(lines, -(-length // per_line))
    return ROW_HEIGHT * np.maximum(lines, 1)


def _print_settings(sheet: XlsxSheet, frame: pd.DataFrame, widths: list[float], title: str) -> None:
    """A4 landscape work list: the printed columns scaled to the page width, the header on
    every page, as many pages as the list needs."""
    printed = len(col.PRINTED_COLUMNS)
    sheet.print_area(0, 0, len(frame), printed - 1)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.set_paper(A4)
    total = sum(widths[:printed]) or 10.0 * printed
    sheet.set_print_scale(max(40, min(100, int(100 * PAGE_CHARACTERS / total))))
    sheet.hide_gridlines(1)  # not printed; still shown on screen
    # Room for the page header and footer above and below the table (LibreOffice draws them
    # inside the margin: at 0.6 inch the title overlapped the column headers).
    sheet.set_margins(left=0.4, right=0.4, top=0.9, bottom=0.9)
    # "&" starts a header code; a literal one (a team "Jongeren & Co") is written "&&".
    sheet.set_header(f"&C{title.replace('&', '&&')}", {"margin": 0.3})
    sheet.set_footer(
        "&CPagina &P van &N&RVertrouwelijk: alleen voor het eigen team", {"margin": 0.3}
    )


def _column_widths(frame: pd.DataFrame) -> list[float]:
    return [_width(str(name), frame[name]) for name in frame.columns]


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
    lengths = values.dropna().astype(str).str.len()
    list_name = col.choice_list_for(name) if name in col.FILL_IN_COLUMNS else None
    choices = col.CHOICE_LISTS.get(list_name, ()) if list_name else ()
    longest = max(len(name), int(lengths.max()) if len(lengths) else 0, *map(len, choices), 6)
    return float(min(longest + 2, 40))
