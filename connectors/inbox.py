"""Finding tonight's deliveries: ``INBOX/<partner>/<YYYY-MM-DD>.<ext>``.

Files that do not fit that pattern for a known partner are listed as unrecognised, so that a
misnamed delivery is reported instead of silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from connectors.catalog import Catalog

_DELIVERY_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})\.([A-Za-z0-9]+)")


@dataclass(frozen=True)
class Delivery:
    partner: str
    delivery_date: date
    path: Path
    source_file: str  # relative to the inbox, posix: "domesta/2026-10-05.csv"


@dataclass(frozen=True)
class Inbox:
    deliveries: list[Delivery] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)  # relative paths, sorted


def delivery_date_of(file_name: str, extension: str) -> date | None:
    """The delivery date of ``2026-10-05.csv`` for extension ``csv``; None if the name is off."""
    match = _DELIVERY_NAME.fullmatch(file_name)
    if match is None or match.group(4).lower() != extension.lower():
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:  # 2026-02-31
        return None


def discover_deliveries(inbox: Path, catalog: Catalog, as_of: date | None = None) -> Inbox:
    """Deliveries of known partners dated on or before ``as_of``, by date then partner.

    Hidden files (``.gitkeep``) are skipped; files dated after ``as_of`` are neither delivered nor
    unrecognised (they are for a later night).
    """
    deliveries: list[Delivery] = []
    unrecognised: list[str] = []
    if not inbox.is_dir():
        raise FileNotFoundError(f"the inbox {inbox} does not exist")
    for path in sorted(inbox.rglob("*")):
        relative = path.relative_to(inbox)
        if path.is_dir() or any(part.startswith(".") for part in relative.parts):
            continue
        spec = catalog.partners.get(relative.parts[0]) if len(relative.parts) == 2 else None
        delivered = delivery_date_of(path.name, spec.extension) if spec else None
        if spec is None or delivered is None:
            unrecognised.append(relative.as_posix())
        elif as_of is None or delivered <= as_of:
            deliveries.append(Delivery(spec.partner_id, delivered, path, relative.as_posix()))
    deliveries.sort(key=lambda d: (d.delivery_date, d.partner))
    return Inbox(deliveries=deliveries, unrecognised=unrecognised)


def prune_inbox(inbox: Path, catalog: Catalog, recorded: set[str], before: date) -> int:
    """Delete delivery files dated before ``before`` that the database has dealt with.

    Files never recorded (not yet processed, or not recognised) are left alone.
    """
    removed = 0
    for delivery in discover_deliveries(inbox, catalog, before).deliveries:
        if delivery.delivery_date < before and delivery.source_file in recorded:
            delivery.path.unlink()
            removed += 1
    return removed
