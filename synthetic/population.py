"""Addresses and households of a Hoogeveen-like municipality (municipality code 0118).

Everything is drawn from one ``numpy.random.Generator`` so a seed fixes the whole population.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

MUNICIPALITY_CODE = "0118"

# Letters used in Dutch postcodes (F, I, O, Q, U and Y are not issued); SA, SD, SS never exist.
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_FORBIDDEN_PAIRS = frozenset({"SA", "SD", "SS"})
LETTER_PAIRS: tuple[str, ...] = tuple(
    a + b for a in _POSTCODE_LETTERS for b in _POSTCODE_LETTERS if a + b not in _FORBIDDEN_PAIRS
)


@dataclass(frozen=True)
class Wijk:
    """A neighbourhood: CBS code suffix, name, postcode digits, share of addresses, stress,
    and the place (woonplaats) of each of its postcode digit groups."""

    number: int
    name: str
    postcode_digits: tuple[str, ...]
    share: float
    stress_effect: float  # added to the latent stress level of its households
    places: tuple[str, ...] = ("Hoogeveen",)  # one per postcode digit group, or one for all

    @property
    def code(self) -> str:
        return f"WK{MUNICIPALITY_CODE}{self.number:02d}"

    def place(self, digits: str) -> str:
        if len(self.places) == 1:
            return self.places[0]
        return self.places[self.postcode_digits.index(digits)]


WIJKEN: tuple[Wijk, ...] = (
    Wijk(0, "Hoogeveen-Centrum", ("7901",), 0.10, 0.35),
    Wijk(1, "Noord", ("7902",), 0.12, 0.0),
    Wijk(2, "Zuid", ("7907",), 0.12, 0.1),
    Wijk(3, "Hoogeveen-Oost", ("7906",), 0.11, 0.25),
    Wijk(4, "Erflanden", ("7908",), 0.10, 0.5),
    Wijk(5, "Krakeel", ("7904", "7909"), 0.13, -0.15),
    Wijk(6, "Hoogeveen-West", ("7903",), 0.10, 0.4),
    Wijk(7, "Hollandscheveld", ("7905",), 0.09, -0.2, ("Hollandscheveld",)),
    Wijk(8, "Pesse", ("7933",), 0.06, -0.4, ("Pesse",)),
    Wijk(9, "Elim en Nieuwlande", ("7916", "7917"), 0.07, -0.3, ("Elim", "Nieuwlande")),
)

# Street names are composed from these parts by a counter, not drawn from the random generator,
# so that adding them left every other generated value of a seed unchanged.
_STREET_STEMS: tuple[str, ...] = (
    "Kerk", "Molen", "Linden", "Beuken", "Eiken", "Berken", "Wilgen", "Esdoorn", "Iepen",
    "Kastanje", "Hazelaar", "Vlier", "Meidoorn", "Hulst", "Heide", "Veen", "Turf", "Dennen",
    "Zwaluw", "Merel", "Lijster", "Vink", "Reiger", "Kievit", "Meeuw", "Uilen", "Specht",
    "Roos", "Tulp", "Narcis", "Krokus", "Iris", "Lelie", "Klaver", "Distel", "Koren", "Haver",
    "Rogge", "Vlas", "Smids", "Bakkers", "Schutters", "Brink", "Markt", "Stations", "School",
    "Dorps", "Kanaal", "Sluis", "Dijk",
)  # fmt: skip
_STREET_KINDS: tuple[str, ...] = (
    "straat", "weg", "laan", "hof", "pad", "dreef", "kamp", "akker", "veld", "singel",
)  # fmt: skip

#: Household types: share, size range (inclusive), stress effect, head's age range.
HOUSEHOLD_TYPES: dict[str, tuple[float, tuple[int, int], float, tuple[int, int]]] = {
    "single": (0.23, (1, 1), 0.2, (28, 66)),
    "young_adult": (0.05, (1, 2), 0.45, (18, 27)),
    "couple": (0.21, (2, 2), -0.3, (28, 66)),
    "family": (0.29, (3, 6), 0.0, (28, 58)),
    "single_parent": (0.07, (2, 4), 0.6, (22, 58)),
    "elderly": (0.15, (1, 2), -0.45, (67, 94)),
}
INCOME_BANDS: tuple[str, ...] = ("laag", "modaal_min", "modaal", "hoog")
_INCOME_EFFECT = np.array([0.75, 0.25, -0.35, -1.1])


def build_addresses(n_addresses: int, rng: np.random.Generator) -> pd.DataFrame:
    """The municipality's address list (``reference/adressen.csv`` columns, with the optional
    ``straat`` and ``woonplaats``), sorted."""
    frames = []
    shares = np.array([w.share for w in WIJKEN])
    counts = np.floor(shares / shares.sum() * n_addresses).astype(int)
    counts[0] += n_addresses - counts.sum()
    for wijk, count in zip(WIJKEN, counts, strict=True):
        frames.append(_wijk_addresses(wijk, int(count), rng))
    return pd.concat(frames, ignore_index=True)


def _wijk_addresses(wijk: Wijk, count: int, rng: np.random.Generator) -> pd.DataFrame:
    rows: list[tuple[str, int, str, str, str, str]] = []
    pair_index = int(rng.integers(0, 40))
    digit_index = 0
    street_index = wijk.number * 37  # each wijk starts elsewhere in the list of names
    while len(rows) < count:
        digits = wijk.postcode_digits[digit_index % len(wijk.postcode_digits)]
        digit_index += 1
        pair = LETTER_PAIRS[pair_index % len(LETTER_PAIRS)]
        pair_index += int(rng.integers(1, 4))
        postcode = f"{digits} {pair}"
        is_block = rng.random() < 0.1
        first = int(rng.integers(1, 120))
        step = int(rng.choice([1, 2]))
        n_numbers = int(rng.integers(4, 10)) if is_block else int(rng.integers(8, 30))
        suffixes = ("A", "B", "C") if rng.random() < 0.5 else ("1", "2", "3")
        buurt = f"BU{MUNICIPALITY_CODE}{wijk.number:02d}{pair_index % 4 + 1:02d}"
        street = street_name(street_index)
        street_index += 1
        place = wijk.place(digits)
        for k in range(n_numbers):
            number = first + k * step
            if is_block:
                rows.extend((postcode, number, s, buurt, street, place) for s in suffixes)
            else:
                suffix = "A" if rng.random() < 0.02 else ""
                rows.append((postcode, number, suffix, buurt, street, place))
    frame = pd.DataFrame(
        rows[:count],
        columns=["postcode", "huisnummer", "toevoeging", "buurtcode", "straat", "woonplaats"],
    )
    frame = frame.drop_duplicates(["postcode", "huisnummer", "toevoeging"])
    frame.insert(3, "wijkcode", wijk.code)
    frame.insert(4, "wijknaam", wijk.name)
    return frame


def street_name(index: int) -> str:
    stem = _STREET_STEMS[index % len(_STREET_STEMS)]
    kind = _STREET_KINDS[(index // len(_STREET_STEMS)) % len(_STREET_KINDS)]
    return stem + kind


def wijk_figures(households: pd.DataFrame) -> pd.DataFrame:
    """``reference/wijken.csv``: households and inhabitants per wijk (CBS key figures)."""
    inhabitants = households.groupby("wijkcode")["inhabitants"].sum().astype(int).to_dict()
    count = households["wijkcode"].value_counts().to_dict()
    rows = [(w.code, w.name, inhabitants[w.code], count[w.code]) for w in WIJKEN if w.code in count]
    return pd.DataFrame(rows, columns=["wijkcode", "wijknaam", "inwoners", "huishoudens"])


def valid_bsns(count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct nine-digit BSNs that pass the eleven-test, as strings."""
    weights = np.array([9, 8, 7, 6, 5, 4, 3, 2])
    found: list[str] = []
    seen: set[str] = set()
    while len(found) < count:
        digits = rng.integers(0, 10, size=(count * 2, 8))
        digits[:, 0] = rng.integers(1, 7, size=len(digits))  # issued BSNs start 1..6
        check = (digits @ weights) % 11
        for row, last in zip(digits[check < 10], check[check < 10], strict=True):
            bsn = "".join(map(str, row)) + str(last)
            if bsn not in seen:
                seen.add(bsn)
                found.append(bsn)
    return np.array(found[:count])


