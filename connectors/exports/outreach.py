"""Task lists for the outreach teams, each holding only its own households' addresses."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.exports.task_list import write_task_lists
from connectors.vault import ContactVault

#: The role the export acts in: it prepares each team's own list, like that team would.
EXPORT_ROLE = "outreach"


def export_team_task_lists(
    engine: Engine, vault: ContactVault, out_dir: Path, as_of: date, team: str | None = None
) -> list[Path]:
    """Write the open task list of every team (or one team) as CSV and XLSX."""
    with session_scope(engine) as session:
        tasks = repo.load_tasks(session, team=team, status="open")
        sealed = repo.load_vault_tokens(session, sorted(set(tasks["household_key"].dropna())))
    sealed = sealed.rename(columns={"token": "sealed_address"})
    written: list[Path] = []
    for team_name in sorted(set(tasks["team"].dropna())):
        team_tasks = tasks[tasks["team"] == team_name]
        addresses = vault.reveal_addresses(sealed, EXPORT_ROLE, str(team_name), team_tasks)
        written += write_task_lists(team_tasks, addresses, out_dir, str(team_name), as_of=as_of)
    return written


def open_task_counts(engine: Engine) -> pd.DataFrame:
    """Open tasks and tasks over capacity per team (aggregates, no identifying data)."""
    with session_scope(engine) as session:
        tasks = repo.load_tasks(session, status="open")
    over = tasks["over_capacity"].fillna(False).astype(bool)
    return (
        tasks.assign(over=over)
        .groupby("team")
        .agg(open_tasks=("task_id", "count"), over_capacity=("over", "sum"))
        .reset_index()
    )


def prune_exports(tasks_root: Path, before: date) -> int:
    """Delete nightly task-list folders (``<tasks_root>/<YYYY-MM-DD>``) dated before ``before``.

    They hold addresses, so they are kept only as long as the retention policy says.
    """
    removed = 0
    for folder in sorted(tasks_root.glob("????-??-??")):
        try:
            dated = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if folder.is_dir() and dated < before:
            shutil.rmtree(folder)
            removed += 1
    return removed
