"""Write a synthetic municipality: partner inbox, reference addresses and ground truth.

``generate`` is the one entry point (the CLI's ``vroegsignaal generate`` calls it). The same
arguments give byte-identical output: one ``numpy`` generator is threaded through everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthetic import defects as dfx
from synthetic.cadence import monthly_deliveries, weekly_deliveries
from synthetic.cells import ROW_BUILDERS
from synthetic.deliveries import snapshot
from synthetic.population import wijk_figures
from synthetic.truth import household_months, households_truth
from synthetic.world import BURN_IN, CHARGE_COLUMN, World, build_world
from synthetic.writers import FORMATS, text_bytes, write_gzip_csv, xlsx_bytes

PARTNERS = ("domesta", "energie", "water", "zorg", "bank", "nazorg")


@dataclass
class GenerationSummary:
    """What ``generate`` wrote."""

    households: int
    inhabitants: int
    months: int
    rows_per_partner: dict[str, int] = field(default_factory=dict)
    signals_per_partner: dict[str, int] = field(default_factory=dict)  # distinct signal ids
    files_written: list[str] = field(default_factory=list)  # relative to ``out``
    defects: int = 0


def generate(
    households: int, months: int, seed: int, start: date, out: Path, defect_rate: float = 0.01
) -> GenerationSummary:
    """Simulate ``households`` for ``months`` from ``start`` and write them under ``out``."""
    if households < 50 or months < 1:
        raise ValueError("need at least 50 households and 1 month")
    if not 0.0 <= defect_rate <= 0.5:
        raise ValueError("defect_rate must be between 0 and 0.5")
    for sub in ("inbox", "reference", "truth"):
        if (out / sub).exists() and any((out / sub).iterdir()):
            raise FileExistsError(f"{out / sub} is not empty; generate into an empty directory")
    rng = np.random.default_rng(seed)
    world = build_world(households, months, start, rng)
    summary = GenerationSummary(households, int(world.households["inhabitants"].sum()), months)
    signal_rows: list[dict[str, Any]] = []
    defects: list[dfx.Defect] = []
    files = [(p, day, frame) for p in PARTNERS for day, frame in _deliveries(world, p)]
    broken = dfx.broken_files([FORMATS[p] for p, _, _ in files], defect_rate, rng)
    for (partner, delivery, frame), kind in zip(files, broken, strict=True):
        _emit(
            partner,
            delivery,
            frame,
            world,
            kind,
            defect_rate,
            rng,
            out,
            summary,
            signal_rows,
            defects,
        )
    _write_reference(world, out, summary)
    _write_truth(world, out, signal_rows, defects, summary)
    summary.defects = len(defects)
    return summary


def _deliveries(world: World, partner: str) -> list[tuple[date, pd.DataFrame]]:
    """Each delivery date of ``partner`` with the signals (or dossiers) it lists."""
    out = []
    hh = world.households
    if partner == "bank":
        for day in weekly_deliveries(world.start, world.months):
            dates = world.bank["referral_date"]
            keep = (dates < day) & (dates >= day - timedelta(days=28))
            out.append((day, world.bank[keep].reset_index(drop=True)))
        return out
    for month, day in monthly_deliveries(partner, world.start, world.months):
        if partner == "nazorg":
            ends = world.trajectories["end_date"]
            keep = (ends < day) & (ends >= day - timedelta(days=730))
            out.append((day, world.trajectories[keep].reset_index(drop=True)))
            continue
        charge = hh[CHARGE_COLUMN[partner]].to_numpy(float)
        frame = snapshot(partner, world.histories[partner], world.episodes[partner], hh, charge,
                         BURN_IN + month, day, world.due[partner])  # fmt: skip
        out.append((day, frame))
    return out


def _emit(
    partner: str,
    delivery: date,
    frame: pd.DataFrame,
    world: World,
    broken: str | None,
    rate: float,
    rng: np.random.Generator,
    out: Path,
    summary: GenerationSummary,
    signal_rows: list[dict[str, Any]],
    defects: list[dfx.Defect],
) -> None:
    """Format, damage and write one delivery file; record its rows and defects as truth."""
    fmt = FORMATS[partner]
    label = f"{partner}/{delivery.isoformat()}.{fmt.ext}"
    rows = ROW_BUILDERS[partner](frame, world.households, rng)
    id_column = "dossier_id" if partner == "nazorg" else "signal_id"
    meta = [
        {"household_id": world.households["household_id"].iat[int(h)], "signal_id": s}
        for h, s in zip(frame["household"], frame[id_column], strict=True)
    ]
    rows, meta, row_defects = dfx.inject_row_defects(fmt, rows, meta, delivery, rate, rng, label)
    defects.extend(row_defects)
    header = list(fmt.header)
    if broken == "missing_column":
        header, rows, column = dfx.drop_column(fmt, header, rows, rng)
        defects.append(dfx.Defect(label, 1 if fmt.ext != "jsonl" else 0, broken, column))
    if fmt.ext == "xlsx":
        data = xlsx_bytes(header, rows, delivery, "Signalen")
    else:
        data = text_bytes(fmt, header, rows)
    if broken == "truncated_file":
        data, line = dfx.truncate(data, rng)
        defects.append(dfx.Defect(label, line, broken, ""))
    path = out / "inbox" / label
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    summary.files_written.append(f"inbox/{label}")
    summary.rows_per_partner[partner] = summary.rows_per_partner.get(partner, 0) + len(rows)
    first = dfx.first_line(fmt)
    for i, info in enumerate(meta):
        where = {"file": label, "line": first + i, "partner": partner}
        signal_rows.append(
            {**where, "delivery_date": delivery.isoformat(), "duplicate": False, **info}
        )


def _write_reference(world: World, out: Path, summary: GenerationSummary) -> None:
    path = out / "reference" / "adressen.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    world.addresses.to_csv(path, sep=";", index=False, lineterminator="\n", encoding="utf-8")
    summary.files_written.append("reference/adressen.csv")
    wijken = wijk_figures(world.households)
    target = out / "reference" / "wijken.csv"
    wijken.to_csv(target, sep=";", index=False, lineterminator="\n", encoding="utf-8")
    summary.files_written.append("reference/wijken.csv")


def _write_truth(
    world: World,
    out: Path,
    signal_rows: list[dict[str, Any]],
    defects: list[dfx.Defect],
    summary: GenerationSummary,
) -> None:
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    signals = pd.DataFrame(signal_rows)
    first_seen = signals.groupby(["partner", "signal_id"])["delivery_date"].transform("min")
    signals["first_delivery"] = signals["delivery_date"] == first_seen
    signals.loc[signals["duplicate"], "first_delivery"] = False
    summary.signals_per_partner = {
        str(p): int(n) for p, n in signals.groupby("partner")["signal_id"].nunique().items()
    }
    columns = ["file", "line", "kind", "column", "expected"]
    defect_frame = pd.DataFrame([d.as_row() for d in defects], columns=columns)
    outputs = {
        "households.csv.gz": households_truth(world),
        "household_months.csv.gz": household_months(world),
        "signals.csv.gz": signals,
    }
    for name, frame in outputs.items():
        write_gzip_csv(frame, truth / name)
        summary.files_written.append(f"truth/{name}")
    defect_frame.to_csv(truth / "defects.csv", sep=";", index=False, lineterminator="\n")
    summary.files_written.append("truth/defects.csv")
