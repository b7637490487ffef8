"""The repository on SQLite and PostgreSQL: atomic deliveries, constraints, lossless round trips."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal
from sqlalchemy.orm import Session

from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.models import Base
from signals import ddas
from signals.schema import (
    CONTACT_ATTEMPT_SCHEMA,
    DECISION_SCHEMA,
    LINKED_AFTERCARE_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    REJECT_SCHEMA,
    RESOLUTION_SCHEMA,
    SIGNAL_STATE_SCHEMA,
    TASK_SCHEMA,
    conform,
)

DAY = pd.Timestamp("2026-10-05")


def make_signals(count: int, partner: str = "domesta", day: pd.Timestamp = DAY) -> pd.DataFrame:
    """Linked signals with every dtype of the contract, missing values included."""
    rows = []
    for i in range(count):
        rows.append(
            {
                "signal_key": f"{partner}/{day.date()}/S{i:06d}",
                "partner": partner,
                "partner_type": "Huur",
                "delivery_date": day,
                "source_file": f"{partner}/{day.date()}.csv",
                "source_row": i + 2,
                "signal_id": f"S{i:06d}",
                "household_key": f"h{i % 997:063d}",
                "person_key": None if i % 3 else f"p{i:063d}",
                "in_municipality": i % 5 != 0,
                "wijkcode": None if i % 7 == 0 else f"WK0118{i % 4:02d}",
                "wijknaam": "Centrum",
                "buurtcode": "BU01180101",
                "age_at_signal": None if i % 2 else 30 + i % 50,
                "amount": 100.25 + i,
                "arrears_months": None if i % 4 else 2.5,
                "days_overdue": 30 + i % 90,
                "arrears_since": day - pd.Timedelta(days=60),
                "signal_date": None if i % 11 == 0 else day - pd.Timedelta(days=1),
                "crisis": i % 13 == 0,
                "crisis_kind": "ontruiming" if i % 13 == 0 else None,
                "warm_handover": None,
                "consent": True,
                "indicators": None,
            }
        )
    return conform(pd.DataFrame(rows), LINKED_SIGNAL_SCHEMA)


def make_quarantine(count: int, partner: str = "domesta", day: pd.Timestamp = DAY) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "partner": [partner] * count,
            "delivery_date": [day] * count,
            "source_file": [f"{partner}/{day.date()}.csv"] * count,
            "source_row": list(range(900, 900 + count)),
            "raw": ['{"postcode": "7906KL"}'] * count,
            "stage": ["validation"] * count,
            "reason_code": ["amount_not_numeric"] * count,
            "reason_en": ["amount is not a number"] * count,
            "reason_nl": ["bedrag is geen getal"] * count,
        }
    )
    frame = conform(frame, REJECT_SCHEMA)
    frame["failed_expectations"] = pd.array(["expect_amount_positive"] * count, dtype="string")
    frame["raw_token"] = [b"gAAAA-token-%d" % i for i in range(count)]
    return frame


def vault_for(signals: pd.DataFrame) -> pd.DataFrame:
    keys = signals["household_key"].drop_duplicates().tolist()
    return pd.DataFrame({"household_key": keys, "token": [k.encode()[:12] for k in keys]})


def record(
    signals: pd.DataFrame,
    quarantine: pd.DataFrame,
    partner: str = "domesta",
    day: pd.Timestamp = DAY,
    sha: str = "a" * 64,
    aftercare_rows: int = 0,
) -> repo.DeliveryRecord:
    accepted = len(signals) + aftercare_rows
    return repo.DeliveryRecord(
        partner=partner,
        delivery_date=day.date(),
        source_file=f"{partner}/{day.date()}.csv",
        sha256=sha,
        rows_received=accepted + len(quarantine),
        rows_accepted=accepted,
        rows_quarantined=len(quarantine),
    )


def store(engine: sa.Engine, signals: pd.DataFrame, quarantine: pd.DataFrame, **kw) -> bool:
    raw = {key: b"raw-" + key.encode() for key in signals["signal_key"]}
    return repo.store_delivery(
        engine, record(signals, quarantine, **kw), signals, quarantine, vault_for(signals), raw
    )


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


# --- deliveries -----------------------------------------------------------------------------


def test_store_delivery_round_trips_signals_and_quarantine(db_engine: sa.Engine) -> None:
    signals, quarantine = make_signals(40), make_quarantine(3)

    assert store(db_engine, signals, quarantine) is True

    with Session(db_engine) as session:
        assert_frame_equal(repo.load_signals(session), signals)
        stored_quarantine = repo.load_quarantine(session)
        tokens = repo.load_raw_tokens(session, ["domesta/2026-10-05/S000001"])
        vault = repo.load_vault_tokens(session)
    expected = conform(quarantine.assign(status="open"), repo.QUARANTINE_SCHEMA)
    assert_frame_equal(stored_quarantine, expected)
    assert tokens == {"domesta/2026-10-05/S000001": b"raw-domesta/2026-10-05/S000001"}
    assert sorted(vault["household_key"]) == sorted(signals["household_key"].unique())


def test_storing_the_same_delivery_twice_changes_nothing(db_engine: sa.Engine) -> None:
    signals, quarantine = make_signals(25), make_quarantine(2)
    store(db_engine, signals, quarantine)
    before = row_counts(db_engine)

    assert store(db_engine, signals, quarantine) is False

    assert row_counts(db_engine) == before
    with Session(db_engine) as session:
        assert repo.delivery_already_loaded(session, "domesta/2026-10-05.csv", "a" * 64)
        assert not repo.delivery_already_loaded(session, "domesta/2026-10-05.csv", "b" * 64)
        assert repo.loaded_source_files(session) == {"domesta/2026-10-05.csv"}


def test_a_failure_mid_write_leaves_nothing_of_the_delivery(db_engine: sa.Engine) -> None:
    signals, quarantine = make_signals(30), make_quarantine(3)
    quarantine.loc[2, "reason_code"] = pd.NA  # NOT NULL: fails after signals were inserted
    empty = row_counts(db_engine)

    with pytest.raises(sa.exc.IntegrityError):
        store(db_engine, signals, quarantine)

    assert row_counts(db_engine) == empty


def test_a_duplicate_signal_key_is_refused_before_writing(db_engine: sa.Engine) -> None:
    signals = make_signals(3)
    signals.loc[2, "signal_key"] = str(signals["signal_key"].iloc[0])
    empty = row_counts(db_engine)

    with pytest.raises(ValueError, match="unique"):
        store(db_engine, signals, make_quarantine(0))

    assert row_counts(db_engine) == empty


def test_counts_that_do_not_add_up_are_refused(db_engine: sa.Engine) -> None:
    signals, quarantine = make_signals(5), make_quarantine(1)
    wrong = record(signals, quarantine).__class__(
        **{**record(signals, quarantine).__dict__, "rows_received": 9}
    )
    with pytest.raises(ValueError, match="rows received"):
        repo.store_delivery(db_engine, wrong, signals, quarantine, vault_for(signals), {})


def test_plaintext_raw_without_token_is_never_stored(db_engine: sa.Engine) -> None:
    signals, quarantine = make_signals(2), make_quarantine(1).drop(columns="raw_token")
    with pytest.raises(ValueError, match="plaintext"):
        store(db_engine, signals, quarantine)
    assert row_counts(db_engine)["deliveries"] == 0


def test_changed_file_under_a_loaded_name_is_a_conflict(db_engine: sa.Engine) -> None:
    signals = make_signals(4)
    store(db_engine, signals, make_quarantine(0))
    with pytest.raises(repo.DeliveryConflictError):
        store(db_engine, signals, make_quarantine(0), sha="b" * 64)


def test_rejected_delivery_is_recorded_and_replaced_by_a_corrected_file(
    db_engine: sa.Engine,
) -> None:
    rejected = repo.DeliveryRecord(
        partner="energie",
        delivery_date=DAY.date(),
        source_file="energie/2026-10-05.csv",
        sha256="c" * 64,
        rows_received=0,
        rows_accepted=0,
        rows_quarantined=0,
        status="unreadable",
        rejection_code="file_not_decodable",
        rejection_reason_en="the file is not valid UTF-8",
        rejection_reason_nl="het bestand is geen geldige UTF-8",
    )
    assert repo.record_rejected_delivery(db_engine, rejected) is True
    assert repo.record_rejected_delivery(db_engine, rejected) is False
    with Session(db_engine) as session:
        assert repo.loaded_source_files(session) == set()
        assert repo.previous_row_count(session, "energie") is None

    signals = make_signals(6, partner="energie")
    assert store(db_engine, signals, make_quarantine(0, partner="energie"), partner="energie")

    with Session(db_engine) as session:
        assert repo.loaded_source_files(session) == {"energie/2026-10-05.csv"}
        assert repo.previous_row_count(session, "energie") == 6
        assert repo.previous_row_count(session, "energie", before=DAY.date()) is None
    assert row_counts(db_engine)["deliveries"] == 1


def test_households_keep_first_and_last_seen_over_deliveries(db_engine: sa.Engine) -> None:
    later = DAY + pd.Timedelta(days=30)
    store(db_engine, make_signals(3), make_quarantine(0))
    store(db_engine, make_signals(2, day=later), make_quarantine(0, day=later), day=later)

    with db_engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT household_key, first_seen, last_seen FROM households")
        ).all()
    seen = {key: (str(first), str(last)) for key, first, last in rows}
    assert seen[f"h{0:063d}"] == ("2026-10-05", "2026-11-04")
    assert seen[f"h{2:063d}"] == ("2026-10-05", "2026-10-05")


def test_aftercare_round_trip(db_engine: sa.Engine) -> None:
    aftercare = conform(
        pd.DataFrame(
            {
                "household_key": ["h1", "h2"],
                "dossier_id": ["D-1", "D-2"],
                "trajectory_end_date": [pd.Timestamp("2026-01-31"), pd.NaT],
                "trajectory_outcome": ["afgebroken", None],
                "delivery_date": [DAY, DAY],
            }
        ),
        LINKED_AFTERCARE_SCHEMA,
    )
    empty_signals, empty_quarantine = make_signals(0, "nazorg"), make_quarantine(0, "nazorg")
    delivery = record(empty_signals, empty_quarantine, partner="nazorg", aftercare_rows=2)
    repo.store_delivery(
        db_engine, delivery, empty_signals, empty_quarantine, pd.DataFrame(), {}, aftercare
    )
    with Session(db_engine) as session:
        assert_frame_equal(repo.load_aftercare(session), aftercare)


def test_load_signals_since_a_date(db_engine: sa.Engine) -> None:
    later = DAY + pd.Timedelta(days=7)
    store(db_engine, make_signals(3), make_quarantine(0))
    store(db_engine, make_signals(2, day=later), make_quarantine(0, day=later), day=later)
    with Session(db_engine) as session:
        recent = repo.load_signals(session, since=later.date())
    assert recent["delivery_date"].eq(later).all() and len(recent) == 2


def test_bulk_load_of_fifty_thousand_signals(db_engine: sa.Engine) -> None:
    signals = make_signals(50_000)
    store(db_engine, signals, make_quarantine(0))
    with Session(db_engine) as session:
        loaded = repo.load_signals(session)
    assert len(loaded) == 50_000
    assert loaded["amount"].sum() == pytest.approx(signals["amount"].sum())


# --- state and triage -------------------------------------------------------------------------


def test_signal_states_resolutions_and_decisions_round_trip(db_engine: sa.Engine) -> None:
    signals = make_signals(3)
    store(db_engine, signals, make_quarantine(0))
    keys = signals["signal_key"].tolist()
    households = signals["household_key"].tolist()
    states = conform(
        pd.DataFrame(
            {
                "signal_key": keys,
                "household_key": households,
                "partner": ["domesta"] * 3,
                "signal_state": ["new", "repeat", "increased"],
                "previous_amount": [None, 120.5, 80.0],
            }
        ),
        SIGNAL_STATE_SCHEMA,
    )
    resolutions = conform(
        pd.DataFrame({"household_key": ["hX"], "partner": ["energie"], "resolved_on": [DAY]}),
        RESOLUTION_SCHEMA,
    )
    decisions = conform(
        pd.DataFrame(
            {
                "signal_key": keys,
                "household_key": households,
                "status": [ddas.STATUS_PICKED_UP, ddas.STATUS_UNFOUNDED, ddas.STATUS_PENDING],
                "rule": ["crisis", "drempelbedrag", None],
                "policy_version": ["2026.1"] * 3,
                "reason_nl": ["Ontruiming aangevraagd", "Bedrag onder drempel", None],
            }
        ),
        DECISION_SCHEMA,
    )
    with session_scope(db_engine) as session:
        repo.save_signal_states(session, states)
        repo.save_resolutions(session, resolutions)
        repo.save_resolutions(session, resolutions)  # known: left as it is
        repo.save_decisions(session, decisions, decided_on=DAY.date())
    with Session(db_engine) as session:
        assert_frame_equal(repo.load_signal_states(session), states)
        assert_frame_equal(repo.load_resolutions(session), resolutions)
        stored = repo.load_decisions(session)
    assert_frame_equal(conform(stored, DECISION_SCHEMA), decisions)
    assert stored["decided_on"].eq(DAY).all()


# --- cases, tasks, contact attempts ---------------------------------------------------------


def case_frame(*cases: tuple[str, str, str]) -> pd.DataFrame:
    """Cases from (case_id, household_key, status) triples."""
    return conform(
        pd.DataFrame(
            {
                "case_id": [c[0] for c in cases],
                "household_key": [c[1] for c in cases],
                "case_type": ["enkelvoudig"] * len(cases),
                "opened_on": [DAY] * len(cases),
                "picked_up_on": [DAY if c[2] == "open" else pd.NaT for c in cases],
                "last_pickup_on": [DAY if c[2] == "open" else pd.NaT for c in cases],
                "closed_on": [pd.NaT if c[2] == "open" else DAY for c in cases],
                "result": [None if c[2] == "open" else ddas.RESULTS[0] for c in cases],
                "status": [c[2] for c in cases],
            }
        ),
        repo.CASE_SCHEMA,
    )


@pytest.fixture
def household_engine(db_engine: sa.Engine) -> sa.Engine:
    """A database holding one delivery, so households h..0 to h..2 and their signals exist."""
    store(db_engine, make_signals(3), make_quarantine(0))
    return db_engine


H0, H1 = f"h{0:063d}", f"h{1:063d}"


def test_cases_round_trip_and_link_signals(household_engine: sa.Engine) -> None:
    cases = case_frame(("C1", H0, "open"), ("C0", H1, "closed"))
    links = pd.DataFrame({"case_id": ["C1"], "signal_key": ["domesta/2026-10-05/S000000"]})
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, cases)
        repo.link_case_signals(session, links)
        repo.link_case_signals(session, links)
    with Session(household_engine) as session:
        assert_frame_equal(
            repo.load_cases(session), cases.sort_values("case_id", ignore_index=True)
        )
        assert repo.load_open_cases(session)["case_id"].tolist() == ["C1"]
        assert repo.load_case_signals(session)["signal_key"].tolist() == [links.signal_key[0]]


def test_a_second_open_case_for_a_household_is_rejected(household_engine: sa.Engine) -> None:
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C1", H0, "open")))

    with pytest.raises(sa.exc.IntegrityError), session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C2", H0, "open")))

    with Session(household_engine) as session:
        assert repo.load_open_cases(session)["case_id"].tolist() == ["C1"]


def test_closing_the_old_case_and_opening_a_new_one_in_one_call(
    household_engine: sa.Engine,
) -> None:
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C1", H0, "open")))
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C2", H0, "open"), ("C1", H0, "closed")))
    with Session(household_engine) as session:
        assert repo.load_open_cases(session)["case_id"].tolist() == ["C2"]


def make_tasks() -> pd.DataFrame:
    return conform(
        pd.DataFrame(
            {
                "task_id": ["T1", "T2"],
                "case_id": ["C1", "C2"],
                "household_key": [H0, H1],
                "team": ["wijkteam-noord", "jongeren"],
                "contact_kind": ["Huisbezoek", "Telefoon"],
                "joint_with": ["Domesta", None],
                "due_date": [DAY + pd.Timedelta(days=3), pd.NaT],
                "priority": [1, 2],
                "planned_week": ["2026-W41", "2026-W42"],
                "over_capacity": [False, True],
                "reason_nl": ["Ontruiming aangevraagd", None],
                "suggestions": ["Voorzieningenwijzer; microkrediet", None],
                "signal_partners": ["domesta", "zorg"],
                "total_amount": [1234.56, None],
                "wijk": ["Centrum", "Krakeel"],
                "rule": ["crisis", "jongeren"],
                "policy_version": ["2026.1", "2026.1"],
                "status": ["open", "open"],
                "created_on": [DAY, DAY],
                "updated_on": [DAY, pd.NaT],
            }
        ),
        TASK_SCHEMA,
    )


def test_tasks_round_trip_and_update_by_task_id(household_engine: sa.Engine) -> None:
    tasks = make_tasks()
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C1", H0, "open"), ("C2", H1, "open")))
        repo.upsert_tasks(session, tasks)
    with Session(household_engine) as session:
        assert_frame_equal(repo.load_tasks(session), tasks)
        assert repo.load_tasks(session, team="jongeren")["task_id"].tolist() == ["T2"]

    done = tasks.iloc[[0]].assign(status="afgerond", updated_on=DAY + pd.Timedelta(days=2))
    with session_scope(household_engine) as session:
        repo.upsert_tasks(session, done)
    with Session(household_engine) as session:
        assert repo.load_tasks(session)["task_id"].tolist() == ["T2"]
        finished = repo.load_tasks(session, status="afgerond")
    assert_frame_equal(finished, conform(done, TASK_SCHEMA))


def make_attempts(case_id: str = "C1") -> pd.DataFrame:
    return conform(
        pd.DataFrame(
            {
                "case_id": [case_id, case_id],
                "task_id": ["T1", None],
                "contact_kind": ["Brief", "Huisbezoek"],
                "attempt_date": [DAY, DAY + pd.Timedelta(days=2)],
                "part_of_day": [None, "Avond"],
                "reached": [False, True],
            }
        ),
        CONTACT_ATTEMPT_SCHEMA,
    )


def test_contact_attempts_round_trip_and_a_second_import_adds_nothing(
    household_engine: sa.Engine,
) -> None:
    attempts = make_attempts()
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C1", H0, "open")))
        assert repo.record_contact_attempts(session, attempts, source="takenlijst") == 2
    with session_scope(household_engine) as session:
        assert repo.record_contact_attempts(session, attempts, source="takenlijst") == 0
    with Session(household_engine) as session:
        stored = repo.load_contact_attempts(session)
    assert_frame_equal(conform(stored, CONTACT_ATTEMPT_SCHEMA), attempts)
    assert stored["source"].eq("takenlijst").all()


def test_contact_attempts_for_an_unknown_case_record_nothing(household_engine: sa.Engine) -> None:
    attempts = pd.concat([make_attempts("C1"), make_attempts("C-unknown")], ignore_index=True)
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C1", H0, "open")))
    with pytest.raises(repo.UnknownCaseError), session_scope(household_engine) as session:
        repo.record_contact_attempts(session, attempts, source="takenlijst")
    assert row_counts(household_engine)["contact_attempts"] == 0


def test_an_invalid_contact_kind_fails_the_whole_batch(household_engine: sa.Engine) -> None:
    attempts = make_attempts()
    attempts.loc[1, "contact_kind"] = "Postduif"
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C1", H0, "open")))
    with pytest.raises(sa.exc.IntegrityError), session_scope(household_engine) as session:
        repo.record_contact_attempts(session, attempts, source="takenlijst")
    assert row_counts(household_engine)["contact_attempts"] == 0


def test_case_results_close_cases_and_their_tasks_all_or_nothing(
    household_engine: sa.Engine,
) -> None:
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, case_frame(("C1", H0, "open"), ("C2", H1, "open")))
        repo.upsert_tasks(session, make_tasks())
    results = conform(
        pd.DataFrame(
            {
                "case_id": ["C1", "C9"],
                "task_id": ["T1", "T9"],
                "result": [ddas.RESULTS[-1], ddas.RESULTS[0]],
                "result_date": [DAY, DAY],
            }
        ),
        repo.CASE_RESULT_SCHEMA,
    )
    with pytest.raises(repo.UnknownCaseError), session_scope(household_engine) as session:
        repo.record_case_results(session, results)
    with pytest.raises(ValueError, match="eindresultaat"), session_scope(household_engine) as s:
        repo.record_case_results(s, results.iloc[[0]].assign(result="Klaar"))
    with Session(household_engine) as session:
        assert len(repo.load_open_cases(session)) == 2

    with session_scope(household_engine) as session:
        repo.record_case_results(session, results.iloc[[0]])
    with Session(household_engine) as session:
        closed = repo.load_cases(session, status="closed")
        open_tasks = repo.load_tasks(session)["task_id"].tolist()
    assert closed[["case_id", "result", "closed_on"]].values.tolist() == [
        ["C1", ddas.RESULTS[-1], DAY]
    ]
    assert open_tasks == ["T2"]


def test_case_result_contract_matches_the_task_list_import() -> None:
    from connectors.exports.results_import import CASE_RESULT_SCHEMA

    assert repo.CASE_RESULT_SCHEMA == CASE_RESULT_SCHEMA


def test_a_key_given_twice_in_one_upsert_keeps_the_last_row(household_engine: sa.Engine) -> None:
    first, second = case_frame(("C1", H0, "open")), case_frame(("C1", H0, "closed"))
    with session_scope(household_engine) as session:
        repo.upsert_cases(session, pd.concat([first, second], ignore_index=True))
    with Session(household_engine) as session:
        assert repo.load_cases(session)["status"].tolist() == ["closed"]


def test_teams_round_trip(db_engine: sa.Engine) -> None:
    teams = conform(
        pd.DataFrame({"name": ["jongeren", "wijkteam-noord"], "weekly_capacity": [5, 12]}),
        repo.TEAM_SCHEMA,
    )
    with session_scope(db_engine) as session:
        repo.upsert_teams(session, teams)
        repo.upsert_teams(session, teams.assign(weekly_capacity=[6, 12]))
    with Session(db_engine) as session:
        assert repo.load_teams(session)["weekly_capacity"].tolist() == [6, 12]


# --- runs and audit -------------------------------------------------------------------------


def test_runs_and_audit_log(db_engine: sa.Engine) -> None:
    with session_scope(db_engine) as session:
        run_id = repo.start_run(session, "nightly", as_of=DAY.date())
        repo.audit(
            session,
            "pipeline",
            "store_delivery",
            "delivery",
            "domesta/2026-10-05.csv",
            {"rows": pd.Series([3]).sum(), "on": dt.date(2026, 10, 5)},
        )
        repo.finish_run(session, run_id, "succeeded", {"signals": pd.Series([7]).sum()})
    runs, audit_log = Base.metadata.tables["pipeline_runs"], Base.metadata.tables["audit_log"]
    with db_engine.connect() as connection:
        run = connection.execute(sa.select(runs.c.status, runs.c.counts)).one()
        audit_details = connection.execute(sa.select(audit_log.c.details)).scalar_one()
    assert run.status == "succeeded" and run.counts == {"signals": 7}
    assert audit_details == {"rows": 3, "on": "2026-10-05"}


def test_audit_refuses_identifying_details_and_unknown_runs(db_engine: sa.Engine) -> None:
    with session_scope(db_engine) as session:
        with pytest.raises(ValueError, match="identifying"):
            repo.audit(session, "analist", "view", "household", "h1", {"postcode": "7906KL"})
        with pytest.raises(ValueError, match="no pipeline run"):
            repo.finish_run(session, "never-started")
