"""The repository on SQLite and PostgreSQL: atomic deliveries, constraints, lossless round trips."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal
from sqlalchemy.orm import Session

from connectors.database import casework, versions
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
    return repo.store_delivery(
        engine, record(signals, quarantine, **kw), signals, quarantine, vault_for(signals)
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
        vault = repo.load_vault_tokens(session)
    expected = conform(quarantine.assign(status="open"), repo.QUARANTINE_SCHEMA)
    assert_frame_equal(stored_quarantine, expected)
    # Raw records of accepted rows are not kept (data minimisation): no such column at all.
    assert "raw_token" not in {c.name for c in Base.metadata.tables["signals"].columns}
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
        repo.store_delivery(db_engine, wrong, signals, quarantine, vault_for(signals))


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
        db_engine, delivery, empty_signals, empty_quarantine, pd.DataFrame(), aftercare
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
        # A decision is final: saving another one for the same signal changes nothing.
        repo.save_decisions(session, decisions.assign(status=ddas.STATUS_REPEAT), DAY.date())
    with Session(db_engine) as session:
        assert_frame_equal(repo.load_signal_states(session), states)
        assert_frame_equal(repo.load_resolutions(session), resolutions)
        stored = repo.load_decisions(session)
    assert_frame_equal(conform(stored, DECISION_SCHEMA), decisions)
    assert stored["decided_on"].eq(DAY).all()


# --- cases, tasks, contact attempts (version-checked, with history) -----------------------


def case_row(case_id: str, household: str, status: str = "open") -> dict[str, object]:
    return {
        "case_id": case_id,
        "household_key": household,
        "case_type": "enkelvoudig",
        "opened_on": DAY.date(),
        "status": status,
        "closed_on": DAY.date() if status == "closed" else None,
        "result": "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering"
        if status == "closed"
        else None,
    }


def task_row(task_id: str, case_id: str, household: str, team: str = "Loket Geldzaken"):
    return {
        "task_id": task_id,
        "case_id": case_id,
        "household_key": household,
        "team": team,
        "contact_kind": "Brief",
        "due_date": DAY.date(),
        "status": "open",
        "created_on": DAY.date(),
    }


@pytest.fixture(name="household_engine")
def household_engine(db_engine: sa.Engine) -> sa.Engine:
    store(db_engine, make_signals(2), make_quarantine(0))
    return db_engine


def households_of(engine: sa.Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(repo.load_signals(session)["household_key"].unique())


def open_one_case(engine: sa.Engine) -> tuple[str, str]:
    h0 = households_of(engine)[0]
    with session_scope(engine) as session:
        versions.insert_new(session, "case", [case_row("C1", h0)], "run:1", "opened")
        versions.insert_new(session, "task", [task_row("T1", "C1", h0)], "run:1", "opened")
    return h0, "C1"


def test_new_cases_and_tasks_start_at_version_one_with_history(household_engine) -> None:
    open_one_case(household_engine)
    with household_engine.connect() as connection:
        case_history = connection.execute(
            sa.text("SELECT version, actor, change FROM case_versions")
        ).all()
        task_version = connection.execute(sa.text("SELECT version FROM tasks")).scalar_one()
    assert case_history == [(1, "run:1", "opened")]
    assert task_version == 1


def test_a_second_open_case_for_a_household_is_rejected(household_engine: sa.Engine) -> None:
    h0, _ = open_one_case(household_engine)
    with pytest.raises(sa.exc.IntegrityError), session_scope(household_engine) as session:
        versions.insert_new(session, "case", [case_row("C2", h0)], "run:2", "opened")


def test_an_update_with_a_stale_version_is_refused_and_changes_nothing(household_engine) -> None:
    open_one_case(household_engine)
    with session_scope(household_engine) as session:
        versions.update_checked(
            session,
            "task",
            [{"task_id": "T1", "version": 1, "contact_kind": "Telefoon"}],
            "medewerker",
            "reshaped",
        )
    with pytest.raises(versions.ConcurrentChangeError), session_scope(household_engine) as s:
        versions.update_checked(
            s,
            "task",
            [{"task_id": "T1", "version": 1, "contact_kind": "Huisbezoek"}],
            "run:2",
            "reshaped",
        )
    with household_engine.connect() as connection:
        kind, version = connection.execute(sa.text("SELECT contact_kind, version FROM tasks")).one()
        changes = (
            connection.execute(sa.text("SELECT change FROM task_versions ORDER BY version"))
            .scalars()
            .all()
        )
    assert (kind, version) == ("Telefoon", 2)
    assert changes == ["opened", "reshaped"]


def make_attempts(case_id: str = "C1", task_id: str = "T1") -> pd.DataFrame:
    return conform(
        pd.DataFrame(
            {
                "case_id": [case_id, case_id],
                "task_id": [task_id, task_id],
                "contact_kind": ["Telefoon", "Huisbezoek"],
                "attempt_date": [DAY, DAY + pd.Timedelta(days=2)],
                "part_of_day": ["Ochtend", "Avond"],
                "reached": [False, True],
            }
        ),
        CONTACT_ATTEMPT_SCHEMA,
    )


def test_contact_attempts_round_trip_and_a_second_import_adds_nothing(household_engine) -> None:
    open_one_case(household_engine)
    attempts = make_attempts()
    with session_scope(household_engine) as session:
        first = casework.record_contact_attempts(session, attempts, "takenlijst", "medewerker")
        again = casework.record_contact_attempts(session, attempts, "takenlijst", "medewerker")
        stored = repo.load_contact_attempts(session)
    assert (first.added, first.already_known) == (2, 0)
    assert (again.added, again.already_known) == (0, 2)
    assert stored["recorded_by"].tolist() == ["medewerker", "medewerker"]
    assert_frame_equal(conform(stored, CONTACT_ATTEMPT_SCHEMA), attempts)


def test_contact_attempts_for_an_unknown_task_record_nothing(household_engine) -> None:
    open_one_case(household_engine)
    with pytest.raises(casework.UnknownCaseError), session_scope(household_engine) as session:
        casework.record_contact_attempts(
            session, make_attempts(task_id="T404"), "takenlijst", "medewerker"
        )
    assert row_counts(household_engine)["contact_attempts"] == 0


def test_an_import_touches_only_the_lists_own_team(household_engine) -> None:
    open_one_case(household_engine)
    with pytest.raises(casework.WrongTeamError), session_scope(household_engine) as session:
        casework.record_contact_attempts(
            session, make_attempts(), "takenlijst", "medewerker", team="Nazorg"
        )
    assert row_counts(household_engine)["contact_attempts"] == 0


def test_an_invalid_contact_kind_fails_the_whole_batch(household_engine: sa.Engine) -> None:
    open_one_case(household_engine)
    attempts = make_attempts()
    attempts.loc[1, "contact_kind"] = "Postduif"
    with pytest.raises(sa.exc.IntegrityError), session_scope(household_engine) as session:
        casework.record_contact_attempts(session, attempts, "takenlijst", "medewerker")
    assert row_counts(household_engine)["contact_attempts"] == 0


def test_a_result_closes_case_and_task_once(household_engine: sa.Engine) -> None:
    open_one_case(household_engine)
    results = conform(
        pd.DataFrame(
            {
                "case_id": ["C1"],
                "task_id": ["T1"],
                "result": ["(Budget)advies en/of quick fix"],
                "result_date": [DAY],
            }
        ),
        repo.CASE_RESULT_SCHEMA,
    )
    with pytest.raises(ValueError, match="eindresultaat"), session_scope(household_engine) as s:
        casework.record_case_results(s, results.assign(result="Klaar"), "medewerker")
    with session_scope(household_engine) as session:
        first = casework.record_case_results(session, results, "medewerker")
        again = casework.record_case_results(
            session, results.assign(result="Definitief geen contact kunnen krijgen"), "medewerker"
        )
        cases = repo.load_cases(session)
        tasks = repo.load_tasks(session, status=None)
    assert (first.closed, first.already_closed) == (1, 0)
    assert (again.closed, again.already_closed) == (0, 1)
    assert cases.iloc[0]["status"] == "closed"
    assert cases.iloc[0]["result"] == "(Budget)advies en/of quick fix"  # not closed again
    assert cases.iloc[0]["closed_by"] == "medewerker"
    assert tasks.iloc[0]["status"] == "afgerond"


def test_case_result_contract_matches_the_task_list_import() -> None:
    from connectors.exports.results_import import CASE_RESULT_SCHEMA as IMPORT_SCHEMA

    assert dict(IMPORT_SCHEMA) == dict(repo.CASE_RESULT_SCHEMA)


def test_team_capacity_changes_are_versioned_and_audited(db_engine: sa.Engine) -> None:
    with session_scope(db_engine) as session:
        casework.set_team_capacity(session, "Nazorg", 5, "beleid")
        casework.set_team_capacity(session, "Nazorg", 7, "teamleider")
    with db_engine.connect() as connection:
        history = connection.execute(
            sa.text("SELECT version, weekly_capacity, set_by FROM team_versions ORDER BY version")
        ).all()
        audited = connection.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE action = 'set_capacity'")
        ).scalar_one()
    assert history == [(1, 5, "beleid"), (2, 7, "teamleider")]
    assert audited == 2


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


def test_a_run_that_died_is_marked_interrupted_by_the_next(db_engine: sa.Engine) -> None:
    with session_scope(db_engine) as session:
        dead = repo.start_run(session, "nightly", DAY.date())
    with session_scope(db_engine) as session:
        assert repo.mark_interrupted(session) == 1
        alive = repo.start_run(session, "nightly", DAY.date())
    with db_engine.connect() as connection:
        statuses = dict(
            connection.execute(sa.text("SELECT run_id, status FROM pipeline_runs")).all()
        )
    assert statuses == {dead: "interrupted", alive: "running"}
