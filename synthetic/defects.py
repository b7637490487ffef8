"""Contract-breaking rows and files, injected at a configurable rate and recorded as truth.

Every injected defect is listed with the file, the line (CSV: header = 1; JSONL: first record
= 1; XLSX: sheet row, header = 1), its kind and what a correct pipeline should do with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from synthetic.population import LETTER_PAIRS
from synthetic.writers import FeedFormat, Row

#: Kind → what the pipeline is expected to do with the row or file.
EXPECTED: dict[str, str] = {
    "malformed_postcode": "reject_row",
    "invalid_bsn": "reject_row",
    "negative_amount": "reject_row",
    "non_numeric_amount": "reject_row",
    "impossible_date": "reject_row",
    "future_date": "reject_row",
    "duplicate_row": "duplicate",
    "outside_municipality": "not_resident",
    "suffix_in_house_number": "normalise",
    "missing_column": "reject_file",
    "truncated_file": "reject_file",
}
_OUTSIDE_POSTCODES = ("7711", "7741", "7941", "7701", "7921")  # neighbouring municipalities
_MALFORMED = ("letter_o", "short", "forbidden_pair", "leading_zero", "cut")


@dataclass(frozen=True)
class Defect:
    """One injected defect (``line`` is 0 for a whole-file defect without a line)."""

    file: str
    line: int
    kind: str
    column: str

    def as_row(self) -> dict[str, Any]:
        expected = EXPECTED[self.kind]
        return {"file": self.file, "line": self.line, "kind": self.kind,
                "column": self.column, "expected": expected}  # fmt: skip


def first_line(fmt: FeedFormat) -> int:
    """Line number of the first record: JSONL has no header."""
    return 1 if fmt.ext == "jsonl" else 2


def inject_row_defects(
    fmt: FeedFormat,
    rows: list[Row],
    meta: list[dict[str, Any]],
    delivery: date,
    rate: float,
    rng: np.random.Generator,
    file_label: str,
) -> tuple[list[Row], list[dict[str, Any]], list[Defect]]:
    """Damage about ``rate`` of the rows; duplicates are inserted after their original."""
    out_rows: list[Row] = []
    out_meta: list[dict[str, Any]] = []
    defects: list[Defect] = []
    offset = first_line(fmt)
    hits = rng.random(len(rows)) < rate
    for row, info, hit in zip(rows, meta, hits, strict=True):
        row = list(row)
        if not hit:
            out_rows.append(row)
            out_meta.append(info)
            continue
        kinds = _applicable(fmt, row)
        kind = kinds[int(rng.integers(len(kinds)))]
        column = _damage(fmt, row, kind, delivery, rng)
        out_rows.append(row)
        out_meta.append(info)
        if kind == "duplicate_row":
            out_rows.append(list(row))
            out_meta.append({**info, "duplicate": True})
        line = offset + len(out_rows) - 1
        defects.append(Defect(file_label, line, kind, column))
    return out_rows, out_meta, defects


def _applicable(fmt: FeedFormat, row: Row) -> list[str]:
    kinds = ["malformed_postcode", "outside_municipality", "duplicate_row", "impossible_date",
             "future_date"]  # fmt: skip
    if "amount" in fmt.roles:
        kinds += ["negative_amount", "non_numeric_amount"]
    if "bsn" in fmt.roles:
        kinds.append("invalid_bsn")
    if fmt.ext != "jsonl" and row[fmt.roles["toevoeging"]]:
        kinds += ["suffix_in_house_number"] * 10
    return kinds


def _damage(fmt: FeedFormat, row: Row, kind: str, delivery: date, rng: np.random.Generator) -> str:
    """Apply ``kind`` to ``row`` in place; return the damaged column's header name."""
    roles = fmt.roles
    if kind == "malformed_postcode":
        row[roles["postcode"]] = _malformed_postcode(str(row[roles["postcode"]]), rng)
        return fmt.header[roles["postcode"]]
    if kind == "outside_municipality":
        digits = _OUTSIDE_POSTCODES[int(rng.integers(len(_OUTSIDE_POSTCODES)))]
        pair = LETTER_PAIRS[int(rng.integers(len(LETTER_PAIRS)))]
        row[roles["postcode"]] = f"{digits} {pair}" if fmt.ext != "jsonl" else digits + pair
        return fmt.header[roles["postcode"]]
    if kind == "invalid_bsn":
        bsn = str(row[roles["bsn"]])
        row[roles["bsn"]] = bsn[:8] + str((int(bsn[8]) + 1 + int(rng.integers(9))) % 10)
        return fmt.header[roles["bsn"]]
    if kind in ("negative_amount", "non_numeric_amount"):
        return _damage_amount(fmt, row, kind, rng)
    if kind in ("impossible_date", "future_date"):
        return _damage_date(fmt, row, kind, delivery, rng)
    if kind == "suffix_in_house_number":
        number, suffix = row[roles["huisnummer"]], str(row[roles["toevoeging"]])
        style = ("{n}{s}", "{n} {S}", "{n}-{S}")[int(rng.integers(3))]
        row[roles["huisnummer"]] = style.format(n=number, s=suffix.lower(), S=suffix.upper())
        row[roles["toevoeging"]] = "" if fmt.ext != "xlsx" else None
        return fmt.header[roles["huisnummer"]]
    return ""  # duplicate_row: the row itself is intact


