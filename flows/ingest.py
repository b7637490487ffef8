"""Ingest one delivery: read → validate → link → seal → store, in one database transaction."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from connectors.catalog import PartnerSpec, delivery_rules
from connectors.database.deliveries import (
    DeliveryRecord,
    delivery_already_loaded,
    loaded_twin,
    previous_row_count,
    record_rejected_delivery,
    sealed_households,
    store_delivery,
)
from connectors.database.engine import session_scope
from connectors.inbox import Delivery
from connectors.quarantine import addresses_of_raw
from connectors.readers import read_delivery
from connectors.readers.base import DeliveryUnreadable, ReadResult
from connectors.settings import Settings
from connectors.vault import ContactVault
from flows.report import PartnerFigures
from flows.resources import reference_addresses, resources
from signals.address import normalise_address
from signals.linkage import ReferenceIndex, index_reference, link_aftercare, link_signals
from signals.pseudonym import household_key
from signals.validation import validate_delivery as validate_signals

logger = logging.getLogger(__name__)
#: Reason code of a bank referral without consent (signals.validation).
NO_CONSENT = "no_consent"


@dataclass
class IngestOutcome:
    """A delivery's figures, and its docs-safe GX results for the run's Data Docs."""

    figures: PartnerFigures
    validation_results: list[Any] = field(default_factory=list)


def ingest_delivery(delivery: Delivery, settings: Settings, run_id: str) -> IngestOutcome:
    """Load one delivery, or record why it was refused. Returns the partner's figures.

    A bad file only affects its own partner: it is recorded as unreadable/rejected and the
    night goes on. Database errors propagate (and are retried): nothing is half-written.
    """
    res = resources(settings)
    spec = res.catalog.get(delivery.partner)
    figures = PartnerFigures(partner=delivery.partner, deliveries=1)
    try:
        sha256 = hashlib.sha256(delivery.path.read_bytes()).hexdigest()
        stat = delivery.path.stat()
        size: int | None = stat.st_size
        mtime_ns: int | None = stat.st_mtime_ns
    except OSError as error:  # vanished or unreadable on disk: this file only
        sha256 = f"unreadable-{type(error).__name__}"
        size, mtime_ns = None, None
    with session_scope(res.engine) as session:
        if delivery_already_loaded(session, delivery.source_file, sha256):
            return IngestOutcome(PartnerFigures(partner=delivery.partner))
        twin = loaded_twin(
            session, delivery.partner, delivery.delivery_date, delivery.source_file, sha256
        )
        previous = previous_row_count(session, delivery.partner, before=delivery.delivery_date)
    record = DeliveryRecord(
        partner=delivery.partner,
        delivery_date=delivery.delivery_date,
        source_file=delivery.source_file,
        sha256=sha256,
        rows_received=0,
        rows_accepted=0,
        rows_quarantined=0,
        run_id=run_id,
        file_size=size,
        file_mtime_ns=mtime_ns,
    )
    if twin is not None:
        refusal = _twin_refusal(delivery, *twin)
        return _unreadable(res.engine, record, figures, refusal, status="rejected")
    try:
        read = read_delivery(delivery.path, spec, settings.inbox)
    except DeliveryUnreadable as unreadable:
        return _unreadable(res.engine, record, figures, unreadable)
    except Exception as error:
        # Not a database error (the reader does no database I/O): refuse the file, go on.
        logger.warning("%s could not be read (%s)", delivery.source_file, type(error).__name__)
        unexpected = DeliveryUnreadable(
            delivery.source_file,
            "file_unreadable",
            f"the file could not be read ({type(error).__name__})",
            f"het bestand kon niet worden gelezen ({type(error).__name__})",
        )
        return _unreadable(res.engine, record, figures, unexpected)
    return load_read_delivery(read, spec, settings, record, previous)


def _twin_refusal(delivery: Delivery, kind: str, loaded: str) -> DeliveryUnreadable:
    """Why a second file for one delivery is refused: its rows are in already."""
    if kind == "same_date":
        return DeliveryUnreadable(
            delivery.source_file,
            "second_file_for_date",
            f"a second file for this partner and date; {loaded} is loaded",
            f"een tweede bestand voor deze partner en datum; {loaded} is al geladen",
        )
    return DeliveryUnreadable(
        delivery.source_file,
        "duplicate_delivery",
        f"the same contents as {loaded}, already loaded",
        f"dezelfde inhoud als {loaded}, dat al geladen is",
    )


def _unreadable(
    engine: object,
    record: DeliveryRecord,
    figures: PartnerFigures,
    unreadable: DeliveryUnreadable,
    status: str = "unreadable",
) -> IngestOutcome:
    logger.warning("%s %s: %s", record.source_file, status, unreadable.reason_en)
    _refuse(
        engine,
        record,
        status,
        unreadable.reason_code,
        unreadable.reason_en,
        unreadable.reason_nl,
    )
    figures.rejected_files = 1
    figures.rejection_reasons.append(unreadable.reason_en)
    return IngestOutcome(figures)


def load_read_delivery(
    read: ReadResult,
    spec: PartnerSpec,
    settings: Settings,
    record: DeliveryRecord,
    previous: int | None,
    resubmission: bool = False,
) -> IngestOutcome:
    """Validate, link, seal and store rows already read (a delivery or a re-submission).

    A re-submission holds only corrected rows, so the delivery-size rules don't apply to it.
    """
    res = resources(settings)
    figures = PartnerFigures(partner=record.partner, deliveries=1)
    rules = delivery_rules(spec, settings, record.delivery_date, resubmission)
    if resubmission or not spec.row_count_check:
        previous = None
    outcome = validate_signals(read.records, rules, previous, rows_received=read.rows_in)
    figures.received = read.rows_in
    if outcome.delivery_rejection is not None:
        rejection = outcome.delivery_rejection
        logger.warning("%s rejected: %s", record.source_file, rejection.reason_en)
        _refuse(
            res.engine,
            record,
            "rejected",
            rejection.code,
            rejection.reason_en,
            rejection.reason_nl,
            rows_received=read.rows_in,
        )
        figures.rejected_files = 1
        figures.rejection_reasons.append(rejection.reason_en)
        return IngestOutcome(figures, outcome.results)

    quarantine = _sealed_quarantine(
        read, outcome.quarantined, res.raw_vault, spec, res.pseudonym_key
    )
    if spec.kind == "aftercare":
        signals = pd.DataFrame()
        aftercare = link_aftercare(outcome.accepted, res.pseudonym_key)
        vault_tokens = pd.DataFrame(columns=["household_key", "token"])
    else:
        link = link_signals(
            outcome.accepted, _reference_index(str(settings.reference)), res.pseudonym_key
        )
        signals, aftercare = link.signals, None
        # A household's address is sealed once: its key is a keyed hash of that address.
        new = ~sealed_households(res.engine, link.contacts["household_key"]).to_numpy()
        vault_tokens = res.vault.seal_contacts(link.contacts[new]).rename(
            columns={"sealed_address": "token"}
        )
    accepted = len(outcome.accepted)
    stored = DeliveryRecord(
        **{
            **record.__dict__,
            "rows_received": read.rows_in,
            "rows_accepted": accepted,
            "rows_quarantined": len(quarantine),
        }
    )
    store_delivery(res.engine, stored, signals, quarantine, vault_tokens, aftercare)
    figures.accepted, figures.quarantined = accepted, len(quarantine)
    logger.info(
        "%s loaded: %d accepted, %d quarantined", record.source_file, accepted, len(quarantine)
    )
    return IngestOutcome(figures, outcome.results)


@lru_cache(maxsize=4)
def _reference_index(path: str) -> ReferenceIndex:
    """The address list indexed for linkage, once per process (as the list itself is read)."""
    return index_reference(reference_addresses(path))


def _sealed_quarantine(
    read: ReadResult,
    invalid: pd.DataFrame,
    vault: ContactVault,
    spec: PartnerSpec,
    key: bytes,
) -> pd.DataFrame:
    """Read rejects and validation failures as one quarantine, raw rows sealed in the vault.

    Only quarantined rows keep their raw record, one token per row, since the data steward
    opens, corrects and re-submits them row by row; accepted rows keep none (the readers do
    not even build their JSON). A bank referral without consent is refused and counted,
    nothing more (FEEDS.md): its raw row, with the address, is not kept at all, nor whose it
    was (no household key), and there is nothing to correct (dismissed).
    """
    invalid = invalid.copy()
    unknown = invalid["raw"].isna()
    if unknown.any():  # the readers leave well-formed rows' JSON unbuilt
        invalid.loc[unknown, "raw"] = read.raw_of(invalid.loc[unknown, "source_row"])
    quarantine = pd.concat([read.rejected, invalid], ignore_index=True)
    refused = quarantine["reason_code"].fillna("").str.split(",").map(lambda c: NO_CONSENT in c)
    quarantine["raw_token"] = [
        vault.seal({"raw": raw}) if isinstance(raw, str) and not no_consent else None
        for raw, no_consent in zip(quarantine["raw"], refused, strict=True)
    ]
    quarantine["status"] = ["dismissed" if no_consent else "open" for no_consent in refused]
    # Whose row it was (when the address reads), so state does not call them resolved.
    address = addresses_of_raw(quarantine["raw"], spec).replace("", pd.NA)
    normalised = normalise_address(
        address["postcode"], address["huisnummer"], address["toevoeging"]
    )
    quarantine["household_key"] = household_key(normalised, key).mask(refused.to_numpy())
    return quarantine.drop(columns=["raw"])


def _refuse(
    engine: object,
    record: DeliveryRecord,
    status: str,
    code: str,
    reason_en: str,
    reason_nl: str,
    rows_received: int = 0,
) -> None:
    refused = DeliveryRecord(
        **{
            **record.__dict__,
            "status": status,
            "rejection_code": code,
            "rejection_reason_en": reason_en,
            "rejection_reason_nl": reason_nl,
            "rows_received": rows_received,
        }
    )
    record_rejected_delivery(engine, refused)  # type: ignore[arg-type]
