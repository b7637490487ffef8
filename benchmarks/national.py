"""Benchmark: one bulk delivery night at several sizes, SQLite and PostgreSQL, next to DuckDB.

    .venv/bin/python -m benchmarks.national --households 10000 100000 1000000 \
        [--databases sqlite postgresql] [--dask-workers 0] [--timeout 3600]

For each size the bulk generator (``synthetic.bulk``) writes a reference list and one complete
delivery per large partner (≈5 rows per household; 1M households ≈ 5M rows), cached under
``--work``. Each night then runs through the real nightly flow in a fresh process on a fresh
database (``benchmarks.night_run``), and the DuckDB yardstick (``benchmarks.yardstick``) does the
core of the same night in another. PostgreSQL needs ``VS_TEST_DATABASE_URL`` (a role that may
create databases); a database ``vs_bench`` is dropped and created for each run.
Figures are printed and written to ``benchmarks/results/national-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
NIGHT = date(2026, 3, 9)
SEED = 118
#: Our stages that the yardstick's core covers, and its steps that stand for them.
COVERED: dict[str, tuple[str, ...]] = {
    "read": ("read",),
    "validate": ("normalise",),
    "link": ("join+hash",),
    "triage": ("aggregate", "classify"),
}


def generated(households: int, work: Path) -> Path:
    """The bulk night of ``households`` (generated once, then reused)."""
    from synthetic.bulk import write_bulk_night

    town = work / f"town-{households}"
    marker = town / ".complete"
    if not marker.exists():
        shutil.rmtree(town, ignore_errors=True)
        started = time.perf_counter()
        summary = write_bulk_night(households, SEED, NIGHT, town)
        marker.write_text(json.dumps(summary.rows_per_partner), encoding="utf-8")
        print(f"generated {households} households in {time.perf_counter() - started:.1f} s: "
              f"{summary.rows_per_partner}", flush=True)  # fmt: skip
    return town


def fresh_postgres() -> str:
    import sqlalchemy as sa

    admin = os.environ.get("VS_TEST_DATABASE_URL")
    if not admin:
        raise SystemExit("PostgreSQL: set VS_TEST_DATABASE_URL to a role that may create databases")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS vs_bench WITH (FORCE)"))
        connection.execute(sa.text("CREATE DATABASE vs_bench"))
    engine.dispose()
    return sa.make_url(admin).set(database="vs_bench").render_as_string(hide_password=False)


def run_night(town: Path, database: str, dask_workers: int, work: Path, timeout: int) -> dict:
    data_dir = work / f"run-{town.name}-{database}-{dask_workers}"
    shutil.rmtree(data_dir, ignore_errors=True)
    out = data_dir / "result.json"
    command = [
        sys.executable, "-m", "benchmarks.night_run",
        "--inbox", str(town / "inbox"), "--reference", str(town / "reference" / "adressen.csv"),
        "--night", NIGHT.isoformat(), "--data-dir", str(data_dir), "--json", str(out),
        "--dask-workers", str(dask_workers),
    ]  # fmt: skip
    if database == "postgresql":
        command += ["--database-url", fresh_postgres()]
    log = work / f"{data_dir.name}.log"
    started = time.perf_counter()
    try:
        with log.open("w", encoding="utf-8") as handle:
            subprocess.run(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                           timeout=timeout, check=True)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"failed": f"not finished after {timeout} s", "log": str(log)}
    except subprocess.CalledProcessError as error:
        return {"failed": f"exit status {error.returncode}", "log": str(log)}
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["process_seconds"] = round(time.perf_counter() - started, 2)
    return result


def run_yardstick(town: Path, work: Path, timeout: int) -> dict:
    out = work / f"yardstick-{town.name}.json"
    command = [sys.executable, "-m", "benchmarks.yardstick", "--town", str(town),
               "--night", NIGHT.isoformat(), "--json", str(out)]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, timeout=timeout)
    result: dict = json.loads(out.read_text(encoding="utf-8"))
    return result


def print_table(rows: list[dict]) -> None:
    stages = ["read", "validate", "link", "seal", "store", "state", "triage-load", "triage",
              "tasks", "triage-save", "export", "data-docs"]  # fmt: skip
    for row in rows:
        night = row["night"]
        print(f"\n{row['households']:>9,} households, {row['database']}, "
              f"dask workers {row['dask_workers']}")  # fmt: skip
        if "failed" in night:
            print(f"  FAILED: {night['failed']} (log: {night['log']})")
            continue
        duck = row.get("yardstick", {}).get("stage_seconds", {})
        print(f"  {night['rows']:,} rows, wall {night['wall_seconds']:.1f} s "
              f"({night['rows'] / night['wall_seconds']:,.0f} rows/s), "
              f"peak RSS {night['peak_rss_bytes'] / 2**30:.2f} GiB, "
              f"database {night['database_bytes'] / 2**20:,.0f} MiB, "
              f"flow overhead {night['flow_overhead_seconds']:.1f} s")  # fmt: skip
        print(f"  {'stage':<12}{'seconds':>9}{'rows/s':>12}{'peak RSS MiB':>14}"
              f"{'DuckDB s':>10}{'ratio':>8}")  # fmt: skip
        for stage in stages:
            seconds = night["stage_seconds"].get(stage)
            if seconds is None:
                continue
            rss = night["stage_peak_rss_bytes"].get(stage, 0) / 2**20
            rate = night["rows_per_second"].get(stage, 0)
            line = f"  {stage:<12}{seconds:>9.2f}{rate:>12,}{rss:>14,.0f}"
            if stage in COVERED and duck:
                theirs = sum(duck.get(s, 0.0) for s in COVERED[stage])
                line += f"{theirs:>10.2f}{seconds / max(theirs, 1e-3):>8.1f}"
            print(line)
        if duck:
            ours = sum(night["stage_seconds"].get(s, 0.0) for s in COVERED)
            theirs = sum(duck.get(s, 0.0) for steps in COVERED.values() for s in steps)
            print(f"  covered stages: ours {ours:.1f} s, DuckDB {theirs:.1f} s "
                  f"(all of DuckDB's core incl. aggregate {row['yardstick']['wall_seconds']:.1f} s,"
                  f" peak {row['yardstick']['peak_rss_bytes'] / 2**30:.2f} GiB), "
                  f"ratio {ours / max(theirs, 1e-3):.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite"],
                        choices=["sqlite", "postgresql"])  # fmt: skip
    parser.add_argument("--dask-workers", type=int, nargs="+", default=[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/vs-bench"))
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per night")
    parser.add_argument("--no-yardstick", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    rows: list[dict] = []
    for households in args.households:
        town = generated(households, args.work)
        yardstick = {} if args.no_yardstick else run_yardstick(town, args.work, args.timeout)
        for database in args.databases:
            for workers in args.dask_workers:
                night = run_night(town, database, workers, args.work, args.timeout)
                rows.append({"households": households, "database": database,
                             "dask_workers": workers, "night": night,
                             "yardstick": yardstick})  # fmt: skip
                print_table(rows[-1:])
    print("\n=== summary ===")
    print_table(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"national-{stamp}.json"
    path.write_text(json.dumps({"measured_at": stamp, "machine": machine(), "runs": rows},
                               indent=2) + "\n", encoding="utf-8")  # fmt: skip
    print(f"\nfigures → {path.relative_to(ROOT)}")


def machine() -> dict[str, Any]:
    import platform

    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "load_average": os.getloadavg()}  # fmt: skip


if __name__ == "__main__":
    main()
