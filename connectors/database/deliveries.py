"""Deliveries in and out: each file is stored whole in one transaction, or not at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from connectors.database.bulk import BYTES, TIMESTAMP, insert_frame, upsert_frame
from connectors.database.frames import (
    QUARANTINE_SCHEMA,
    VAULT_TOKEN_COLUMNS,
    object_column,
    to_frame,
)
from connectors.database.models import (
    Aftercare,
    ContactVault,
    Delivery,
    Household,
    Quarantine,
    Signal,
)
from connectors.database.sql import table_of
from signals.membership import is_in
from signals.schema import DATE, LINKED_AFTERCARE_SCHEMA, LINKED_SIGNAL_SCHEMA, STRING, conform

#: Source files of re-submitted quarantine corrections start with this.
RESUBMISSION_PREFIX = "herindiening/"
#: Keys per lookup query (well under the bound-parameter limits of both databases).
_LOOKUP_BATCH = 10_000
HOUSEHOLD_COLUMNS: dict[str, str] = {
    "household_key": STRING,
    "wijkcode": STRING,
    "first_seen": DATE,
    "last_seen": DATE,
}
#: A household seen again keeps its earliest first and latest last sighting, and its wijk.
HOUSEHOLD_UPDATE: dict[str, str] = {
    "wijkcode": "COALESCE(excluded.wijkcode, households.wijkcode)",
    "first_seen": "CASE WHEN excluded.first_seen < households.first_seen "
    "THEN excluded.first_seen ELSE households.first_seen END",
    "last_seen": "CASE WHEN excluded.last_seen > households.last_seen "
    "THEN excluded.last_seen ELSE households.last_seen END",
}
VAULT_COLUMNS: dict[str, str] = {
    "household_key": STRING,
    "address_token": BYTES,
    "updated_at": TIMESTAMP,
}
STORED_QUARANTINE: dict[str, str] = {**QUARANTINE_SCHEMA, "raw_token": BYTES}


class DeliveryConflictError(RuntimeError):
    """A file of the same name was loaded before with different contents."""


@dataclass(frozen=True)
class DeliveryRecord:
    """What is known about one inbox file; ``status`` is loaded, rejected or unreadable."""

    partner: str
    delivery_date: dt.date
    source_file: str
    sha256: str
    rows_received: int
    rows_accepted: int
    rows_quarantined: int
    status: str = "loaded"
    rejection_code: str | None = None
    rejection_reason_en: str | None = None
    rejection_reason_nl: str | None = None
    run_id: str | None = None
    is_correction: bool = False
    file_size: int | None = None
    file_mtime_ns: int | None = None


def delivery_already_loaded(session: Session, source_file: str, sha256: str) -> bool:
    """True when this very file (same name and contents) is recorded, whatever its status."""
    found = session.scalar(
        select(Delivery.delivery_id).where(
            Delivery.source_file == source_file, Delivery.sha256 == sha256
        )
    )
    return found is not None


def loaded_twin(
    session: Session, partner: str, delivery_date: dt.date, source_file: str, sha256: str
) -> tuple[str, str] | None:
    """(kind, source file) of a loaded delivery another file of this partner repeats, or None.

    ``same_date``: another file for this partner and date is loaded (``2026-10-05.XLSX`` beside
    ``2026-10-05.xlsx``): its rows would be loaded twice. ``same_content``: these very bytes
    were loaded under another name (a partner's export sent twice); only a file that held rows
    counts, since two empty lists on two dates are both true.
    """
    own_file = Delivery.source_file != source_file
    snapshot = Delivery.is_correction.is_(False)
    loaded = Delivery.status == "loaded"
    same_date = session.scalar(
        select(Delivery.source_file)
        .where(Delivery.partner == partner, Delivery.delivery_date == delivery_date)
        .where(own_file, snapshot, loaded)
        .limit(1)
    )
    if same_date is not None:
        return "same_date", same_date
    same_content = session.scalar(
        select(Delivery.source_file)
        .where(Delivery.partner == partner, Delivery.sha256 == sha256)
        .where(own_file, snapshot, loaded, Delivery.rows_received > 0)
        .limit(1)
    )
    return None if same_content is None else ("same_content", same_content)


def loaded_source_files(session: Session) -> set[str]:
    """Source files whose rows are in the database (status ``loaded``)."""
    return set(session.scalars(select(Delivery.source_file).where(Delivery.status == "loaded")))


def previous_row_count(session: Session, partner: str, before: dt.date | None = None) -> int | None:
    """Rows received in the partner's latest loaded delivery (before ``before``), if any."""
    query = select(Delivery.rows_received).where(
        Delivery.partner == partner,
        Delivery.status == "loaded",
        # A re-submission holds only corrected rows: it is no measure of a delivery's size.
        Delivery.source_file.not_like(f"{RESUBMISSION_PREFIX}%"),
    )
    if before is not None:
        query = query.where(Delivery.delivery_date < before)
    query = query.order_by(Delivery.delivery_date.desc(), Delivery.delivery_id.desc()).limit(1)
    return session.scalar(query)


def store_delivery(
    engine: Engine,
    delivery: DeliveryRecord,
    signals: pd.DataFrame,
    quarantine: pd.DataFrame,
    vault_tokens: pd.DataFrame,
    aftercare: pd.DataFrame | None = None,
) -> bool:
    """Store a loaded delivery with all its rows in ONE transaction; False if already stored.

    ``signals`` follows ``LINKED_SIGNAL_SCHEMA``; ``quarantine`` is ``REJECT_SCHEMA`` +
    ``failed_expectations`` + ``raw_token`` (the encrypted raw record; plaintext ``raw`` is
    never stored); ``vault_tokens`` has ``household_key`` and ``token``. The raw records of
    accepted rows are not kept (data minimisation: the canonical, pseudonymised signal and
    the sealed address hold what the work needs; the inbox file stays until retention).
    """
    if delivery.status != "loaded":
        raise ValueError("store_delivery stores loaded deliveries; use record_rejected_delivery")
    aftercare = aftercare if aftercare is not None else pd.DataFrame()
    _check_counts(delivery, signals, quarantine, aftercare)
    _check_signal_keys(signals)
    quarantine_rows = _quarantine_frame(quarantine)
    # In key order: SQLite then fills its key indexes (and checks the foreign keys) in order
    # rather than at random places, about twice as fast at a million rows.
    vault_rows = _vault_frame(vault_tokens).sort_values("household_key", kind="stable")
    households = _household_frame(signals, vault_rows, delivery.delivery_date)
    households = households.sort_values("household_key", kind="stable")
    if len(signals):
        signals = signals.sort_values("signal_key", kind="stable")
    with Session(engine) as session, session.begin():
        delivery_id = _claim_source_file(session, delivery)
        if delivery_id is None:
            return False
        upsert_frame(
            session,
            table_of(Household),
            households,
            HOUSEHOLD_COLUMNS,
            keys=["household_key"],
            update=HOUSEHOLD_UPDATE,
        )
        this_delivery = {"delivery_id": delivery_id}
        insert_frame(session, table_of(Signal), signals, LINKED_SIGNAL_SCHEMA, this_delivery)
        insert_frame(
            session, table_of(Quarantine), quarantine_rows, STORED_QUARANTINE, this_delivery
        )
        insert_frame(
            session, table_of(Aftercare), aftercare, LINKED_AFTERCARE_SCHEMA, this_delivery
        )
        upsert_frame(
            session, table_of(ContactVault), vault_rows, VAULT_COLUMNS, keys=["household_key"]
        )
    return True


def sealed_households(engine: Engine, household_keys: pd.Series) -> pd.Series:
    """Mask of the households whose address is in the contact vault already.

    Their address is the same (the key is a keyed hash of it), so it need not be sealed again.
    """
    wanted = household_keys.dropna().unique().tolist()
    found: set[str] = set()
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(ContactVault)) == 0:
            return pd.Series(False, index=household_keys.index)
        for start in range(0, len(wanted), _LOOKUP_BATCH):
            batch = wanted[start : start + _LOOKUP_BATCH]
            query = select(ContactVault.household_key).where(ContactVault.household_key.in_(batch))
            found.update(session.scalars(query))
    return pd.Series(is_in(household_keys, sorted(found)), index=household_keys.index)


