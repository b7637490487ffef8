"""Turn simulated arrears into delivery snapshots: which signals each file lists, with values.

Each monthly file is the partner's complete list of current arrears inside its window on the
delivery date; a signal keeps its id for the whole arrears episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from synthetic.partners import ArrearsHistory

#: Signalling windows in days overdue (lower, upper); zorg also lists the CAK registration.
WINDOWS: dict[str, tuple[int, int]] = {
    "domesta": (30, 100_000),
    "energie": (30, 100_000),
    "water": (30, 100_000),
    "zorg": (30, 100),
}
#: One zorg episode in this many lingers on the list a month past the window.
LINGERING_EVERY = 23
ID_FORMATS: dict[str, str] = {
    "domesta": "DOM-{year}-{n:05d}",
    "energie": "EN-{n:05d}",
    "water": "WMD-{n:05d}",
    "zorg": "ZV{n:07d}",
}
ID_OFFSETS: dict[str, int] = {"domesta": 1, "energie": 80_001, "water": 50_001, "zorg": 1_000_001}


@dataclass(frozen=True)
class EpisodeInfo:
    """Per-episode facts: signal id and a warm-handover flag."""

    signal_id: np.ndarray
    warm_handover: np.ndarray


def episode_info(
    partner: str, hist: ArrearsHistory, month_years: np.ndarray, rng: np.random.Generator
) -> EpisodeInfo:
    """Signal ids per episode number; domesta's carries the year the arrears started."""
    n_episodes = int(hist.episode.max()) + 1 if hist.episode.size else 0
    start_month = np.full(n_episodes, hist.episode.shape[1], dtype=np.int64)
    rows, cols = np.nonzero(hist.episode >= 0)
    np.minimum.at(start_month, hist.episode[rows, cols], cols)
    fmt, offset = ID_FORMATS[partner], ID_OFFSETS[partner]
    years = month_years[np.minimum(start_month, len(month_years) - 1)]
    ids = np.array(
        [fmt.format(year=int(y), n=i + offset) for i, y in enumerate(years)], dtype=object
    )
    return EpisodeInfo(ids, rng.random(n_episodes) < 0.05)


def snapshot(
    partner: str,
    hist: ArrearsHistory,
    info: EpisodeInfo,
    households: pd.DataFrame,
    charge: np.ndarray,
    t: int,
    delivery: date,
    due_ordinals: np.ndarray,
) -> pd.DataFrame:
    """The signals in ``partner``'s delivery of simulated month ``t``, sorted by signal id."""
    k = hist.months_unpaid[:, t]
    since = hist.since_month[:, t]
    days = delivery.toordinal() - due_ordinals[np.maximum(since, 0)]
    low, high = WINDOWS[partner]
    inside = (days >= low) & (days <= high)
    if partner == "zorg":
        # An insurer's list is sometimes a month late to drop a household that has passed
        # its window: a few signals outside the policy's day window ("onterecht signaal").
        inside |= (hist.episode[:, t] % LINGERING_EVERY == 0) & (days > high) & (days <= high + 31)
    visible = (k > 0) & inside
    if partner == "zorg":
        visible |= hist.escalated_now[:, t]
    idx = np.nonzero(visible)[0]
    episode = hist.episode[idx, t]
    amount = np.round(charge[idx] * (k[idx] - hist.partial[idx, t]), 2)
    frame = pd.DataFrame(
        {
            "household": idx,
            "household_id": households["household_id"].to_numpy()[idx],
            "episode": episode,
            "signal_id": info.signal_id[episode],
            "months_unpaid": k[idx],
            "amount": amount,
            "charge": charge[idx],
            "since": [date.fromordinal(int(o)) for o in due_ordinals[since[idx]]],
            "days_overdue": days[idx],
            "escalated": hist.escalated[idx, t],
            "warm_handover": info.warm_handover[episode],
        }
    )
    frame["signal_date"] = delivery
    frame["end_of_supply_date"] = [
        delivery + timedelta(days=28) if e else None for e in frame["escalated"]
    ]
    return frame.sort_values("episode", kind="stable").reset_index(drop=True)


def bank_referrals(
    stress: np.ndarray,
    customer: np.ndarray,
    first_month: int,
    month_starts: list[date],
    rng: np.random.Generator,
    base: float,
    slope: float,
) -> pd.DataFrame:
    """Consent-based referrals: a stressed customer takes the Geldfit test and is referred."""
    indicator_names = np.array(
        ["stornering", "rood_staan", "spaartegoed_daalt", "gemiste_aflossing"]
    )
    frames = []
    for t in range(first_month, stress.shape[1]):
        p = np.minimum(0.3, base * np.exp(slope * stress[:, t]))
        idx = np.nonzero(customer & (rng.random(len(p)) < p))[0]
        offsets = rng.integers(0, 28, len(idx))
        chosen = rng.random((len(idx), 4)) < np.array([0.55, 0.5, 0.3, 0.25])
        chosen[~chosen.any(axis=1), 0] = True
        frames.append(
            pd.DataFrame(
                {
                    "household": idx,
                    "referral_date": [month_starts[t] + timedelta(days=int(o)) for o in offsets],
                    "consent": rng.random(len(idx)) < 0.85,
                    "indicators": [list(indicator_names[c]) for c in chosen],
                    "month": t,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["referral_date", "household"], kind="stable").reset_index(drop=True)
    out["signal_id"] = [f"B-{i + 1:06d}" for i in range(len(out))]
    return out
