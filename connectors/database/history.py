"""Which deliveries the database holds: what discovery skips and what state compares."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.database.frames import to_frame
from connectors.database.models import Delivery, Quarantine
from signals.schema import DATE, STRING

COMPLETE_DELIVERY_SCHEMA: dict[str, str] = {"partner": STRING, "delivery_date": DATE}


def recorded_source_files(session: Session) -> dict[str, tuple[str, str]]:
    """Every inbox file already dealt with: name → (status, sha256 of its contents).

    Discovery skips a loaded file, and a refused one whose contents did not change; a partner
    that sends a corrected file under the same name gets it read again.
    """
    rows = session.execute(select(Delivery.source_file, Delivery.status, Delivery.sha256))
    return {name: (status, sha256) for name, status, sha256 in rows}


def load_complete_deliveries(session: Session) -> pd.DataFrame:
    """Partner and date of every loaded delivery: the complete snapshots state compares.

    Rejected and unreadable files are left out, so a broken delivery counts as silence.
    """
    query = (
        select(Delivery.partner, Delivery.delivery_date)
        .where(Delivery.status == "loaded")
        .order_by(Delivery.delivery_date, Delivery.partner)
    )
    return to_frame(session.execute(query).all(), COMPLETE_DELIVERY_SCHEMA)


HELD_BACK_SCHEMA: dict[str, str] = {
    "partner": STRING,
    "delivery_date": DATE,
    "household_key": STRING,
}


def load_held_back(session: Session) -> pd.DataFrame:
    """Households whose row a delivery listed but the quarantine held back."""
    query = (
        select(Quarantine.partner, Quarantine.delivery_date, Quarantine.household_key)
        .where(Quarantine.household_key.is_not(None))
        .distinct()
    )
    return to_frame(session.execute(query).all(), HELD_BACK_SCHEMA)
