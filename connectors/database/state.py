"""Derived per-signal and per-household tables: signal state, resolutions, decisions, states.

All of them are append-only: a signal's state and decision are final once written, a
resolution once known stays known (``recorded_on`` says from which night), and household
states are kept per night.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from connectors.database.bulk import insert_missing_frame, upsert_frame
from connectors.database.frames import STORED_DECISION_SCHEMA, raw_columns, to_frame
from connectors.database.models import (
    Delivery,
    HouseholdState,
    Resolution,
    Signal,
    SignalState,
    SignalStatus,
)
from connectors.database.selection import rows_for_keys
from connectors.database.sql import table_of
from signals.schema import (
    DATE,
    DECISION_SCHEMA,
    HOUSEHOLD_STATE_SCHEMA,
    LINKED_SIGNAL_SCHEMA,
    RESOLUTION_SCHEMA,
    SIGNAL_STATE_SCHEMA,
    STRING,
)

#: Stored household state: the contract + the night it held.
STORED_HOUSEHOLD_STATE_SCHEMA: dict[str, str] = {**HOUSEHOLD_STATE_SCHEMA, "night": DATE}
PENDING_SCHEMA: dict[str, str] = {"partner": STRING, "delivery_date": DATE}


def save_signal_states(
    session: Session, states: pd.DataFrame, derived_on: dt.date | None = None
) -> int:
    """Store states of signals that have none yet (a state is final); returns how many."""
    frame = states.assign(derived_on=pd.Timestamp(derived_on) if derived_on else None)
    schema = {**SIGNAL_STATE_SCHEMA, "derived_on": DATE}
    return insert_missing_frame(session, table_of(SignalState), frame, schema, ["signal_key"])


def load_signal_states(session: Session, signal_keys: Sequence[str] | None = None) -> pd.DataFrame:
    columns = raw_columns(*[getattr(SignalState, n) for n in SIGNAL_STATE_SCHEMA])
    if signal_keys is None:
        query = select(*columns).order_by(SignalState.signal_key)
        return to_frame(session.execute(query).all(), SIGNAL_STATE_SCHEMA)
    rows = rows_for_keys(
        session, lambda keys: select(*columns).where(SignalState.signal_key.in_(keys)), signal_keys
    )
    return to_frame(rows, SIGNAL_STATE_SCHEMA)


def pending_deliveries(session: Session) -> pd.DataFrame:
    """(partner, delivery_date) of stored signals that have no state yet."""
    query = (
        select(Signal.partner, Signal.delivery_date)
        .outerjoin(SignalState, SignalState.signal_key == Signal.signal_key)
        .where(SignalState.signal_key.is_(None))
        .distinct()
    )
    return to_frame(session.execute(query).all(), PENDING_SCHEMA)


def load_partner_rows(session: Session, partner: str, dates: Sequence[dt.date]) -> pd.DataFrame:
    """Linked signals of one partner delivered on the given dates (corrections included)."""
    columns = raw_columns(*[getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA])
    query = select(*columns).where(Signal.partner == partner, Signal.delivery_date.in_(dates))
    return to_frame(session.execute(query.order_by(Signal.signal_key)).all(), LINKED_SIGNAL_SCHEMA)


def load_latest_rows_before(
    session: Session, partner: str, before: dt.date, households: Sequence[str]
) -> pd.DataFrame:
    """Each household's rows of its latest listing at ``partner`` before ``before``."""
    if not households:
        return to_frame([], LINKED_SIGNAL_SCHEMA)
    columns = raw_columns(*[getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA])
    rows = rows_for_keys(
        session,
        lambda keys: select(*columns).where(
            Signal.partner == partner,
            Signal.delivery_date < before,
            Signal.household_key.in_(keys),
        ),
        households,
    )
    frame = to_frame(rows, LINKED_SIGNAL_SCHEMA)
    latest = frame.groupby("household_key")["delivery_date"].transform("max")
    return frame[frame["delivery_date"] == latest].reset_index(drop=True)


