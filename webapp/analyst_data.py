"""What the analysts' pages read: the record as it stands, built once per change of it.

Reading and counting the whole record takes seconds on a real municipality, so the result is
kept in this process until the record changes: a new run, a recorded contact attempt or
result, or a new delivery (each moves the version key, so a worker's result shows at once).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.models import CaseVersion, ContactAttempt, Delivery, PipelineRun
from connectors.database.monitor import load_monitor_input
from connectors.database.state import load_household_states
from connectors.wijken import wijken_path
from signals.monitor import MonitorInput, Table, build_monitor
from signals.monitor.facts import month_of, months_between
from signals.monitor.households import household_table, reference
from webapp.context import WebContext


@dataclass
class Snapshot:
    """The record for the analysts at one version, with its tables per month range."""

    data: MonitorInput
    states: pd.DataFrame
    tasks: pd.DataFrame
    households: pd.DataFrame
    months: list[str]  # months with decided signals, oldest first
    _tables: dict[tuple[str, str], dict[str, Table]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def tables(self, first: str, last: str) -> dict[str, Table]:
        """The monitor's tables for the months ``first`` .. ``last`` (``"YYYY-MM"``)."""
        key = (first, last)
        with self._lock:
            if key not in self._tables:
                start = pd.Period(first, freq="M").start_time.date()
                end = pd.Period(last, freq="M").end_time.date()
                self._tables[key] = build_monitor(self.data, start, min(end, self.data.as_of))
                while len(self._tables) > 8:
                    self._tables.pop(next(iter(self._tables)))
            return self._tables[key]

    def household_key(self, ref: str) -> str | None:
        """The household behind a reference (``None``: unknown, or not unique)."""
        keys = self.data.signals["household_key"].dropna().drop_duplicates()
        found = keys[reference(keys) == ref]
        return str(found.iloc[0]) if len(found) == 1 else None

    def default_range(self) -> tuple[str, str]:
        """The last twelve *full* months with figures: a month the record was read in before
        its last day is left out (its few days would look like a collapse), unless it is the
        only month there is."""
        if not self.months:
            today = str(pd.Period(self.data.as_of, freq="M"))
            return today, today
        full = [m for m in self.months if pd.Period(m, freq="M").end_time.date() <= self.data.as_of]
        last = full[-1] if full else self.months[-1]
        first = str(pd.Period(last, freq="M") - 11)
        return max(first, self.months[0]), last

    def month_options(self) -> list[str]:
        if not self.months:
            return list(self.default_range())
        return months_between(
            pd.Period(self.months[0], freq="M").start_time.date(),
            pd.Period(self.months[-1], freq="M").start_time.date(),
        )


_CACHE: OrderedDict[tuple[Any, ...], Snapshot] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _version(session: Session) -> tuple[Any, ...]:
    return (
        session.scalar(select(func.max(PipelineRun.finished_at))),
        session.scalar(select(func.count()).select_from(ContactAttempt)),
        session.scalar(select(func.max(CaseVersion.recorded_at))),
        session.scalar(select(func.max(Delivery.delivery_id))),
    )


def snapshot(ctx: WebContext) -> Snapshot:
    """The analysts' view of the record now (as of today), cached per version of the record."""
    today = ctx.today()
    with session_scope(ctx.engine) as session:
        key = (str(ctx.settings.resolved_database_url), today, *_version(session))
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    built = _build(ctx, today)
    with _CACHE_LOCK:
        _CACHE[key] = built
        while len(_CACHE) > 4:
            _CACHE.popitem(last=False)
    return built


def _build(ctx: WebContext, today: dt.date) -> Snapshot:
    wijken = ctx.settings.wijken or wijken_path(ctx.settings.reference)
    with session_scope(ctx.engine) as session:
        # Read as it stands now: a result recorded after tonight's run counts at once.
        data = load_monitor_input(session, today, wijken, at=dt.datetime.now(dt.UTC))
        states = load_household_states(session, today)
        tasks = repo.load_tasks(session, status=None)
    months = sorted(set(month_of(data.signals["decided_on"]).dropna()))
    return Snapshot(
        data=data,
        states=states,
        tasks=tasks,
        households=household_table(data, states, tasks),
        months=[str(m) for m in months],
    )
