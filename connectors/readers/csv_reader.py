"""CSV deliveries (any delimiter, UTF-8 with or without BOM, Latin-1; CRLF or LF)."""

from __future__ import annotations

import csv
import io

import pandas as pd

from connectors.catalog import PartnerSpec
from connectors.readers.base import (
    BROKEN,
    CSV_MALFORMED,
    FIELD_COUNT_MISMATCH,
    FILE_EMPTY,
    RAW,
    SOURCE_ROW,
    missing_columns,
    raw_json,
    raw_rows,
    unreadable,
)


def _is_blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())


def _record(header: list[str], fields: list[str], line: int) -> dict[str, object]:
    """One raw row; a line with the wrong number of fields is kept whole but marked broken."""
    row: dict[str, object] = dict(zip(header, fields, strict=False))
    received = {**row, "_extra": fields[len(header) :]} if len(fields) > len(header) else row
    broken = "" if len(fields) == len(header) else FIELD_COUNT_MISMATCH.code
    return {**row, SOURCE_ROW: line, RAW: raw_json(received), BROKEN: broken}


def parse_csv_text(text: str, spec: PartnerSpec, source_file: str) -> pd.DataFrame:
    """Raw rows of decoded CSV text; ``source_row`` is the physical line (header = 1)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter or ",")
    try:
        header = next(reader, None)
        if header is None or _is_blank(header):
            raise unreadable(source_file, FILE_EMPTY)
        header = [name.strip() for name in header]
        absent = [name for name in spec.required if name not in header]
        if absent:
            raise missing_columns(source_file, absent)
        rows: list[dict[str, object]] = []
        line_end = reader.line_num
        for fields in reader:
            # A quoted field may span lines: the record starts right after the previous one.
            line, line_end = line_end + 1, reader.line_num
            if not _is_blank(fields):
                rows.append(_record(header, fields, line))
    except csv.Error:
        raise unreadable(source_file, CSV_MALFORMED) from None
    return raw_rows(header, rows)
