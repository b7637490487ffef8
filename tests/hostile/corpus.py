"""The hostile-delivery corpus: every kind of broken input, with what must become of it.

Each :class:`Case` is a small inbox (files by their inbox path, built by code from clean rows
with one thing broken), optionally an address list and later nights, and the outcome of each
file: loaded (rows received, reason codes that must be among its quarantined rows), refused
whole (rejected / unreadable, with the reason code), unplaced by the inbox (with its code), or
waiting for a later night. A case with an unusable address list expects the night refused.
The invariants every case must keep (no crash, nothing dropped in silence, rows in = accepted +
quarantined per file, nothing of a referral without consent kept) are checked by the test.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date

from tests.hostile.partners import (
    DAY,
    HEADERS,
    ID_COLUMN,
    NIGHT,
    csv_file,
    delivery,
    good_row,
    good_rows,
    jsonl_file,
    name,
    reference_csv,
    reference_rows,
    with_cell,
    xlsx_file,
)

LONG = "X" * 10_000
FORMULAS = ('=HYPERLINK("http://example.invalid/?q=1","klik")', "+cmd|' /C calc'!A0", "@SUM(1+1)")


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (outside the inbox)."""

    target: str


@dataclass(frozen=True)
class Fifo:
    """A named pipe: reading it would hang the night."""


FileContent = bytes | Link | Fifo


@dataclass(frozen=True)
class Expect:
    outcome: str  # loaded | refused | unplaced | waiting
    code: str | None = None  # refusal or unplaced reason code
    rows: int | None = None  # rows received (loaded)
    accepted: int | None = None
    quarantined: frozenset[str] = frozenset()  # reason codes among the quarantined rows


def loaded(rows: int, *codes: str, accepted: int | None = None) -> Expect:
    return Expect("loaded", rows=rows, accepted=accepted, quarantined=frozenset(codes))


def refused(code: str) -> Expect:
    return Expect("refused", code=code)


def unplaced(code: str) -> Expect:
    return Expect("unplaced", code=code)


WAITING = Expect("waiting")


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # the kind of hostile input, for the figures in docs/reliability.md
    files: dict[str, FileContent]
    expect: dict[str, Expect]
    reference: bytes | None = None  # None: the clean address list
    night_refused: bool = False
    #: Further nights: (night, files added before it). The first night is NIGHT.
    later: tuple[tuple[date, dict[str, FileContent]], ...] = ()
    export: bool = False  # also write the night's task lists and partner feedback
    changed: tuple[str, ...] = ()  # files reported as changed after loading
    extra_check: str | None = None  # name of a check in the test module
    nights: tuple[date, ...] = field(default=(NIGHT,))


def one(
    case_id: str, kind: str, partner: str, content: FileContent, expect: Expect, **more: object
) -> Case:
    """A case of one file, the partner's delivery for the night."""
    path = name(partner)
    return Case(case_id, kind, {path: content}, {path: expect}, **more)  # type: ignore[arg-type]


def _garbage(size: int = 2048, seed: int = 14) -> bytes:
    return random.Random(seed).randbytes(size)