def _malformed_postcode(postcode: str, rng: np.random.Generator) -> str:
    digits, letters = postcode.replace(" ", "")[:4], postcode.replace(" ", "")[4:].upper()
    variant = _MALFORMED[int(rng.integers(len(_MALFORMED)))]
    if variant == "letter_o":
        return digits[:2] + "O" + digits[3] + " " + letters
    if variant == "short":
        return digits[:3] + " " + letters
    if variant == "forbidden_pair":
        return digits + " " + ("SA", "SD", "SS")[int(rng.integers(3))]
    if variant == "leading_zero":
        return "0" + digits[1:] + " " + letters
    return digits + " " + letters[:1]


def _damage_amount(fmt: FeedFormat, row: Row, kind: str, rng: np.random.Generator) -> str:
    index = fmt.roles["amount"]
    value = row[index]
    if kind == "negative_amount":
        row[index] = -abs(value) if isinstance(value, float) else "-" + str(value)
    else:
        row[index] = ("n.v.t.", "onbekend", "12,3x", "#WAARDE!", "")[int(rng.integers(5))]
    return fmt.header[index]


def _damage_date(
    fmt: FeedFormat, row: Row, kind: str, delivery: date, rng: np.random.Generator
) -> str:
    role = ("signal_date", "since", "birth_date")[int(rng.integers(3))]
    index = fmt.roles.get(role, fmt.roles["signal_date"])
    if kind == "impossible_date":
        day, month = (("31", "02"), ("30", "02"), ("31", "04"), ("32", "01"))[int(rng.integers(4))]
        text = fmt.date_format.replace("%d", day).replace("%m", month)
        row[index] = text.replace("%Y", str(delivery.year))
        if fmt.ext == "xlsx":
            row[index] = f"{day}-{month}-{delivery.year}"
    else:
        future = delivery + timedelta(days=int(rng.integers(60, 500)))
        stamp = datetime(future.year, future.month, future.day)
        row[index] = stamp if fmt.ext == "xlsx" else future.strftime(fmt.date_format)
    return fmt.header[index]


def broken_files(
    formats: list[FeedFormat], rate: float, rng: np.random.Generator
) -> list[str | None]:
    """Which delivery files are broken whole: round(2 · rate · files) of them, at random.

    A fixed count rather than a coin per file, so that even a small sample shows one.
    """
    kinds: list[str | None] = [None] * len(formats)
    count = round(2 * rate * len(formats))
    for index in sorted(rng.choice(len(formats), size=count, replace=False).tolist()):
        if formats[index].ext == "xlsx":
            kinds[index] = "missing_column"
        else:
            kinds[index] = ("missing_column", "truncated_file")[int(rng.integers(2))]
    return kinds


def drop_column(
    fmt: FeedFormat, header: list[str], rows: list[Row], rng: np.random.Generator
) -> tuple[list[str], list[Row], str]:
    """Remove one required column (not the id) from the header and every row."""
    index = int(rng.integers(1, len(header)))
    name = header[index]
    return header[:index] + header[index + 1 :], [r[:index] + r[index + 1 :] for r in rows], name


def truncate(data: bytes, rng: np.random.Generator) -> tuple[bytes, int]:
    """Cut a text file mid-line somewhere in its middle; return bytes and the cut line."""
    cut = int(len(data) * rng.uniform(0.3, 0.7))
    while 0 < cut < len(data) and data[cut - 1 : cut] in (b"\n", b"\r"):
        cut += 1
    body = data[:cut]
    return body, body.count(b"\n") + 1
