"""The optional wijk key figures (``reference/wijken.csv``): denominators of "per 1,000"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from signals.schema import STRING

WIJK_COLUMNS = ("wijkcode", "wijknaam", "inwoners", "huishoudens")
#: The file's name next to the address list (FEEDS.md).
WIJKEN_FILE = "wijken.csv"


class WijkFiguresError(ValueError):
    """``wijken.csv`` is unusable; the message names lines and columns."""


def wijken_path(reference: Path) -> Path:
    """Where ``wijken.csv`` lies for the address list ``reference`` (the same folder)."""
    return reference.parent / WIJKEN_FILE


def read_wijken(path: Path) -> pd.DataFrame | None:
    """Households and inhabitants per wijk: ``wijkcode``, ``wijknaam`` (string), ``inwoners``,
    ``huishoudens`` (int64), one row per wijk. ``None`` when the file does not exist: without
    it, figures per 1,000 are not shown.
    """
    if not path.exists():
        return None
    try:
        text = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise WijkFiguresError(f"cannot read {path.name}: {type(error).__name__}") from None
    text.columns = [str(name).strip() for name in text.columns]
    absent = [name for name in WIJK_COLUMNS if name not in text.columns]
    if absent:
        raise WijkFiguresError(f"{path.name} lacks column(s): {', '.join(absent)}")
    out = pd.DataFrame(
        {name: text[name].str.strip().astype(STRING) for name in ("wijkcode", "wijknaam")}
    )
    for name in ("inwoners", "huishoudens"):
        value = text[name].str.strip()
        bad = ~value.str.fullmatch(r"\d+")
        if bad.any():
            lines = ", ".join(str(i + 2) for i in bad[bad].index[:10])
            raise WijkFiguresError(
                f"{path.name}: {name} is not a whole number ≥ 0 on line(s) {lines}"
            )
        out[name] = value.astype("int64")
    empty = out["wijkcode"] == ""
    if empty.any():
        lines = ", ".join(str(i + 2) for i in empty[empty].index[:10])
        raise WijkFiguresError(f"{path.name}: wijkcode is empty on line(s) {lines}")
    twice = out["wijkcode"].duplicated(keep=False)
    if twice.any():
        lines = ", ".join(str(i + 2) for i in twice[twice].index[:10])
        raise WijkFiguresError(f"{path.name}: the same wijkcode is listed twice on line(s) {lines}")
    return out