def record_rejected_delivery(engine: Engine, delivery: DeliveryRecord) -> bool:
    """Record a file rejected whole or unreadable (no rows); False if already recorded."""
    if delivery.status not in ("rejected", "unreadable") or not delivery.rejection_code:
        raise ValueError("a rejected delivery needs status rejected/unreadable and a code")
    with Session(engine) as session, session.begin():
        return _claim_source_file(session, delivery) is not None


def _claim_source_file(session: Session, delivery: DeliveryRecord) -> int | None:
    """Insert the delivery row and return its id; None when this exact file is stored.

    A corrected file under the name of a rejected one replaces that record; a changed file
    under the name of a loaded one is refused, since its rows are already in use.
    """
    existing = session.execute(
        select(Delivery.delivery_id, Delivery.sha256, Delivery.status).where(
            Delivery.source_file == delivery.source_file
        )
    ).first()
    if existing is not None:
        if existing.sha256 == delivery.sha256:
            return None
        if existing.status == "loaded":
            raise DeliveryConflictError(
                f"{delivery.source_file} was loaded before with different contents; "
                "a partner correction needs a new file name (delivery date)"
            )
        session.execute(delete(Delivery).where(Delivery.delivery_id == existing.delivery_id))
    values: dict[str, Any] = {**asdict(delivery), "loaded_at": dt.datetime.now(dt.UTC)}
    return session.execute(
        insert(Delivery).values(values).returning(Delivery.delivery_id)
    ).scalar_one()


