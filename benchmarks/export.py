"""Benchmark: the outreach task-list export (frame, CSV, XLSX) and the vault's reveal.

    .venv/bin/python -m benchmarks.export [--tasks 10000 100000] [--profile out.html]

Each size runs in a fresh process (so peak RSS is that size's own): synthetic open tasks in
``TASK_SCHEMA`` with texts as long as a real night's (bulk benchmark, 10k households: reason
≈130, news ≈240 characters), three teams split 83/16/1 %, one sealed address per household.
Prints seconds and rows/s per step and the process's peak RSS (VmHWM). ``--profile`` writes
a pyinstrument profile (HTML for ``.html``, else text) of the XLSX writer for the first size.
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

AS_OF = date(2026, 3, 9)
TEAMS = ("Maatschappelijk werk", "Loket Geldzaken", "Jong Hoogeveen")
TEAM_SHARE = (0.83, 0.16, 0.01)


def synthetic_tasks(n: int, seed: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` open tasks (TASK_SCHEMA) and their households' addresses, built column-wise."""
    from signals.schema import TASK_SCHEMA, conform

    rng = np.random.default_rng(seed)
    keys = np.char.add("h", np.arange(n).astype(str))
    team = rng.choice(np.array(TEAMS), size=n, p=TEAM_SHARE)
    amount = rng.gamma(2.0, 900.0, size=n).round(2)
    months = rng.uniform(2, 9, size=n).round(1).astype(str)
    reason = pd.Series(
        np.char.add(
            np.char.add("Huurachterstand van ", months),
            " maanden; gezamenlijk huisbezoek met Domesta; Crisissignaal (ontruiming "
            "aangevraagd): eerste contact binnen 3 werkdagen (beleid hoogeveen-2026.1)",
        )
    )
    news = pd.Series(
        np.char.add(
            np.char.add("Nieuw op 09-03-2026: nieuwe huurachterstand van € ", amount.astype(str)),
            "; nieuwe energieachterstand van € 961,74; nieuwe energieachterstand van € 714,38;"
            " nieuwe premieachterstand zorgverzekering van € 130,57; ontruiming aangevraagd",
        )
    )
    # A few texts that look like formulas (a partner's wijk name), as the hostile corpus has.
    wijk = rng.choice(np.array(["Hoogeveen-Centrum", "Krakeel", "De Weide", "=1+1", "-Oost"]), n)
    frame = pd.DataFrame(
        {
            "task_id": np.char.add("taak-", np.arange(n).astype(str)),
            "case_id": np.char.add("zaak-", np.arange(n).astype(str)),
            "household_key": keys,
            "team": team,
            "contact_kind": "Huisbezoek",
            "joint_with": np.where(rng.random(n) < 0.4, "Domesta", None),
            "due_date": pd.Timestamp("2026-03-12")
            + pd.to_timedelta(rng.integers(0, 40, n), unit="D"),
            "priority": np.arange(1, n + 1),
            "band": rng.integers(1, 5, n),
            "team_rank": pd.Series(team).groupby(team).cumcount().to_numpy() + 1,
            "planned_week": "2026-W11",
            "over_capacity": rng.random(n) < 0.1,
            "plan_status": rng.choice(np.array(["deze week", "later"]), n),
            "reason_nl": reason,
            "news_nl": news,
            "suggestions": "Voorzieningenwijzer; Schuldhulpmaatje",
            "signal_partners": "domesta,energie,zorg",
            "total_amount": amount,
            "wijk": wijk,
            "status": "open",
            "created_on": pd.Timestamp(AS_OF),
        }
    )
    tasks = conform(frame, TASK_SCHEMA)
    postcode = np.char.add(
        rng.integers(7900, 7910, n).astype(str),
        np.array(["KL", "RT", "AB", "XZ"])[rng.integers(0, 4, n)],
    )
    addresses = pd.DataFrame(
        {
            "household_key": keys,
            "postcode": postcode,
            "huisnummer": pd.array(rng.integers(1, 300, n), dtype="Int64"),
            "toevoeging": rng.choice(np.array(["", "", "", "A", "B"]), n),
        }
    ).astype({"household_key": "string", "postcode": "string", "toevoeging": "string"})
    return tasks, addresses


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_one(n: int, profile: Path | None) -> dict[str, Any]:
    """Time each step for ``n`` tasks in this process."""
    from cryptography.fernet import Fernet

    from connectors.exports import task_list as tl
    from connectors.exports.outreach import EXPORT_ROLE
    from connectors.vault import ContactVault

    tasks, addresses = synthetic_tasks(n)
    vault = ContactVault(Fernet.generate_key())
    sealed = vault.seal_contacts(addresses)
    figures: dict[str, Any] = {"tasks": n}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        revealed = [
            vault.reveal_addresses(sealed, EXPORT_ROLE, team, tasks) for team in sorted(TEAMS)
        ]
        figures["reveal_s"] = time.perf_counter() - started
        opened = pd.concat(revealed, ignore_index=True)
        started = time.perf_counter()
        frame = tl.task_list_frame(tasks, opened)
        figures["frame_s"] = time.perf_counter() - started
        started = time.perf_counter()
        tl.write_task_list_csv(frame, out / "lijst.csv")
        figures["csv_s"] = time.perf_counter() - started
        profiler = None
        if profile is not None:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        started = time.perf_counter()
        tl.write_task_list_xlsx(frame, out / "lijst.xlsx", "Takenlijst")
        figures["xlsx_s"] = time.perf_counter() - started
        if profiler is not None and profile is not None:
            profiler.stop()
            html = profile.suffix == ".html"
            text = profiler.output_html() if html else profiler.output_text(color=False)
            profile.write_text(text, encoding="utf-8")
        figures["xlsx_mib"] = (out / "lijst.xlsx").stat().st_size / 2**20
        started = time.perf_counter()
        tl.write_task_lists(tasks, opened, out / "teams", as_of=AS_OF)
        figures["write_task_lists_s"] = time.perf_counter() - started
    figures["export_s"] = figures["reveal_s"] + figures["write_task_lists_s"]
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--profile", type=Path, help="pyinstrument profile of the XLSX writer")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.tasks[0], args.profile)))
        return
    print(f"{'tasks':>8} {'step':<18} {'seconds':>8} {'rows/s':>10}")
    for index, n in enumerate(args.tasks):
        command = [sys.executable, "-m", "benchmarks.export", "--one", "--tasks", str(n)]
        if args.profile is not None and index == 0:
            command += ["--profile", str(args.profile)]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        for step in ("reveal", "frame", "csv", "xlsx", "write_task_lists", "export"):
            seconds = figures[f"{step}_s"]
            print(f"{n:>8} {step:<18} {seconds:>8.2f} {n / seconds:>10,.0f}")
        print(f"{n:>8} {'xlsx size MiB':<18} {figures['xlsx_mib']:>8.1f}")
        print(f"{n:>8} {'peak RSS MiB':<18} {figures['peak_rss_mib']:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