def _zip_bomb_like() -> bytes:
    """A valid xlsx whose sheet inflates from a few hundred KB to about 200 MB of rows."""
    clean = zipfile.ZipFile(io.BytesIO(xlsx_file()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in clean.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item, clean.read(item.filename))
                continue
            head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            head += b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            with bomb.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                empty = b"<row><c><v></v></c></row>" * 40_000
                for _ in range(200):
                    sheet.write(empty)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _password_protected() -> bytes:
    """What an Excel file saved with a password starts as: an OLE2 compound file, not a zip."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + bytes.fromhex("3E000300FEFF0900")
    return header + bytes(512 - len(header)) + b"EncryptionInfo EncryptedPackage".ljust(1024, b"\0")


def encoding_cases() -> list[Case]:
    accented = with_cell("energie", "signal_id", "EN-é")
    return [
        one(
            "domesta-utf16",
            "UTF-16",
            "domesta",
            csv_file("domesta", encoding="utf-16", bom=False),
            refused("encoding_invalid"),
        ),
        one(
            "energie-latin1",
            "Latin-1 where UTF-8 is promised",
            "energie",
            csv_file("energie", accented, encoding="latin-1"),
            refused("encoding_invalid"),
        ),
        one(
            "nazorg-latin1",
            "Latin-1 where UTF-8 is promised",
            "nazorg",
            csv_file("nazorg", with_cell("nazorg", "dossier_id", "GKB-ë"), encoding="latin-1"),
            refused("encoding_invalid"),
        ),
        one(
            "bank-latin1",
            "Latin-1 where UTF-8 is promised",
            "bank",
            jsonl_file(with_cell("bank", "referral_id", "B-é")).decode().encode("latin-1"),
            refused("encoding_invalid"),
        ),
        one(
            "zorg-utf8",
            "UTF-8 where Latin-1 is promised",
            "zorg",
            csv_file("zorg", with_cell("zorg", "HUISNR_TOEV", "é"), encoding="utf-8"),
            loaded(3, "toevoeging_invalid", accepted=2),
        ),
        one(
            "domesta-no-bom",
            "BOM missing",
            "domesta",
            csv_file("domesta", bom=False),
            loaded(3, accepted=3),
        ),
        one(
            "energie-bom",
            "BOM unexpected",
            "energie",
            csv_file("energie", bom=True),
            loaded(3, accepted=3),
        ),
        one(
            "nazorg-bom",
            "BOM unexpected",
            "nazorg",
            csv_file("nazorg", bom=True),
            loaded(3, accepted=3),
        ),
        one(
            "zorg-utf8-bom",
            "BOM unexpected",
            "zorg",
            csv_file("zorg", bom=True),
            refused("required_column_missing"),
        ),
        one(
            "domesta-utf16-bom",
            "UTF-16",
            "domesta",
            csv_file("domesta", encoding="utf-16"),
            refused("encoding_invalid"),
        ),
    ]


def structure_cases() -> list[Case]:
    quoted = with_cell("domesta", "toevoeging", "A;B")
    newline = with_cell("domesta", "toevoeging", "A\nB")
    clean = csv_file("domesta")
    truncated = clean[: clean.rstrip(b"\r\n").rfind(b";")]  # the last line cut mid-row
    unterminated = clean + b'DOM-9;7906 KL;"14;;23-07-1988\r\nDOM-10;7908 RT;3\r\n'
    long_line = good_row("domesta", 5)
    return [
        one(
            "domesta-comma",
            "wrong delimiter",
            "domesta",
            csv_file("domesta", delimiter=","),
            refused("required_column_missing"),
        ),
        one(
            "energie-semicolon",
            "wrong delimiter",
            "energie",
            csv_file("energie", delimiter=";"),
            refused("required_column_missing"),
        ),
        one(
            "domesta-quoted-delimiter",
            "quoted delimiter inside a field",
            "domesta",
            csv_file("domesta", quoted),
            loaded(3, accepted=3),
        ),
        one(
            "domesta-quoted-newline",
            "quoted newline inside a field",
            "domesta",
            csv_file("domesta", newline),
            loaded(3, accepted=3),
        ),
        one(
            "domesta-quote-all",
            "every field quoted",
            "domesta",
            csv_file("domesta", quote_all=True),
            loaded(3, accepted=3),
        ),
        one(
            "domesta-truncated",
            "truncated last line",
            "domesta",
            truncated,
            loaded(3, "field_count_mismatch", accepted=2),
        ),
        one(
            "energie-truncated",
            "truncated last line",
            "energie",
            csv_file("energie")[:-12],
            loaded(3, "field_count_mismatch", accepted=2),
        ),
        one(
            "domesta-unterminated-quote",
            "quote never closed",
            "domesta",
            unterminated,
            loaded(4, "field_count_mismatch", accepted=3),
        ),
        one(
            "domesta-extra-field",
            "a row with a field too many",
            "domesta",
            clean + ";".join([*map(str, long_line.values()), "extra"]).encode() + b"\r\n",
            loaded(4, "field_count_mismatch", accepted=3),
        ),
        one(
            "zorg-lf",
            "LF line endings",
            "zorg",
            csv_file("zorg").replace(b"\r\n", b"\n"),
            loaded(3, accepted=3),
        ),
        one(
            "nazorg-cr",
            "old Mac CR line endings",
            "nazorg",
            csv_file("nazorg").replace(b"\r\n", b"\r"),
            loaded(3, accepted=3),
        ),
    ]


def empty_cases() -> list[Case]:
    header = {p: csv_file(p, []) for p in ("domesta", "energie", "zorg", "nazorg")}
    return [
        *(
            one(f"{p}-empty", "empty file", p, b"", refused("file_empty"))
            for p in ("domesta", "energie", "zorg", "nazorg")
        ),
        one("water-empty", "empty file", "water", b"", refused("xlsx_corrupt")),
        one("bank-empty", "empty file", "bank", b"", loaded(0, accepted=0)),
        one(
            "domesta-blank", "only blank lines", "domesta", b"\r\n \r\n\r\n", refused("file_empty")
        ),
        one(
            "domesta-header-only",
            "header only",
            "domesta",
            header["domesta"],
            refused("empty_delivery"),
        ),
        one(
            "energie-header-only",
            "header only",
            "energie",
            header["energie"],
            refused("empty_delivery"),
        ),
        one("zorg-header-only", "header only", "zorg", header["zorg"], refused("empty_delivery")),
        one("nazorg-header-only", "header only", "nazorg", header["nazorg"], loaded(0, accepted=0)),
        one("water-header-only", "header only", "water", xlsx_file([]), loaded(0, accepted=0)),
    ]


def column_cases() -> list[Case]:
    domesta = HEADERS["domesta"]
    extra = [{**row, "opmerking": "x"} for row in good_rows("domesta")]
    renamed = ("SIGNAAL_ID", *domesta[1:])
    spaced = (" signaal_id ", *domesta[1:])
    no_birth = tuple(c for c in domesta if c != "geboortedatum")
    no_amount = tuple(c for c in domesta if c != "achterstand_bedrag")
    bank_rows = [{k: v for k, v in row.items() if k != "indicators"} for row in good_rows("bank")]
    return [
        one(
            "domesta-extra-column",
            "extra column",
            "domesta",
            csv_file("domesta", extra, header=(*domesta, "opmerking")),
            loaded(3, accepted=3),
        ),
        one(
            "domesta-missing-required",
            "missing column",
            "domesta",
            csv_file("domesta", header=no_amount),
            refused("required_column_missing"),
        ),
        one(
            "domesta-missing-optional",
            "missing column",
            "domesta",
            csv_file("domesta", header=no_birth),
            loaded(3, accepted=3),
        ),
        one(
            "domesta-renamed-case",
            "renamed column (case)",
            "domesta",
            csv_file(
                "domesta",
                [
                    {("SIGNAAL_ID" if k == "signaal_id" else k): v for k, v in r.items()}
                    for r in good_rows("domesta")
                ],
                header=renamed,
            ),
            refused("required_column_missing"),
        ),
        one(
            "domesta-renamed-spaces",
            "renamed column (spaces)",
            "domesta",
            csv_file(
                "domesta",
                [
                    {(" signaal_id " if k == "signaal_id" else k): v for k, v in r.items()}
                    for r in good_rows("domesta")
                ],
                header=spaced,
            ),
            loaded(3, accepted=3),
        ),
        one(
            "water-renamed-case",
            "renamed column (case)",
            "water",
            xlsx_file(
                [
                    {("kenmerk" if k == "Kenmerk" else k): v for k, v in r.items()}
                    for r in good_rows("water")
                ],
                header=("kenmerk", *HEADERS["water"][1:]),
            ),
            refused("required_column_missing"),
        ),
        one(
            "water-other-sheet",
            "missing sheet",
            "water",
            xlsx_file(sheet="Blad1"),
            refused("sheet_missing"),
        ),
        one(
            "water-extra-cells",
            "a row with a field too many",
            "water",
            xlsx_file(extra_cells=1),
            loaded(3, "field_count_mismatch", accepted=0),
        ),
        one(
            "bank-missing-field",
            "missing column",
            "bank",
            jsonl_file(bank_rows),
            refused("required_column_missing"),
        ),
        one(
            "energie-duplicate-column",
            "duplicate column",
            "energie",
            csv_file("energie", header=(*HEADERS["energie"], "postcode")),
            loaded(3, accepted=3),
        ),
    ]


def long_field_cases() -> list[Case]:
    """Fields of 10,000 characters quarantine their row alone; ids longer than the database
    keeps (200) but short of that limit are quarantined by validation."""
    long_cells = [
        ("domesta", "signaal_id"),
        ("energie", "house_number_suffix"),
        ("zorg", "BSN"),
        ("bank", "referral_id"),
        ("water", "Kenmerk"),
        ("nazorg", "dossier_id"),
        ("domesta", "achterstand_bedrag"),
    ]
    cases = [
        one(
            f"{partner}-long-{column.lower()}",
            "10,000-character field",
            partner,
            delivery(partner, with_cell(partner, column, LONG)),
            loaded(3, "field_too_long", accepted=2),
        )
        for partner, column in long_cells
    ]
    id_300 = "I" * 300
    cases += [
        one(
            f"{partner}-id-300",
            "an id longer than the database keeps",
            partner,
            delivery(partner, with_cell(partner, ID_COLUMN[partner], id_300)),
            loaded(3, f"{canonical}_too_long", accepted=2),
        )
        for partner, canonical in (
            ("domesta", "signal_id"),
            ("bank", "signal_id"),
            ("nazorg", "dossier_id"),
        )
    ]
    return cases


def garbage_cases() -> list[Case]:
    text = csv_file("domesta").decode("utf-8-sig")
    return [
        one(
            "domesta-garbage", "binary garbage", "domesta", _garbage(), refused("encoding_invalid")
        ),
        one(
            "zorg-garbage",
            "binary garbage",
            "zorg",
            _garbage(seed=15),
            refused("required_column_missing"),
        ),
        one(
            "bank-garbage", "binary garbage", "bank", _garbage(seed=16), refused("encoding_invalid")
        ),
        one("water-garbage", "binary garbage", "water", _garbage(seed=17), refused("xlsx_corrupt")),
        one(
            "nazorg-nul-bytes",
            "NUL bytes",
            "nazorg",
            csv_file("nazorg").replace(b"GKB-1", b"GKB\x00-1"),
            loaded(3, accepted=3),
        ),
        one(
            "water-truncated",
            "truncated XLSX",
            "water",
            xlsx_file()[:1500],
            refused("xlsx_corrupt"),
        ),
        one(
            "water-renamed-csv",
            "CSV renamed to .xlsx",
            "water",
            text.encode(),
            refused("xlsx_corrupt"),
        ),
        one(
            "water-password",
            "password-protected XLSX",
            "water",
            _password_protected(),
            refused("xlsx_corrupt"),
        ),
        one(
            "water-zip-bomb",
            "zip-bomb-like XLSX",
            "water",
            _zip_bomb_like(),
            refused("xlsx_too_large"),
        ),
    ]


def jsonl_cases() -> list[Case]:
    rows = good_rows("bank", 3)
    lines = jsonl_file(rows).decode().splitlines()
    invalid = "\n".join([lines[0], '{"referral_id": "B-9", "consent": true,', *lines[1:]]) + "\n"
    array = "[" + ", ".join(lines) + "]\n"
    pretty = "[\n  " + ",\n  ".join(lines) + "\n]\n"
    consents = ["ja", "true", 1, None, False, "yes", [True], {"value": True}]
    consent_rows = [{**good_row("bank", i), "consent": c} for i, c in enumerate(consents)]
    consent_rows.append(good_row("bank", 20))
    missing = {k: v for k, v in good_row("bank", 30).items() if k != "consent"}
    broken_without = {**missing, "house_number": "veertien", "referral_id": "B-31"}
    broken_false = {**good_row("bank", 32), "consent": False, "postcode": "0000XX"}
    indicators = [
        {**good_row("bank", 40), "indicators": ["bitcoin"]},
        {**good_row("bank", 41), "indicators": ["stornering", "stornering"]},
        {**good_row("bank", 42), "indicators": {"stornering": True}},
        {**good_row("bank", 43), "indicators": ["gemiste_aflossing", "spaartegoed_daalt"]},
    ]
    deep = "[" * 100_000 + "]" * 100_000
    return [
        one(
            "bank-invalid-line",
            "JSONL with one invalid line",
            "bank",
            invalid.encode(),
            loaded(4, "no_consent", accepted=3),
        ),
        one(
            "bank-array-one-line",
            "a JSON array instead of lines",
            "bank",
            array.encode(),
            refused("json_array"),
        ),
        one(
            "bank-array-pretty",
            "a JSON array instead of lines",
            "bank",
            pretty.encode(),
            refused("json_array"),
        ),
        one(
            "bank-consent-variants",
            "consent other than JSON true",
            "bank",
            jsonl_file(consent_rows),
            loaded(9, "no_consent", accepted=1),
        ),
        one(
            "bank-no-consent-and-broken",
            "no consent and broken",
            "bank",
            jsonl_file([missing, broken_without, broken_false, good_row("bank", 33)]),
            loaded(4, "no_consent", accepted=1),
        ),
        one(
            "bank-indicators",
            "indicators outside the agreed set",
            "bank",
            jsonl_file(indicators),
            loaded(4, "indicator_unknown", accepted=1),
        ),
        one(
            "bank-deep-nesting",
            "deeply nested JSON",
            "bank",
            (lines[0] + "\n" + deep + "\n").encode(),
            loaded(2, "no_consent", accepted=1),
        ),
        one(
            "bank-crlf",
            "CRLF line endings",
            "bank",
            jsonl_file(newline="\r\n"),
            loaded(3, accepted=3),
        ),
        one(
            "bank-float-house-number",
            "a number where an integer is due",
            "bank",
            jsonl_file(with_cell("bank", "house_number", 5.5)),
            loaded(3, accepted=3),
        ),
    ]


def injection_cases() -> list[Case]:
    ids = [{**good_row("domesta", i), "signaal_id": f} for i, f in enumerate(FORMULAS)]
    energie = [{**good_row("energie", i), "house_number_suffix": f} for i, f in enumerate(FORMULAS)]
    energie += [good_row("energie", 10), good_row("energie", 11)]
    return [
        one(
            "domesta-formula-ids",
            "formula injection",
            "domesta",
            csv_file("domesta", ids),
            loaded(3, accepted=3),
            export=True,
        ),
        one(
            "energie-formula-suffix",
            "formula injection",
            "energie",
            csv_file("energie", energie),
            loaded(5, "toevoeging_invalid", accepted=2),
            export=True,
        ),
        one(
            "nazorg-formula-outcome",
            "formula injection",
            "nazorg",
            csv_file("nazorg", with_cell("nazorg", "uitkomst", FORMULAS[0])),
            loaded(3, "trajectory_outcome_unknown", accepted=2),
        ),
        Case(
            "reference-formula-wijknaam",
            "formula injection",
            {name("domesta"): delivery("domesta")},
            {name("domesta"): loaded(3, accepted=3)},
            reference=reference_csv(wijknaam=FORMULAS[2]),
            export=True,
        ),
        one(
            "water-formula-cells",
            "formula injection",
            "water",
            xlsx_file(with_cell("water", "Openstaand bedrag", "=1+1")),
            loaded(3, "amount_missing", accepted=2),
            export=True,
        ),
    ]


def value_cases() -> list[Case]:
    def amounts(partner: str, column: str, values: list[str], *codes: str) -> Case:
        rows = [{**good_row(partner, i), column: v} for i, v in enumerate(values)]
        return one(
            f"{partner}-amounts",
            "odd amounts",
            partner,
            delivery(partner, rows),
            loaded(len(rows), *codes, accepted=1),
        )

    return [
        one(
            "domesta-impossible-date",
            "impossible date",
            "domesta",
            csv_file("domesta", with_cell("domesta", "signaaldatum", "31-02-2026")),
            loaded(3, "signal_date_invalid_date", accepted=2),
        ),
        one(
            "energie-impossible-month",
            "impossible date",
            "energie",
            csv_file("energie", with_cell("energie", "arrears_since", "2026-13-01")),
            loaded(3, "arrears_since_invalid_date", accepted=2),
        ),
        one(
            "zorg-impossible-date",
            "impossible date",
            "zorg",
            csv_file("zorg", with_cell("zorg", "DATUM_SIGNAAL", "20261301")),
            loaded(3, "signal_date_invalid_date", accepted=2),
        ),
        one(
            "water-text-date",
            "impossible date",
            "water",
            xlsx_file(with_cell("water", "Signaaldatum", "31-02-2026")),
            loaded(3, "signal_date_invalid_date", accepted=2),
        ),
        one(
            "energie-zero-date",
            "impossible date",
            "energie",
            csv_file("energie", with_cell("energie", "birth_date", "0000-00-00")),
            loaded(3, "birth_date_invalid_date", accepted=2),
        ),
        one(
            "domesta-future-signal",
            "signal dated after the delivery",
            "domesta",
            csv_file("domesta", with_cell("domesta", "signaaldatum", "05-10-2027")),
            loaded(3, "signal_date_in_future", accepted=2),
        ),
        one(
            "domesta-arrears-after-signal",
            "arrears start after the signal",
            "domesta",
            csv_file(
                "domesta",
                [
                    *good_rows("domesta", 2),
                    {
                        **good_row("domesta", 2),
                        "signaaldatum": "01-09-2026",
                        "ontstaansdatum": "15-09-2026",
                    },
                ],
            ),
            loaded(3, "arrears_after_signal", accepted=2),
        ),
        amounts(
            "domesta",
            "achterstand_bedrag",
            ["1.396,80", "1.234.567,89", "€ 12,50", "-50", "1e9", "NaN", "12,5,0"],
            "amount_out_of_range",
            "amount_not_numeric",
        ),
        amounts(
            "energie",
            "arrears_amount",
            ["512.00", "1e9", "NaN", "inf", "-50", "12,50", "€ 12.50"],
            "amount_not_numeric",
            "amount_out_of_range",
        ),
        amounts(
            "water",
            "Openstaand bedrag",
            [187.5, -50, "12,50", "NaN", float("nan")],
            "amount_not_numeric",
            "amount_out_of_range",
            "amount_missing",
        ),
        amounts(
            "zorg",
            "ACHTERSTAND",
            ["412,56", "1.234.567,89", "EUR 12,50", "-50", "NaN"],
            "amount_out_of_range",
            "amount_not_numeric",
        ),
        one(
            "domesta-bad-postcodes",
            "odd addresses",
            "domesta",
            csv_file(
                "domesta",
                [
                    {**good_row("domesta", i), "postcode": p}
                    for i, p in enumerate(["7906 KL", "7906 SS", "0906 KL", "79O6 KL", ""])
                ],
            ),
            loaded(5, "postcode_invalid", "postcode_missing", accepted=1),
        ),
        one(
            "energie-bad-house-numbers",
            "odd addresses",
            "energie",
            csv_file(
                "energie",
                [
                    {**good_row("energie", i), "house_number": h}
                    for i, h in enumerate(["14", "0", "100000", "-3", "14½", "1e3"])
                ],
            ),
            loaded(6, "huisnummer_out_of_range", "huisnummer_not_integer", accepted=2),
        ),
        one(
            "zorg-bad-booleans",
            "odd yes/no values",
            "zorg",
            csv_file("zorg", with_cell("zorg", "CAK_AANMELDING", "ja")),
            loaded(3, "cak_registered_not_boolean", accepted=2),
        ),
    ]


def duplicate_cases() -> list[Case]:
    dup_domesta = good_rows("domesta", 3)
    dup_domesta[2] = {**dup_domesta[2], "signaal_id": dup_domesta[0]["signaal_id"]}
    dup_bank = good_rows("bank", 3)
    dup_bank[1] = {**dup_bank[1], "referral_id": dup_bank[0]["referral_id"]}
    dup_nazorg = good_rows("nazorg", 3)
    dup_nazorg[2] = {**dup_nazorg[2], "dossier_id": dup_nazorg[1]["dossier_id"]}
    water = xlsx_file()
    next_day = date(2026, 10, 6)
    return [
        one(
            "domesta-duplicate-ids",
            "duplicate ids in one file",
            "domesta",
            csv_file("domesta", dup_domesta),
            loaded(3, "duplicate", accepted=2),
        ),
        one(
            "bank-duplicate-ids",
            "duplicate ids in one file",
            "bank",
            jsonl_file(dup_bank),
            loaded(3, "duplicate", accepted=2),
        ),
        one(
            "nazorg-duplicate-ids",
            "duplicate ids in one file",
            "nazorg",
            csv_file("nazorg", dup_nazorg),
            loaded(3, "duplicate", accepted=2),
        ),
        Case(
            "domesta-same-delivery-twice",
            "the same delivery twice under two names",
            {name("domesta"): delivery("domesta")},
            {
                name("domesta"): loaded(3, accepted=3),
                name("domesta", "2026-10-06"): refused("duplicate_delivery"),
            },
            later=((next_day, {name("domesta", "2026-10-06"): delivery("domesta")}),),
        ),
        Case(
            "water-two-spellings",
            "two files for one partner and date",
            {name("water"): water, f"water/{DAY}.XLSX": water},
            {
                name("water"): loaded(3, accepted=3),
                f"water/{DAY}.XLSX": refused("second_file_for_date"),
            },
        ),
        Case(
            "water-two-spellings-later",
            "two files for one partner and date",
            {name("water"): water},
            {
                name("water"): loaded(3, accepted=3),
                f"water/{DAY}.XLSX": refused("second_file_for_date"),
            },
            later=((next_day, {f"water/{DAY}.XLSX": xlsx_file(good_rows("water", 2))}),),
        ),
        Case(
            "domesta-other-digits",
            "two files for one partner and date",
            {
                name("domesta"): delivery("domesta"),
                "domesta/２０２６-10-05.csv": delivery("domesta"),
            },
            {
                name("domesta"): loaded(3, accepted=3),
                "domesta/２０２６-10-05.csv": unplaced("odd_characters"),
            },
        ),
    ]


def order_cases() -> list[Case]:
    later = date(2026, 10, 13)
    ten = good_rows("domesta", 10)
    return [
        Case(
            "domesta-out-of-order",
            "deliveries out of order",
            {name("domesta", "2026-10-12"): delivery("domesta")},
            {
                name("domesta", "2026-10-12"): loaded(3, accepted=3),
                name("domesta"): loaded(3, accepted=3),
            },
            later=((later, {name("domesta"): delivery("domesta", good_rows("domesta", 3)[::-1])}),),
            nights=(date(2026, 10, 12),),
        ),
        Case(
            "domesta-future-delivery",
            "a delivery dated in the future",
            {
                name("domesta"): delivery("domesta"),
                name("domesta", "2027-01-04"): delivery("domesta"),
            },
            {name("domesta"): loaded(3, accepted=3), name("domesta", "2027-01-04"): WAITING},
        ),
        Case(
            "domesta-row-count-collapse",
            "row count collapse",
            {name("domesta"): csv_file("domesta", ten)},
            {
                name("domesta"): loaded(10, accepted=10),
                name("domesta", "2026-10-12"): refused("row_count_collapse"),
            },
            later=(
                (date(2026, 10, 12), {name("domesta", "2026-10-12"): csv_file("domesta", ten[:2])}),
            ),
        ),
        Case(
            "domesta-changed-after-loading",
            "a loaded file changed afterwards",
            {name("domesta"): delivery("domesta")},
            {name("domesta"): loaded(3, accepted=3)},
            later=(
                (
                    date(2026, 10, 6),
                    {name("domesta"): csv_file("domesta", good_rows("domesta", 4))},
                ),
            ),
            changed=(name("domesta"),),
        ),
        Case(
            "domesta-corrected-after-refusal",
            "a refused file corrected under its name",
            {name("domesta"): b""},
            {name("domesta"): loaded(3, accepted=3)},
            later=((date(2026, 10, 6), {name("domesta"): delivery("domesta")}),),
        ),
    ]


def inbox_cases() -> list[Case]:
    good = delivery("domesta")

    def misplaced(case_id: str, kind: str, path: str, code: str) -> Case:
        return Case(
            case_id,
            kind,
            {name("domesta"): good, path: good},
            {name("domesta"): loaded(3, accepted=3), path: unplaced(code)},
        )

    return [
        misplaced(
            "inbox-unknown-partner",
            "unknown partner folder",
            f"woningstichting/{DAY}.csv",
            "unknown_partner",
        ),
        misplaced(
            "inbox-folder-case",
            "partner folder in other case",
            f"Domesta/{DAY}.csv",
            "partner_folder_case",
        ),
        misplaced("inbox-copy-1", "a copy or backup", f"domesta/{DAY} (1).csv", "copy_or_backup"),
        misplaced("inbox-bak", "a copy or backup", f"domesta/{DAY}.csv.bak", "copy_or_backup"),
        misplaced("inbox-tilde", "a copy or backup", f"domesta/{DAY}.csv~", "copy_or_backup"),
        misplaced(
            "inbox-kopie", "a copy or backup", f"domesta/Kopie van {DAY}.csv", "copy_or_backup"
        ),
        misplaced(
            "inbox-too-deep", "one folder too deep", f"domesta/oktober/{DAY}.csv", "folder_too_deep"
        ),
        misplaced("inbox-root", "a file at the inbox root", f"{DAY}.csv", "not_in_partner_folder"),
        misplaced(
            "inbox-newline-name",
            "odd characters in the name",
            f"domesta/{DAY}\n[bold]x.csv",
            "odd_characters",
        ),
        misplaced(
            "inbox-unicode-dash",
            "odd characters in the name",
            "domesta/2026‐10‐06.csv",
            "odd_characters",
        ),
        misplaced(
            "inbox-traversal-name",
            "path-traversing name",
            "domesta/..%2F..%2Fetc%2Fpasswd",
            "hidden_file",
        ),
        misplaced(
            "inbox-traversal-encoded",
            "path-traversing name",
            f"domesta/{DAY}.csv%2F..%2F..%2Fetc",
            "odd_characters",
        ),
        misplaced("inbox-hidden", "a hidden file", f"domesta/.{DAY}.csv", "hidden_file"),
        misplaced(
            "inbox-impossible-date",
            "impossible date in the name",
            "domesta/2026-02-31.csv",
            "impossible_date",
        ),
        misplaced(
            "inbox-wrong-extension", "wrong extension", f"domesta/{DAY}.xlsx", "wrong_extension"
        ),
        misplaced(
            "inbox-not-a-date",
            "a name that is no date",
            "domesta/export oktober.csv",
            "name_not_a_date",
        ),
        Case(
            "inbox-link-outside",
            "path-traversing link",
            {name("domesta"): good, "domesta/2026-10-04.csv": Link("/etc/passwd")},
            {
                name("domesta"): loaded(3, accepted=3),
                "domesta/2026-10-04.csv": unplaced("link_outside_inbox"),
            },
        ),
        Case(
            "inbox-fifo",
            "a named pipe",
            {name("domesta"): good, "domesta/2026-10-04.csv": Fifo()},
            {
                name("domesta"): loaded(3, accepted=3),
                "domesta/2026-10-04.csv": unplaced("not_a_regular_file"),
            },
        ),
    ]


def reference_cases() -> list[Case]:
    good = {name("domesta"): delivery("domesta")}
    rows = reference_rows()
    broken = [rows[0], ["7906 KL", "veertien", "", "WK011803", "Oost", "BU01180301"], *rows[1:]]
    twice = [*rows, rows[0]]

    def refused_night(case_id: str, kind: str, content: bytes) -> Case:
        return Case(case_id, kind, dict(good), {}, reference=content, night_refused=True)

    header = ";".join(["postcode", "huisnummer", "toevoeging", "wijkcode", "buurtcode"])
    return [
        refused_night("reference-empty", "empty reference list", b""),
        refused_night("reference-header-only", "empty reference list", reference_csv([])),
        refused_night(
            "reference-missing-column",
            "broken reference list",
            (header + "\n7906 KL;14;;WK1;BU1\n").encode(),
        ),
        refused_night("reference-bad-number", "broken reference list", reference_csv(broken)),
        refused_night("reference-duplicate", "broken reference list", reference_csv(twice)),
        refused_night("reference-garbage", "broken reference list", _garbage(seed=18)),
        refused_night(
            "reference-latin1",
            "broken reference list",
            reference_csv(wijknaam="Hoogeveen-Oost ë").decode().encode("latin-1"),
        ),
        refused_night(
            "reference-long-wijknaam", "broken reference list", reference_csv(wijknaam=LONG)
        ),
        refused_night("reference-absent", "broken reference list", b"<absent>"),
    ]


def all_cases() -> list[Case]:
    return [
        *encoding_cases(),
        *structure_cases(),
        *empty_cases(),
        *column_cases(),
        *long_field_cases(),
        *garbage_cases(),
        *jsonl_cases(),
        *injection_cases(),
        *value_cases(),
        *duplicate_cases(),
        *order_cases(),
        *inbox_cases(),
        *reference_cases(),
    ]
