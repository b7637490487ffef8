"""The municipality's address list (BAG extract with neighbourhood codes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from signals.address import house_number_failed, normalise_address
from signals.schema import STRING

REFERENCE_COLUMNS = ("postcode", "huisnummer", "toevoeging", "wijkcode", "wijknaam", "buurtcode")
#: Longest text the database keeps per neighbourhood column (connectors/database/models.py).
MAX_LENGTH = {"wijkcode": 20, "wijknaam": 200, "buurtcode": 20}
#: Optional (FEEDS.md): the BAG's street name and place, shown on the team's own tasks.
OPTIONAL_COLUMNS = ("straat", "woonplaats")


class AddressListError(ValueError):
    """The address list is unusable; the message names lines, never addresses."""


def _lines(mask: pd.Series) -> str:
    # Header is line 1, so row i of the frame is on line i + 2.
    return ", ".join(str(i + 2) for i in mask[mask].index[:10])


def _read_text(path: Path) -> pd.DataFrame:
    """Every cell as text ("" when empty). Arrow's reader first (a national list of millions
    of addresses in seconds); anything it refuses is read by pandas' own parser, whose errors
    are the ones reported."""
    options: dict[str, Any] = {"sep": ";", "keep_default_na": False, "encoding": "utf-8-sig"}
    try:
        return pd.read_csv(path, dtype="string", na_values=[], engine="pyarrow", **options)
    except Exception:  # any refusal: the C parser decides and explains
        return pd.read_csv(path, dtype=str, **options).astype("string")


def read_reference(path: Path) -> pd.DataFrame:
    """Addresses with normalised ``postcode``, ``huisnummer`` (Int64), ``toevoeging`` ("" when
    none), and ``wijkcode``, ``wijknaam``, ``buurtcode`` (string). One row per address.
    ``straat`` and ``woonplaats`` (string, missing when empty) follow when the list has them.
    """
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as error:
        # ValueError covers pandas' EmptyDataError and NUL bytes: never a traceback of content.
        raise AddressListError(
            f"cannot read the address list {path.name}: {type(error).__name__}"
        ) from None
    if text.empty:
        raise AddressListError(f"{path.name} holds no addresses (header only)")
    text.columns = [str(name).strip() for name in text.columns]
    absent = [name for name in REFERENCE_COLUMNS if name not in text.columns]
    if absent:
        raise AddressListError(f"{path.name} lacks column(s): {', '.join(absent)}")
    failed = house_number_failed(text["huisnummer"]) | (text["huisnummer"].str.strip() == "")
    if failed.any():
        raise AddressListError(
            f"{path.name}: huisnummer is not an integer on line(s) {_lines(failed)}"
        )
    address = normalise_address(text["postcode"], text["huisnummer"], text["toevoeging"])
    duplicated = address.duplicated(keep=False)
    if duplicated.any():
        raise AddressListError(
            f"{path.name}: the same address is listed twice on line(s) {_lines(duplicated)}"
        )
    for name in ("wijkcode", "wijknaam", "buurtcode"):
        address[name] = text[name].str.strip().astype(STRING)  # type: ignore[call-overload]
        too_long = address[name].str.len().gt(MAX_LENGTH[name]).fillna(False)
        if too_long.any():
            raise AddressListError(
                f"{path.name}: {name} is longer than {MAX_LENGTH[name]} characters on "
                f"line(s) {_lines(too_long.astype(bool))}"
            )
    for name in OPTIONAL_COLUMNS:
        if name in text.columns:
            value = text[name].str.strip().astype(STRING)  # type: ignore[call-overload]
            address[name] = value.mask(value == "")
    return address.reset_index(drop=True)
