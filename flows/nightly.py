"""The nightly flow: discover → ingest → state → triage → tasks → exports → summary."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar, cast
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.states import Failed

import flows  # noqa: F401  (logging and analytics settings before Prefect starts)
from connectors.data_docs import build_data_docs as render_data_docs
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.lock import night_lock
from connectors.reference import AddressListError
from connectors.settings import Settings, get_settings
from flows.logs import forward_our_loggers
from flows.night import run_night, stage
from flows.report import NightReport
from flows.resources import Resources, resources
from flows.scoring import night_scores
from flows.triage import Triager
from signals.triage.night import NightInput, NightOutput
from signals.triage.night import triage_night as triage_households
from signals.triage.policy import TriagePolicy

logger = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
T = TypeVar("T")


def scheduled_night() -> date:
    """The night a run is for: its scheduled start in Amsterdam time, so retries and late
    starts process the same night; outside a scheduled run, today."""
    from prefect.runtime import flow_run

    start = flow_run.scheduled_start_time
    moment = start if isinstance(start, datetime) else datetime.now(AMSTERDAM)
    return moment.astimezone(AMSTERDAM).date()


def as_task(function: Callable[..., T], name: str) -> Callable[..., T]:
    """A step of the nightly flow as a Prefect task (visible in the UI, retried on failure)."""
    retries = 0 if name == "triage" else 2  # the triage retries conflicts itself
    decorate = task(name=name, cache_policy=NO_CACHE, retries=retries, retry_delay_seconds=[2, 10])
    return cast(Callable[..., T], decorate(function))


@task(name="triage-partition", cache_policy=NO_CACHE)
def triage_partition(batch: NightInput, policy: TriagePolicy, night: date) -> NightOutput:
    """Triage one partition; runs on a Dask worker (pure, picklable inputs)."""
    return triage_households(batch, policy, night)


def on_workers(res: Resources) -> Triager:
    """Triage the partitions as Prefect tasks on the flow's task runner (Dask when scaled out)."""

    def run(parts: list[NightInput], night: date) -> list[NightOutput]:
        policy = res.policy_book.in_force(night)
        futures: list[PrefectFuture[NightOutput]] = [
            triage_partition.submit(part, policy, night) for part in parts
        ]
        return [future.result() for future in futures]

    return run


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
            if repo.mark_interrupted(session):
                logger.warning("an earlier run died while running; marked interrupted")
            run_id = repo.start_run(session, "nightly", night, flow_run_id())
        try:
            _process(settings, night, report, export, partitioned, run_id)
        except AddressListError as error:
            record_finish(settings, run_id, "failed", report)
            return refused_night(report, error)
        except BaseException:
            record_finish(settings, run_id, "failed", report)
            raise
        record_finish(settings, run_id, "succeeded", report)
    publish_summary(report)
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
    run_night(
        settings,
        night,
        report,
        run_id,
        export=export,
        partitioned=partitioned,
        step=as_task,
        triager=on_workers(res) if partitioned else None,
        scores=night_scores,
    )
    if report.validation_results:
        with stage(report, "data-docs"):
            report.data_docs = build_data_docs(
                report.validation_results, settings.data_docs_dir, night.isoformat()
            )
    report.validation_results = []


def record_finish(settings: Settings, run_id: str, status: str, report: NightReport) -> None:
    try:
        with session_scope(resources(settings).engine) as session:
            repo.finish_run(session, run_id, status, counts={"partners": report.partner_rows()})
    except Exception:  # the run's own error matters more than its bookkeeping
        if status == "succeeded":
            raise
        logger.exception("could not record the failed run")


def build_data_docs(results: list[object], target_dir: Path, run_name: str) -> str:
    """Great Expectations Data Docs of the night's validations (counts and rules, no values)."""
    return render_data_docs(results, target_dir, run_name).as_uri()


def flow_run_id() -> str | None:
    """The Prefect flow run id, with a suffix: a retried flow run records a run of its own."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return None
    return f"{context.flow_run.id}-{uuid.uuid4().hex[:8]}"


def refused_night(report: NightReport, error: AddressListError) -> NightReport:
    """A night refused before it read anything: a clear message, a failed run, no traceback.

    The flow run ends Failed (so monitoring sees it) with the message as its state; calling
    the flow raises ``error`` itself, which the CLI shows as one line. Nothing was loaded,
    so the next run, with a corrected list, reads the same deliveries.
    """
    message = f"Nacht {report.as_of} geweigerd / night refused: {error}"
    logger.error("%s", message)
    create_markdown_artifact(
        markdown=f"# Nachtelijke run {report.as_of}: geweigerd\n\n{error}\n",
        key="nightly-summary",
        description=report.as_of,
    )
    # Prefect takes a returned State as the run's final state.
    return cast(NightReport, Failed(message=message, data=error))


def publish_summary(report: NightReport) -> None:
    """Aggregates only: counts per partner and team, never a resident."""
    key = "nightly-summary"
    create_markdown_artifact(markdown=report.to_markdown(), key=key, description=report.as_of)
    create_table_artifact(
        table=report.partner_rows(),
        key="nightly-partners",
        description=f"Per partner, night {report.as_of}",
    )
