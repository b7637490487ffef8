"""What a night reads: every undecided signal once, also those outside the history window."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from pandas.testing import assert_frame_equal

from connectors.database import nights
from connectors.database.engine import session_scope
from connectors.database.state import save_decisions
from tests.test_database import make_signals, store

OLD = pd.Timestamp("2025-06-02")  # far before tonight's history window
NEW = pd.Timestamp("2026-03-09")


def test_tonights_signals_are_the_undecided_ones_in_key_order(db_engine: sa.Engine) -> None:
    old = make_signals(5, "energie", OLD)
    new = make_signals(40, "domesta", NEW)
    store(db_engine, old, old.iloc[0:0], partner="energie", day=OLD, sha="b" * 64)
    store(db_engine, new, new.iloc[0:0], partner="domesta", day=NEW)
    decided = new.iloc[:10]
    with session_scope(db_engine) as session:
        decisions = decided[["signal_key", "household_key"]].assign(
            status="Opgepakt", rule="r", policy_version="v", reason_nl="x"
        )
        save_decisions(session, decisions, dt.date(2026, 3, 9))
    with session_scope(db_engine) as session:
        loaded = nights.load_night(session, NEW.date(), 30, 30, None)
        expected = nights.undecided_signals(session, NEW.date())
    signals = loaded.batch.signals
    assert len(signals) == 35  # 5 old + 30 new undecided, each once
    assert set(old["signal_key"]) <= set(signals["signal_key"])
    assert not set(decided["signal_key"]) & set(signals["signal_key"])
    assert_frame_equal(signals, expected)
    states = loaded.batch.signal_state
    assert states.empty or set(states["signal_key"]) <= set(signals["signal_key"])
