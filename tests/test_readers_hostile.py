"""Hostile deliveries the readers must survive: a workbook declaring the whole sheet, a huge field.

Every file is generated here by code; nothing is a hand-edited binary.
"""

from __future__ import annotations

import json
import re
import resource
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from connectors.catalog import Catalog, load_catalog
from connectors.readers import read_delivery
from connectors.readers.records import MAX_FIELD_CHARS

DAY = "2026-10-05"
WATER_HEADER = [
    "Kenmerk",
    "Postcode",
    "Huisnr",
    "Toev",
    "Geb.datum",
    "Openstaand bedrag",
    "Oudste factuurdatum",
    "Signaaldatum",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _whole_sheet_workbook(path: Path, far_cell: bool) -> None:
    """Two real rows, but the sheet says it spans A1:XFD1048576 (and, optionally, has a
    styled empty cell in the very last one)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Signalen"
    sheet.append(WATER_HEADER)
    sheet.append(["W-1", "7906KL", 16, None, "1961-02-02", 187.35, 46204, 46300])
    sheet.append(["W-2", "7908RT", 3, None, "1961-02-02", 99.5, 46204, 46300])
    plain = path.with_suffix(".plain.xlsx")
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(
                    r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', data.decode()
                )
                if far_cell:
                    text = text.replace(
                        "</sheetData>",
                        '<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>',
                    )
                data = text.encode()
            out.writestr(item, data)
    plain.unlink()


class _PeakMemory:
    """Peak RSS growth while the block runs (sampled; ru_maxrss never goes down)."""

    def __enter__(self) -> _PeakMemory:
        self.before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return self

    def __exit__(self, *_: object) -> None:
        self.growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self.before) / 1024


@pytest.mark.parametrize("far_cell", [False, True])
def test_a_workbook_declaring_the_whole_sheet_reads_its_real_rows_only(tmp_path, catalog, far_cell):
    path = tmp_path / "water" / f"{DAY}.xlsx"
    path.parent.mkdir(parents=True)
    _whole_sheet_workbook(path, far_cell)
    assert path.stat().st_size < 10_000
    started = time.perf_counter()
    with _PeakMemory() as memory:
        result = read_delivery(path, catalog.get("water"), tmp_path)
    assert result.records["signal_id"].tolist() == ["W-1", "W-2"]
    assert result.rows_in == 2 and result.rejected.empty
    # Padding 2 rows to 16,384 columns (or 1M rows) would take gigabytes and minutes.
    assert memory.growth_mb < 200
    assert time.perf_counter() - started < 30


def _domesta(lines: list[str]) -> bytes:
    header = (
        "signaal_id;postcode;huisnummer;toevoeging;geboortedatum;maandhuur;achterstand_bedrag;"
        "achterstand_maanden;ontstaansdatum;signaaldatum;ontruiming_aangevraagd;warme_overdracht"
    )
    return ("\ufeff" + "\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


GOOD = "D-{n};7906KL;{n};;02-02-1961;712,00;1.396,80;2,0;01-08-2026;05-10-2026;N;N"


@pytest.mark.parametrize("quoted", [False, True])
def test_one_huge_field_quarantines_its_row_and_keeps_the_others(tmp_path, catalog, quoted):
    huge = "x" * 200_000
    bad = f'D-2;7906KL;2;;02-02-1961;712,00;1.396,80;2,0;01-08-2026;05-10-2026;N;"{huge}"'
    if not quoted:  # without quotes the reader takes its Arrow path
        bad = bad.replace('"', "")
    lines = [GOOD.format(n=1), bad, GOOD.format(n=3)]
    path = tmp_path / "domesta" / f"{DAY}.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(_domesta(lines))
    result = read_delivery(path, catalog.get("domesta"), tmp_path)
    assert result.records["signal_id"].tolist() == ["D-1", "D-3"]
    assert result.rejected["reason_code"].tolist() == ["field_too_long"]
    assert result.rejected["source_row"].tolist() == [3]
    assert result.rows_in == len(result.records) + len(result.rejected) == 3
    # The row is kept whole for the data steward (sealed by the ingest), the reason names no value.
    raw = json.loads(result.rejected["raw"].iloc[0])
    assert raw["warme_overdracht"] == huge
    assert "x" * 20 not in str(result.rejected["reason_en"].iloc[0])


def test_a_field_at_the_limit_is_still_read(tmp_path, catalog):
    long_id = "D-" + "9" * (MAX_FIELD_CHARS - 2)
    path = tmp_path / "domesta" / f"{DAY}.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(_domesta([GOOD.format(n=1).replace("D-1", long_id, 1)]))
    result = read_delivery(path, catalog.get("domesta"), tmp_path)
    assert result.rejected.empty and result.records["signal_id"].tolist() == [long_id]
