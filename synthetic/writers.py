"""Feed-format writers: each partner's dialect exactly as in ``FEEDS.md``.

A delivery is first turned into *cells* (strings for text formats, typed values for Excel) so
that defects can be injected cell by cell before the bytes are written.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

Cell = Any  # str for text formats; str | int | float | datetime | None for Excel
Row = list[Cell]

#: Fixed timestamp inside XLSX packages and zip members, so a seed gives identical bytes.
_FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def amount_nl(value: float, thousands: bool = True) -> str:
    """``1396.8`` → ``1.396,80`` (or ``1396,80`` without a thousands separator)."""
    text = f"{value:,.2f}" if thousands else f"{value:.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@dataclass(frozen=True)
class FeedFormat:
    """One partner's file dialect and where the identifying and checked fields are."""

    partner: str
    ext: str
    header: tuple[str, ...]
    delimiter: str = ";"
    line_end: str = "\n"
    encoding: str = "utf-8"
    date_format: str = "%d-%m-%Y"
    roles: dict[str, int] = field(default_factory=dict)  # role -> column index
    amount_text: Callable[[float], str] = amount_nl


FORMATS: dict[str, FeedFormat] = {
    "domesta": FeedFormat(
        "domesta", "csv",
        ("signaal_id", "postcode", "huisnummer", "toevoeging", "geboortedatum", "maandhuur",
         "achterstand_bedrag", "achterstand_maanden", "ontstaansdatum", "signaaldatum",
         "ontruiming_aangevraagd", "warme_overdracht"),
        line_end="\r\n", encoding="utf-8-sig",
        roles={"postcode": 1, "huisnummer": 2, "toevoeging": 3, "amount": 6,
               "birth_date": 4, "since": 8, "signal_date": 9},
    ),
    "energie": FeedFormat(
        "energie", "csv",
        ("signal_id", "postcode", "house_number", "house_number_suffix", "birth_date",
         "arrears_amount", "arrears_since", "signal_date", "days_overdue",
         "end_of_supply_date", "warm_handover"),
        delimiter=",", date_format="%Y-%m-%d",
        roles={"postcode": 1, "huisnummer": 2, "toevoeging": 3, "amount": 5,
               "birth_date": 4, "since": 6, "signal_date": 7},
        amount_text=lambda v: f"{v:.2f}",
    ),
    "water": FeedFormat(
        "water", "xlsx",
        ("Kenmerk", "Postcode", "Huisnr", "Toev", "Geb.datum", "Openstaand bedrag",
         "Oudste factuurdatum", "Signaaldatum"),
        roles={"postcode": 1, "huisnummer": 2, "toevoeging": 3, "amount": 5,
               "birth_date": 4, "since": 6, "signal_date": 7},
    ),
    "zorg": FeedFormat(
        "zorg", "csv",
        ("SIGNAALNR", "BSN", "POSTCODE", "HUISNR", "HUISNR_TOEV", "GEBDAT", "ACHTERSTAND",
         "MAANDEN_ACHTERSTAND", "DATUM_ONTSTAAN", "DATUM_SIGNAAL", "CAK_AANMELDING"),
        line_end="\r\n", encoding="latin-1", date_format="%Y%m%d",
        roles={"bsn": 1, "postcode": 2, "huisnummer": 3, "toevoeging": 4, "amount": 6,
               "birth_date": 5, "since": 8, "signal_date": 9},
        amount_text=lambda v: amount_nl(v, thousands=False),
    ),
    "bank": FeedFormat(
        "bank", "jsonl",
        ("referral_id", "postcode", "house_number", "suffix", "consent", "indicators",
         "referral_date"),
        date_format="%Y-%m-%d",
        roles={"postcode": 1, "huisnummer": 2, "toevoeging": 3, "signal_date": 6},
    ),
    "nazorg": FeedFormat(
        "nazorg", "csv",
        ("dossier_id", "postcode", "huisnummer", "toevoeging", "einddatum_traject", "uitkomst"),
        roles={"postcode": 1, "huisnummer": 2, "toevoeging": 3, "signal_date": 4},
    ),
}  # fmt: skip


def text_bytes(fmt: FeedFormat, header: Sequence[str], rows: Sequence[Row]) -> bytes:
    """A delimited text file (CSV dialects) or JSON lines (bank), as bytes."""
    if fmt.ext == "jsonl":
        lines = [
            json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) for row in rows
        ]
        body = "".join(line + fmt.line_end for line in lines)
    else:
        lines = [fmt.delimiter.join(header), *(fmt.delimiter.join(row) for row in rows)]
        body = "".join(line + fmt.line_end for line in lines)
    return body.encode(fmt.encoding)


def xlsx_bytes(header: Sequence[str], rows: Sequence[Row], stamp: date, sheet: str) -> bytes:
    """An Excel workbook with one sheet, byte-identical for identical content and ``stamp``."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    moment = datetime(stamp.year, stamp.month, stamp.day, 6, 0, 0)
    wb.properties.created = moment
    wb.properties.modified = moment
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps "modified" with the clock.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return _fixed_zip_times(raw.getvalue())


def _fixed_zip_times(package: bytes) -> bytes:
    """Rewrite a zip with every member's timestamp fixed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def write_gzip_csv(frame: pd.DataFrame, path: Path, sep: str = ";") -> None:
    """A gzip-compressed CSV with a zero mtime and no embedded file name (deterministic)."""
    text = frame.to_csv(sep=sep, index=False, lineterminator="\n")
    with (
        path.open("wb") as handle,
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0) as gz,
    ):
        gz.write(text.encode("utf-8"))
