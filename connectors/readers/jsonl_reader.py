"""JSON Lines deliveries: one object per line; a bad line is a rejected row, blank lines skipped."""

from __future__ import annotations

import json

import pandas as pd

from connectors.catalog import PartnerSpec
from connectors.readers.base import (
    BROKEN,
    JSON_MALFORMED,
    JSON_NOT_OBJECT,
    RAW,
    REQUIRED_FIELD_MISSING,
    SOURCE_ROW,
    Reason,
    missing_columns,
    raw_json,
    raw_rows,
    unreadable,
)
from signals.schema import BOOL

JSON_ARRAY = Reason(
    "json_array",
    "the file is one JSON array, not JSON Lines (one object per line)",
    "het bestand is een JSON-array, geen JSON Lines (een object per regel)",
)


def _is_json_array(text: str) -> bool:
    """The whole file is one JSON array (an export in the wrong format, not broken lines)."""
    if not text.lstrip().startswith("["):
        return False
    try:
        return isinstance(json.loads(text), list)
    except (json.JSONDecodeError, RecursionError):
        return False


def _cell_text(value: object) -> str:
    """Text to parse: lists sorted and comma-joined (indicator sets), integral floats as ints."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(sorted(_cell_text(item) for item in value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _received_text(value: object) -> str:
    """Text exactly as received: strings unchanged, everything else as its JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _boolean_fields(spec: PartnerSpec) -> list[str]:
    """Source fields of the partner's yes/no columns (consent)."""
    schema = spec.schema_columns
    return [source for column, source in spec.columns.items() if schema.get(column) == BOOL]


def _record(line_text: str, line: int, spec: PartnerSpec) -> dict[str, object]:
    try:
        value = json.loads(line_text)
    except (json.JSONDecodeError, RecursionError):
        return {SOURCE_ROW: line, RAW: raw_json({"_line": line_text}), BROKEN: JSON_MALFORMED.code}
    if not isinstance(value, dict):
        return {SOURCE_ROW: line, RAW: raw_json({"_line": line_text}), BROKEN: JSON_NOT_OBJECT.code}
    cells = {str(key): _cell_text(item) for key, item in value.items()}
    # JSON is typed: a yes/no field is a JSON boolean. "ja", "true" (a string) or 1 is shown as
    # its JSON text, which no yes/no spelling matches, so it is not taken for consent.
    for key in _boolean_fields(spec):
        item = value.get(key)
        if item is not None and not isinstance(item, bool):
            cells[key] = json.dumps(item, ensure_ascii=False)
    received = {str(key): _received_text(item) for key, item in value.items()}
    absent = [name for name in spec.required if name not in value]
    broken = REQUIRED_FIELD_MISSING.code if absent else ""
    return {**cells, SOURCE_ROW: line, RAW: raw_json(received), BROKEN: broken}


def parse_jsonl_text(text: str, spec: PartnerSpec, source_file: str) -> pd.DataFrame:
    """Raw rows of decoded JSONL text; ``source_row`` is the physical line (first line = 1).

    A required field that no object of the file has is a missing column, as in a CSV header:
    the export is broken, so the whole file is refused rather than every line quarantined.
    So is a file that is one JSON array.
    """
    if _is_json_array(text):
        raise unreadable(source_file, JSON_ARRAY)
    rows = [
        _record(line_text.rstrip("\r"), number, spec)
        for number, line_text in enumerate(text.split("\n"), start=1)
        if line_text.strip()
    ]
    header = list(dict.fromkeys(key for row in rows for key in row))
    objects = [
        row for row in rows if row[BROKEN] not in (JSON_MALFORMED.code, JSON_NOT_OBJECT.code)
    ]
    absent = [name for name in spec.required if objects and name not in header]
    if absent:
        raise missing_columns(source_file, absent)
    return raw_rows(header, rows)