def save_resolutions(
    session: Session, resolutions: pd.DataFrame, recorded_on: dt.date | None = None
) -> None:
    """Store ``RESOLUTION_SCHEMA`` rows; one already known is left as it is."""
    frame = resolutions.assign(recorded_on=pd.Timestamp(recorded_on) if recorded_on else None)
    schema = {**RESOLUTION_SCHEMA, "recorded_on": DATE}
    keys = ["household_key", "partner", "resolved_on"]
    insert_missing_frame(session, table_of(Resolution), frame, schema, keys)


def load_resolutions(session: Session, households: Sequence[str] | None = None) -> pd.DataFrame:
    columns = raw_columns(*[getattr(Resolution, n) for n in RESOLUTION_SCHEMA])
    if households is None:
        query = select(*columns).order_by(
            Resolution.resolved_on, Resolution.household_key, Resolution.partner
        )
        return to_frame(session.execute(query).all(), RESOLUTION_SCHEMA)
    rows = rows_for_keys(
        session, lambda keys: select(*columns).where(Resolution.household_key.in_(keys)), households
    )
    return to_frame(rows, RESOLUTION_SCHEMA)


def households_resolved_by_untriaged_deliveries(session: Session) -> set[str]:
    """Households that a delivery not yet triaged dropped (their arrears may be resolved)."""
    query = (
        select(Resolution.household_key)
        .join(
            Delivery,
            and_(
                Delivery.partner == Resolution.partner,
                Delivery.delivery_date == Resolution.resolved_on,
            ),
        )
        .where(Delivery.status == "loaded", Delivery.triaged_on.is_(None))
        .distinct()
    )
    return set(session.scalars(query))


def save_decisions(
    session: Session, decisions: pd.DataFrame, decided_on: dt.date, run_id: str | None = None
) -> None:
    """Insert tonight's triage decisions (``DECISION_SCHEMA``); a decision is never replaced."""
    frame = decisions.assign(decided_on=pd.Timestamp(decided_on), run_id=run_id)
    schema = {**DECISION_SCHEMA, "decided_on": DATE, "run_id": STRING}
    insert_missing_frame(session, table_of(SignalStatus), frame, schema, ["signal_key"])


def load_decisions(session: Session, as_of: dt.date | None = None) -> pd.DataFrame:
    """Decisions per signal (``DECISION_SCHEMA`` + ``decided_on``), taken up to ``as_of``."""
    query = select(*[getattr(SignalStatus, n) for n in STORED_DECISION_SCHEMA]).order_by(
        SignalStatus.signal_key
    )
    if as_of is not None:
        query = query.where(SignalStatus.decided_on <= as_of)
    return to_frame(session.execute(query).all(), STORED_DECISION_SCHEMA)


def save_household_states(
    session: Session, states: pd.DataFrame, night: dt.date, run_id: str | None = None
) -> None:
    """The state of tonight's households on ``night`` (a rerun of the night replaces it)."""
    frame = states.assign(night=pd.Timestamp(night), run_id=run_id)
    schema = {**STORED_HOUSEHOLD_STATE_SCHEMA, "run_id": STRING}
    upsert_frame(session, table_of(HouseholdState), frame, schema, ["household_key", "night"])


def load_household_states(session: Session, as_of: dt.date) -> pd.DataFrame:
    """Each household's newest stored state on or before ``as_of``."""
    columns = raw_columns(*[getattr(HouseholdState, n) for n in STORED_HOUSEHOLD_STATE_SCHEMA])
    query = select(*columns).where(HouseholdState.night <= as_of)
    frame = to_frame(session.execute(query).all(), STORED_HOUSEHOLD_STATE_SCHEMA)
    newest = frame.groupby("household_key")["night"].transform("max")
    return frame[frame["night"] == newest].reset_index(drop=True)
