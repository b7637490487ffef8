"""Finding tonight's deliveries: ``INBOX/<partner>/<YYYY-MM-DD>.<ext>``.

Every file in the inbox is either a delivery, waiting for a later night (dated after it), or
*unplaced*: named to the operator with why it was not read (unknown or miscased partner
folder, a copy or backup, one folder too deep, an odd name, an impossible date, a link out of
the inbox, ...). Nothing is skipped in silence but ``.gitkeep``. Only file *names* are
reported, never contents; names are shown escaped, so a control character in a name cannot
forge a line of the summary.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from connectors.catalog import Catalog

#: ASCII digits only: ``\d`` would also take other scripts' digits ("２０２６-10-05"), so one
#: date could be spelled twice.
_DELIVERY_NAME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\.([A-Za-z0-9]+)", re.ASCII)
#: What an editor, a sync tool or a second download leaves beside a file.
_COPY_OR_BACKUP = re.compile(
    r"(~|\.(bak|backup|old|orig|tmp|temp|swp|part|crdownload)|\(\d+\)(\.[^.]*)?|[ _-](copy|kopie)"
    r"(\.[^.]*)?)$|^(copy|kopie) (of|van) ",
    re.IGNORECASE,
)
#: Placeholders a repository or an empty partner folder may hold.
_IGNORED = frozenset({".gitkeep", ".keep"})
_SHOWN_NAME_MAX = 200


@dataclass(frozen=True)
class Delivery:
    partner: str
    delivery_date: date
    path: Path
    source_file: str  # relative to the inbox, posix: "domesta/2026-10-05.csv"


@dataclass(frozen=True)
class UnplacedFile:
    """A file in the inbox that is not read tonight, and why (English and Dutch)."""

    file: str  # relative to the inbox, escaped for display
    reason_code: str
    reason_en: str
    reason_nl: str

    def __str__(self) -> str:
        return f"{self.file}: {self.reason_nl} / {self.reason_en}"


@dataclass(frozen=True)
class Inbox:
    deliveries: list[Delivery] = field(default_factory=list)
    unplaced: list[UnplacedFile] = field(default_factory=list)  # by file name
    waiting: list[UnplacedFile] = field(default_factory=list)  # dated after the night

    @property
    def unrecognised(self) -> list[str]:
        """The (escaped) names of the unplaced files."""
        return [item.file for item in self.unplaced]


def shown_name(relative: str) -> str:
    """A file name safe to print on one line: non-printable characters escaped, length capped."""
    escaped = "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii")
        for ch in relative
    )
    if len(escaped) > _SHOWN_NAME_MAX:
        return escaped[: _SHOWN_NAME_MAX - 1] + "…"
    return escaped


def delivery_date_of(file_name: str, extension: str) -> date | None:
    """The delivery date of ``2026-10-05.csv`` for extension ``csv``; None if the name is off."""
    match = _DELIVERY_NAME.fullmatch(file_name)
    if match is None or match.group(4).lower() != extension.lower():
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:  # 2026-02-31
        return None


def _unplaced(relative: str, code: str, en: str, nl: str) -> UnplacedFile:
    return UnplacedFile(shown_name(relative), code, en, nl)


def _file_problem(path: Path, inbox: Path, relative: str) -> UnplacedFile | None:
    """A link out of the inbox, or something that is not a regular file (a pipe would hang)."""
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(inbox.resolve()):
                return _unplaced(
                    relative,
                    "link_outside_inbox",
                    "a link to a file outside the inbox",
                    "een koppeling naar een bestand buiten de inbox",
                )
        mode = path.stat().st_mode
    except OSError:
        return _unplaced(
            relative,
            "file_inaccessible",
            "the file cannot be accessed (permissions, a broken link)",
            "het bestand is niet toegankelijk (rechten, een verbroken koppeling)",
        )
    if not stat.S_ISREG(mode):
        return _unplaced(
            relative,
            "not_a_regular_file",
            "not a regular file (a pipe, socket or device)",
            "geen gewoon bestand (een pipe, socket of apparaat)",
        )
    return None


def _place(relative: Path, catalog: Catalog) -> tuple[str, date] | UnplacedFile:
    """(partner, delivery date) of a file's place in the inbox, or why it has none."""
    shown = relative.as_posix()
    parts = relative.parts
    if any(part.startswith(".") for part in parts):
        return _unplaced(
            shown,
            "hidden_file",
            "a hidden file (still being uploaded?); deliveries are not hidden",
            "een verborgen bestand (wordt het nog geüpload?); leveringen zijn niet verborgen",
        )
    known = sorted(catalog.partners)
    if len(parts) == 1:
        return _unplaced(
            shown,
            "not_in_partner_folder",
            f"not in a partner folder; deliveries go in <partner>/ ({', '.join(known)})",
            f"niet in een partnermap; leveringen horen in <partner>/ ({', '.join(known)})",
        )
    folder = parts[0]
    spec = catalog.partners.get(folder)
    if spec is None:
        same = [name for name in known if name.lower() == folder.lower()]
        if same:
            return _unplaced(
                shown,
                "partner_folder_case",
                f"the partner folder is spelled in other case; use '{same[0]}/'",
                f"de partnermap is met andere hoofdletters geschreven; gebruik '{same[0]}/'",
            )
        return _unplaced(
            shown,
            "unknown_partner",
            f"an unknown partner folder; known partners: {', '.join(known)}",
            f"een onbekende partnermap; bekende partners: {', '.join(known)}",
        )
    if len(parts) > 2:
        return _unplaced(
            shown,
            "folder_too_deep",
            f"in a subfolder; deliveries go directly in {folder}/",
            f"in een submap; leveringen horen direct in {folder}/",
        )
    name = parts[1]
    expected = f"<YYYY-MM-DD>.{spec.extension}"
    if _COPY_OR_BACKUP.search(name):
        return _unplaced(
            shown,
            "copy_or_backup",
            f"looks like a copy or backup; a delivery is named {expected}",
            f"lijkt een kopie of back-up; een levering heet {expected}",
        )
    match = _DELIVERY_NAME.fullmatch(name)
    if match is None and not re.fullmatch(r"[A-Za-z0-9._ -]*", name, re.ASCII):
        return _unplaced(
            shown,
            "odd_characters",
            f"the name has characters other than those of {expected} (digits 0-9, '-', '.')",
            f"de naam bevat andere tekens dan die van {expected} (cijfers 0-9, '-', '.')",
        )
    if match is None:
        return _unplaced(
            shown,
            "name_not_a_date",
            f"the name is not {expected}",
            f"de naam is niet {expected}",
        )
    if match.group(4).lower() != spec.extension:
        return _unplaced(
            shown,
            "wrong_extension",
            f"extension .{match.group(4)} is not this partner's .{spec.extension}",
            f"extensie .{match.group(4)} is niet de .{spec.extension} van deze partner",
        )
    delivered = delivery_date_of(name, spec.extension)
    if delivered is None:
        return _unplaced(
            shown,
            "impossible_date",
            "the date in the name does not exist",
            "de datum in de naam bestaat niet",
        )
    return spec.partner_id, delivered


