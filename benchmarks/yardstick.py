"""The DuckDB yardstick: the core of a bulk night in plain SQL, step by step.

    .venv/bin/python -m benchmarks.yardstick --town /tmp/vs-bench/town-100000 --night 2026-03-09

What it does is what our night must do at least, without the rest (no validation report, no
quarantine records, no sealing, no history, no cases, tasks or exports): read the three partner
CSVs in their dialects (``read``), parse numbers and dates and normalise the addresses
(``normalise``), join the reference list and compute the keyed household hash (``join+hash``:
SHA-256 over key and address, as expensive as our HMAC), aggregate per household (``aggregate``)
and classify (``classify``: enkelvoudig / meervoudig, a picked-up flag by the rent threshold).
It runs in a process of its own; the figures go to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import duckdb

DIALECTS = {  # partner: (delimiter, encoding, columns: canonical ← source)
    "domesta": (";", "utf-8", {"signal_id": "signaal_id", "postcode": "postcode",
                               "huisnummer": "huisnummer", "toevoeging": "toevoeging",
                               "amount": "achterstand_bedrag", "since": "ontstaansdatum",
                               "signal_date": "signaaldatum"}, "%d-%m-%Y", True),
    "energie": (",", "utf-8", {"signal_id": "signal_id", "postcode": "postcode",
                               "huisnummer": "house_number", "toevoeging": "house_number_suffix",
                               "amount": "arrears_amount", "since": "arrears_since",
                               "signal_date": "signal_date"}, "%Y-%m-%d", False),
    "zorg": (";", "latin-1", {"signal_id": "SIGNAALNR", "postcode": "POSTCODE",
                              "huisnummer": "HUISNR", "toevoeging": "HUISNR_TOEV",
                              "amount": "ACHTERSTAND", "since": "DATUM_ONTSTAAN",
                              "signal_date": "DATUM_SIGNAAL"}, "%Y%m%d", True),
}  # fmt: skip


def peak_rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--town", type=Path, required=True)
    parser.add_argument("--night", type=date.fromisoformat, required=True)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    seconds: dict[str, float] = {}

    def step(name: str, sql: str) -> None:
        started = time.perf_counter()
        con.execute(sql)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    reads = []
    for partner, (sep, encoding, columns, _, _) in DIALECTS.items():
        path = args.town / "inbox" / partner / f"{args.night.isoformat()}.csv"
        select = ", ".join(f'"{source}" AS {name}' for name, source in columns.items())
        step("read", f"""CREATE TABLE raw_{partner} AS SELECT '{partner}' AS partner, {select}
            FROM read_csv('{path}', delim='{sep}', header=true, all_varchar=true,
                          encoding='{encoding}')""")  # fmt: skip
        reads.append(partner)
    step(
        "read",
        f"""CREATE TABLE reference AS SELECT * FROM read_csv(
        '{args.town / "reference" / "adressen.csv"}', delim=';', header=true, all_varchar=true)""",
    )

    parts = []
    for partner in reads:
        _, _, _, date_format, dutch = DIALECTS[partner]
        amount = (
            "TRY_CAST(replace(replace(amount, '.', ''), ',', '.') AS DECIMAL(12, 2))"
            if dutch
            else "TRY_CAST(amount AS DECIMAL(12, 2))"
        )
        parts.append(f"""SELECT partner, signal_id,
            upper(replace(postcode, ' ', '')) AS postcode,
            TRY_CAST(regexp_extract(huisnummer, '^\\s*(\\d+)', 1) AS INTEGER) AS huisnummer,
            upper(trim(coalesce(nullif(toevoeging, ''),
                regexp_extract(huisnummer, '^\\s*\\d+[\\s-]*(\\w*)', 1)))) AS toevoeging,
            {amount} AS amount,
            try_strptime(since, '{date_format}')::DATE AS since,
            try_strptime(signal_date, '{date_format}')::DATE AS signal_date
            FROM raw_{partner}""")  # fmt: skip
    step("normalise", "CREATE TABLE signals AS " + " UNION ALL ".join(parts))
    step(
        "normalise",
        """CREATE TABLE ref AS SELECT upper(replace(postcode, ' ', '')) AS postcode,
        CAST(huisnummer AS INTEGER) AS huisnummer, upper(trim(coalesce(toevoeging, '')))
        AS toevoeging, wijkcode FROM reference""",
    )
    step(
        "join+hash",
        """CREATE TABLE linked AS SELECT s.*, r.wijkcode,
        sha256('benchmark-key|' || s.postcode || '|' || s.huisnummer || '|' || s.toevoeging)
        AS household_key
        FROM signals s JOIN ref r USING (postcode, huisnummer, toevoeging)
        WHERE s.postcode SIMILAR TO '[1-9][0-9]{3}[A-Z]{2}' AND s.amount > 0
          AND s.since IS NOT NULL AND s.signal_date IS NOT NULL""",
    )
    step(
        "aggregate",
        """CREATE TABLE households AS SELECT household_key, any_value(wijkcode)
        AS wijkcode, count(DISTINCT partner) AS partners, count(*) AS signals,
        sum(amount) AS amount, max(signal_date - since) AS oldest_days,
        bool_or(partner = 'domesta' AND amount >= 1000) AS rent_threshold
        FROM linked GROUP BY household_key""",
    )
    step(
        "classify",
        """CREATE TABLE decisions AS SELECT l.partner, l.signal_id,
        l.household_key, CASE WHEN h.partners > 1 THEN 'meervoudig' ELSE 'enkelvoudig' END
        AS case_kind, (h.rent_threshold OR h.partners > 1 OR l.amount >= 250) AS picked_up
        FROM linked l JOIN households h USING (household_key)""",
    )
    counts = {
        name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
        for name in ("signals", "linked", "households", "decisions")
    }
    result = {
        "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
        "wall_seconds": round(sum(seconds.values()), 3),
        "counts": counts,
        "peak_rss_bytes": peak_rss_bytes(),
        "threads": args.threads,
        "duckdb": duckdb.__version__,
    }
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
