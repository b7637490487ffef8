"""Benchmark: replay a synthetic municipality through the nightly flow; print figures per stage.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/replay.py --households 24000 --months 3
    VS_DASK_LOCAL_WORKERS=2 .venv/bin/python benchmarks/replay.py --households 24000 --months 3

It generates the municipality into a temporary directory, replays every delivery night into a
fresh SQLite database (or VS_DATABASE_URL), and prints rows, nights and seconds per stage.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=24_000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=118)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vs-bench-"))
    os.environ.update(
        VS_DEMO="true",
        VS_DATA_DIR=str(work / "var"),
        VS_INBOX=str(work / "town" / "inbox"),
        VS_REFERENCE=str(work / "town" / "reference" / "adressen.csv"),
    )
    from flows.backfill import backfill, delivery_nights
    from synthetic import generate

    started = time.perf_counter()
    summary = generate(args.households, args.months, args.seed, date(2025, 11, 1), work / "town")
    generated = time.perf_counter() - started
    nights = delivery_nights(date(2025, 11, 1), date(2030, 1, 1))
    started = time.perf_counter()
    report = backfill(start=nights[0], end=nights[-2] if len(nights) > 1 else nights[0])
    replayed = time.perf_counter() - started

    rows = sum(f.received for f in report.partners.values())
    print(f"households {summary.households}, months {args.months}, nights {len(nights) - 1}")
    print(f"generate: {generated:.1f} s")
    print(f"replay:   {replayed:.1f} s for {rows} rows ({rows / replayed:.0f} rows/s end to end)")
    for stage, seconds in sorted(report.stage_seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<10} {seconds:8.1f} s")
    print(f"signals triaged {report.signals_decided}, cases opened {report.cases_opened}")


if __name__ == "__main__":
    main()
