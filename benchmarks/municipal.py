"""Benchmark: the municipal night and the demo year on the committed sample (data/sample).

    .venv/bin/python -m benchmarks.municipal [--night 2026-06-03] [--skip-demo]

* **Municipal night** (target ≤ 3 s including the flow): the sample's history is replayed up to
  the night before (not measured), then one night with one monthly delivery (zorg on the 3rd,
  ≈400 rows among ≈24,000 households) runs through the real nightly flow in its own process
  (``benchmarks.night_run``): the flow's wall time, the stages, and separately what a cold
  ``vroegsignaal run`` adds (imports, temporary Prefect server).
* **Demo year** (target ≤ 90 s after install): ``vroegsignaal demo`` timed as a user runs it.

Figures are printed and written to ``benchmarks/results/municipal-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.national import RESULTS, ROOT, machine

SAMPLE = ROOT / "data" / "sample"


def municipal_night(night: date, work: Path, dask_workers: int = 0) -> dict:
    data_dir = work / f"municipal-{night.isoformat()}-{dask_workers}"
    shutil.rmtree(data_dir, ignore_errors=True)
    out = data_dir / "result.json"
    command = [
        sys.executable, "-m", "benchmarks.night_run",
        "--inbox", str(SAMPLE / "inbox"), "--reference", str(SAMPLE / "reference" / "adressen.csv"),
        "--night", night.isoformat(), "--data-dir", str(data_dir), "--json", str(out),
        "--prepare-until", (night - timedelta(days=1)).isoformat(),
        "--dask-workers", str(dask_workers),
    ]  # fmt: skip
    log = work / f"{data_dir.name}.log"
    with log.open("w", encoding="utf-8") as handle:
        subprocess.run(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, check=True)
    result: dict = json.loads(out.read_text(encoding="utf-8"))
    return result


def demo_year() -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "vroegsignaal"), "demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    return {"wall_seconds": round(wall, 1), "summary_tail": done.stdout.splitlines()[-12:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--night", type=date.fromisoformat, default=date(2026, 6, 3))
    parser.add_argument("--work", type=Path, default=Path("/tmp/vs-bench"))
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-night", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result: dict = {}
    if not args.skip_night:
        night = municipal_night(args.night, args.work)
        result["municipal_night"] = night
        print(f"municipal night {night['night']}: {night['rows']} rows, flow wall "
              f"{night['wall_seconds']:.2f} s (target ≤ 3 s), of which flow overhead "
              f"{night['flow_overhead_seconds']:.2f} s; a cold 'vroegsignaal run' adds imports "
              f"{night['imports_seconds']:.1f} s and the temporary Prefect server "
              f"{night['prefect_server_start_seconds']:.1f} s")  # fmt: skip
        for stage, seconds in night["stage_seconds"].items():
            print(f"  {stage:<12}{seconds:>8.2f} s")
    if not args.skip_demo:
        demo = demo_year()
        result["demo_year"] = demo
        print(f"demo year (vroegsignaal demo): {demo['wall_seconds']:.1f} s (target ≤ 90 s)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"municipal-{stamp}.json"
    result.update(measured_at=stamp, machine=machine())
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"figures → {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
