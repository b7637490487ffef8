"""Replay a date range night by night through the nightly flow (what ``make demo`` uses)."""

from __future__ import annotations

from datetime import date

from prefect import flow

import flows  # noqa: F401
from connectors.inbox import discover_deliveries
from connectors.settings import get_settings
from flows.progress import announce
from flows.report import NightReport
from flows.resources import resources
from flows.runner import nightly_for


def delivery_nights(start: date, end: date, inbox: str | None = None) -> list[date]:
    """The nights in [start, end] on which a delivery arrived, plus ``end`` itself.

    Nights without a delivery change nothing but the calendar, so they are skipped; the last
    night always runs so the task lists are planned for the end of the range.
    """
    settings = get_settings(**({"inbox": inbox} if inbox else {}))
    found = discover_deliveries(settings.inbox, resources(settings).catalog, end)
    nights = {d.delivery_date for d in found.deliveries if start <= d.delivery_date <= end}
    return sorted(nights | {end})


@flow(name="backfill", log_prints=False)
def backfill(
    start: date,
    end: date,
    inbox: str | None = None,
    reference: str | None = None,
) -> NightReport:
    """Run the nightly flow for every delivery night in [start, end], oldest first."""
    total = NightReport(as_of=f"{start.isoformat()}..{end.isoformat()}")
    nights = delivery_nights(start, end, inbox)
    settings = get_settings()
    nightly = nightly_for(settings)  # in-process, or on the Dask cluster of the settings
    announce("nights", count=len(nights))
    for night in nights:
        report = nightly(
            as_of=night,
            inbox=inbox,
            reference=reference,
            export=night == end,
        )
        total.merge(report)
        announce("night-done", night=night, report=report)
    return total
