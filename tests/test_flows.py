"""End to end: the nightly, backfill and retention flows on a tiny municipality (issue 5).

Each test runs the real flows against the session's temporary Prefect server, on a SQLite
database in ``tmp_path`` fed by copies of the example deliveries.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from uuid import UUID

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from tests.flow_fixtures import (  # noqa: F401  (fixtures)
    EXAMPLE_NIGHT,
    Municipality,
    clear_resources,
    municipality_fixture,
    night_tables,
    prefect_harness_fixture,
    read_table,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

#: A Dutch postcode, with or without the space (the examples' 7906 KL, 7906kl, 7908RT).
POSTCODE = re.compile(r"\b\d{4}\s?[A-Za-z]{2}\b")


def _drop_column(path: Path, column: str) -> None:
    """Rewrite a semicolon CSV without ``column``: a partner export that lost a field."""
    text = path.read_text(encoding="utf-8-sig")
    rows = [line.split(";") for line in text.splitlines()]
    index = rows[0].index(column)
    kept = [";".join(cells[:index] + cells[index + 1 :]) for cells in rows]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8-sig")


def _add_outsider(path: Path) -> None:
    """Add a domesta signal for an address outside the municipality's address list."""
    text = path.read_text(encoding="utf-8-sig")
    row = "DOM-2026-00999;9999 ZZ;1;;01-01-1970;500,00;1.000,00;2,0;01-08-2026;05-10-2026;N;N"
    path.write_text(text.rstrip("\r\n") + "\r\n" + row + "\r\n", encoding="utf-8-sig")


