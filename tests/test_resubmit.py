"""Quarantined rows can be corrected and re-submitted; every delivery still reconciles."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.database.engine import session_scope
from connectors.inbox import Delivery
from connectors.quarantine import ResubmissionError, export_open_quarantine
from connectors.settings import get_settings
from flows import resources as flow_resources
from flows.ingest import ingest_delivery
from flows.resubmit import resubmit

HEADER = (
    "signaal_id;postcode;huisnummer;toevoeging;geboortedatum;maandhuur;achterstand_bedrag;"
    "achterstand_maanden;ontstaansdatum;signaaldatum;ontruiming_aangevraagd;warme_overdracht"
)
ROWS = [
    "DOM-1;7906 KL;14;;23-07-1988;698,40;1.396,80;2,0;01-08-2026;05-10-2026;N;N",
    "DOM-2;7906 KL;16;b;02-02-1961;712,00;zevenhonderd;1,0;01-09-2026;05-10-2026;N;J",
]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    inbox = tmp_path / "inbox"
    (inbox / "domesta").mkdir(parents=True)
    body = "\r\n".join([HEADER, *ROWS]) + "\r\n"
    (inbox / "domesta" / "2026-10-05.csv").write_bytes(b"\xef\xbb\xbf" + body.encode())
    reference = tmp_path / "adressen.csv"
    reference.write_text(
        "postcode;huisnummer;toevoeging;wijkcode;wijknaam;buurtcode\n"
        "7906 KL;14;;WK011803;Hoogeveen-Oost;BU01180301\n"
        "7906 KL;16;B;WK011803;Hoogeveen-Oost;BU01180301\n",
        encoding="utf-8",
    )
    for name, value in {
        "VS_DEMO": "true",
        "VS_DATA_DIR": str(tmp_path / "var"),
        "VS_INBOX": str(inbox),
        "VS_REFERENCE": str(reference),
    }.items():
        monkeypatch.setenv(name, value)
    flow_resources._resources.cache_clear()
    flow_resources.reference_addresses.cache_clear()
    yield get_settings()
    flow_resources._resources.cache_clear()
    flow_resources.reference_addresses.cache_clear()


def _counts(engine: sa.Engine) -> dict[str, object]:
    with engine.connect() as connection:
        return {
            "signals": connection.execute(sa.text("select count(*) from signals")).scalar(),
            "quarantine": dict(
                connection.execute(
                    sa.text("select status, count(*) from quarantine group by status")
                ).all()
            ),
            "deliveries": connection.execute(
                sa.text(
                    "select source_file, rows_received, rows_accepted, rows_quarantined "
                    "from deliveries order by delivery_id"
                )
            ).all(),
        }


def test_a_corrected_row_is_loaded_and_its_quarantine_row_closed(settings, tmp_path: Path):
    delivery = Delivery(
        partner="domesta",
        delivery_date=date(2026, 10, 5),
        path=settings.inbox / "domesta" / "2026-10-05.csv",
        source_file="domesta/2026-10-05.csv",
    )
    outcome = ingest_delivery(delivery, settings, "run-1")
    assert (outcome.figures.accepted, outcome.figures.quarantined) == (1, 1)
    res = flow_resources.resources(settings)
    with res.engine.connect() as connection:
        [held] = connection.execute(sa.text("select household_key from quarantine")).all()
        [signal] = connection.execute(sa.text("select household_key from signals")).all()
    assert held[0] and held[0] != signal[0]  # whose row it was is known, pseudonymously

    with session_scope(res.engine) as session:
        [exported] = export_open_quarantine(session, res.raw_vault, tmp_path / "q")
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows[0]["achterstand_bedrag"] == "zevenhonderd"
    assert rows[0]["reden"]  # the Dutch reason is there for the steward
    rows[0]["achterstand_bedrag"] = "712,00"
    with exported.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)

    again = resubmit(settings, exported, date(2026, 10, 6))

    assert (again.figures.received, again.figures.accepted, again.figures.quarantined) == (1, 1, 0)
    assert again.triage is not None and again.triage.signals_decided == 2  # triaged at once
    counts = _counts(res.engine)
    assert counts["signals"] == 2
    assert counts["quarantine"] == {"resubmitted": 1}
    for _, received, accepted, quarantined in counts["deliveries"]:
        assert received == accepted + quarantined
    # The same corrected file twice changes nothing.
    with pytest.raises(ResubmissionError):
        resubmit(settings, exported, date(2026, 10, 6))
    assert _counts(res.engine)["signals"] == 2


def test_a_row_that_fails_again_goes_back_into_quarantine(settings, tmp_path: Path):
    delivery = Delivery(
        partner="domesta",
        delivery_date=date(2026, 10, 5),
        path=settings.inbox / "domesta" / "2026-10-05.csv",
        source_file="domesta/2026-10-05.csv",
    )
    ingest_delivery(delivery, settings, "run-1")
    res = flow_resources.resources(settings)
    with session_scope(res.engine) as session:
        [exported] = export_open_quarantine(session, res.raw_vault, tmp_path / "q")

    again = resubmit(settings, exported, date(2026, 10, 6))  # unchanged: still not a number

    assert (again.figures.accepted, again.figures.quarantined) == (0, 1)
    assert _counts(res.engine)["quarantine"] == {"open": 1, "resubmitted": 1}


def test_a_referral_without_consent_is_counted_but_its_row_is_not_kept(settings, tmp_path: Path):
    bank = settings.inbox / "bank"
    bank.mkdir()
    lines = [
        '{"referral_id": "B-1", "postcode": "7906KL", "house_number": 14, "suffix": "", '
        '"consent": true, "indicators": ["stornering"], "referral_date": "2026-10-02"}',
        '{"referral_id": "B-2", "postcode": "7906KL", "house_number": 16, "suffix": "B", '
        '"consent": false, "indicators": ["rood_staan"], "referral_date": "2026-10-03"}',
    ]
    (bank / "2026-10-05.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    delivery = Delivery(
        partner="bank",
        delivery_date=date(2026, 10, 5),
        path=bank / "2026-10-05.jsonl",
        source_file="bank/2026-10-05.jsonl",
    )
    outcome = ingest_delivery(delivery, settings, "run-1")

    assert (outcome.figures.accepted, outcome.figures.quarantined) == (1, 1)
    res = flow_resources.resources(settings)
    with res.engine.connect() as connection:
        rows = connection.execute(
            sa.text("select reason_code, status, raw_token from quarantine")
        ).all()
    assert [(code, status, token) for code, status, token in rows] == [
        ("no_consent", "dismissed", None)
    ]
    with res.engine.connect() as connection:
        keys = connection.execute(sa.text("select household_key from quarantine")).scalars()
        assert list(keys) == [None]  # not even whose referral it was
    with session_scope(res.engine) as session:
        assert export_open_quarantine(session, res.raw_vault, tmp_path / "q") == []


def _deliver(settings, day: str, rows: list[str]) -> None:
    path = settings.inbox / "domesta" / f"{day}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join([HEADER, *rows]) + "\r\n").encode())
    ingest_delivery(
        Delivery("domesta", date.fromisoformat(day), path, f"domesta/{day}.csv"),
        settings,
        "run-1",
    )


def test_an_exported_file_mixing_delivery_dates_is_resubmitted_as_it_is(settings, tmp_path):
    _deliver(settings, "2026-10-05", ROWS)
    november = [ROWS[0].replace("05-10-2026", "05-11-2026"), ROWS[1].replace("05-10", "05-11")]
    _deliver(settings, "2026-11-05", november)
    res = flow_resources.resources(settings)
    with session_scope(res.engine) as session:
        [exported] = export_open_quarantine(session, res.raw_vault, tmp_path / "q")
    text = exported.read_text(encoding="utf-8-sig").replace("zevenhonderd", "700,00")
    exported.write_text(text, encoding="utf-8-sig")

    outcome = resubmit(settings, exported, date(2026, 11, 6))

    assert outcome.deliveries == ["domesta 2026-10-05", "domesta 2026-11-05"]
    assert (outcome.figures.accepted, outcome.figures.quarantined) == (2, 0)
    counts = _counts(res.engine)
    assert counts["quarantine"] == {"resubmitted": 2}
    with res.engine.connect() as connection:
        corrections = connection.execute(
            sa.text("select count(*) from deliveries where is_correction")
        ).scalar_one()
    assert corrections == 2


def test_a_duplicate_row_is_dismissed_with_a_reason_and_audited(settings, tmp_path: Path):
    from connectors.quarantine import dismiss

    _deliver(settings, "2026-10-05", ROWS)
    res = flow_resources.resources(settings)
    with res.engine.connect() as connection:
        [quarantine_id] = connection.execute(
            sa.text("select quarantine_id from quarantine")
        ).scalars()
    with pytest.raises(ResubmissionError, match="reason"), session_scope(res.engine) as session:
        dismiss(session, [quarantine_id], "  ", actor="gegevensbeheerder")
    with session_scope(res.engine) as session:
        assert dismiss(session, [quarantine_id], "dubbele regel", actor="gegevensbeheerder") == 1
    with res.engine.connect() as connection:
        row = connection.execute(
            sa.text("select status, dismissed_reason, dismissed_by from quarantine")
        ).one()
        audited = connection.execute(
            sa.text("select count(*) from audit_log where action = 'dismiss'")
        ).scalar_one()
    assert tuple(row) == ("dismissed", "dubbele regel", "gegevensbeheerder")
    assert audited == 1
    with pytest.raises(ResubmissionError), session_scope(res.engine) as session:
        dismiss(session, [quarantine_id], "nogmaals", actor="gegevensbeheerder")


def test_refused_files_are_listed_next_to_the_rows(settings, tmp_path: Path):
    from connectors.quarantine import write_refused_files

    broken = settings.inbox / "domesta" / "2026-10-06.csv"
    broken.write_bytes(b"\xef\xbb\xbfsignaal_id;huisnummer\r\nDOM-1;14\r\n")
    ingest_delivery(
        Delivery("domesta", date(2026, 10, 6), broken, "domesta/2026-10-06.csv"), settings, "r"
    )
    res = flow_resources.resources(settings)
    with session_scope(res.engine) as session:
        path = write_refused_files(session, tmp_path / "q")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle, delimiter=";"))
    assert row["bestand"] == "domesta/2026-10-06.csv"
    assert "postcode" in row["reden"]  # the failing column is named


def test_a_row_repeating_a_loaded_signal_stays_open_and_the_rest_loads(settings, tmp_path):
    twice = [ROWS[0], ROWS[0].replace(";2,0;", ";2,5;"), ROWS[1]]  # DOM-1 twice in the file
    _deliver(settings, "2026-10-05", twice)
    res = flow_resources.resources(settings)
    with session_scope(res.engine) as session:
        [exported] = export_open_quarantine(session, res.raw_vault, tmp_path / "q")
    text = exported.read_text(encoding="utf-8-sig").replace("zevenhonderd", "700,00")
    exported.write_text(text, encoding="utf-8-sig")

    outcome = resubmit(settings, exported, date(2026, 10, 6))

    assert (outcome.figures.accepted, len(outcome.duplicates)) == (1, 1)
    assert _counts(res.engine)["quarantine"] == {"open": 1, "resubmitted": 1}


def test_a_correction_joins_the_latest_night_not_the_wall_clock(settings, tmp_path: Path):
    """Triaged at once, as part of the record's latest night: a correction made months after
    it (a replayed history, a steward between nights) runs no planning or auto-closing of its
    own nights ahead."""
    from flows.night import run_night
    from flows.report import NightReport

    night = date(2026, 10, 5)
    run_night(settings, night, NightReport(as_of=night.isoformat()), "run-1", export=False)
    res = flow_resources.resources(settings)
    with session_scope(res.engine) as session:
        [exported] = export_open_quarantine(session, res.raw_vault, tmp_path / "q")
    text = exported.read_text(encoding="utf-8-sig").replace("zevenhonderd", "712,00")
    exported.write_text(text, encoding="utf-8-sig")

    outcome = resubmit(settings, exported, date(2027, 3, 1))

    assert outcome.figures.accepted == 1
    with res.engine.connect() as connection:
        decided = connection.execute(
            sa.text("select distinct decided_on from signal_statuses")
        ).scalars()
        weeks = connection.execute(sa.text("select distinct planned_week from tasks")).scalars()
        closed = connection.execute(
            sa.text("select count(*) from cases where status <> 'open'")
        ).scalar()
    assert {str(d)[:10] for d in decided} == {"2026-10-05"}
    assert all(w is None or not str(w).startswith("2027") for w in weeks)
    assert closed == 0
