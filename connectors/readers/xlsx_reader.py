"""Excel deliveries: one sheet, header in row 1; cells rendered as text before typing."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Generator
from datetime import date, datetime, time
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from connectors.catalog import PartnerSpec
from connectors.readers.base import (
    BROKEN,
    FIELD_COUNT_MISMATCH,
    FILE_EMPTY,
    RAW,
    SOURCE_ROW,
    XLSX_CORRUPT,
    Reason,
    missing_columns,
    missing_sheet,
    raw_json,
    raw_rows,
    unreadable,
)

# What openpyxl raises on a workbook that is not a zip, truncated, or has damaged XML parts.
_DAMAGED = (zipfile.BadZipFile, InvalidFileException, zlib.error, ParseError, KeyError, EOFError)


def cell_text(value: object) -> str:
    """A cell as text: dates ISO (``2026-10-05``), integral numbers without ``.0``, empty ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _record(header: list[str], cells: list[str], row_number: int) -> dict[str, object]:
    extra = [text for text in cells[len(header) :] if text]
    received: dict[str, object] = {
        name: text for name, text in zip(header, cells, strict=False) if name
    }
    if extra:
        received["_extra"] = extra
    row = {name: text for name, text in zip(header, cells, strict=False)}
    broken = FIELD_COUNT_MISMATCH.code if extra else ""
    return {**row, SOURCE_ROW: row_number, RAW: raw_json(received), BROKEN: broken}


#: What a workbook may inflate to: a real partner list is a few MB; a zip bomb (a few hundred
#: KB of zeros that inflate to gigabytes) is refused before anything is unpacked.
MAX_INFLATED_BYTES = 100 * 1024 * 1024
XLSX_TOO_LARGE = Reason(
    "xlsx_too_large",
    f"the Excel file unpacks to more than {MAX_INFLATED_BYTES // 2**20} MB (a zip bomb?)",
    f"het Excel-bestand wordt uitgepakt groter dan {MAX_INFLATED_BYTES // 2**20} MB (een zipbom?)",
)


def _check_inflated_size(path: Path, source_file: str) -> None:
    """Refuse a workbook whose parts declare more than ``MAX_INFLATED_BYTES`` unpacked.

    zipfile never returns more than a part's declared size, so the declaration bounds the work.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable(source_file, XLSX_CORRUPT) from None
    if inflated > MAX_INFLATED_BYTES:
        raise unreadable(source_file, XLSX_TOO_LARGE)


def _sheet_rows(
    path: Path, spec: PartnerSpec, source_file: str
) -> Generator[list[str], None, None]:
    """The rows of the partner's sheet as text, streamed; DeliveryUnreadable when damaged.

    The sheet's declared dimension is ignored (a 6 KB file may declare A1:XFD1048576, and
    openpyxl would pad every row to it): rows and cells come as the sheet's XML has them.
    Trailing empty cells are dropped, so a row is only as wide as its last value.
    """
    _check_inflated_size(path, source_file)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (*_DAMAGED, OSError, ValueError):
        raise unreadable(source_file, XLSX_CORRUPT) from None
    try:
        if spec.sheet not in workbook.sheetnames:
            raise missing_sheet(source_file, spec.sheet or "")
        sheet = workbook[spec.sheet]
        if isinstance(sheet, ReadOnlyWorksheet):
            sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            width = len(row)
            while width and row[width - 1] is None:
                width -= 1
            yield [cell_text(value) for value in row[:width]]
    except (*_DAMAGED, ValueError):
        raise unreadable(source_file, XLSX_CORRUPT) from None
    finally:
        workbook.close()


def read_xlsx(path: Path, spec: PartnerSpec, source_file: str) -> pd.DataFrame:
    """Raw rows of the sheet; ``source_row`` is the sheet row number (header = 1)."""
    rows = _sheet_rows(path, spec, source_file)
    first = next(rows, None)
    if first is None or not any(first):
        rows.close()
        raise unreadable(source_file, FILE_EMPTY)
    header = [name.strip() for name in first]
    absent = [name for name in spec.required if name not in header]
    if absent:
        rows.close()
        raise missing_columns(source_file, absent)
    records = [
        _record(header, cells + [""] * (len(header) - len(cells)), number)
        for number, cells in enumerate(rows, start=2)
        if any(text.strip() for text in cells)  # formatted but empty rows are not records
    ]
    return raw_rows([name for name in header if name], records)
