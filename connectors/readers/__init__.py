"""Partner readers: any catalogued file dialect in, the canonical table (or a rejection) out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from connectors.catalog import PartnerSpec
from connectors.inbox import delivery_date_of
from connectors.readers.base import (
    ENCODING_INVALID,
    FILE_NAME_UNRECOGNISED,
    FILE_UNREADABLE,
    DeliveryUnreadable,
    ReadResult,
    unreadable,
)
from connectors.readers.csv_reader import parse_csv_bytes
from connectors.readers.jsonl_reader import parse_jsonl_text
from connectors.readers.records import Lineage, type_records
from connectors.readers.xlsx_reader import read_xlsx

__all__ = ["DeliveryUnreadable", "ReadResult", "read_delivery", "source_file_of"]


def source_file_of(path: Path, inbox_root: Path) -> str:
    """The path relative to the inbox, posix (``domesta/2026-10-05.csv``)."""
    try:
        return path.resolve().relative_to(inbox_root.resolve()).as_posix()
    except ValueError:
        raise ValueError(f"{path} is not inside the inbox {inbox_root}") from None


def _decoded_text(path: Path, spec: PartnerSpec, source_file: str) -> str:
    try:
        content = path.read_bytes()
    except OSError:
        raise unreadable(source_file, FILE_UNREADABLE) from None
    # utf-8-sig also reads UTF-8 without a BOM, and drops a BOM a partner sent unannounced.
    encoding = "utf-8-sig" if spec.encoding.startswith("utf-8") else spec.encoding
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        raise unreadable(source_file, ENCODING_INVALID) from None


def _raw_rows(path: Path, spec: PartnerSpec, source_file: str) -> pd.DataFrame:
    if spec.format == "xlsx":
        return read_xlsx(path, spec, source_file)
    if spec.format == "jsonl":
        return parse_jsonl_text(_decoded_text(path, spec, source_file), spec, source_file)
    try:
        content = path.read_bytes()
    except OSError:
        raise unreadable(source_file, FILE_UNREADABLE) from None
    return parse_csv_bytes(content, spec, source_file)


def read_delivery(path: Path, spec: PartnerSpec, inbox_root: Path) -> ReadResult:
    """Read one delivery into canonical records and read rejections.

    Raises :class:`DeliveryUnreadable` when the file cannot be read at all (bad name, encoding,
    damaged workbook, missing required column, empty): then nothing of it is loaded.
    """
    source_file = source_file_of(path, inbox_root)
    delivered = delivery_date_of(path.name, spec.extension)
    if delivered is None:
        raise unreadable(source_file, FILE_NAME_UNRECOGNISED)
    raw = _raw_rows(path, spec, source_file)
    records, rejected = type_records(raw, spec, Lineage(spec.partner_id, delivered, source_file))
    return ReadResult(
        partner=spec.partner_id,
        delivery_date=delivered,
        source_file=source_file,
        records=records,
        rejected=rejected,
        rows_in=len(raw),
        source=raw,
    )
