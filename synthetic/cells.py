"""Cells of each partner's rows, in its dialect, with the harmless spelling variants partners
really use (``7906kl``, ``7906KL``, lower-case suffixes). Those variants are valid input."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from synthetic.writers import Row, amount_nl

#: Share of rows per partner spelling the postcode without space / in lower case.
_STYLE: dict[str, tuple[float, float]] = {
    "domesta": (0.1, 0.1),
    "energie": (0.85, 0.0),
    "water": (0.0, 0.0),
    "zorg": (0.05, 0.0),
    "bank": (1.0, 0.0),
    "nazorg": (0.0, 0.0),
}


def _addresses(
    partner: str, frame: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator
) -> tuple[list[str], list[int], list[str]]:
    hh = households.iloc[frame["household"].to_numpy()]
    no_space, lower = _STYLE[partner]
    pcs, suffixes = [], []
    for pc, suffix, a, b in zip(
        hh["postcode"], hh["toevoeging"], rng.random(len(hh)), rng.random(len(hh)), strict=True
    ):
        text = pc.replace(" ", "") if a < no_space else pc
        if b < lower:
            text, suffix = text.lower().replace(" ", ""), suffix.lower()
        pcs.append(text)
        suffixes.append(suffix)
    return pcs, [int(x) for x in hh["huisnummer"]], suffixes


def _births(frame: pd.DataFrame, households: pd.DataFrame) -> list[date]:
    stamps = households["head_birth_date"].to_numpy()[frame["household"].to_numpy()]
    return [pd.Timestamp(s).date() for s in stamps]


def domesta_rows(
    frame: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator
) -> list[Row]:
    pcs, numbers, suffixes = _addresses("domesta", frame, households, rng)
    births, d = _births(frame, households), "%d-%m-%Y"
    rows = []
    for i, r in enumerate(_records(frame)):
        months = f"{r.amount / r.charge:.1f}".replace(".", ",")
        rows.append([r.signal_id, pcs[i], str(numbers[i]), suffixes[i], births[i].strftime(d),
                     amount_nl(r.charge), amount_nl(r.amount), months, r.since.strftime(d),
                     r.signal_date.strftime(d), "J" if r.escalated else "N",
                     "J" if r.warm_handover else "N"])  # fmt: skip
    return rows


def energie_rows(
    frame: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator
) -> list[Row]:
    pcs, numbers, suffixes = _addresses("energie", frame, households, rng)
    births = _births(frame, households)
    rows = []
    for i, r in enumerate(_records(frame)):
        eos = r.end_of_supply_date.isoformat() if r.end_of_supply_date else ""
        rows.append([r.signal_id, pcs[i], str(numbers[i]), suffixes[i], births[i].isoformat(),
                     f"{r.amount:.2f}", r.since.isoformat(), r.signal_date.isoformat(),
                     str(r.days_overdue), eos, "true" if r.warm_handover else "false"])  # fmt: skip
    return rows


def water_rows(
    frame: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator
) -> list[Row]:
    pcs, numbers, suffixes = _addresses("water", frame, households, rng)
    births = _births(frame, households)
    rows: list[Row] = []
    for i, r in enumerate(_records(frame)):
        rows.append([r.signal_id, pcs[i], numbers[i], suffixes[i] or None, _dt(births[i]),
                     float(r.amount), _dt(r.since), _dt(r.signal_date)])  # fmt: skip
    return rows


def zorg_rows(frame: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator) -> list[Row]:
    pcs, numbers, suffixes = _addresses("zorg", frame, households, rng)
    births, d = _births(frame, households), "%Y%m%d"
    bsns = households["bsn"].to_numpy()[frame["household"].to_numpy()]
    rows = []
    for i, r in enumerate(_records(frame)):
        rows.append([r.signal_id, str(bsns[i]), pcs[i], str(numbers[i]), suffixes[i],
                     births[i].strftime(d), amount_nl(r.amount, thousands=False),
                     str(r.months_unpaid), r.since.strftime(d), r.signal_date.strftime(d),
                     "1" if r.escalated else "0"])  # fmt: skip
    return rows


def bank_rows(frame: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator) -> list[Row]:
    pcs, numbers, suffixes = _addresses("bank", frame, households, rng)
    rows: list[Row] = []
    for i, r in enumerate(_records(frame)):
        rows.append([r.signal_id, pcs[i], numbers[i], suffixes[i], bool(r.consent),
                     list(r.indicators), r.referral_date.isoformat()])  # fmt: skip
    return rows


def nazorg_rows(
    frame: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator
) -> list[Row]:
    pcs, numbers, suffixes = _addresses("nazorg", frame, households, rng)
    rows: list[Row] = []
    for i, r in enumerate(_records(frame)):
        rows.append([r.dossier_id, pcs[i], str(numbers[i]), suffixes[i],
                     r.end_date.strftime("%d-%m-%Y"), r.outcome])  # fmt: skip
    return rows


def _records(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples; typed loosely because each column holds one known Python type."""
    return list(frame.itertuples(index=False))


def _dt(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


ROW_BUILDERS = {
    "domesta": domesta_rows,
    "energie": energie_rows,
    "water": water_rows,
    "zorg": zorg_rows,
    "bank": bank_rows,
    "nazorg": nazorg_rows,
}
