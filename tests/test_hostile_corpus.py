"""Every kind of hostile delivery through the real night (issue 14, item 1).

Each case of ``tests/hostile/corpus.py`` gets its own inbox, address list and SQLite database
(a copy of one migrated template) and runs through ``flows.night.run_night`` — discover,
ingest, state, triage, and for some cases the exports — without Prefect. Whatever the input,
the night must not crash, every file must be loaded, refused with a reason, named as unplaced
or waiting, and for every loaded file rows in = accepted + quarantined. Reasons never quote a
value; nothing of a bank referral without consent is kept; no exported cell is a formula.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.migrate import upgrade
from connectors.exports.columns import FORMULA_START
from connectors.exports.reports import export_feedback
from connectors.inbox import shown_name
from connectors.reference import AddressListError
from connectors.settings import Settings, get_settings
from flows.ingest import ingest_delivery
from flows.night import check_reference, discover, run_night
from flows.report import NightReport
from flows.resources import reference_addresses, resources
from tests.hostile.corpus import FORMULAS, LONG, Case, Fifo, Link, all_cases
from tests.hostile.partners import ADDRESSES, reference_csv

pytestmark = pytest.mark.e2e  # through the database, one SQLite file per case
CASES = all_cases()
#: Values that must never appear in a reason, a log line or a summary.
SECRETS = [
    *{postcode for postcode, _, _ in ADDRESSES},
    *{postcode.replace(" ", "") for postcode, _, _ in ADDRESSES},
    *FORMULAS,
    LONG[:50],
]


@pytest.fixture(scope="module")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database, copied for each case (migrating per case would dominate)."""
    path = tmp_path_factory.mktemp("template") / "vroegsignaal.db"
    upgrade(f"sqlite:///{path}")
    return path


def _write(inbox: Path, files: dict[str, object]) -> None:
    for relative, content in files.items():
        path = inbox / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        if isinstance(content, Link):
            path.symlink_to(content.target)
        elif isinstance(content, Fifo):
            os.mkfifo(path)
        else:
            assert isinstance(content, bytes)
            path.write_bytes(content)


def _settings(case: Case, root: Path, template: Path) -> Settings:
    inbox, data_dir = root / "inbox", root / "var"
    inbox.mkdir()
    data_dir.mkdir()
    shutil.copyfile(template, data_dir / "vroegsignaal.db")
    reference = root / "adressen.csv"
    content = reference_csv() if case.reference is None else case.reference
    if content != b"<absent>":
        reference.write_bytes(content)
    _write(inbox, case.files)
    return get_settings(data_dir=data_dir, inbox=inbox, reference=reference, demo=True)


def _night(settings: Settings, night: date, whole: bool, export: bool) -> NightReport:
    """The night's real steps: all of them (``whole``), or its first two, discover and ingest,
    exactly as ``run_night`` calls them (state and triage see only what ingest accepted)."""
    res = resources(settings)
    with session_scope(res.engine) as session:
        run_id = repo.start_run(session, "nightly", night, None)
    report = NightReport(as_of=night.isoformat())
    if whole:
        run_night(settings, night, report, run_id, export=export)
        return report
    check_reference(settings)
    found = discover(settings, night)
    report.unrecognised_files, report.waiting_files = found.unrecognised, found.waiting
    report.changed_files = found.changed_after_loading
    for delivery in found.deliveries:
        report.partner(delivery.partner).add(ingest_delivery(delivery, settings, run_id).figures)
    return report


def _table(settings: Settings, sql: str) -> pd.DataFrame:
    with resources(settings).engine.connect() as connection:
        return pd.read_sql_query(sa.text(sql), connection)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_is_loaded_or_refused_with_a_reason_never_lost(
    case: Case, tmp_path: Path, template_database: Path
) -> None:
    reference_addresses.cache_clear()
    settings = _settings(case, tmp_path, template_database)
    total = NightReport(as_of=case.id)
    nights = [(case.nights[0], {}), *case.later]
    whole = case.export or bool(case.later)  # else discover and ingest: the corpus stays fast
    for night, files in nights:
        _write(settings.inbox, files)
        if case.night_refused:
            with pytest.raises(AddressListError) as refused:
                _night(settings, night, True, case.export)
            _check_refused_night(settings, str(refused.value))
            return
        total.merge(_night(settings, night, whole, case.export))

    deliveries = _table(settings, "SELECT * FROM deliveries").set_index("source_file")
    quarantine = _table(settings, "SELECT * FROM quarantine")
    placed = _placed(total)
    every_file = {path for _, files in [(None, case.files), *case.later] for path in files}
    for path in sorted(every_file | set(case.expect)):
        expect = case.expect.get(path)
        assert expect is not None, f"{path}: the case names no outcome"
        _check_file(path, expect, deliveries, quarantine, placed, settings)
    # Nothing in silence: every file is in the database or named in the summary.
    for path in every_file:
        assert path in deliveries.index or shown_name(path) in placed, f"{path} vanished"
    assert set(case.changed) <= set(total.changed_files)
    _check_quarantine(quarantine)
    _check_no_values_in_reasons(deliveries, quarantine, total)
    if case.export:
        _check_exports(settings, case.nights[-1] if not case.later else case.later[-1][0])


