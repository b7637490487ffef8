"""The committed sample municipality, replayed night by night through the real flow.

Checks the acceptance of the pipeline on realistic data: every row reconciles, a second replay
changes nothing, no household has two open cases, the DDAS report validates against the
official schema, and no identifying value reaches the database, the logs, the artifacts or
the Data Docs. Seven weeks keep this near a minute; the whole year (about 6 minutes) with
``VS_TEST_FULL_YEAR=1 .venv/bin/python -m pytest tests/test_sample_replay.py``.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from tests.flow_fixtures import Municipality, clear_resources, night_tables, use_municipality

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

SAMPLE = ROOT / "data" / "sample"
START = date(2025, 11, 1)
END = date(2026, 10, 31) if os.environ.get("VS_TEST_FULL_YEAR") == "1" else date(2025, 12, 22)


@pytest.fixture(scope="module")
def replay(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Iterator[tuple[Municipality, dict, str]]:
    """Backfill [START, END] once; yield the town, the report and the captured console."""
    from flows.backfill import backfill

    town = Municipality(
        root=SAMPLE,
        inbox=SAMPLE / "inbox",
        reference=SAMPLE / "reference" / "adressen.csv",
        data_dir=tmp_path_factory.mktemp("sample") / "var",
    )
    records: list[str] = []
    handler = _Collector(records)
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            use_municipality(monkeypatch, town)
            clear_resources()
            report = backfill(start=START, end=END)
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    yield town, {"report": report}, "\n".join(records)
    clear_resources()


class _Collector(logging.Handler):
    """Every log line of the replay, ours and Prefect's, formatted as it would be written."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _rows_in_files(inbox: Path) -> Counter[str]:
    """Rows per inbox file as the generator wrote them (its ground truth)."""
    with gzip.open(SAMPLE / "truth" / "signals.csv.gz", "rt", encoding="utf-8") as handle:
        return Counter(row["file"] for row in csv.DictReader(handle, delimiter=";"))


def _query(town: Municipality, sql: str) -> list[tuple]:
    engine = sa.create_engine(town.database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql)).all()]
    finally:
        engine.dispose()


def test_every_row_of_every_delivery_is_accounted_for(replay) -> None:
    town, _, _ = replay
    written = _rows_in_files(town.inbox)
    deliveries = _query(
        town,
        "select source_file, status, rows_received, rows_accepted, rows_quarantined "
        "from deliveries",
    )
    assert deliveries, "the replay loaded nothing"
    for source_file, status, received, accepted, quarantined in deliveries:
        if status == "loaded":
            assert received == accepted + quarantined, source_file
            assert received == written[source_file], source_file
        else:  # refused whole: nothing of it is loaded, and it is recorded with its reason
            assert accepted == quarantined == 0
    in_range = {
        f"{p.parent.name}/{p.name}"
        for p in town.inbox.glob("*/*")
        if START.isoformat() <= p.stem <= END.isoformat()
    }
    assert {row[0] for row in deliveries} == in_range
    loaded_rows = _query(town, "select count(*) from signals")[0][0]
    aftercare_rows = _query(town, "select count(*) from aftercare")[0][0]
    accepted = sum(row[3] for row in deliveries)
    assert loaded_rows + aftercare_rows == accepted


def test_replaying_again_changes_nothing_and_cases_stay_one_per_household(replay) -> None:
    from flows.backfill import backfill

    town, _, _ = replay
    before = night_tables(town.database_url)
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_municipality(monkeypatch, town)
        clear_resources()
        backfill(start=START, end=END)
    after = night_tables(town.database_url)
    for table, frame in before.items():
        assert frame.equals(after[table]), table
    doubled = _query(
        town,
        "select household_key from cases where status = 'open' "
        "group by household_key having count(*) > 1",
    )
    assert doubled == []
    statuses = _query(town, "select status, count(*) from signal_statuses group by status")
    assert {status for status, _ in statuses} >= {"Opgepakt", "Niet opgepakt: herhaalde melding"}


def test_the_ddas_report_of_the_replay_validates(replay, ddas_schema_path, tmp_path) -> None:
    import jsonschema

    from connectors.exports.reports import export_ddas
    from connectors.settings import get_settings
    from flows.resources import resources

    town, _, _ = replay
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_municipality(monkeypatch, town)
        clear_resources()
        settings = get_settings()
        res = resources(settings)
        path = export_ddas(res.engine, res.vault, settings, START, END, tmp_path / "ddas.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(ddas_schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(report)
    delivery = report["leveringen"][0]
    assert len(delivery["vroegsignalen"]) > 1000
    assert delivery["vroegsignaalzaken"]
    statuses = {signal["status"] for signal in delivery["vroegsignalen"]}
    assert statuses <= set(schema["$defs"]["EnumSignaalstatus"]["enum"])


#: Anything shaped like a postcode, a date or a BSN. A date or BSN must stand alone: SQLite
#: packs a row's fields without separators ("2025-11-19" then "72" is no "25-11-1972").
CANDIDATES = re.compile(
    r"[1-9][0-9]{3} ?[A-Z]{2}"
    r"|(?<!\d)(?:\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}|\d{8,9})(?!\d)"
)


def _identifying_values(inbox: Path) -> set[str]:
    """Postcodes (both spellings), BSNs and birth dates (ISO and as each feed writes them) of
    every delivery in the replay, read with the partners' own readers."""
    from connectors.catalog import load_catalog
    from connectors.readers import read_delivery
    from connectors.readers.base import DeliveryUnreadable

    catalog = load_catalog()
    values: set[str] = set()
    for path in sorted(inbox.glob("*/*")):
        if not START.isoformat() <= path.stem <= END.isoformat():
            continue
        try:
            records = read_delivery(path, catalog.get(path.parent.name), inbox).records
        except DeliveryUnreadable:  # a refused file is not in the database at all
            continue
        for postcode in records["postcode"].dropna():
            values |= {postcode, f"{postcode[:4]} {postcode[4:]}"}
        if "bsn" in records:
            values |= set(records["bsn"].dropna())
        if "birth_date" in records:
            for born in records["birth_date"].dropna():
                values |= {
                    born.strftime("%Y-%m-%d"),
                    born.strftime("%d-%m-%Y"),
                    born.strftime("%Y%m%d"),
                }
    return values


def test_no_identifying_value_leaves_the_edge(replay) -> None:
    town, _, logs = replay
    assert "flows.ingest INFO" in logs  # the collector did see our loggers
    values = _identifying_values(town.inbox)
    assert len(values) > 1000
    database = "".join(  # the WAL too: recent pages may not be checkpointed yet
        path.read_bytes().decode("latin-1")
        for path in town.data_dir.glob("vroegsignaal.db*")
        if path.is_file()
    )
    docs = "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (town.data_dir / "data_docs").rglob("*")
        if p.is_file() and p.suffix in {".html", ".json"}
    )
    artifacts = _artifact_texts()
    assert "Nachtelijke run" in artifacts
    texts = {"database": database, "data docs": docs, "logs": logs, "artifacts": artifacts}
    for name, text in texts.items():
        found = {match.group(0) for match in CANDIDATES.finditer(text)} & values
        assert not found, f"{len(found)} identifying value(s) in {name}"


def _artifact_texts() -> str:
    """Every artifact the harness server holds (the replay's summaries and tables)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request("POST", "/artifacts/filter", json={"limit": 200})
        return json.dumps(response.json(), ensure_ascii=False)
