"""The analysts' monitor: figures per month, partner type and wijk, relapse after nazorg, and
small-count suppression (pure: DataFrames in, tables out; the connector reads the record)."""

from __future__ import annotations

from datetime import date

from signals.monitor.cube import Table
from signals.monitor.data_quality import data_quality_table
from signals.monitor.facts import MonitorInput, months_between
from signals.monitor.figures import (
    case_type_table,
    escalations_table,
    reach_table,
    results_table,
    signals_table,
    triage_table,
)
from signals.monitor.relapse import relapse_table


def build_monitor(data: MonitorInput, start: date, end: date) -> dict[str, Table]:
    """Every monitor table for the months from ``start`` to ``end``, by key, in report order."""
    months = months_between(start, end)
    tables = [
        signals_table(data, months),
        triage_table(data, months),
        case_type_table(data, months),
        reach_table(data, months),
        results_table(data, months),
        escalations_table(data, months),
        relapse_table(data),
        data_quality_table(data.deliveries, months, start, end, data.as_of),
    ]
    return {table.key: table for table in tables}


__all__ = ["MonitorInput", "Table", "build_monitor"]