def passes_eleven_test(bsn: str) -> bool:
    """The BSN eleven-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is divisible by 11."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    total = sum(w * int(d) for w, d in zip(range(9, 1, -1), bsn[:8], strict=True)) - int(bsn[8])
    return total % 11 == 0


def build_households(
    addresses: pd.DataFrame, n: int, start: date, rng: np.random.Generator
) -> pd.DataFrame:
    """``n`` households, each at a distinct address, with type, size, income and stress level."""
    chosen = np.sort(rng.choice(len(addresses), size=n, replace=False))
    hh = addresses.iloc[chosen].reset_index(drop=True)
    types = list(HOUSEHOLD_TYPES)
    type_share = np.array([HOUSEHOLD_TYPES[t][0] for t in types])
    type_idx = rng.choice(len(types), size=n, p=type_share / type_share.sum())
    low = np.array([HOUSEHOLD_TYPES[t][1][0] for t in types])[type_idx]
    high = np.array([HOUSEHOLD_TYPES[t][1][1] for t in types])[type_idx]
    size = low + np.floor(rng.random(n) ** 1.6 * (high - low + 1)).astype(int)
    age_lo = np.array([HOUSEHOLD_TYPES[t][3][0] for t in types])[type_idx]
    age_hi = np.array([HOUSEHOLD_TYPES[t][3][1] for t in types])[type_idx]
    # Whole-year bounds in days, leap days included, so that an 18-year-old really is 18.
    age_days = rng.integers(np.ceil(age_lo * 365.25) + 1, np.floor((age_hi + 1) * 365.25) - 1)
    birth = pd.Timestamp(start) - pd.to_timedelta(age_days, unit="D")
    income_p = np.where(
        np.isin(type_idx, [types.index("single_parent"), types.index("young_adult")])[:, None],
        [0.45, 0.3, 0.2, 0.05],
        [0.2, 0.25, 0.33, 0.22],
    )
    income_idx = (rng.random(n)[:, None] > np.cumsum(income_p, axis=1)).sum(axis=1)
    wijk_effect = hh["wijkcode"].map({w.code: w.stress_effect for w in WIJKEN}).to_numpy(float)
    type_effect = np.array([HOUSEHOLD_TYPES[t][2] for t in types])[type_idx]
    hh.insert(0, "household_id", [f"H{i:06d}" for i in range(1, n + 1)])
    hh["household_type"] = np.array(types)[type_idx]
    hh["inhabitants"] = size
    hh["income_band"] = np.array(INCOME_BANDS)[income_idx]
    hh["young_adult"] = hh["household_type"] == "young_adult"
    hh["head_birth_date"] = birth.normalize()
    hh["bsn"] = valid_bsns(n, rng)
    social = rng.random(n) < np.array([0.55, 0.4, 0.15, 0.04])[income_idx]
    hh["domesta_tenant"] = social
    hh["monthly_rent"] = np.where(social, np.round(rng.uniform(480, 820, n), 2), np.nan)
    hh["energy_advance"] = np.round(rng.uniform(70, 140, n) + 25 * size, 0)
    hh["water_advance"] = np.round(12 + 6 * size + rng.uniform(0, 6, n), 2)
    hh["premium"] = np.round(140 * np.minimum(size, 2) + rng.uniform(-10, 25, n), 2)
    hh["bank_customer"] = rng.random(n) < 0.7
    hh["stress_level"] = np.round(
        _INCOME_EFFECT[income_idx] + wijk_effect + type_effect + rng.normal(0, 0.45, n), 4
    )
    return hh
