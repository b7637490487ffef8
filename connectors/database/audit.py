"""Reading the audit log back (who opened addresses or raw rows, imports, closures, deletions)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.database.models import AuditEntry


def load_audit_log(
    session: Session, since: dt.date | None = None, action: str | None = None, limit: int = 50
) -> list[dict[str, str]]:
    """Newest first; every field as text (details as compact JSON, never identifying)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.audit_id.desc())
    if since is not None:
        query = query.where(AuditEntry.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return [
        {
            "at": entry.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            if entry.at.tzinfo
            else entry.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "actor": entry.actor,
            "action": entry.action,
            "entity": f"{entry.entity} {entry.entity_id or ''}".strip(),
            "details": json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True),
        }
        for entry in session.scalars(query.limit(limit))
    ]
