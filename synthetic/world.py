"""The simulated municipality: population, stress, arrears at every partner, trajectories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from synthetic import aftercare
from synthetic.cadence import DUE_DAY, add_months, due_ordinals
from synthetic.deliveries import EpisodeInfo, bank_referrals, episode_info
from synthetic.partners import ArrearsHistory, ArrearsRule, simulate_arrears
from synthetic.population import build_addresses, build_households
from synthetic.stress import simulate_stress

#: Months simulated before the first delivery, so the first files hold a realistic stock.
BURN_IN = 12

#: Calibrated so that new signals ≈ 4 per 1,000 inhabitants per month with zorg ≈ 45%
#: (see data/sample/README.md for the measured figures).
SLOPE = 2.4
BANK_BASE = 0.0000025
#: Monthly probability at stress 0 that money runs out for all bills at once.
CRISIS_BASE = 0.00012
RULES: dict[str, ArrearsRule] = {
    "domesta": ArrearsRule(0.0000266, SLOPE, 0.40, 0.30, 7, eviction=True, crisis_miss=0.6),
    "energie": ArrearsRule(0.0000112, SLOPE, 0.42, 0.25, 6, end_of_supply=True, crisis_miss=0.45),
    "water": ArrearsRule(0.0000084, SLOPE, 0.42, 0.25, 6, crisis_miss=0.4),
    "zorg": ArrearsRule(0.00018, SLOPE, 0.38, 0.35, 12, cak_months=6, crisis_miss=0.7),
}
CHARGE_COLUMN = {
    "domesta": "monthly_rent",
    "energie": "energy_advance",
    "water": "water_advance",
    "zorg": "premium",
}


@dataclass
class World:
    """Everything the writers need; month index 0 is ``BURN_IN`` months before ``start``."""

    start: date
    months: int
    addresses: pd.DataFrame
    households: pd.DataFrame
    month_starts: list[date]
    stress: np.ndarray
    histories: dict[str, ArrearsHistory]
    episodes: dict[str, EpisodeInfo]
    due: dict[str, np.ndarray]
    bank: pd.DataFrame
    trajectories: pd.DataFrame
    intake: np.ndarray


def build_world(households: int, months: int, start: date, rng: np.random.Generator) -> World:
    """Simulate the municipality for ``BURN_IN + months`` months."""
    addresses = build_addresses(round(households * 1.03), rng)
    hh = build_households(addresses, households, start, rng)
    total = BURN_IN + months
    month_starts = [add_months(start, t - BURN_IN) for t in range(total)]
    end = add_months(start, months)
    prior = aftercare.prior_trajectories(hh["stress_level"].to_numpy(), start, end, rng)
    level = hh["stress_level"].to_numpy().copy()
    level[prior["household"].to_numpy()] += aftercare.RELAPSE_STRESS
    stress = simulate_stress(level, np.array([m.month for m in month_starts]), rng)
    crisis = rng.random(stress.shape) < np.minimum(0.5, CRISIS_BASE * np.exp(SLOPE * stress))
    eligible = {"domesta": hh["domesta_tenant"].to_numpy(bool)}
    histories, episodes, due = {}, {}, {}
    years = np.array([m.year for m in month_starts])
    for partner, rule in RULES.items():
        allowed = eligible.get(partner, np.ones(len(hh), dtype=bool))
        histories[partner] = simulate_arrears(rule, stress, crisis, allowed, rng)
        episodes[partner] = episode_info(partner, histories[partner], years, rng)
        due[partner] = due_ordinals(start, BURN_IN, total, DUE_DAY[partner])
    customer = hh["bank_customer"].to_numpy(bool)
    bank = bank_referrals(stress, customer, BURN_IN - 1, month_starts, rng, BANK_BASE, SLOPE)
    partners_in_arrears = np.sum([h.months_unpaid > 0 for h in histories.values()], axis=0)
    intake = aftercare.intakes(stress, partners_in_arrears, BURN_IN, rng)
    broken = aftercare.broken_off(intake, month_starts, rng)
    trajectories = aftercare.with_dossier_ids(pd.concat([prior, broken], ignore_index=True))
    return World(start, months, addresses, hh, month_starts, stress, histories, episodes, due,
                 bank, trajectories, intake)  # fmt: skip
