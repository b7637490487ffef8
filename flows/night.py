"""One night, step by step: discover → ingest → state (one step) → triage → exports.

Plain functions. The nightly flow runs each step as one Prefect task (``step`` wraps them);
the backfill runs many nights in one flow run and calls them directly, so a replay does not
pay a server round trip per small step.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import pandas as pd

from connectors.database import history as delivery_log
from connectors.database.engine import session_scope
from connectors.exports.outreach import export_team_task_lists
from connectors.inbox import Delivery, UnplacedFile, discover_deliveries
from connectors.settings import Settings
from flows.ingest import ingest_delivery
from flows.progress import announce
from flows.report import NightReport
from flows.resources import Resources, reference_addresses, resources
from flows.triage import Triager, derive_signal_states, triage_night
from signals.triage.night import NightInput, NightOutput
from signals.triage.night import triage_night as triage_partition

logger = logging.getLogger(__name__)
T = TypeVar("T")
#: Wraps a step (e.g. in a Prefect task); the identity runs it as a plain call.
Step = Callable[[Callable[..., T], str], Callable[..., T]]


def plain(function: Callable[..., T], name: str) -> Callable[..., T]:
    return function


@contextmanager
def stage(report: NightReport, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.stage_seconds[name] = report.stage_seconds.get(name, 0.0) + (
            time.perf_counter() - started
        )


@dataclass(frozen=True)
class Discovery:
    deliveries: list[Delivery]
    unrecognised: list[UnplacedFile]
    changed_after_loading: list[str]
    waiting: list[UnplacedFile] = field(default_factory=list)  # dated after the night


def discover(settings: Settings, night: date) -> Discovery:
    """New deliveries up to ``night`` (oldest first), files the inbox could not place, and
    loaded files whose contents changed since (reported, never loaded twice).

    A file whose size and modification time are as recorded is skipped without reading it.
    """
    res = resources(settings)
    inbox = discover_deliveries(settings.inbox, res.catalog, night)
    with session_scope(res.engine) as session:
        recorded = delivery_log.recorded_source_files(session)
    new, changed = [], []
    for delivery in inbox.deliveries:
        known = recorded.get(delivery.source_file)
        if known is None:
            new.append(delivery)
            continue
        stat = delivery.path.stat()
        if (known.file_size, known.file_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            continue
        if hashlib.sha256(delivery.path.read_bytes()).hexdigest() == known.sha256:
            continue
        if known.status == "loaded":
            logger.warning("%s changed after it was loaded; not loaded again", delivery.source_file)
            changed.append(delivery.source_file)
        else:
            new.append(delivery)  # a corrected file under a refused file's name
    return Discovery(new, inbox.unplaced, changed, inbox.waiting)


def check_reference(settings: Settings) -> int:
    """The number of addresses on the municipality's list; raises ``AddressListError`` (a
    message naming lines, never addresses) when the list is missing, empty or broken.

    Linking against a partial list would call residents on its broken lines "geen inwoner",
    so a broken list refuses the night instead; the deliveries wait for the corrected list.
    """
    return len(reference_addresses(str(settings.reference)))


def in_process(parts: list[NightInput], night: date, res: Resources) -> list[NightOutput]:
    policy = res.policy_book.in_force(night)
    return [triage_partition(part, policy, night) for part in parts]


def load_deliveries(settings: Settings, night: date, run_id: str, report: NightReport) -> None:
    """Discover the night's new deliveries, load each, and derive the signal states.

    Safe to retry as a whole: a delivery already loaded is skipped (its figures came with the
    attempt that loaded it), and states are derived only where none exist yet.
    """
    with stage(report, "discover"):
        found = discover(settings, night)
        report.unrecognised_files = found.unrecognised
        report.waiting_files = found.waiting
        report.changed_files = found.changed_after_loading
    with stage(report, "ingest"):
        announce("deliveries", count=len(found.deliveries))
        for delivery in found.deliveries:
            outcome = ingest_delivery(delivery, settings, run_id)
            report.partner(delivery.partner).add(outcome.figures)
            report.validation_results += outcome.validation_results
            announce("delivery-done", source_file=delivery.source_file)
    with stage(report, "state"):
        derive_signal_states(resources(settings), night)


def run_night(
    settings: Settings,
    night: date,
    report: NightReport,
    run_id: str,
    *,
    export: bool = True,
    partitioned: bool = False,
    step: Step[Any] = plain,
    triager: Triager | None = None,
    scores: Callable[[Resources, date], pd.DataFrame | None] | None = None,
) -> None:
    """Everything a night does; figures land in ``report``.

    Three steps (three Prefect tasks in the nightly flow: each costs server round trips, so
    they are few and large): load the deliveries, triage, export.
    """
    res = resources(settings)
    # An unusable address list refuses the night before anything is read (AddressListError);
    # called directly, not as a retried task: retrying cannot mend the file.
    with stage(report, "discover"):
        check_reference(settings)
    step(load_deliveries, "load-deliveries")(settings, night, run_id, report)
    with stage(report, "triage"):
        run = triager or (lambda parts, day: in_process(parts, day, res))
        night_scores = scores(res, night) if scores is not None else None
        # Partitions are submitted as tasks of their own (to Dask): not from inside a task.
        triage_step = plain if partitioned else step
        summary = triage_step(triage_night, "triage")(
            res, night, run_id, run, partitioned, night_scores
        )
        report.add_triage(summary)
    if export:
        with stage(report, "export"):
            out_dir = settings.task_list_dir / night.isoformat()
            paths = step(export_team_task_lists, "export-task-lists")(
                res.engine,
                res.vault,
                out_dir,
                night,
                reference=reference_addresses(str(settings.reference)),
            )
            report.exports = [str(p) for p in paths]