def discover_deliveries(inbox: Path, catalog: Catalog, as_of: date | None = None) -> Inbox:
    """Deliveries of known partners dated on or before ``as_of``, by date then partner.

    Within one partner and date the canonical name (lower-case extension) comes first, so
    that of two spellings of one delivery (``.xlsx`` and ``.XLSX``) that one is read and the
    other refused as a second file for the same date.
    """
    deliveries: list[Delivery] = []
    unplaced: list[UnplacedFile] = []
    waiting: list[UnplacedFile] = []
    if not inbox.is_dir():
        raise FileNotFoundError(f"the inbox {inbox} does not exist")
    for path in sorted(inbox.rglob("*")):
        relative = path.relative_to(inbox)
        if path.name in _IGNORED or (path.is_dir() and not path.is_symlink()):
            continue
        problem = _file_problem(path, inbox, relative.as_posix())
        place = problem or _place(relative, catalog)
        if isinstance(place, UnplacedFile):
            unplaced.append(place)
            continue
        partner, delivered = place
        if as_of is not None and delivered > as_of:
            waiting.append(
                _unplaced(
                    relative.as_posix(),
                    "dated_after_night",
                    f"dated after {as_of.isoformat()}: read on its own night",
                    f"gedateerd na {as_of.isoformat()}: wordt op die nacht gelezen",
                )
            )
            continue
        deliveries.append(Delivery(partner, delivered, path, relative.as_posix()))
    deliveries.sort(
        key=lambda d: (d.delivery_date, d.partner, d.path.suffix != d.path.suffix.lower())
    )
    return Inbox(deliveries=deliveries, unplaced=unplaced, waiting=waiting)


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
