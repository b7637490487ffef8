"""What every reader returns, and how a file that cannot be read at all is reported.

Readers first turn a file into *raw rows*: one row per record, every source column as text, plus
the reserved columns below. The JSON of a record as received (``RAW``) may be left NA by a
reader for well-formed rows: :func:`raw_text` rebuilds it from the columns, so it is only
made for the few rows that are quarantined. The shared typing step (``records.py``) then
parses the text into the canonical table, turning each failing cell into a rejected row with
its reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

#: Reserved raw-row columns: physical line / sheet row, the record as received (JSON object of
#: source column -> text), and the reason code of a row that is structurally broken (or "").
SOURCE_ROW = "_source_row"
RAW = "_raw"
BROKEN = "_broken"
RESERVED = (SOURCE_ROW, RAW, BROKEN)


class DeliveryUnreadable(Exception):  # noqa: N818 (name fixed by the stage contract)
    """A delivery that cannot be read at all; nothing of it is loaded.

    Messages never quote file content, so they are safe to log and show to analysts.
    """

    def __init__(self, source_file: str, reason_code: str, reason_en: str, reason_nl: str):
        super().__init__(f"{source_file}: {reason_en} ({reason_code})")
        self.source_file = source_file
        self.reason_code = reason_code
        self.reason_en = reason_en
        self.reason_nl = reason_nl


@dataclass(frozen=True)
class ReadResult:
    """One delivery read: canonical records, rows rejected at read, and the row count."""

    partner: str
    delivery_date: date
    source_file: str
    records: pd.DataFrame
    rejected: pd.DataFrame
    rows_in: int
    #: The raw rows the records were typed from (for :meth:`raw_of`); None when not kept.
    source: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Nothing silently lost: every record of the file is either kept or rejected.
        if self.rows_in != len(self.records) + len(self.rejected):
            raise AssertionError(f"{self.source_file}: rows in != records + rejected")

    def raw_of(self, source_rows: pd.Series) -> pd.Series:
        """The record as received (JSON text) for each of ``source_rows``; NA when unknown."""
        if self.source is None:
            return pd.Series(pd.NA, index=source_rows.index, dtype="string")
        wanted = self.source[self.source[SOURCE_ROW].isin(source_rows.dropna())]
        by_row = raw_text(wanted).set_axis(wanted[SOURCE_ROW].to_numpy())
        by_row = by_row[~by_row.index.duplicated()]
        found = by_row.reindex(source_rows.to_numpy())
        return pd.Series(found.to_numpy(), index=source_rows.index, dtype="string")


@dataclass(frozen=True)
class Reason:
    """A stable reason code with its English (analysts) and Dutch (workers) text."""

    code: str
    en: str
    nl: str


FIELD_COUNT_MISMATCH = Reason(
    "field_count_mismatch",
    "the line does not have as many fields as the header",
    "de regel heeft niet evenveel velden als de kopregel",
)
JSON_MALFORMED = Reason(
    "json_malformed", "the line is not valid JSON", "de regel is geen geldige JSON"
)
JSON_NOT_OBJECT = Reason(
    "json_not_object", "the line is not a JSON object", "de regel is geen JSON-object"
)
REQUIRED_FIELD_MISSING = Reason(
    "required_field_missing",
    "a required field is missing from the record",
    "een verplicht veld ontbreekt in het record",
)
FIELD_TOO_LONG = Reason(
    "field_too_long",
    "a field is longer than any value this delivery can hold",
    "een veld is langer dan een waarde in deze levering kan zijn",
)
STRUCTURAL_REASONS = {
    reason.code: reason
    for reason in (
        FIELD_COUNT_MISMATCH,
        JSON_MALFORMED,
        JSON_NOT_OBJECT,
        REQUIRED_FIELD_MISSING,
        FIELD_TOO_LONG,
    )
}


def unreadable(source_file: str, reason: Reason) -> DeliveryUnreadable:
    return DeliveryUnreadable(source_file, reason.code, reason.en, reason.nl)


FILE_EMPTY = Reason(
    "file_empty", "the file is empty (no header)", "het bestand is leeg (geen kopregel)"
)
ENCODING_INVALID = Reason(
    "encoding_invalid",
    "the file is not in the agreed character encoding",
    "het bestand heeft niet de afgesproken tekencodering",
)
FILE_UNREADABLE = Reason(
    "file_unreadable", "the file could not be opened", "het bestand kon niet worden geopend"
)
FILE_NAME_UNRECOGNISED = Reason(
    "file_name_unrecognised",
    "the file name is not <YYYY-MM-DD>.<extension> of this partner",
    "de bestandsnaam is niet <JJJJ-MM-DD>.<extensie> van deze partner",
)
XLSX_CORRUPT = Reason(
    "xlsx_corrupt",
    "the Excel file is damaged or not an xlsx workbook",
    "het Excel-bestand is beschadigd of geen xlsx-werkmap",
)
CSV_MALFORMED = Reason(
    "csv_malformed", "the CSV file cannot be parsed", "het CSV-bestand kan niet worden gelezen"
)


def missing_columns(source_file: str, columns: Sequence[str]) -> DeliveryUnreadable:
    names = ", ".join(columns)
    return DeliveryUnreadable(
        source_file,
        "required_column_missing",
        f"required column(s) missing from the header: {names}",
        f"verplichte kolom(men) ontbreken in de kopregel: {names}",
    )


def missing_sheet(source_file: str, sheet: str) -> DeliveryUnreadable:
    return DeliveryUnreadable(
        source_file,
        "sheet_missing",
        f"the workbook has no sheet '{sheet}'",
        f"de werkmap heeft geen tabblad '{sheet}'",
    )


def raw_json(record: Mapping[str, object]) -> str:
    """The record as received, as a JSON object (non-ASCII kept readable)."""
    return json.dumps(record, ensure_ascii=False)


def raw_text(raw: pd.DataFrame) -> pd.Series:
    """``RAW`` of raw rows, rebuilt from the source columns where a reader left it NA.

    Per row in Python: meant for the rows that are kept as received (quarantine), not for all.
    """
    text = raw[RAW].astype("string")
    missing = text.isna().to_numpy()
    if missing.any():
        columns = [name for name in raw.columns if name not in RESERVED]
        cells = raw.loc[missing, columns].astype("string").fillna("")
        built = [
            raw_json(dict(zip(columns, values, strict=True)))
            for values in cells.itertuples(index=False, name=None)
        ]
        text[missing] = pd.array(built, dtype="string")  # type: ignore[call-overload]
    return text


def raw_rows(header: Sequence[str], rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """Raw rows as a frame: header columns as text ("" when absent) plus the reserved columns."""
    columns = [name for name in dict.fromkeys(header) if name not in RESERVED]
    data: dict[str, list[object]] = {name: [row.get(name, "") for row in rows] for name in columns}
    for name in RESERVED:
        data[name] = [row[name] for row in rows]
    frame = pd.DataFrame(data, columns=[*columns, *RESERVED])
    dtypes = {name: "string" for name in (*columns, RAW, BROKEN)}
    return frame.astype({**dtypes, SOURCE_ROW: "Int64"})
