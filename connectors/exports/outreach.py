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
#: Households whose sealed addresses are read in one query.
KEY_BATCH = 10_000


def export_team_task_lists(
    engine: Engine,
    vault: ContactVault,
    out_dir: Path,
    as_of: date,
    team: str | None = None,
    actor: str = "nachtelijke run",
    reference: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the open task list of every team (or one team) as CSV and XLSX.

    Opening the addresses is written to the audit log (who, which team, how many).
    ``reference`` (the address list) adds the street and place where it has them.
    """
    with session_scope(engine) as session:
        tasks = repo.load_tasks(session, team=team, status="open")
        keys = tasks["household_key"].dropna().drop_duplicates().sort_values().tolist()
        # In batches: one IN list of every household passes the databases' limit on bound
        # parameters (SQLite 250,000 here, PostgreSQL 65,535) at national scale.
        sealed = pd.concat(
            [
                repo.load_vault_tokens(session, keys[start : start + KEY_BATCH])
                for start in range(0, max(len(keys), 1), KEY_BATCH)
            ],
            ignore_index=True,
        )
    sealed = sealed.rename(columns={"token": "sealed_address"})
    written: list[Path] = []
    for team_name in sorted(set(tasks["team"].dropna())):
        team_tasks = tasks[tasks["team"] == team_name]
        addresses = with_street(
            vault.reveal_addresses(sealed, EXPORT_ROLE, str(team_name), team_tasks), reference
        )
        paths = write_task_lists(team_tasks, addresses, out_dir, str(team_name), as_of=as_of)
        with session_scope(engine) as session:
            repo.audit(
                session,
                actor,
                "open_addresses",
                "task_list",
                paths[-1].name if paths else None,
                {"team": str(team_name), "addresses": len(addresses), "files": len(paths)},
            )
        written += paths
    return written


def with_street(addresses: pd.DataFrame, reference: pd.DataFrame | None) -> pd.DataFrame:
    """Addresses with ``straat`` and ``woonplaats`` from the reference list, where it has them."""
    if reference is None or not {"straat", "woonplaats"} <= set(reference.columns):
        return addresses
    parts = ["postcode", "huisnummer", "toevoeging"]
    listed = reference[[*parts, "straat", "woonplaats"]].drop_duplicates(parts)
    keyed = addresses.assign(toevoeging=addresses["toevoeging"].fillna(""))
    return keyed.merge(listed, on=parts, how="left", validate="many_to_one")


#: Folders under the export directory the software itself writes, one sub-folder per day.
DATED_EXPORT_FOLDERS = ("taken", "quarantaine")
#: Folder of DDAS reports (one file each, dated by when it was written).
DDAS_FOLDER = "ddas"


def prune_exports(exports_root: Path, before: date) -> int:
    """Delete what the software wrote under ``exports_root`` dated before ``before``.

    Task lists and quarantine exports (``<folder>/<YYYY-MM-DD>/``) and DDAS reports
    (``ddas/*.json``, by modification date) hold addresses or raw rows, so they are kept only
    as long as the retention policy says. Returns the number of folders and files removed.
    """
    removed = 0
    for name in DATED_EXPORT_FOLDERS:
        for folder in sorted((exports_root / name).glob("????-??-??")):
            try:
                dated = date.fromisoformat(folder.name)
            except ValueError:
                continue
            if folder.is_dir() and dated < before:
                shutil.rmtree(folder)
                removed += 1
    for report in sorted((exports_root / DDAS_FOLDER).glob("*.json")):
        written = date.fromtimestamp(report.stat().st_mtime)
        if written < before:
            report.unlink()
            removed += 1
    return removed
