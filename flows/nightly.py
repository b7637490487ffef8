"""The nightly flow: discover → ingest → state → triage → tasks → exports → summary."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture

import flows  # noqa: F401  (logging and analytics settings before Prefect starts)
from connectors.data_docs import build_data_docs as render_data_docs
from connectors.database import history as delivery_log
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.lock import night_lock
from connectors.exports.outreach import export_team_task_lists, open_task_counts
from connectors.inbox import Delivery, discover_deliveries
from connectors.settings import Settings, get_settings
from flows.ingest import ingest_delivery
from flows.logs import forward_our_loggers
from flows.progress import announce
from flows.report import NightReport
from flows.resources import resources
from flows.triage import load_night, save_night, triage_partition, update_signal_state
from signals.ddas import STATUS_PICKED_UP
from signals.triage.night import (
    NightOutput,
    combine,
    new_cases_opened,
    partition_keys,
    split_by_partition,
)

logger = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def scheduled_night() -> date:
    """The night a run is for: its scheduled start in Amsterdam time, so retries and late
    starts process the same night; outside a scheduled run, today."""
    from prefect.runtime import flow_run

    start = flow_run.scheduled_start_time
    moment = start if isinstance(start, datetime) else datetime.now(AMSTERDAM)
    return moment.astimezone(AMSTERDAM).date()


@contextmanager
def stage(report: NightReport, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.stage_seconds[name] = report.stage_seconds.get(name, 0.0) + (
            time.perf_counter() - started
        )


@task(name="discover-deliveries", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30])
def discover(settings: Settings, night: date) -> Discovery:
    """New deliveries up to ``night`` (oldest first), files the inbox could not place, and
    loaded files whose contents changed since (reported, never loaded twice)."""
    res = resources(settings)
    inbox = discover_deliveries(settings.inbox, res.catalog, night)
    with session_scope(res.engine) as session:
        recorded = delivery_log.recorded_source_files(session)
    new, changed = [], []
    for delivery in inbox.deliveries:
        if delivery.source_file not in recorded:
            new.append(delivery)
            continue
        status, sha256 = recorded[delivery.source_file]
        if hashlib.sha256(delivery.path.read_bytes()).hexdigest() == sha256:
            continue
        if status == "loaded":
            logger.warning("%s changed after it was loaded; not loaded again", delivery.source_file)
            changed.append(delivery.source_file)
        else:
            new.append(delivery)  # a corrected file under a refused file's name
    return Discovery(new, inbox.unrecognised, changed)


@dataclass(frozen=True)
class Discovery:
    deliveries: list[Delivery]
    unrecognised: list[str]
    changed_after_loading: list[str]


@task(name="export-task-lists", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def export_tasks(settings: Settings, night: date) -> list[str]:
    res = resources(settings)
    out_dir = settings.task_list_dir / night.isoformat()
    return [str(p) for p in export_team_task_lists(res.engine, res.vault, out_dir, night)]


def _triage(settings: Settings, night: date, partitioned: bool) -> NightOutput:
    batch = load_night(settings, night)
    parts = split_by_partition(batch, partition_keys(batch.signals, partitioned))
    policy = resources(settings).policy
    if partitioned:
        futures: list[PrefectFuture[NightOutput]] = [
            triage_partition.submit(part, policy, night) for part in parts.values()
        ]
        outputs = [future.result() for future in futures]
    else:
        outputs = [triage_partition(part, policy, night) for part in parts.values()]
    result = combine(outputs)
    save_night(settings, result, batch.open_tasks, night)
    return result


@flow(name="nightly", log_prints=False)
def nightly(
    as_of: date | None = None,
    inbox: str | None = None,
    reference: str | None = None,
    export: bool = True,
    partitioned: bool | None = None,
) -> NightReport:
    """Process every delivery up to ``as_of`` not loaded yet, triage, and export task lists."""
    forward_our_loggers()
    night = as_of or scheduled_night()
    overrides: dict[str, object] = {}
    if inbox:
        overrides["inbox"] = Path(inbox)
    if reference:
        overrides["reference"] = Path(reference)
    settings = get_settings(**overrides)
    res = resources(settings)  # refuses missing keys, migrates the database
    if partitioned is None:  # per postcode area when a Dask cluster is configured
        partitioned = settings.scaled_out
    report = NightReport(as_of=night.isoformat())
    run_logger = get_run_logger()
    with night_lock(res.engine):
        with session_scope(res.engine) as session:
            run_id = repo.start_run(session, "nightly", night, _flow_run_id())
        try:
            _process(settings, night, report, export, partitioned, run_id)
        except BaseException:
            _finish(settings, run_id, "failed", report)
            raise
        _finish(settings, run_id, "succeeded", report)
    _publish(report)
    run_logger.info(
        "Night %s: %d signals decided, %d cases opened",
        night,
        report.signals_decided,
        report.cases_opened,
    )
    return report


def _process(
    settings: Settings,
    night: date,
    report: NightReport,
    export: bool,
    partitioned: bool,
    run_id: str,
) -> None:
    res = resources(settings)
    with stage(report, "discover"):
        found = discover(settings, night)
        deliveries = found.deliveries
        report.unrecognised_files = found.unrecognised
        report.changed_files = found.changed_after_loading
    with stage(report, "ingest"):
        announce("deliveries", count=len(deliveries))
        results: list[object] = []
        for delivery in deliveries:
            outcome = ingest_delivery(delivery, settings, run_id)
            report.partner(delivery.partner).add(outcome.figures)
            results += outcome.validation_results
            announce("delivery-done", source_file=delivery.source_file)
    if results:
        with stage(report, "data-docs"):
            report.data_docs = build_data_docs(results, settings.data_docs_dir, night.isoformat())
    with stage(report, "state"):
        update_signal_state(settings)
    with stage(report, "triage"):
        result = _triage(settings, night, partitioned)
        report.signals_decided = len(result.decisions)
        report.picked_up = int((result.decisions["status"] == STATUS_PICKED_UP).sum())
        report.cases_opened = new_cases_opened(result.cases, night)
    counts = open_task_counts(res.engine)
    report.tasks_per_team = dict(zip(counts["team"], counts["open_tasks"].astype(int), strict=True))
    report.over_capacity_per_team = dict(
        zip(counts["team"], counts["over_capacity"].astype(int), strict=True)
    )
    if export:
        with stage(report, "export"):
            report.exports = export_tasks(settings, night)


def _finish(settings: Settings, run_id: str, status: str, report: NightReport) -> None:
    try:
        with session_scope(resources(settings).engine) as session:
            repo.finish_run(session, run_id, status, counts={"partners": report.partner_rows()})
    except Exception:  # the run's own error matters more than its bookkeeping
        if status == "succeeded":
            raise
        logger.exception("could not record the failed run")


@task(name="data-docs", cache_policy=NO_CACHE)
def build_data_docs(results: list[object], target_dir: Path, run_name: str) -> str:
    """Great Expectations Data Docs of the night's validations (counts and rules, no values)."""
    return render_data_docs(results, target_dir, run_name).as_uri()


def _flow_run_id() -> str | None:
    """The Prefect flow run id, with a suffix: a retried flow run records a run of its own."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return None
    return f"{context.flow_run.id}-{uuid.uuid4().hex[:8]}"


def _publish(report: NightReport) -> None:
    """Aggregates only: counts per partner and team, never a resident."""
    key = "nightly-summary"
    create_markdown_artifact(markdown=report.to_markdown(), key=key, description=report.as_of)
    create_table_artifact(
        table=report.partner_rows(),
        key="nightly-partners",
        description=f"Per partner, night {report.as_of}",
    )
