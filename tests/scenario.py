"""Hand-built histories through the real state, triage and store, on a SQLite file.

A ``Town`` stores linked signals as deliveries (bypassing the readers, which have tests of
their own), then runs the night's real steps (``flows.triage``) without Prefect, so a test can
replay a few months of one household in a fraction of a second per night.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from connectors.database import repository as repo
from connectors.database.casework import record_case_results, record_contact_attempts
from connectors.database.deliveries import DeliveryRecord, store_delivery
from connectors.database.engine import session_scope
from connectors.database.frames import QUARANTINE_SCHEMA
from connectors.settings import get_settings
from flows.night import in_process
from flows.resources import Resources, _resources, reference_addresses, resources
from flows.triage import TriageSummary, derive_signal_states, triage_night
from signals.schema import LINKED_AFTERCARE_SCHEMA, LINKED_SIGNAL_SCHEMA, conform

PARTNER_TYPES = {
    "domesta": "Huur",
    "energie": "Energie",
    "water": "Water",
    "zorg": "Zorg",
    "bank": "Overige",
}
ROOT = Path(__file__).resolve().parent.parent


def day(text: str | dt.date) -> dt.date:
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(text)


@dataclass
class Town:
    """One municipality's database, fed by hand-built deliveries."""

    root: Path
    policy: Path | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _runs: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def res(self) -> Resources:
        overrides: dict[str, Any] = {"data_dir": self.root, "demo": True}
        if self.policy is not None:
            overrides["triage_policy"] = self.policy
        return resources(get_settings(**overrides))

    def deliver(
        self,
        partner: str,
        when: str | dt.date,
        rows: list[dict[str, Any]],
        *,
        correction: bool = False,
        held_back: list[str] = (),  # type: ignore[assignment]
    ) -> None:
        """Store a delivery of linked signals; ``held_back`` households were quarantined."""
        delivered = day(when)
        frame = conform(
            pd.DataFrame([self._signal(partner, delivered, row) for row in rows]),
            LINKED_SIGNAL_SCHEMA,
        )
        quarantine = pd.DataFrame(
            [
                {
                    "partner": partner,
                    "delivery_date": pd.Timestamp(delivered),
                    "source_file": f"{partner}/{delivered}.csv",
                    "source_row": 90 + i,
                    "stage": "validation",
                    "reason_code": "bsn_invalid",
                    "reason_en": "the BSN fails the eleven-test",
                    "reason_nl": "BSN voldoet niet aan de elfproef",
                    "status": "open",
                    "household_key": household,
                }
                for i, household in enumerate(held_back)
            ],
            columns=list(QUARANTINE_SCHEMA),
        )
        number = next(self._ids)
        name = (
            f"herindiening/{partner}/{number}.csv" if correction else f"{partner}/{delivered}.csv"
        )
        record = DeliveryRecord(
            partner=partner,
            delivery_date=delivered,
            source_file=name,
            sha256=f"{number:064d}",
            rows_received=len(frame) + len(quarantine),
            rows_accepted=len(frame),
            rows_quarantined=len(quarantine),
            is_correction=correction,
        )
        tokens = pd.DataFrame(columns=["household_key", "token"])
        store_delivery(self.res.engine, record, frame, quarantine, tokens)

    def nazorg(self, when: str | dt.date, rows: list[tuple[str, str, str]]) -> None:
        """A nazorg delivery: (household, trajectory end date, outcome) per row."""
        delivered = day(when)
        frame = conform(
            pd.DataFrame(
                [
                    {
                        "household_key": household,
                        "dossier_id": f"GKB-{household}",
                        "trajectory_end_date": pd.Timestamp(ended),
                        "trajectory_outcome": outcome,
                        "delivery_date": pd.Timestamp(delivered),
                    }
                    for household, ended, outcome in rows
                ]
            ),
            LINKED_AFTERCARE_SCHEMA,
        )
        number = next(self._ids)
        record = DeliveryRecord(
            partner="nazorg",
            delivery_date=delivered,
            source_file=f"nazorg/{delivered}.csv",
            sha256=f"{number:064d}",
            rows_received=len(frame),
            rows_accepted=len(frame),
            rows_quarantined=0,
        )
        store_delivery(
            self.res.engine,
            record,
            pd.DataFrame(),
            pd.DataFrame(columns=list(QUARANTINE_SCHEMA)),
            pd.DataFrame(columns=["household_key", "token"]),
            frame,
        )

    def night(self, when: str | dt.date, scores: pd.DataFrame | None = None) -> TriageSummary:
        """Run the night's state and triage steps (no ingest, no export)."""
        night = day(when)
        res = self.res
        derive_signal_states(res, night)
        run = f"test-{next(self._runs)}"
        return triage_night(
            res, night, run, lambda parts, d: in_process(parts, d, res), False, scores
        )

    # --- reading back -----------------------------------------------------------------------

    def tasks(self, status: str | None = "open") -> pd.DataFrame:
        with session_scope(self.res.engine) as session:
            return repo.load_tasks(session, status=status)

    def task_of(self, household: str) -> pd.Series:
        tasks = self.tasks()
        own = tasks[tasks["household_key"] == household]
        assert len(own) == 1, f"{household} has {len(own)} open tasks"
        return own.iloc[0]

    def decisions(self) -> pd.DataFrame:
        with session_scope(self.res.engine) as session:
            decisions = repo.load_decisions(session)
            signals = repo.load_signals(session)
        return decisions.merge(signals[["signal_key", "signal_id", "partner"]], on="signal_key")

    def states(self) -> pd.DataFrame:
        with session_scope(self.res.engine) as session:
            return repo.load_signal_states(session)

    def cases(self) -> pd.DataFrame:
        with session_scope(self.res.engine) as session:
            return repo.load_cases(session)

    def record_attempt(
        self, household: str, when: str, reached: bool = False, kind: str = "Telefoon"
    ) -> None:
        task = self.task_of(household)
        attempts = pd.DataFrame(
            [
                {
                    "case_id": task["case_id"],
                    "task_id": task["task_id"],
                    "contact_kind": kind,
                    "attempt_date": pd.Timestamp(when),
                    "part_of_day": "Ochtend",
                    "reached": reached,
                }
            ]
        )
        with session_scope(self.res.engine) as session:
            record_contact_attempts(session, attempts, "test", actor="medewerker")

    def close(self, household: str, when: str, result: str) -> None:
        task = self.task_of(household)
        results = pd.DataFrame(
            [
                {
                    "case_id": task["case_id"],
                    "task_id": task["task_id"],
                    "result": result,
                    "result_date": pd.Timestamp(when),
                }
            ]
        )
        with session_scope(self.res.engine) as session:
            record_case_results(session, results, actor="medewerker")

    # --- building rows ----------------------------------------------------------------------

    def _signal(self, partner: str, delivered: dt.date, row: dict[str, Any]) -> dict[str, Any]:
        values = dict(row)
        household = values.pop("household")
        signal_id = values.pop("id", f"{partner[:3].upper()}-{household}")
        kind = values.get("crisis_kind")
        out: dict[str, Any] = {
            "signal_key": f"{partner}/{delivered.isoformat()}/{signal_id}",
            "partner": partner,
            "partner_type": PARTNER_TYPES[partner],
            "delivery_date": pd.Timestamp(delivered),
            "source_file": f"{partner}/{delivered}.csv",
            "source_row": 2,
            "signal_id": signal_id,
            "household_key": household,
            "in_municipality": True,
            "wijkcode": "WK011800",
            "wijknaam": "Hoogeveen-Centrum",
            "signal_date": pd.Timestamp(delivered) - pd.Timedelta(days=2),
            "arrears_since": pd.Timestamp(delivered) - pd.Timedelta(days=60),
            "amount": 500.0,
            "crisis": kind is not None,
        }
        out.update(values)
        for name in ("signal_date", "arrears_since", "end_of_supply_date"):
            if isinstance(out.get(name), str):
                out[name] = pd.Timestamp(out[name])
        return out


@pytest.fixture(name="town")
def town_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Town]:
    for name in ("VS_DATABASE_URL", "VS_PSEUDONYM_KEY", "VS_VAULT_KEY", "VS_TRIAGE_POLICY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VS_DEMO", "true")
    _resources.cache_clear()
    reference_addresses.cache_clear()
    yield Town(tmp_path / "town")
    _resources.cache_clear()
    os.environ.pop("VS_UNUSED", None)
