"""Bulk mode: one large delivery night for benchmarks (10k … 1M households, millions of rows).

``generate`` simulates a calibrated municipality month by month; that is right for the demo and
the tests but holds every household × month in memory and builds rows in Python. A benchmark of
a national processor's night needs volume instead: the three large monthly partners (Domesta,
energy, health insurer) each deliver a complete list in exactly the FEEDS.md format, written
column-wise with numpy and pandas. The addresses and households come from the same population
model as ``generate``; rows per household are a volume setting (several contracts or insured
persons per household), not a calibrated rate. Defects (malformed postcode, non-numeric amount)
are injected at ``defect_rate`` so the quarantine path is exercised too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from synthetic.population import (
    LETTER_PAIRS,
    WIJKEN,
    build_households,
    street_name,
    valid_bsns,
)

#: Mean rows per household in each partner's delivery: about 5 rows per household in all, so
#: 1M households give the ≈5M-row national night of issue 10.
ROWS_PER_HOUSEHOLD: dict[str, float] = {"domesta": 1.6, "energie": 1.6, "zorg": 1.8}


@dataclass
class BulkSummary:
    """What ``write_bulk_night`` wrote."""

    households: int
    addresses: int
    rows_per_partner: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # relative to ``out``
    defects: int = 0


def write_bulk_night(
    households: int,
    seed: int,
    night: date,
    out: Path,
    defect_rate: float = 0.01,
    rows_per_household: dict[str, float] | None = None,
) -> BulkSummary:
    """Write ``reference/adressen.csv`` and one delivery per partner, all dated ``night``."""
    if households < 50:
        raise ValueError("need at least 50 households")
    rng = np.random.default_rng(seed)
    addresses = bulk_addresses(round(households * 1.03), rng)
    hh = build_households(addresses, households, night, rng)
    (out / "reference").mkdir(parents=True, exist_ok=True)
    addresses.to_csv(out / "reference" / "adressen.csv", sep=";", index=False, lineterminator="\n")
    summary = BulkSummary(households, len(addresses), files=["reference/adressen.csv"])
    means = rows_per_household or ROWS_PER_HOUSEHOLD
    for partner, mean in means.items():
        rows = _partner_rows(partner, hh, mean, night, rng)
        summary.defects += _damage(rows, partner, defect_rate, rng)
        label = f"inbox/{partner}/{night.isoformat()}.csv"
        path = out / label
        path.parent.mkdir(parents=True, exist_ok=True)
        sep, encoding, line_end = _DIALECT[partner]
        rows.to_csv(path, sep=sep, index=False, encoding=encoding, lineterminator=line_end)
        summary.rows_per_partner[partner] = len(rows)
        summary.files.append(label)
    return summary


#: House numbers per postcode in the bulk address list.
NUMBERS_PER_POSTCODE = 25


def bulk_addresses(count: int, rng: np.random.Generator) -> pd.DataFrame:
    """``count`` distinct addresses, column-wise: 25 house numbers per postcode, postcodes
    running through 1000 AA … 9999 ZZ (room for 89M addresses), 5% with suffix ``A``; the
    ten wijken of the sample by postcode, a street per postcode."""
    index = np.arange(count)
    block = index // NUMBERS_PER_POSTCODE
    pairs = np.array(LETTER_PAIRS)
    digits = 1000 + block // len(pairs)
    if digits.max(initial=1000) > 9999:
        raise ValueError("too many addresses for the bulk address list")
    postcode = pd.Series(digits.astype(str)) + " " + pd.Series(pairs[block % len(pairs)])
    wijk = digits % len(WIJKEN)
    codes = np.array([w.code for w in WIJKEN])
    names = np.array([w.name for w in WIJKEN])
    places = np.array([w.places[0] for w in WIJKEN])
    streets = np.array([street_name(i) for i in range(500)])
    return pd.DataFrame(
        {
            "postcode": postcode,
            "huisnummer": index % NUMBERS_PER_POSTCODE + 1,
            "toevoeging": np.where(rng.random(count) < 0.05, "A", ""),
            "wijkcode": codes[wijk],
            "wijknaam": names[wijk],
            "buurtcode": pd.Series(codes[wijk]).str.replace("WK", "BU", regex=False)
            + pd.Series(block % 4 + 1).astype(str).str.zfill(2),
            "straat": streets[block % len(streets)],
            "woonplaats": places[wijk],
        }
    )


_DIALECT: dict[str, tuple[str, str, str]] = {
    "domesta": (";", "utf-8-sig", "\r\n"),
    "energie": (",", "utf-8", "\n"),
    "zorg": (";", "latin-1", "\r\n"),
}


def _partner_rows(
    partner: str, hh: pd.DataFrame, mean: float, night: date, rng: np.random.Generator
) -> pd.DataFrame:
    """The partner's complete list: ``floor(mean)`` or one more rows per household."""
    base = int(mean)
    counts = base + (rng.random(len(hh)) < mean - base).astype(int)
    who = np.repeat(np.arange(len(hh)), counts)
    n = len(who)
    people = hh.iloc[who].reset_index(drop=True)
    postcode = people["postcode"].astype(str)
    number = people["huisnummer"].astype(str)
    suffix = people["toevoeging"].astype(str)
    birth = pd.to_datetime(people["head_birth_date"])
    serial = pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(8)
    stamp = pd.Timestamp(night)
    signal_date = stamp - pd.to_timedelta(rng.integers(0, 4, n), unit="D")
    if partner == "zorg":
        months = rng.integers(1, 4, n)
        overdue = rng.integers(30, 95, n)
    else:
        months = rng.integers(1, 7, n)
        overdue = 30 * months + rng.integers(0, 25, n)
    since = signal_date - pd.to_timedelta(overdue, unit="D")
    if partner == "domesta":
        rent = np.round(rng.uniform(480, 820, n), 2)
        amount = np.round(rent * months - rng.choice([0, 0.25, 0.5], n) * rent, 2)
        d = "%d-%m-%Y"
        return pd.DataFrame(
            {
                "signaal_id": "DOM-B" + serial,
                "postcode": postcode,
                "huisnummer": number,
                "toevoeging": suffix,
                "geboortedatum": birth.dt.strftime(d),
                "maandhuur": _nl(rent, thousands=True),
                "achterstand_bedrag": _nl(amount, thousands=True),
                "achterstand_maanden": _nl(np.round(amount / rent, 1), thousands=False, places=1),
                "ontstaansdatum": since.strftime(d),
                "signaaldatum": signal_date.strftime(d),
                "ontruiming_aangevraagd": np.where(rng.random(n) < 0.02, "J", "N"),
                "warme_overdracht": np.where(rng.random(n) < 0.05, "J", "N"),
            }
        )
    if partner == "energie":
        amount = np.round(rng.uniform(80, 200, n) * months, 2)
        notice = rng.random(n) < 0.03
        end_of_supply = pd.Series((signal_date + pd.Timedelta(days=28)).strftime("%Y-%m-%d")).where(
            notice, ""
        )
        return pd.DataFrame(
            {
                "signal_id": "EN-B" + serial,
                "postcode": postcode.str.replace(" ", "", regex=False),
                "house_number": number,
                "house_number_suffix": suffix,
                "birth_date": birth.dt.strftime("%Y-%m-%d"),
                "arrears_amount": pd.Series(amount).map("{:.2f}".format),
                "arrears_since": since.strftime("%Y-%m-%d"),
                "signal_date": signal_date.strftime("%Y-%m-%d"),
                "days_overdue": (signal_date - since).days.astype(str),
                "end_of_supply_date": end_of_supply,
                "warm_handover": np.where(rng.random(n) < 0.05, "true", "false"),
            }
        )
    if partner == "zorg":
        # The policyholder's BSN on a household's first row, other insured persons after it.
        first = np.r_[True, who[1:] != who[:-1]]
        bsn = people["bsn"].to_numpy().copy()
        bsn[~first] = valid_bsns(int((~first).sum()), rng)
        amount = np.round(rng.uniform(120, 160, n) * months, 2)
        d = "%Y%m%d"
        return pd.DataFrame(
            {
                "SIGNAALNR": "ZV-B" + serial,
                "BSN": bsn,
                "POSTCODE": postcode,
                "HUISNR": number,
                "HUISNR_TOEV": suffix,
                "GEBDAT": birth.dt.strftime(d),
                "ACHTERSTAND": _nl(amount, thousands=False),
                "MAANDEN_ACHTERSTAND": months.astype(str),
                "DATUM_ONTSTAAN": since.strftime(d),
                "DATUM_SIGNAAL": signal_date.strftime(d),
                "CAK_AANMELDING": "0",
            }
        )
    raise ValueError(f"bulk mode writes domesta, energie and zorg, not {partner}")


