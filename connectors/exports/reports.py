"""Reports that leave the municipality: DDAS v1.2 for CBS, feedback for partners, results in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from connectors.database import casework
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.exports.ddas_json import write_ddas_json
from connectors.exports.feedback import write_partner_feedback
from connectors.exports.results_import import import_task_list
from connectors.settings import Settings
from connectors.vault import ContactVault
from signals.ddas_report import build_ddas_report
from signals.feedback import build_partner_feedback


def export_ddas(
    engine: Engine,
    vault: ContactVault,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    out: Path,
    actor: str = "cli",
) -> Path:
    """The DDAS v1.2 report for [start, end]. Clients are identified by address, as v1.2 allows.

    Opening the addresses is written to the audit log.
    """
    with session_scope(engine) as session:
        signals = repo.load_signals(session)
        decisions = repo.load_decisions(session)
        cases = repo.load_cases(session)
        case_signals = repo.load_case_signals(session)
        attempts = repo.load_contact_attempts(session)
        sealed = repo.load_vault_tokens(session, sorted(set(signals["household_key"].dropna())))
    addresses = _open_addresses(vault, sealed)
    with session_scope(engine) as session:
        repo.audit(
            session,
            actor,
            "open_addresses",
            "ddas_report",
            out.name,
            {"from": start, "to": end, "addresses": len(addresses)},
        )
    report = build_ddas_report(
        signals,
        decisions.drop(columns=["decided_on"]),
        cases,
        case_signals,
        attempts,
        addresses,
        start,
        end,
        settings.municipality_code,
        settings.municipality_name,
        settings.supplier_code,
        dt.datetime.now(dt.UTC),
    )
    return write_ddas_json(report, out)


def export_feedback(engine: Engine, partner: str, out: Path) -> Path:
    """Per signal of ``partner`` only "opgepakt" / "niet opgepakt"."""
    with session_scope(engine) as session:
        signals = repo.load_signals(session)
        decisions = repo.load_decisions(session)
    feedback = build_partner_feedback(signals, decisions, partner)
    return write_partner_feedback(feedback, out)


@dataclass(frozen=True)
class ImportOutcome:
    """What importing a task list changed: new attempts and results, and what was known."""

    attempts_added: int
    attempts_known: int
    results_closed: int
    results_already_closed: int
    team: str | None


def import_results(engine: Engine, path: Path, today: dt.date, actor: str) -> ImportOutcome:
    """Record the attempts and results of a filled-in task list, all or nothing.

    Only tasks of the team whose list it is may be named. Importing the same (or an older)
    list again adds nothing and says so. No lock is needed: the writes are version-checked,
    so a night running meanwhile triages again rather than undoing them.
    """
    with session_scope(engine) as session:
        tasks = repo.load_tasks(session, status=None)
        result = import_task_list(path, tasks, today)
        attempts = casework.record_contact_attempts(
            session, result.attempts, source=path.name, actor=actor, team=result.team
        )
        closed = casework.record_case_results(session, result.results, actor, team=result.team)
        repo.audit(
            session,
            actor,
            "import",
            "task_list",
            path.name,
            {
                "team": result.team,
                "attempts_added": attempts.added,
                "attempts_known": attempts.already_known,
                "results": closed.closed,
                "results_already_closed": closed.already_closed,
            },
        )
    return ImportOutcome(
        attempts.added, attempts.already_known, closed.closed, closed.already_closed, result.team
    )


def _open_addresses(vault: ContactVault, sealed: pd.DataFrame) -> pd.DataFrame:
    """Decrypt addresses for the CBS report (the reporting role; never shown to analysts)."""
    rows = [
        {"household_key": key, **vault.open(token)}
        for key, token in zip(sealed["household_key"], sealed["token"], strict=True)
    ]
    return pd.DataFrame(rows, columns=["household_key", "postcode", "huisnummer", "toevoeging"])
