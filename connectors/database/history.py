"""Which deliveries the database holds: what discovery skips and what state compares."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.database.frames import to_frame
from connectors.database.models import Delivery
from signals.schema import DATE, STRING

COMPLETE_DELIVERY_SCHEMA: dict[str, str] = {"partner": STRING, "delivery_date": DATE}


def recorded_source_files(session: Session) -> set[str]:
    """Every inbox file already dealt with: loaded, rejected whole or unreadable.

    A refused file is not retried each night; a corrected file comes under a new name (or is
    re-submitted with ``vroegsignaal quarantine resubmit``).
    """
    return set(session.scalars(select(Delivery.source_file)))


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