def _check_counts(
    delivery: DeliveryRecord,
    signals: pd.DataFrame,
    quarantine: pd.DataFrame,
    aftercare: pd.DataFrame,
) -> None:
    # Rows in = accepted + quarantined: a mismatch means rows were lost on the way.
    accepted, quarantined = len(signals) + len(aftercare), len(quarantine)
    if (delivery.rows_accepted, delivery.rows_quarantined) != (accepted, quarantined):
        raise ValueError(
            f"{delivery.source_file}: the record says {delivery.rows_accepted} accepted and "
            f"{delivery.rows_quarantined} quarantined rows, the frames hold {accepted} and "
            f"{quarantined}"
        )
    if delivery.rows_received != accepted + quarantined:
        raise ValueError(
            f"{delivery.source_file}: {delivery.rows_received} rows received but "
            f"{accepted} accepted + {quarantined} quarantined"
        )


def _check_signal_keys(signals: pd.DataFrame) -> None:
    keys = signals["signal_key"] if "signal_key" in signals else pd.Series(dtype="string")
    if keys.isna().any() or keys.duplicated().any():
        raise ValueError("every signal needs a signal_key, unique within the delivery")


def _quarantine_frame(quarantine: pd.DataFrame) -> pd.DataFrame:
    tokens = object_column(quarantine, "raw_token")
    if "raw" in quarantine.columns and quarantine["raw"].notna().any():
        plaintext_without_token = [
            token is None
            for token, raw in zip(tokens, quarantine["raw"].notna(), strict=True)
            if raw
        ]
        if any(plaintext_without_token):
            raise ValueError(
                "quarantine rows carry a plaintext raw record without raw_token: "
                "encrypt it with the vault first (plaintext is never stored)"
            )
    frame = conform(quarantine, QUARANTINE_SCHEMA)
    if "status" not in quarantine:
        frame["status"] = pd.Series("open", index=frame.index, dtype="string")
    frame["raw_token"] = pd.Series(tokens, index=frame.index, dtype=object)
    return frame


