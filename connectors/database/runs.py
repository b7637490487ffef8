"""Pipeline runs and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from connectors.database.models import RUN_STATUSES, AuditEntry, PipelineRun
from signals.schema import IDENTIFYING_COLUMNS


def start_run(
    session: Session, flow: str, as_of: dt.date | None = None, run_id: str | None = None
) -> str:
    """Record that a flow started; returns its run id (a new UUID unless given)."""
    run_id = run_id or uuid.uuid4().hex
    session.execute(
        insert(PipelineRun).values(
            run_id=run_id,
            flow=flow,
            as_of=as_of,
            started_at=dt.datetime.now(dt.UTC),
            status="running",
        )
    )
    return run_id


def finish_run(
    session: Session,
    run_id: str,
    status: str = "succeeded",
    counts: Mapping[str, Any] | None = None,
) -> None:
    """Record how a run ended, with its counts (rows loaded, tasks made, ...)."""
    if status not in RUN_STATUSES or status == "running":
        raise ValueError(f"a run finishes as 'succeeded' or 'failed', not {status!r}")
    result = session.execute(
        update(PipelineRun)
        .where(PipelineRun.run_id == run_id)
        .values(
            finished_at=dt.datetime.now(dt.UTC),
            status=status,
            counts=_jsonable(counts) if counts is not None else None,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ValueError(f"no pipeline run {run_id!r} was started")


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append to the audit log. ``details`` may not name identifying fields (postcode, BSN...)."""
    if details is not None:
        _refuse_identifying_keys(details)
    session.execute(
        insert(AuditEntry).values(
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=_jsonable(details) if details is not None else None,
        )
    )


def _refuse_identifying_keys(details: Mapping[str, Any]) -> None:
    for key, value in details.items():
        if str(key).lower() in IDENTIFYING_COLUMNS or str(key).lower() in ("raw", "address"):
            raise ValueError(f"audit details may not hold identifying field {key!r}")
        if isinstance(value, Mapping):
            _refuse_identifying_keys(value)


def _jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    # numpy scalars and dates from DataFrames are not JSON; turn them into plain values.
    def default(item: Any) -> Any:
        if hasattr(item, "item"):
            return item.item()
        if isinstance(item, dt.date):
            return item.isoformat()
        return str(item)

    return json.loads(json.dumps(dict(value), default=default))  # type: ignore[no-any-return]


def nights_run(session: Session) -> int:
    """How many nightly (or backfill) runs finished successfully on this database."""
    from sqlalchemy import func, select

    return int(
        session.scalar(
            select(func.count())
            .select_from(PipelineRun)
            .where(PipelineRun.status == "succeeded", PipelineRun.flow.in_(("nightly", "backfill")))
        )
        or 0
    )


def latest_night(session: Session) -> dt.date | None:
    """The last night whose triage the record holds (None before the first)."""
    from sqlalchemy import func, select

    from connectors.database.models import Delivery

    return session.scalar(select(func.max(Delivery.triaged_on)))


def mark_interrupted(session: Session) -> int:
    """Runs still marked running when a new run holds the lock died (killed, crashed machine).

    Called right after taking the run lock: no live run can hold it, so every "running" row is
    a dead one. Returns how many were marked ``interrupted``.
    """
    result = session.execute(
        update(PipelineRun)
        .where(PipelineRun.status == "running")
        .values(status="interrupted", finished_at=dt.datetime.now(dt.UTC))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
