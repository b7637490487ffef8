"""Replay a date range night by night (what ``make demo`` uses), in ONE flow run.

Each night runs the same steps as the nightly flow (``flows.night.run_night``), called
directly rather than as Prefect tasks, so a year of nights does not pay a server round trip
per small step. Each night is still recorded as its own pipeline run. The Data Docs are built
once, for the whole range.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger

import flows  # noqa: F401
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.lock import night_lock
from connectors.inbox import discover_deliveries
from connectors.reference import AddressListError
from connectors.settings import get_settings
from flows.logs import forward_our_loggers
from flows.night import run_night, stage
from flows.nightly import (
    build_data_docs,
    flow_run_id,
    on_workers,
    publish_summary,
    record_finish,
    refused_night,
)
from flows.progress import announce
from flows.report import NightReport
from flows.resources import resources
from flows.scoring import night_scores


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
    """Run every delivery night in [start, end], oldest first; task lists for the last night."""
    forward_our_loggers()
    overrides: dict[str, object] = {}
    if inbox:
        overrides["inbox"] = Path(inbox)
    if reference:
        overrides["reference"] = Path(reference)
    settings = get_settings(**overrides)
    res = resources(settings)
    total = NightReport(as_of=f"{start.isoformat()}..{end.isoformat()}")
    nights = delivery_nights(start, end, inbox)
    partitioned = settings.scaled_out
    announce("nights", count=len(nights))
    results: list[object] = []
    with night_lock(res.engine):
        with session_scope(res.engine) as session:
            repo.mark_interrupted(session)
        for night in nights:
            report = NightReport(as_of=night.isoformat())
            with session_scope(res.engine) as session:
                run_id = repo.start_run(session, "backfill", night, flow_run_id())
            try:
                run_night(
                    settings,
                    night,
                    report,
                    run_id,
                    export=night == end,
                    partitioned=partitioned,
                    triager=on_workers(res) if partitioned else None,
                    scores=night_scores,
                )
            except AddressListError as error:
                record_finish(settings, run_id, "failed", report)
                return refused_night(report, error)
            except BaseException:
                record_finish(settings, run_id, "failed", report)
                raise
            record_finish(settings, run_id, "succeeded", report)
            results += report.validation_results
            report.validation_results = []
            total.merge(report)
            announce("night-done", night=night, report=report)
    if results:
        with stage(total, "data-docs"):
            total.data_docs = build_data_docs(results, settings.data_docs_dir, total.as_of)
    publish_summary(total)
    get_run_logger().info(
        "Backfill %s: %d nights, %d signals decided",
        total.as_of,
        len(nights),
        total.signals_decided,
    )
    return total
