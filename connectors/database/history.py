"""Which deliveries the database holds: what discovery skips and what state compares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.database.frames import to_frame
from connectors.database.models import Delivery, Quarantine
from connectors.database.selection import rows_for_keys
from signals.schema import DATE, INT, STRING

COMPLETE_DELIVERY_SCHEMA: dict[str, str] = {"partner": STRING, "delivery_date": DATE}


@dataclass(frozen=True)
class RecordedFile:
    status: str
    sha256: str
    file_size: int | None
    file_mtime_ns: int | None


def recorded_source_files(session: Session) -> dict[str, RecordedFile]:
    """Every inbox file already dealt with: name → status, sha256, size and mtime when read.

    Discovery skips a loaded file, and a refused one whose contents did not change; a partner
    that sends a corrected file under the same name gets it read again.
    """
    rows = session.execute(
        select(
            Delivery.source_file,
            Delivery.status,
            Delivery.sha256,
            Delivery.file_size,
            Delivery.file_mtime_ns,
        )
    )
    return {name: RecordedFile(status, sha, size, mtime) for name, status, sha, size, mtime in rows}


def load_complete_deliveries(session: Session) -> pd.DataFrame:
    """Partner and date of every loaded delivery: the complete snapshots state compares.

    Rejected and unreadable files are left out, so a broken delivery counts as silence; a
    re-submission of corrected rows belongs to its original delivery and is no snapshot.
    """
    query = (
        select(Delivery.partner, Delivery.delivery_date)
        .where(Delivery.status == "loaded", Delivery.is_correction.is_(False))
        .distinct()
        .order_by(Delivery.delivery_date, Delivery.partner)
    )
    return to_frame(session.execute(query).all(), COMPLETE_DELIVERY_SCHEMA)


HELD_BACK_SCHEMA: dict[str, str] = {
    "partner": STRING,
    "delivery_date": DATE,
    "household_key": STRING,
}


def load_held_back(
    session: Session,
    partner: str | None = None,
    dates: Sequence[dt.date] | None = None,
    households: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Households whose row a delivery listed but the quarantine held back.

    A row the data steward dismissed still tells the partner listed the household.
    """
    query = (
        select(Quarantine.partner, Quarantine.delivery_date, Quarantine.household_key)
        .where(Quarantine.household_key.is_not(None))
        .distinct()
    )
    if partner is not None:
        query = query.where(Quarantine.partner == partner)
    if dates is not None:
        query = query.where(Quarantine.delivery_date.in_(list(dates)))
    if households is None:
        return to_frame(session.execute(query).all(), HELD_BACK_SCHEMA)
    rows = rows_for_keys(
        session, lambda keys: query.where(Quarantine.household_key.in_(keys)), households
    )
    return to_frame(rows, HELD_BACK_SCHEMA)


def untriaged_deliveries(session: Session) -> pd.DataFrame:
    """Loaded deliveries the triage has not yet taken into account (id, partner, date)."""
    query = select(Delivery.delivery_id, Delivery.partner, Delivery.delivery_date).where(
        Delivery.status == "loaded", Delivery.triaged_on.is_(None)
    )
    return to_frame(session.execute(query).all(), UNTRIAGED_SCHEMA)


UNTRIAGED_SCHEMA: dict[str, str] = {"delivery_id": INT, "partner": STRING, "delivery_date": DATE}


def mark_triaged(session: Session, delivery_ids: Sequence[int], night: dt.date) -> None:
    if delivery_ids:
        session.execute(
            update(Delivery)
            .where(Delivery.delivery_id.in_(list(delivery_ids)))
            .values(triaged_on=night)
        )
