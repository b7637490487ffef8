"""The data steward's view of the quarantine: rows with reasons and failing columns, one raw
row opened (audited), and a corrected row written in the form ``quarantine resubmit`` reads."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.database.models import Quarantine
from connectors.database.runs import audit
from connectors.exports.columns import safe_text
from connectors.quarantine import DELIVERY_DATE, ID, PARTNER, REASON, ROW, SOURCE_FILE
from connectors.vault import ContactVault

_COLUMNS_OF = re.compile(r"\(([^)]*)\)")


def failing_columns(failed_expectations: str | None) -> list[str]:
    """The canonical columns named by failed expectations, e.g. ``...regex(postcode)``."""
    found: list[str] = []
    for group in _COLUMNS_OF.findall(failed_expectations or ""):
        for name in group.split(","):
            name = name.strip()
            # Internal helper columns (``_check_...``) are no column of the partner's file.
            if name and not name.startswith("_") and name not in found:
                found.append(name)
    return found


def columns_of_codes(reason_code: str | None, columns: list[str]) -> list[str]:
    """The canonical columns a reason code names (``birth_date_invalid`` -> ``birth_date``),
    for reasons found while reading a row, before any expectation ran."""
    codes = [code.strip() for code in (reason_code or "").split(",") if code.strip()]
    return [c for c in columns if any(code.startswith(f"{c}_") for code in codes)]


def _row(item: Quarantine) -> dict[str, Any]:
    return {
        "quarantine_id": item.quarantine_id,
        "partner": item.partner,
        "delivery_date": item.delivery_date,
        "source_file": item.source_file,
        "source_row": item.source_row,
        "stage": item.stage,
        "reason_code": item.reason_code,
        "reason_nl": item.reason_nl,
        "columns": failing_columns(item.failed_expectations),
        "status": item.status,
        "dismissed_reason": item.dismissed_reason,
        "has_raw": item.raw_token is not None,
    }


def quarantine_rows(
    session: Session, status: str = "open", partner: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Quarantined rows (no raw content), oldest delivery first."""
    query = (
        select(Quarantine)
        .where(Quarantine.status == status)
        .order_by(Quarantine.delivery_date, Quarantine.quarantine_id)
    )
    if partner:
        query = query.where(Quarantine.partner == partner)
    return [_row(item) for item in session.scalars(query.limit(limit))]


def quarantine_row(session: Session, quarantine_id: int) -> dict[str, Any] | None:
    item = session.get(Quarantine, quarantine_id)
    return _row(item) if item is not None else None


def open_raw_row(
    session: Session, vault: ContactVault, quarantine_id: int, actor: str
) -> dict[str, str]:
    """The raw fields of one quarantined row as the partner sent them; audited."""
    item = session.get(Quarantine, quarantine_id)
    if item is None or item.raw_token is None:
        return {}
    raw = json.loads(vault.open(item.raw_token)["raw"])
    audit(
        session,
        actor,
        "open_raw_rows",
        "quarantine",
        str(quarantine_id),
        {"partner": item.partner, "rows": 1},
    )
    return {str(k): "" if v is None else str(v) for k, v in raw.items() if not k.startswith("_")}


def write_correction(row: dict[str, Any], fields: dict[str, str], path: Path) -> Path:
    """One corrected row in the layout of ``quarantine export`` (read back by resubmit)."""
    record = {
        ID: str(row["quarantine_id"]),
        PARTNER: row["partner"],
        DELIVERY_DATE: row["delivery_date"].isoformat(),
        SOURCE_FILE: row["source_file"],
        ROW: "" if row["source_row"] is None else str(row["source_row"]),
        REASON: row["reason_nl"] or "",
        **{name: str(safe_text(value)) for name, value in fields.items()},  # undone on resubmit
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(record), delimiter=";")
        writer.writeheader()
        writer.writerow(record)
    return path
