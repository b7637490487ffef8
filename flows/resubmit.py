"""Take corrected quarantined rows back in, validated like any delivery, and triage them.

A file written by ``quarantine export`` is accepted as it is: it is split per original
delivery (partner and delivery date), and each part is stored as a correction of that
delivery (``herindiening/...``, ``is_correction``), so every delivery still reconciles
(received = accepted + quarantined) and no correction counts as a snapshot of its own. The
replaced rows are marked ``resubmitted``; rows that fail again go back into the quarantine
with their new reason. The accepted rows are triaged in the same run, under the night's lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.database.deliveries import RESUBMISSION_PREFIX, DeliveryRecord
from connectors.database.engine import session_scope
from connectors.database.lock import night_lock
from connectors.database.runs import latest_night
from connectors.quarantine import (
    Corrections,
    already_loaded,
    check_open_rows,
    dossiers_already_loaded,
    mark_resubmitted,
    read_corrections,
)
from connectors.readers.base import ReadResult
from connectors.readers.records import Lineage, type_records
from connectors.settings import Settings
from flows.ingest import IngestOutcome, load_read_delivery
from flows.night import in_process
from flows.report import PartnerFigures
from flows.resources import resources
from flows.triage import TriageSummary, derive_signal_states, triage_night

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass
class ResubmissionOutcome:
    """Figures of a re-submission: per original delivery, and tonight's triage of the rows."""

    figures: PartnerFigures
    deliveries: list[str] = field(default_factory=list)  # "partner leverdatum" per part
    #: Quarantine ids left open: their row repeats a signal already loaded (dismiss them).
    duplicates: list[int] = field(default_factory=list)
    triage: TriageSummary | None = None


def resubmit(settings: Settings, path: Path, today: dt.date | None = None) -> ResubmissionOutcome:
    """Load every corrected row of ``path`` and triage what was accepted (one lock)."""
    res = resources(settings)
    groups = read_corrections(path)
    today = today or dt.datetime.now(AMSTERDAM).date()
    with session_scope(res.engine) as session:
        # The corrected rows join the record's latest night: triaging them "as of today"
        # between two nights would run that night's planning and auto-closing early (and,
        # on a replayed history, months ahead of it).
        latest = latest_night(session)
    night = min(today, latest) if latest else today
    with session_scope(res.engine) as session:
        for group in groups:
            res.catalog.get(group.partner)  # an unknown partner refuses the file
            check_open_rows(session, group.quarantine_ids, group.partner, group.delivery_date)
    total = PartnerFigures(partner=",".join(sorted({g.partner for g in groups})))
    outcome = ResubmissionOutcome(figures=total)
    content = path.read_bytes()
    with night_lock(res.engine):  # never while a nightly run writes
        for number, group in enumerate(groups):
            part, left_open = _resubmit(settings, content, number, group)
            total.add(part.figures)
            outcome.deliveries.append(f"{group.partner} {group.delivery_date}")
            outcome.duplicates += left_open
        if total.accepted:
            derive_signal_states(res, night)
            outcome.triage = triage_night(
                res,
                night,
                f"herindiening-{night.isoformat()}",
                lambda parts, day: in_process(parts, day, res),
            )
    return outcome


def _resubmit(
    settings: Settings, content: bytes, number: int, group: Corrections
) -> tuple[IngestOutcome, list[int]]:
    """Load one original delivery's corrected rows; returns the outcome and the quarantine ids
    left open because their row repeats a signal that is already loaded."""
    res = resources(settings)
    spec = res.catalog.get(group.partner)
    delivery_date = dt.date.fromisoformat(group.delivery_date)
    source_id = spec.columns[spec.id_column]
    raw, ids = group.raw, list(group.quarantine_ids)
    left_open: list[int] = []
    if source_id in raw.columns:
        ids_text = raw[source_id].astype(str).str.strip()
        with session_scope(res.engine) as session:
            if spec.kind == "signal":
                keys = f"{group.partner}/{group.delivery_date}/" + ids_text
                doubles = set(already_loaded(session, keys.tolist()))
            else:
                keys = ids_text
                doubles = dossiers_already_loaded(session, group.delivery_date, keys.tolist())
        repeated = keys.isin(doubles).to_numpy()
        left_open = [i for i, r in zip(ids, repeated, strict=True) if r]
        raw = raw[~repeated].reset_index(drop=True)
        ids = [i for i, r in zip(ids, repeated, strict=True) if not r]
    digest = hashlib.sha256(content + f"/{number}".encode()).hexdigest()
    source_file = f"{RESUBMISSION_PREFIX}{group.partner}/{digest[:16]}.csv"
    if raw.empty:
        return IngestOutcome(PartnerFigures(partner=group.partner)), left_open
    records, rejected = type_records(raw, spec, Lineage(group.partner, delivery_date, source_file))
    read = ReadResult(
        partner=group.partner,
        delivery_date=delivery_date,
        source_file=source_file,
        records=records,
        rejected=rejected,
        rows_in=len(raw),
    )
    record = DeliveryRecord(
        partner=group.partner,
        delivery_date=delivery_date,
        source_file=source_file,
        sha256=digest,
        rows_received=0,
        rows_accepted=0,
        rows_quarantined=0,
        is_correction=True,
    )
    outcome = load_read_delivery(read, spec, settings, record, None, resubmission=True)
    if outcome.figures.rejected_files == 0:
        with session_scope(res.engine) as session:
            mark_resubmitted(session, ids)
    return outcome, left_open


__all__ = ["ResubmissionOutcome", "resubmit"]
