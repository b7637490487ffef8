"""CSV deliveries (any delimiter, UTF-8 with or without BOM, Latin-1; CRLF or LF).

A file without quote characters, bare carriage returns or NUL bytes (what the partners' exports
are) is split with Arrow, block by block, so a delivery of millions of rows is read in seconds
with bounded memory. Any other file goes through Python's ``csv`` module, which knows quoted
delimiters and newlines. Both give the same raw rows: ``source_row`` is the physical line where
the record starts (header = 1), blank lines are skipped, and a line with the wrong number of
fields is kept whole but marked broken.

Raw rows of well-formed lines carry no JSON of the record (``RAW`` is NA): it is rebuilt from
the columns for the few rows that are quarantined (``base.raw_text``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from connectors.catalog import PartnerSpec
from connectors.readers.base import (
    BROKEN,
    CSV_MALFORMED,
    ENCODING_INVALID,
    FIELD_COUNT_MISMATCH,
    FILE_EMPTY,
    RAW,
    RESERVED,
    SOURCE_ROW,
    missing_columns,
    raw_json,
    raw_rows,
    unreadable,
)

#: Bytes per block on the fast path (cut at a line end); bounds the transient memory.
BLOCK_BYTES = 16 * 1024 * 1024
#: Rows per chunk on the ``csv`` module path before they become Arrow columns.
CHUNK_ROWS = 100_000
#: Python's csv module refuses fields over 128 KiB and would lose the whole file; fields are
#: checked for length per row instead (``records.MAX_FIELD_CHARS``), so allow any size here.
_CSV_FIELD_LIMIT = 2**31 - 1
_BOM = b"\xef\xbb\xbf"


def _is_blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())


def _record(header: list[str], fields: list[str], line: int) -> dict[str, object]:
    """One raw row; a line with the wrong number of fields is kept whole but marked broken."""
    row: dict[str, object] = dict(zip(header, fields, strict=False))
    received = {**row, "_extra": fields[len(header) :]} if len(fields) > len(header) else row
    broken = "" if len(fields) == len(header) else FIELD_COUNT_MISMATCH.code
    return {**row, SOURCE_ROW: line, RAW: raw_json(received), BROKEN: broken}


@dataclass
class _Rows:
    """Raw rows being collected: well-formed lines as Arrow columns, the rest as records."""

    header: list[str]
    columns: list[list[pa.Array]] = field(default_factory=list)
    lines: list[np.ndarray] = field(default_factory=list)
    odd: list[dict[str, object]] = field(default_factory=list)

    def add_fields(self, table: list[pa.Array], lines: np.ndarray) -> None:
        self.columns.append(table)
        self.lines.append(lines)

    def frame(self) -> pd.DataFrame:
        """The raw-rows frame (``base.raw_rows`` shape), in line order."""
        names = list(dict.fromkeys(self.header))
        last = {name: position for position, name in enumerate(self.header)}  # last one wins
        data: dict[str, pd.Series] = {}
        for name in names:
            chunks = [table[last[name]] for table in self.columns]
            array = pa.chunked_array(chunks, type=pa.large_string())
            data[name] = pd.Series(pd.arrays.ArrowStringArray(array))
        count = sum(len(lines) for lines in self.lines)
        lines = np.concatenate(self.lines) if self.lines else np.array([], dtype=np.int64)
        data[SOURCE_ROW] = pd.Series(pd.array(lines, dtype="Int64"))
        data[RAW] = pd.Series(pd.NA, index=range(count), dtype="string")
        data[BROKEN] = pd.Series("", index=range(count), dtype="string")
        good = pd.DataFrame(data, columns=[*names, *RESERVED])
        if not self.odd:
            return good
        odd = raw_rows(self.header, self.odd)
        both = pd.concat([good, odd], ignore_index=True)
        return both.sort_values(SOURCE_ROW, kind="stable").reset_index(drop=True)


def _header_of(line: str, delimiter: str, source_file: str, spec: PartnerSpec) -> list[str]:
    fields = next(csv.reader([line], delimiter=delimiter), [])
    if _is_blank(fields):
        raise unreadable(source_file, FILE_EMPTY)
    header = [name.strip() for name in fields]
    absent = [name for name in spec.required if name not in header]
    if absent:
        raise missing_columns(source_file, absent)
    return header


def _blocks(data: bytes) -> Iterator[bytes]:
    """``data`` in blocks of about ``BLOCK_BYTES``, each ending at a line end (or the end)."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", min(start + BLOCK_BYTES, len(data)) - 1)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def _arrow_lines(block: bytes, encoding: str, source_file: str) -> pa.Array:
    """The lines of a block (without their ``\\r\\n``/``\\n``), as Arrow text."""
    try:
        text = pa.array([block.decode(encoding)], type=pa.large_string())
    except UnicodeDecodeError:
        raise unreadable(source_file, ENCODING_INVALID) from None
    lines = pc.list_flatten(pc.split_pattern(text, "\n"))
    return pc.utf8_rtrim(lines, characters="\r")