def _placed(report: NightReport) -> dict[str, tuple[str, str]]:
    placed = {item.file: ("unplaced", item.reason_code) for item in report.unrecognised_files}
    placed |= {item.file: ("waiting", item.reason_code) for item in report.waiting_files}
    return placed


def _check_file(
    path: str,
    expect: object,
    deliveries: pd.DataFrame,
    quarantine: pd.DataFrame,
    placed: dict[str, tuple[str, str]],
    settings: Settings,
) -> None:
    from tests.hostile.corpus import Expect

    assert isinstance(expect, Expect)
    if expect.outcome in ("unplaced", "waiting"):
        assert path not in deliveries.index, f"{path} was read"
        outcome = placed.get(shown_name(path))
        assert outcome is not None, f"{path} is not named to the operator"
        assert outcome[0] == expect.outcome, path
        if expect.code:
            assert outcome[1] == expect.code, path
        return
    assert path in deliveries.index, f"{path} has no delivery record"
    record = deliveries.loc[path]
    if expect.outcome == "refused":
        assert record["status"] in ("rejected", "unreadable"), (path, record["status"])
        assert record["rejection_code"] == expect.code, (path, record["rejection_code"])
        assert record["rejection_reason_en"] and record["rejection_reason_nl"]
        assert record["rows_accepted"] == 0
        return
    assert record["status"] == "loaded", (path, record["status"], record["rejection_code"])
    received, accepted = int(record["rows_received"]), int(record["rows_accepted"])
    held = int(record["rows_quarantined"])
    assert received == accepted + held, f"{path}: rows in != accepted + quarantined"
    rows = quarantine[quarantine["delivery_id"] == record["delivery_id"]]
    assert len(rows) == held, f"{path}: quarantine table and count differ"
    table = "aftercare" if path.startswith("nazorg/") else "signals"
    stored = _table(
        settings, f"SELECT count(*) AS n FROM {table} WHERE delivery_id = {record['delivery_id']}"
    )["n"].iloc[0]
    assert stored == accepted, f"{path}: {stored} rows stored, {accepted} counted"
    if expect.rows is not None:
        assert received == expect.rows, f"{path}: {received} rows read, {expect.rows} in the file"
    if expect.accepted is not None:
        assert accepted == expect.accepted, (path, rows["reason_code"].tolist())
    codes = {code for joined in rows["reason_code"] for code in str(joined).split(",")}
    assert expect.quarantined <= codes, (path, sorted(codes))


def _check_quarantine(quarantine: pd.DataFrame) -> None:
    for column in ("reason_code", "reason_en", "reason_nl"):
        assert quarantine[column].fillna("").str.len().gt(0).all(), column
    codes = quarantine["reason_code"].astype(str).str.split(",")
    no_consent = codes.map(lambda found: "no_consent" in found).astype(bool)
    refused = quarantine.loc[no_consent]
    # Only a JSON true is consent; nothing of a refused referral is kept.
    assert refused["raw_token"].isna().all() and refused["household_key"].isna().all()
    assert (refused["status"] == "dismissed").all()
    assert (refused["partner"] == "bank").all()


def _check_no_values_in_reasons(
    deliveries: pd.DataFrame, quarantine: pd.DataFrame, report: NightReport
) -> None:
    texts = [
        *deliveries["rejection_reason_en"].dropna(),
        *deliveries["rejection_reason_nl"].dropna(),
        *quarantine["reason_en"].dropna(),
        *quarantine["reason_nl"].dropna(),
        report.to_markdown(),
    ]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a reason quotes a value: {text[:120]}"


def _check_refused_night(settings: Settings, message: str) -> None:
    assert settings.reference.name in message
    assert "Traceback" not in message and len(message) < 300
    for secret in SECRETS:
        assert secret not in message
    # Nothing was read: tomorrow, with a corrected list, the same files load.
    assert _table(settings, "SELECT count(*) AS n FROM deliveries")["n"].iloc[0] == 0


def _check_exports(settings: Settings, night: date) -> None:
    """No cell of any task list or partner feedback becomes a formula."""
    res = resources(settings)
    written = sorted((settings.task_list_dir / night.isoformat()).glob("*"))
    for partner in res.catalog.partners:
        if res.catalog.partners[partner].kind == "signal":
            out = settings.data_dir / "feedback" / f"{partner}.csv"
            written.append(export_feedback(res.engine, partner, out))
    assert any(path.suffix == ".xlsx" for path in written)
    kinds = Counter(path.suffix for path in written)
    for path in written:
        cells = _xlsx_cells(path) if path.suffix == ".xlsx" else _csv_cells(path)
        for value in cells:
            assert not value.startswith(FORMULA_START), f"{path.name}: {value[:40]!r}"
    assert kinds[".csv"] >= 1


def _xlsx_cells(path: Path) -> list[str]:
    workbook = load_workbook(path)
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name} {cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    values.append(cell.value)
    return values


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle, delimiter=";") for cell in row]


def test_the_corpus_covers_every_partner_and_many_kinds() -> None:
    partners = {path.split("/")[0] for case in CASES for path in case.files}
    assert {"domesta", "energie", "water", "zorg", "bank", "nazorg"} <= partners
    assert len({case.kind for case in CASES}) >= 50
    assert len({case.id for case in CASES}) == len(CASES)
