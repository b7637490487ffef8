"""One measured night in a process of its own (so peak memory is the night's alone).

    .venv/bin/python -m benchmarks.night_run --inbox DIR/inbox \
        --reference DIR/reference/adressen.csv --night 2026-03-09 --data-dir /tmp/x \
        [--database-url URL] [--dask-workers N] [--prepare-until 2026-06-02] --json out.json

Runs the real nightly flow (``flows.runner.nightly_for``, what ``vroegsignaal run`` calls) on a
temporary Prefect server, with every stage function wrapped by ``benchmarks.instrument``.
``--prepare-until`` first replays the earlier nights (not measured), so the measured night
finds the history a real installation has.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any


def _keys() -> dict[str, str]:
    # Fresh random keys: the benchmark must not need, nor be allowed, the demo keys.
    fernet = [base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() for _ in range(2)]
    return {
        "VS_PSEUDONYM_KEY": secrets.token_hex(32),
        "VS_VAULT_KEY": fernet[0],
        "VS_RAW_KEY": fernet[1],
    }


def database_size(url: str) -> int:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT pg_database_size(current_database())"))
                       .scalar_one())  # fmt: skip
    finally:
        engine.dispose()


@contextmanager
def _profiled(target: Path | None) -> Iterator[None]:
    """A pyinstrument profile of the block, as text, when ``target`` is given."""
    if target is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        target.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--reference", type=Path, required=True)
    parser.add_argument("--night", type=date.fromisoformat, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--dask-workers", type=int, default=0)
    parser.add_argument("--prepare-until", type=date.fromisoformat, default=None)
    parser.add_argument("--prepare-from", type=date.fromisoformat, default=None)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--profile", type=Path, default=None, help="pyinstrument text profile")
    args = parser.parse_args()

    args.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(_keys())
    os.environ.update(
        VS_INBOX=str(args.inbox.resolve()),
        VS_REFERENCE=str(args.reference.resolve()),
        VS_DATA_DIR=str(args.data_dir.resolve()),
        VS_DASK_LOCAL_WORKERS=str(args.dask_workers),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_HOME=str(args.data_dir.resolve() / "prefect-home"),
    )
    if args.database_url:
        os.environ["VS_DATABASE_URL"] = args.database_url
    os.environ.pop("VS_DASK_ADDRESS", None)

    started = time.perf_counter()
    from prefect.testing.utilities import prefect_test_harness

    from benchmarks.instrument import instrumented, peak_rss_bytes
    from connectors.database.migrate import upgrade
    from connectors.settings import get_settings
    from flows.resources import _resources, reference_addresses
    from flows.runner import nightly_for

    imports = time.perf_counter() - started
    settings = get_settings()
    url = settings.resolved_database_url
    upgrade(url)  # an installation's database exists; the flow still checks it
    result: dict[str, Any] = {"imports_seconds": round(imports, 2)}
    with prefect_test_harness(server_startup_timeout=120):
        result["prefect_server_start_seconds"] = round(time.perf_counter() - started - imports, 2)
        if args.prepare_until is not None:
            from flows.backfill import backfill

            prepared = time.perf_counter()
            backfill(start=args.prepare_from or date(2000, 1, 1), end=args.prepare_until)
            result["prepare_seconds"] = round(time.perf_counter() - prepared, 2)
        _resources.cache_clear()  # the measured night pays its own resource set-up
        reference_addresses.cache_clear()
        flow = nightly_for(get_settings())
        with instrumented() as meter, _profiled(args.profile):
            began = time.perf_counter()
            report = flow(as_of=args.night)
            wall = time.perf_counter() - began
    rows = sum(f.received for f in report.partners.values())
    stages = {k: round(v, 3) for k, v in sorted(meter.seconds.items(), key=lambda kv: -kv[1])}
    result.update(
        night=args.night.isoformat(),
        database="postgresql" if url.startswith("postgresql") else "sqlite",
        dask_workers=args.dask_workers,
        rows=rows,
        accepted=sum(f.accepted for f in report.partners.values()),
        quarantined=sum(f.quarantined for f in report.partners.values()),
        signals_decided=report.signals_decided,
        cases_opened=report.cases_opened,
        wall_seconds=round(wall, 3),
        stage_seconds=stages,
        flow_overhead_seconds=round(wall - sum(meter.seconds.values()), 3),
        flow_stage_seconds={k: round(v, 3) for k, v in report.stage_seconds.items()},
        rows_per_second={k: round(rows / v) for k, v in stages.items() if v > 0},
        peak_rss_bytes=peak_rss_bytes(),
        stage_peak_rss_bytes=dict(sorted(meter.peak_rss.items())),
        database_bytes=database_size(url),
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