def _fast_rows(data: bytes, encoding: str, spec: PartnerSpec, source_file: str) -> _Rows:
    delimiter = spec.delimiter or ","
    rows: _Rows | None = None
    next_line = 1  # physical line number of the block's first line
    for block in _blocks(data):
        lines = _arrow_lines(block, encoding, source_file)
        if block.endswith(b"\n"):
            lines = lines.slice(0, len(lines) - 1)  # the empty string after the last line end
        numbers = np.arange(next_line, next_line + len(lines), dtype=np.int64)
        next_line += len(lines)
        if rows is None:
            first = lines[0].as_py() if len(lines) else ""
            header = _header_of(first, delimiter, source_file, spec)
            rows = _Rows(header)
            lines, numbers = lines.slice(1), numbers[1:]
        _add_block(rows, lines, numbers, delimiter)
    if rows is None:
        raise unreadable(source_file, FILE_EMPTY)
    return rows


def _add_block(rows: _Rows, lines: pa.Array, numbers: np.ndarray, delimiter: str) -> None:
    width = len(rows.header)
    fields = pc.split_pattern(lines, delimiter)
    counts = pc.list_value_length(fields).to_numpy(zero_copy_only=False)
    good = counts == width
    # A line without the delimiter is one field: blank when only whitespace (csv semantics).
    for position in np.flatnonzero(~good):
        cells = fields[int(position)].as_py()
        if not _is_blank(cells):
            rows.odd.append(_record(rows.header, cells, int(numbers[position])))
    if not good.any():
        return
    values = pc.list_flatten(fields.filter(pa.array(good)))
    kept = int(good.sum())
    table = [values.take(pa.array(np.arange(j, kept * width, width))) for j in range(width)]
    rows.add_fields(table, numbers[good])


def _csv_module_rows(text: str, spec: PartnerSpec, source_file: str) -> _Rows:
    """Rows through Python's csv module (quoted fields, bare CRs, NUL bytes)."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=spec.delimiter or ",")
    try:
        first = next(reader, None)
        if first is None or _is_blank(first):
            raise unreadable(source_file, FILE_EMPTY)
        header = [name.strip() for name in first]
        absent = [name for name in spec.required if name not in header]
        if absent:
            raise missing_columns(source_file, absent)
        rows = _Rows(header)
        chunk: list[list[str]] = []
        chunk_lines: list[int] = []
        line_end = reader.line_num
        for fields in reader:
            # A quoted field may span lines: the record starts right after the previous one.
            line, line_end = line_end + 1, reader.line_num
            if len(fields) == len(header) and (len(header) > 1 or not _is_blank(fields)):
                chunk.append(fields)
                chunk_lines.append(line)
                if len(chunk) >= CHUNK_ROWS:
                    _add_chunk(rows, chunk, chunk_lines)
                    chunk, chunk_lines = [], []
            elif not _is_blank(fields):
                rows.odd.append(_record(header, fields, line))
        _add_chunk(rows, chunk, chunk_lines)
    except csv.Error:
        raise unreadable(source_file, CSV_MALFORMED) from None
    return rows


def _add_chunk(rows: _Rows, chunk: list[list[str]], lines: list[int]) -> None:
    if not chunk:
        return
    table = [pa.array(column, type=pa.large_string()) for column in zip(*chunk, strict=True)]
    rows.add_fields(table, np.array(lines, dtype=np.int64))


def _fast_path_applies(data: bytes, delimiter: str) -> bool:
    """Quotes, lone carriage returns (csv line ends) and NUL bytes need the csv module, and so
    do a one-column header (an empty line would be a record) and reserved column names."""
    if b'"' in data or b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return False
    first = data.split(b"\n", 1)[0].decode("latin-1").rstrip("\r")
    names = [name.strip() for name in first.split(delimiter)]
    return len(names) > 1 and not any(name in RESERVED for name in names)


def _decoded(data: bytes, encoding: str, source_file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise unreadable(source_file, ENCODING_INVALID) from None


def parse_csv_bytes(content: bytes, spec: PartnerSpec, source_file: str) -> pd.DataFrame:
    """Raw rows of a CSV file's bytes in the partner's encoding (see the module docstring)."""
    # utf-8-sig also reads UTF-8 without a BOM, and drops a BOM a partner sent unannounced.
    utf8 = spec.encoding.startswith("utf-8")
    data = content[len(_BOM) :] if utf8 and content.startswith(_BOM) else content
    encoding = "utf-8" if utf8 else spec.encoding
    if len(data) < BLOCK_BYTES and not _decoded(data, encoding, source_file).strip():
        raise unreadable(source_file, FILE_EMPTY)
    if not data.strip():
        raise unreadable(source_file, FILE_EMPTY)
    if not _fast_path_applies(data, spec.delimiter or ","):
        return _csv_module_rows(_decoded(data, encoding, source_file), spec, source_file).frame()
    return _fast_rows(data, encoding, spec, source_file).frame()


def parse_csv_text(text: str, spec: PartnerSpec, source_file: str) -> pd.DataFrame:
    """Raw rows of decoded CSV text; ``source_row`` is the physical line (header = 1)."""
    if not text.strip():
        raise unreadable(source_file, FILE_EMPTY)
    data = text.encode("utf-8")
    if not _fast_path_applies(data, spec.delimiter or ","):
        return _csv_module_rows(text, spec, source_file).frame()
    return _fast_rows(data, "utf-8", spec, source_file).frame()
