"""Take corrected quarantined rows back in, validated like any delivery."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd

from connectors.catalog import PartnerSpec
from connectors.database.deliveries import RESUBMISSION_PREFIX, DeliveryRecord
from connectors.database.engine import session_scope
from connectors.database.lock import night_lock
from connectors.quarantine import (
    ResubmissionError,
    already_loaded,
    check_open_rows,
    mark_resubmitted,
    read_corrections,
)
from connectors.readers.base import ReadResult
from connectors.readers.records import Lineage, type_records
from connectors.settings import Settings
from flows.ingest import IngestOutcome, load_read_delivery
from flows.resources import resources


def resubmit(settings: Settings, path: Path) -> IngestOutcome:
    """Load a corrected quarantine file as a re-submission of its original delivery.

    It is stored as its own delivery (``herindiening/...``), so every delivery still reconciles
    (received = accepted + quarantined); the replaced rows are marked ``resubmitted``. Rows
    that fail again go back into the quarantine with their new reason.
    """
    res = resources(settings)
    partner, delivered, ids, raw = read_corrections(path)
    spec = res.catalog.get(partner)
    with night_lock(res.engine):  # never while a nightly run writes
        return _resubmit(settings, path, partner, delivered, ids, raw, spec)


def _resubmit(
    settings: Settings,
    path: Path,
    partner: str,
    delivered: str,
    ids: list[int],
    raw: pd.DataFrame,
    spec: PartnerSpec,
) -> IngestOutcome:
    res = resources(settings)
    with session_scope(res.engine) as session:
        check_open_rows(session, ids, partner, delivered)
    delivery_date = dt.date.fromisoformat(delivered)
    content = path.read_bytes()
    source_file = f"{RESUBMISSION_PREFIX}{partner}/{hashlib.sha256(content).hexdigest()[:16]}.csv"
    records, rejected = type_records(raw, spec, Lineage(partner, delivery_date, source_file))
    keys = [f"{partner}/{delivered}/{signal_id}" for signal_id in records["signal_id"].dropna()]
    with session_scope(res.engine) as session:
        doubles = already_loaded(session, keys)
    if doubles:
        raise ResubmissionError(
            f"{len(doubles)} corrected row(s) repeat a signal id already loaded for this "
            "delivery; such a duplicate needs no re-submission"
        )
    read = ReadResult(
        partner=partner,
        delivery_date=delivery_date,
        source_file=source_file,
        records=records,
        rejected=rejected,
        rows_in=len(raw),
    )
    record = DeliveryRecord(
        partner=partner,
        delivery_date=delivery_date,
        source_file=source_file,
        sha256=hashlib.sha256(content).hexdigest(),
        rows_received=0,
        rows_accepted=0,
        rows_quarantined=0,
    )
    outcome = load_read_delivery(read, spec, settings, record, None, resubmission=True)
    if outcome.figures.rejected_files == 0:
        with session_scope(res.engine) as session:
            mark_resubmitted(session, ids)
    return outcome
