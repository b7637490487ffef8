"""Correcting quarantined rows: export them for the data steward, read corrections back.

The export holds the raw rows (identifying data): it is for the data steward who contacts the
partner, never for analysts. A corrected file goes back in through ``vroegsignaal quarantine
resubmit``, which validates it like any delivery.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.catalog import PartnerSpec
from connectors.database.models import Aftercare, Delivery, Quarantine, Signal
from connectors.database.runs import audit
from connectors.exports.columns import safe_text, unsafe_text
from connectors.readers.base import BROKEN, RAW, SOURCE_ROW, raw_json, raw_rows
from connectors.vault import ContactVault

#: Columns the export adds before the partner's own columns.
ID, PARTNER, DELIVERY_DATE, SOURCE_FILE, ROW, REASON = (
    "quarantaine_id",
    "partner",
    "leverdatum",
    "bestand",
    "rij",
    "reden",
)
META = (ID, PARTNER, DELIVERY_DATE, SOURCE_FILE, ROW, REASON)


class ResubmissionError(ValueError):
    """A corrected file cannot be taken back; the message names the row, not its content."""


def export_open_quarantine(
    session: Session,
    vault: ContactVault,
    out_dir: Path,
    partner: str | None = None,
    actor: str = "cli",
) -> list[Path]:
    """One CSV per partner with its open quarantined rows, raw fields editable."""
    query = select(Quarantine).where(Quarantine.status == "open").order_by(Quarantine.quarantine_id)
    if partner is not None:
        query = query.where(Quarantine.partner == partner)
    rows: dict[str, list[dict[str, str]]] = {}
    for item in session.scalars(query):
        raw = json.loads(vault.open(item.raw_token)["raw"]) if item.raw_token else {}
        # The data steward opens this in Excel: a partner's "=..." stays text (undone on resubmit).
        fields = {
            k: "" if v is None else str(safe_text(str(v)))
            for k, v in raw.items()
            if not k.startswith("_")
        }
        rows.setdefault(item.partner, []).append(
            {
                ID: str(item.quarantine_id),
                PARTNER: item.partner,
                DELIVERY_DATE: item.delivery_date.isoformat(),
                SOURCE_FILE: item.source_file,
                ROW: "" if item.source_row is None else str(item.source_row),
                REASON: item.reason_nl or "",
                **fields,
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    audit(
        session,
        actor,
        "open_raw_rows",
        "quarantine_export",
        None,
        {"partner": partner, "rows": sum(len(items) for items in rows.values())},
    )
    written = []
    for name, items in sorted(rows.items()):
        header = list(dict.fromkeys(k for item in items for k in item))
        path = out_dir / f"quarantaine_{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, delimiter=";")
            writer.writeheader()
            writer.writerows(items)
        written.append(path)
    return written


@dataclass(frozen=True)
class Corrections:
    """The corrected rows of one original delivery (one partner, one delivery date)."""

    partner: str
    delivery_date: str
    quarantine_ids: list[int]
    raw: pd.DataFrame


def read_corrections(path: Path) -> list[Corrections]:
    """The corrected rows of a quarantine file, grouped per original delivery.

    A file written by ``quarantine export`` mixes delivery dates (and may mix partners): it is
    accepted as it is and split here. The raw rows have the shape the readers produce, so they
    are typed by the same code.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle, delimiter=";"))
    if not records:
        raise ResubmissionError(f"{path.name}: no rows")
    missing = [name for name in META if name not in records[0]]
    if missing:
        raise ResubmissionError(f"{path.name}: missing column(s) {missing}")
    header = [k for k in records[0] if k not in META]
    groups: dict[tuple[str, str], tuple[list[int], list[dict[str, object]]]] = {}
    for line, record in enumerate(records, start=2):
        if not record[ID].isdigit():
            raise ResubmissionError(f"{path.name} line {line}: {ID} is not a number")
        try:
            dt.date.fromisoformat(record[DELIVERY_DATE])
        except ValueError:
            raise ResubmissionError(
                f"{path.name} line {line}: {DELIVERY_DATE} is not a date (JJJJ-MM-DD)"
            ) from None
        ids, rows = groups.setdefault((record[PARTNER], record[DELIVERY_DATE]), ([], []))
        ids.append(int(record[ID]))
        fields = {k: unsafe_text(v or "") for k, v in record.items() if k not in META}
        rows.append(
            {**fields, SOURCE_ROW: int(record[ROW] or 0), RAW: raw_json(fields), BROKEN: ""}
        )
    return [
        Corrections(partner, day, ids, raw_rows(header, rows))
        for (partner, day), (ids, rows) in sorted(groups.items())
    ]


