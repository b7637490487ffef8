"""Derived per-signal tables: signal state, resolutions and triage decisions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connectors.database.frames import STORED_DECISION_SCHEMA, to_frame, to_records
from connectors.database.models import Resolution, SignalState, SignalStatus
from connectors.database.sql import insert_missing, table_of, upsert
from signals.schema import DECISION_SCHEMA, RESOLUTION_SCHEMA, SIGNAL_STATE_SCHEMA


def save_signal_states(session: Session, states: pd.DataFrame) -> None:
    """Store ``SIGNAL_STATE_SCHEMA`` rows; a signal's state computed again replaces the old."""
    rows = to_records(states, SIGNAL_STATE_SCHEMA)
    upsert(session, table_of(SignalState), rows, keys=["signal_key"])


def load_signal_states(session: Session) -> pd.DataFrame:
    query = select(*[getattr(SignalState, n) for n in SIGNAL_STATE_SCHEMA]).order_by(
        SignalState.signal_key
    )
    return to_frame(session.execute(query).all(), SIGNAL_STATE_SCHEMA)


def save_resolutions(session: Session, resolutions: pd.DataFrame) -> None:
    """Store ``RESOLUTION_SCHEMA`` rows; one already known is left as it is."""
    rows = to_records(resolutions, RESOLUTION_SCHEMA)
    keys = ["household_key", "partner", "resolved_on"]
    insert_missing(session, table_of(Resolution), rows, keys=keys)


def replace_resolutions(
    session: Session, partner: str, delivery_date: dt.date, resolutions: pd.DataFrame
) -> None:
    """The resolutions of one partner's delivery, recomputed: old ones of that date go."""
    session.execute(
        delete(Resolution).where(
            Resolution.partner == partner, Resolution.resolved_on == delivery_date
        )
    )
    save_resolutions(session, resolutions)


def load_resolutions(session: Session) -> pd.DataFrame:
    query = select(*[getattr(Resolution, n) for n in RESOLUTION_SCHEMA]).order_by(
        Resolution.resolved_on, Resolution.household_key, Resolution.partner
    )
    return to_frame(session.execute(query).all(), RESOLUTION_SCHEMA)


def save_decisions(session: Session, decisions: pd.DataFrame, decided_on: dt.date) -> None:
    """Store triage decisions (``DECISION_SCHEMA``) as the signals' current status."""
    rows = [{**row, "decided_on": decided_on} for row in to_records(decisions, DECISION_SCHEMA)]
    upsert(session, table_of(SignalStatus), rows, keys=["signal_key"])


def load_decisions(session: Session) -> pd.DataFrame:
    """The current decision per signal (``DECISION_SCHEMA`` + ``decided_on``)."""
    query = select(*[getattr(SignalStatus, n) for n in STORED_DECISION_SCHEMA]).order_by(
        SignalStatus.signal_key
    )
    return to_frame(session.execute(query).all(), STORED_DECISION_SCHEMA)
