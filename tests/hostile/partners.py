"""Good rows of every partner and writers of their formats, to break one thing at a time.

Written here from FEEDS.md, apart from the readers and from ``synthetic/``, so that the corpus
tests the readers rather than repeating them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from openpyxl import Workbook

#: The night every single-night case runs on (a Monday).
NIGHT = date(2026, 10, 5)
DAY = NIGHT.isoformat()

#: The municipality's addresses: (postcode as written, huisnummer, toevoeging).
ADDRESSES: tuple[tuple[str, str, str], ...] = (
    ("7906 KL", "14", ""),
    ("7906 KL", "16", "B"),
    ("7908 RT", "3", ""),
    ("7908 RT", "5", ""),
    ("7901 AB", "1", ""),
    ("7901 AB", "2", "A"),
)
REFERENCE_HEADER = ("postcode", "huisnummer", "toevoeging", "wijkcode", "wijknaam", "buurtcode")


def reference_rows(wijknaam: str = "Hoogeveen-Oost") -> list[list[str]]:
    return [
        [postcode, number, suffix, "WK011803", wijknaam, "BU01180301"]
        for postcode, number, suffix in ADDRESSES
    ]


def reference_csv(
    rows: Iterable[list[str]] | None = None, wijknaam: str = "Hoogeveen-Oost"
) -> bytes:
    lines = [";".join(REFERENCE_HEADER)]
    lines += [";".join(row) for row in (reference_rows(wijknaam) if rows is None else rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


#: Source columns per partner, in the FEEDS.md order.
HEADERS: dict[str, tuple[str, ...]] = {
    "domesta": (
        "signaal_id",
        "postcode",
        "huisnummer",
        "toevoeging",
        "geboortedatum",
        "maandhuur",
        "achterstand_bedrag",
        "achterstand_maanden",
        "ontstaansdatum",
        "signaaldatum",
        "ontruiming_aangevraagd",
        "warme_overdracht",
    ),
    "energie": (
        "signal_id",
        "postcode",
        "house_number",
        "house_number_suffix",
        "birth_date",
        "arrears_amount",
        "arrears_since",
        "signal_date",
        "days_overdue",
        "end_of_supply_date",
        "warm_handover",
    ),
    "water": (
        "Kenmerk",
        "Postcode",
        "Huisnr",
        "Toev",
        "Geb.datum",
        "Openstaand bedrag",
        "Oudste factuurdatum",
        "Signaaldatum",
    ),
    "zorg": (
        "SIGNAALNR",
        "BSN",
        "POSTCODE",
        "HUISNR",
        "HUISNR_TOEV",
        "GEBDAT",
        "ACHTERSTAND",
        "MAANDEN_ACHTERSTAND",
        "DATUM_ONTSTAAN",
        "DATUM_SIGNAAL",
        "CAK_AANMELDING",
    ),
    "bank": (
        "referral_id",
        "postcode",
        "house_number",
        "suffix",
        "consent",
        "indicators",
        "referral_date",
    ),
    "nazorg": (
        "dossier_id",
        "postcode",
        "huisnummer",
        "toevoeging",
        "einddatum_traject",
        "uitkomst",
    ),
}
#: Each partner's id column and (for CSV partners) dialect.
ID_COLUMN = {
    "domesta": "signaal_id",
    "energie": "signal_id",
    "water": "Kenmerk",
    "zorg": "SIGNAALNR",
    "bank": "referral_id",
    "nazorg": "dossier_id",
}
CSV_DIALECT: dict[str, tuple[str, str, bool]] = {  # delimiter, encoding, BOM
    "domesta": (";", "utf-8", True),
    "energie": (",", "utf-8", False),
    "zorg": (";", "latin-1", False),
    "nazorg": (";", "utf-8", False),
}
EXTENSION = {"domesta": "csv", "energie": "csv", "zorg": "csv", "nazorg": "csv"}
EXTENSION |= {"water": "xlsx", "bank": "jsonl"}
#: BSNs that pass the eleven-test.
BSNS = ("111222333", "123456782", "012345672", "100000009", "111111110", "222222220")


def good_row(partner: str, number: int) -> dict[str, object]:
    """Row ``number`` (from 0) of a clean delivery: text cells, JSON values for the bank."""
    postcode, house, suffix = ADDRESSES[number % len(ADDRESSES)]
    if partner == "domesta":
        return dict(
            zip(
                HEADERS[partner],
                [
                    f"DOM-{number}",
                    postcode,
                    house,
                    suffix,
                    "23-07-1988",
                    "698,40",
                    "1.396,80",
                    "2,0",
                    "01-08-2026",
                    "05-10-2026",
                    "N",
                    "N",
                ],
                strict=True,
            )
        )
    if partner == "energie":
        return dict(
            zip(
                HEADERS[partner],
                [
                    f"EN-{number}",
                    postcode.replace(" ", ""),
                    house,
                    suffix,
                    "1988-07-23",
                    "512.00",
                    "2026-08-01",
                    "2026-10-05",
                    "65",
                    "",
                    "false",
                ],
                strict=True,
            )
        )
    if partner == "water":
        return dict(
            zip(
                HEADERS[partner],
                [
                    f"W-{number}",
                    postcode,
                    int(house),
                    suffix,
                    datetime(1988, 7, 23),
                    187.5,
                    datetime(2026, 8, 1),
                    datetime(2026, 10, 5),
                ],
                strict=True,
            )
        )
    if partner == "zorg":
        return dict(
            zip(
                HEADERS[partner],
                [
                    f"ZV{number}",
                    BSNS[number % len(BSNS)],
                    postcode,
                    house,
                    suffix,
                    "19880723",
                    "412,56",
                    "3",
                    "20260701",
                    "20261005",
                    "0",
                ],
                strict=True,
            )
        )
    if partner == "bank":
        return {
            "referral_id": f"B-{number}",
            "postcode": postcode.replace(" ", ""),
            "house_number": int(house),
            "suffix": suffix,
            "consent": True,
            "indicators": ["stornering", "rood_staan"],
            "referral_date": "2026-10-02",
        }
    if partner == "nazorg":
        return dict(
            zip(
                HEADERS[partner],
                [f"GKB-{number}", postcode, house, suffix, "15-01-2026", "schuldregeling_geslaagd"],
                strict=True,
            )
        )
    raise KeyError(partner)


def good_rows(partner: str, count: int = 3) -> list[dict[str, object]]:
    return [good_row(partner, number) for number in range(count)]


def csv_text(
    header: Iterable[str], rows: Iterable[Mapping[str, object]], delimiter: str, quote_all: bool
) -> str:
    """CSV text; fields quoted only where needed unless ``quote_all``."""
    names = list(header)
    out = io.StringIO()
    import csv

    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator="\r\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else str(row.get(name, "")) for name in names])
    return out.getvalue()


def csv_file(
    partner: str,
    rows: Iterable[Mapping[str, object]] | None = None,
    *,
    header: Iterable[str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    bom: bool | None = None,
    quote_all: bool = False,
) -> bytes:
    """A CSV delivery in the partner's dialect, or with one part of the dialect changed."""
    own_delimiter, own_encoding, own_bom = CSV_DIALECT[partner]
    text = csv_text(
        header or HEADERS[partner],
        good_rows(partner) if rows is None else rows,
        delimiter or own_delimiter,
        quote_all,
    )
    content = text.encode(encoding or own_encoding)
    if bom if bom is not None else own_bom:
        content = b"\xef\xbb\xbf" + content
    return content