def dismiss(session: Session, quarantine_ids: list[int], reason: str, actor: str) -> int:
    """Close open quarantine rows without loading them (e.g. duplicates), with why; audited."""
    if not reason.strip():
        raise ResubmissionError("a dismissal needs a reason")
    result = session.execute(
        update(Quarantine)
        .where(Quarantine.quarantine_id.in_(quarantine_ids), Quarantine.status == "open")
        .values(
            status="dismissed",
            dismissed_reason=reason.strip(),
            dismissed_by=actor,
            closed_at=dt.datetime.now(dt.UTC),
        )
    )
    if result.rowcount != len(set(quarantine_ids)):  # type: ignore[attr-defined]
        raise ResubmissionError("some rows are not (or no longer) open in the quarantine")
    audit(
        session,
        actor,
        "dismiss",
        "quarantine",
        ",".join(str(i) for i in sorted(quarantine_ids)),
        {"rows": len(quarantine_ids), "reason": reason.strip()},
    )
    return len(quarantine_ids)


REFUSED_FILE_COLUMNS = ("bestand", "partner", "leverdatum", "status", "reden", "code", "ontvangen")


def refused_files(session: Session) -> list[dict[str, str]]:
    """Whole deliveries refused or unreadable, with their reason (nothing of them loaded)."""
    query = (
        select(Delivery)
        .where(Delivery.status.in_(("rejected", "unreadable")))
        .order_by(Delivery.delivery_date, Delivery.partner)
    )
    return [
        {
            "bestand": item.source_file,
            "partner": item.partner,
            "leverdatum": item.delivery_date.isoformat(),
            "status": "afgewezen" if item.status == "rejected" else "onleesbaar",
            "reden": item.rejection_reason_nl or "",
            "code": item.rejection_code or "",
            "ontvangen": str(item.rows_received),
        }
        for item in session.scalars(query)
    ]


def write_refused_files(session: Session, out_dir: Path) -> Path:
    """``geweigerde_bestanden.csv``: the refused deliveries next to the quarantined rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "geweigerde_bestanden.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(REFUSED_FILE_COLUMNS), delimiter=";")
        writer.writeheader()
        writer.writerows(
            {name: str(safe_text(value)) for name, value in row.items()}
            for row in refused_files(session)
        )
    return path


def mark_resubmitted(session: Session, quarantine_ids: list[int]) -> int:
    """Close the quarantined rows a re-submission replaced; only open rows can be closed."""
    result = session.execute(
        update(Quarantine)
        .where(Quarantine.quarantine_id.in_(quarantine_ids), Quarantine.status == "open")
        .values(status="resubmitted")
    )
    if result.rowcount != len(quarantine_ids):  # type: ignore[attr-defined]
        raise ResubmissionError("some rows are not (or no longer) open in the quarantine")
    return len(quarantine_ids)


def check_open_rows(session: Session, quarantine_ids: list[int], partner: str, day: str) -> None:
    """Refuse ids that are not open quarantine rows of this partner's delivery of ``day``."""
    found = session.execute(
        select(Quarantine.quarantine_id).where(
            Quarantine.quarantine_id.in_(quarantine_ids),
            Quarantine.status == "open",
            Quarantine.partner == partner,
            Quarantine.delivery_date == dt.date.fromisoformat(day),
        )
    ).scalars()
    unknown = sorted(set(quarantine_ids) - set(found))
    if unknown:
        raise ResubmissionError(
            f"quarantine rows {unknown} are not open rows of {partner}'s delivery of {day}"
        )


def already_loaded(session: Session, signal_keys: list[str]) -> list[str]:
    """Which of these signal keys are loaded already (a corrected duplicate, for instance)."""
    return sorted(
        session.execute(select(Signal.signal_key).where(Signal.signal_key.in_(signal_keys)))
        .scalars()
        .all()
    )


def dossiers_already_loaded(
    session: Session, delivery_date: str, dossier_ids: list[str]
) -> set[str]:
    """Which of these nazorg dossier ids the delivery of ``delivery_date`` already holds."""
    query = select(Aftercare.dossier_id).where(
        Aftercare.delivery_date == dt.date.fromisoformat(delivery_date),
        Aftercare.dossier_id.in_(dossier_ids),
    )
    return {str(d) for d in session.scalars(query)}


def addresses_of_raw(raw: pd.Series, spec: PartnerSpec) -> pd.DataFrame:
    """The address fields (as text) of raw rows, through the partner's column mapping.

    Used to know whose row was quarantined; a field that is absent or unreadable is "".
    """
    names = {part: spec.columns.get(part) for part in ("postcode", "huisnummer", "toevoeging")}
    rows = []
    for text in raw:
        try:
            record = json.loads(text) if isinstance(text, str) else {}
        except json.JSONDecodeError:
            record = {}
        if not isinstance(record, dict):
            record = {}
        rows.append(
            {part: str(record.get(source or "", "") or "") for part, source in names.items()}
        )
    return pd.DataFrame(rows, index=raw.index, columns=list(names), dtype="string")