def _vault_frame(vault_tokens: pd.DataFrame) -> pd.DataFrame:
    key_column, token_column = VAULT_TOKEN_COLUMNS
    if len(vault_tokens) == 0:
        return pd.DataFrame(columns=list(VAULT_COLUMNS))
    missing = {key_column, token_column} - set(vault_tokens.columns)
    if missing:
        raise ValueError(f"vault_tokens lacks column(s) {sorted(missing)}")
    deduplicated = vault_tokens.drop_duplicates(subset=key_column, keep="last")
    tokens = pd.Series(object_column(deduplicated, token_column), dtype=object)
    keys = deduplicated[key_column].astype("string").reset_index(drop=True)
    kept = tokens.notna().to_numpy()
    return pd.DataFrame(
        {
            "household_key": keys[kept],
            "address_token": tokens[kept],
            "updated_at": pd.Timestamp(dt.datetime.now(dt.UTC)),
        }
    ).reset_index(drop=True)


def _household_frame(
    signals: pd.DataFrame, vault_rows: pd.DataFrame, seen_on: dt.date
) -> pd.DataFrame:
    """One row per household of the delivery: its wijk (the smallest listed), seen today."""
    parts = []
    if len(signals):
        known = signals[["household_key", "wijkcode"]].dropna(subset=["household_key"])
        wijk = known.groupby("household_key", sort=False)["wijkcode"].min()
        parts.append(pd.DataFrame({"household_key": wijk.index, "wijkcode": wijk.to_numpy()}))
    if len(vault_rows):
        vault_keys = vault_rows["household_key"].to_numpy()
        parts.append(pd.DataFrame({"household_key": vault_keys, "wijkcode": None}))
    if not parts:
        return pd.DataFrame(columns=list(HOUSEHOLD_COLUMNS))
    frame = pd.concat(parts, ignore_index=True).drop_duplicates("household_key", keep="first")
    frame = frame.astype({"household_key": "string", "wijkcode": "string"})
    frame["first_seen"] = pd.Timestamp(seen_on)
    frame["last_seen"] = pd.Timestamp(seen_on)
    return frame.reset_index(drop=True)


def load_signals(session: Session, since: dt.date | None = None) -> pd.DataFrame:
    """Linked signals (``LINKED_SIGNAL_SCHEMA``), delivered on or after ``since`` if given."""
    columns = [getattr(Signal, name) for name in LINKED_SIGNAL_SCHEMA]
    query = select(*columns).order_by(Signal.delivery_date, Signal.signal_key)
    if since is not None:
        query = query.where(Signal.delivery_date >= since)
    return to_frame(session.execute(query).all(), LINKED_SIGNAL_SCHEMA)


def load_aftercare(session: Session) -> pd.DataFrame:
    """Finished trajectories (``LINKED_AFTERCARE_SCHEMA``) from every nazorg delivery."""
    columns = [getattr(Aftercare, name) for name in LINKED_AFTERCARE_SCHEMA]
    query = select(*columns).order_by(Aftercare.delivery_date, Aftercare.aftercare_id)
    return to_frame(session.execute(query).all(), LINKED_AFTERCARE_SCHEMA)


def load_quarantine(session: Session, status: str | None = "open") -> pd.DataFrame:
    """Quarantined rows (``QUARANTINE_SCHEMA``, without the encrypted raw record)."""
    columns = [getattr(Quarantine, name) for name in QUARANTINE_SCHEMA]
    query = select(*columns).order_by(Quarantine.quarantine_id)
    if status is not None:
        query = query.where(Quarantine.status == status)
    return to_frame(session.execute(query).all(), QUARANTINE_SCHEMA)


def load_vault_tokens(session: Session, household_keys: list[str] | None = None) -> pd.DataFrame:
    """Encrypted addresses as ``household_key`` + ``token`` (bytes), for the outreach export."""
    query = select(ContactVault.household_key, ContactVault.address_token)
    if household_keys is not None:
        query = query.where(ContactVault.household_key.in_(household_keys))
    rows = session.execute(query.order_by(ContactVault.household_key)).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(VAULT_TOKEN_COLUMNS))
    return frame.astype({"household_key": "string", "token": object})