def _count(url: str, sql: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_a_broken_partner_file_rejects_only_that_partner(municipality: Municipality) -> None:
    from flows.nightly import nightly

    municipality.deliver(EXAMPLE_NIGHT)
    _drop_column(municipality.inbox / "domesta" / "2026-10-05.csv", "achterstand_bedrag")

    report = nightly(as_of=EXAMPLE_NIGHT, export=False)

    domesta = report.partners["domesta"]
    assert domesta.rejected_files == 1
    assert domesta.accepted == 0
    assert domesta.rejection_reasons and "achterstand_bedrag" in " ".join(domesta.rejection_reasons)
    others = {name: f for name, f in report.partners.items() if name != "domesta"}
    assert set(others) == {"bank", "energie", "nazorg", "water", "zorg"}
    assert all(f.rejected_files == 0 and f.accepted > 0 for f in others.values())
    tables = night_tables(municipality.database_url)
    assert len(tables["tasks"]) > 0
    assert not tables["signals"]["partner"].eq("domesta").any()
    url = municipality.database_url
    assert _count(url, "SELECT count(*) FROM deliveries WHERE partner = 'domesta'") == 1
    assert _count(url, "SELECT count(*) FROM pipeline_runs WHERE status = 'succeeded'") == 1

    # The partner sends the corrected file under the same name: the next night reads it.
    municipality.deliver(EXAMPLE_NIGHT, partners=["domesta"])
    again = nightly(as_of=EXAMPLE_NIGHT, export=False)
    assert again.partners["domesta"].accepted == 3
    assert set(again.partners) == {"domesta"}  # the others are not read twice
    assert _count(url, "SELECT count(*) FROM deliveries WHERE status = 'loaded'") == 6

    # A loaded file that changes afterwards is reported, never loaded a second time.
    energie = municipality.inbox / "energie" / "2026-10-05.csv"
    energie.write_bytes(
        energie.read_bytes() + b"EN-99999,7906KL,14,,,100.00,2026-08-01,2026-10-05,65,,false\n"
    )
    third = nightly(as_of=EXAMPLE_NIGHT, export=False)
    assert third.changed_files == ["energie/2026-10-05.csv"]
    assert "Gewijzigd na het laden" in third.to_markdown()
    assert _count(url, "SELECT count(*) FROM signals WHERE partner = 'energie'") == 2


def test_the_same_night_twice_changes_nothing(municipality: Municipality) -> None:
    from flows.nightly import nightly

    municipality.deliver(EXAMPLE_NIGHT)
    first = nightly(as_of=EXAMPLE_NIGHT, export=False)
    once = night_tables(municipality.database_url)
    second = nightly(as_of=EXAMPLE_NIGHT, export=False)
    twice = night_tables(municipality.database_url)

    assert first.signals_decided > 0 and first.cases_opened > 0
    assert second.signals_decided == 0 and second.cases_opened == 0
    assert all(f.deliveries == 0 for f in second.partners.values())
    for table, frame in once.items():
        pd.testing.assert_frame_equal(twice[table], frame, obj=table)
    cases = twice["cases"]
    open_per_household = cases[cases["status"] == "open"].groupby("household_key").size()
    assert (open_per_household == 1).all()


def test_a_database_failure_fails_the_run_and_a_rerun_completes_it(
    municipality: Municipality, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from connectors.database import nights
    from flows.nightly import nightly

    municipality.deliver(EXAMPLE_NIGHT)
    url = municipality.database_url
    real_save = nights.save_night

    def disk_gone(*args: object, **kwargs: object) -> None:
        # Write first, then lose the database: the whole save must roll back.
        real_save(*args, **kwargs)  # type: ignore[arg-type]
        raise OperationalError("INSERT INTO tasks", {}, Exception("disk I/O error"))

    monkeypatch.setattr(nights, "save_night", disk_gone)
    with pytest.raises(OperationalError):
        nightly(as_of=EXAMPLE_NIGHT, export=False)

    assert _count(url, "SELECT count(*) FROM pipeline_runs WHERE status = 'failed'") == 1
    assert _count(url, "SELECT count(*) FROM signals") > 0  # the ingest stage had committed
    for table in ("signal_statuses", "cases", "case_signals", "tasks"):
        assert _count(url, f"SELECT count(*) FROM {table}") == 0, table

    monkeypatch.setattr(nights, "save_night", real_save)
    rerun = nightly(as_of=EXAMPLE_NIGHT, export=False)
    resumed = night_tables(url)
    assert rerun.signals_decided > 0

    # The same night, uninterrupted, on a database of its own.
    clean_dir = tmp_path / "clean"
    monkeypatch.setenv("VS_DATA_DIR", str(clean_dir))
    clear_resources()
    nightly(as_of=EXAMPLE_NIGHT, export=False)
    clean = night_tables(f"sqlite:///{clean_dir / 'vroegsignaal.db'}")
    for table, frame in clean.items():
        pd.testing.assert_frame_equal(resumed[table], frame, obj=table)


def test_a_backfill_replays_nights_and_publishes_only_aggregates(
    municipality: Municipality,
) -> None:
    from prefect.client.orchestration import get_client

    from flows.backfill import backfill

    first, second, end = EXAMPLE_NIGHT, date(2026, 11, 5), date(2026, 11, 20)
    municipality.deliver(first)
    municipality.deliver(second, partners=["domesta", "energie", "zorg"])

    state = backfill(start=first, end=end, return_state=True)
    report = state.result()

    assert report.as_of == f"{first.isoformat()}..{end.isoformat()}"
    assert report.partners["domesta"].deliveries == 2
    assert report.partners["water"].deliveries == 1
    assert report.partners["domesta"].accepted == 6
    assert report.signals_decided == _count(
        municipality.database_url, "SELECT count(*) FROM signal_statuses"
    )
    assert report.exports, "the last night exports the task lists"

    run_id = state.state_details.flow_run_id
    assert isinstance(run_id, UUID)
    with get_client(sync_client=True) as client:
        # The REST filter itself: the sync client's read_artifacts sends unset paging as null.
        response = client.request(
            "POST",
            "/artifacts/filter",
            json={
                "artifacts": {
                    "key": {"any_": ["nightly-summary"]},
                    "flow_run_id": {"any_": [str(run_id)]},
                },
            },
        )
    artifacts = response.json()
    summaries = {a["description"]: str(a["data"]) for a in artifacts}
    # One flow run for the whole range (no server round trip per night), one summary.
    assert set(summaries) == {report.as_of}
    assert "| domesta | 2 |" in summaries[report.as_of]
    with sa.create_engine(municipality.database_url).connect() as connection:
        nights_recorded = (
            connection.execute(
                sa.text("SELECT as_of FROM pipeline_runs WHERE status = 'succeeded' ORDER BY as_of")
            )
            .scalars()
            .all()
        )
    assert [str(n) for n in nights_recorded] == [
        first.isoformat(),
        second.isoformat(),
        end.isoformat(),
    ]
    for markdown in summaries.values():
        assert not POSTCODE.search(markdown)
        assert "huisnummer" not in markdown.lower()
    for sample in ("7906", "7908", "111222333", "123456782", "1961"):
        assert not any(sample in markdown for markdown in summaries.values())


def test_retention_deletes_unused_signals_but_never_an_open_case(
    municipality: Municipality,
) -> None:
    from flows.nightly import nightly
    from flows.retention import retention

    municipality.deliver(EXAMPLE_NIGHT)
    _add_outsider(municipality.inbox / "domesta" / "2026-10-05.csv")
    report = nightly(as_of=EXAMPLE_NIGHT, export=True)
    assert report.exports  # task lists with addresses, in a folder of that night
    url = municipality.database_url
    before = read_table(url, "signals")
    in_open_case = set(
        read_table(url, "case_signals")
        .merge(read_table(url, "cases"), on="case_id")
        .query("status == 'open'")["signal_key"]
    )
    unused = set(before["signal_key"]) - in_open_case
    assert "domesta/2026-10-05/DOM-2026-00999" in unused
    assert in_open_case

    counts = retention(as_of=date(2027, 6, 1))

    after = set(read_table(url, "signals")["signal_key"])
    assert counts["unused_signals"] == len(unused)
    assert after == in_open_case
    assert counts["exports"] == 1  # the night's folder of address lists is gone
    assert not any(Path(path).exists() for path in report.exports)
    assert counts["inbox_files"] == 6  # the partners' files, once dealt with
    assert not list(municipality.inbox.glob("*/*"))
    assert counts["aftercare_rows"] == 0  # the trajectory ended in 2026: kept for 3 years
    assert _count(url, "SELECT count(*) FROM audit_log WHERE action = 'delete'") == 2
    assert _count(url, "SELECT count(*) FROM audit_log WHERE actor = 'retention'") == 2


@pytest.mark.postgres
def test_a_night_on_postgresql_gives_the_tables_of_the_night_on_sqlite(
    municipality: Municipality, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    from flows.nightly import nightly

    municipality.deliver(EXAMPLE_NIGHT)
    nightly(as_of=EXAMPLE_NIGHT, export=False)
    on_sqlite = night_tables(municipality.database_url)

    monkeypatch.setenv("VS_DATABASE_URL", postgres_url)
    clear_resources()
    nightly(as_of=EXAMPLE_NIGHT, export=False)
    nightly(as_of=EXAMPLE_NIGHT, export=False)  # and again: nothing changes
    on_postgres = night_tables(postgres_url)
    clear_resources()

    assert len(on_sqlite["tasks"]) > 0
    for table, frame in on_sqlite.items():
        pd.testing.assert_frame_equal(frame, on_postgres[table], obj=table)