def xlsx_file(
    rows: Iterable[Mapping[str, object]] | None = None,
    *,
    header: Iterable[str] | None = None,
    sheet: str = "Signalen",
    extra_cells: int = 0,
) -> bytes:
    """The water company's workbook."""
    names = list(header or HEADERS["water"])
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(names)
    for row in good_rows("water") if rows is None else rows:
        worksheet.append([row.get(name) for name in names] + ["extra"] * extra_cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def jsonl_file(rows: Iterable[Mapping[str, object]] | None = None, newline: str = "\n") -> bytes:
    """The bank's JSON Lines referrals."""
    lines = [
        json.dumps(dict(row), ensure_ascii=False)
        for row in (good_rows("bank") if rows is None else rows)
    ]
    return (newline.join(lines) + newline).encode("utf-8")


def delivery(partner: str, rows: Iterable[Mapping[str, object]] | None = None) -> bytes:
    """A clean delivery of ``partner`` (three rows unless ``rows``)."""
    if partner == "water":
        return xlsx_file(rows)
    if partner == "bank":
        return jsonl_file(rows)
    return csv_file(partner, rows)


def with_cell(partner: str, column: str, value: object, count: int = 3) -> list[dict[str, object]]:
    """Clean rows of which the last has ``value`` in ``column``."""
    rows = good_rows(partner, count)
    rows[-1] = {**rows[-1], column: value}
    return rows


def name(partner: str, day: str = DAY) -> str:
    return f"{partner}/{day}.{EXTENSION[partner]}"