def _nl(values: np.ndarray, thousands: bool, places: int = 2) -> pd.Series:
    """Dutch numbers, column-wise: ``1396.8`` → ``1.396,80`` (or ``1396,80``)."""
    text = pd.Series(values).map(
        f"{{:,.{places}f}}".format if thousands else f"{{:.{places}f}}".format
    )
    return (
        text.str.replace(",", "_", regex=False)
        .str.replace(".", ",", regex=False)
        .str.replace("_", ".", regex=False)
    )


def _damage(rows: pd.DataFrame, partner: str, rate: float, rng: np.random.Generator) -> int:
    """Malformed postcodes and non-numeric amounts on ``rate`` of the rows (in place)."""
    hit = np.nonzero(rng.random(len(rows)) < rate)[0]
    postcode_column = rows.columns[1] if partner != "zorg" else "POSTCODE"
    amount_column = {"domesta": "achterstand_bedrag", "energie": "arrears_amount"}.get(
        partner, "ACHTERSTAND"
    )
    half = len(hit) // 2
    bad_postcode, bad_amount = hit[:half], hit[half:]
    column = rows[postcode_column]
    rows.loc[bad_postcode, postcode_column] = "0" + column.iloc[bad_postcode].str[1:]
    rows.loc[bad_amount, amount_column] = "n.b."
    return len(hit)
