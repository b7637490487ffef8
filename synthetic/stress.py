"""The latent monthly financial-stress process that drives every partner's arrears.

Per household: z[t] = φ·z[t−1] + (1−φ)·level + season(month) + shock[t] + noise, where
``shock`` is an income shock (job loss, separation, a large allowance repayment) that decays
over a few months. Arrears at all partners share this one state, which is why arrears cluster
in the same households (about half of signalled households signal at several partners).
"""

from __future__ import annotations

import numpy as np

PERSISTENCE = 0.8
NOISE_SD = 0.35
SHOCK_PROBABILITY = 0.012
SHOCK_MEAN = 1.8
SHOCK_DECAY = 0.75

#: Seasonal push by calendar month (1..12): January (December spending, annual energy
#: settlement) and the summer holidays are the hard months.
SEASON: dict[int, float] = {
    1: 0.35, 2: 0.15, 3: 0.0, 4: -0.05, 5: -0.05, 6: 0.05,
    7: 0.2, 8: 0.25, 9: 0.05, 10: -0.05, 11: -0.05, 12: 0.1,
}  # fmt: skip


def simulate_stress(
    level: np.ndarray, calendar_months: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Stress per household (rows) and simulated month (columns), starting at the level."""
    n, t_total = len(level), len(calendar_months)
    stress = np.empty((n, t_total))
    state = level + rng.normal(0, NOISE_SD, n)
    shock = np.zeros(n)
    for t in range(t_total):
        hit = rng.random(n) < SHOCK_PROBABILITY * np.exp(0.3 * level)
        shock = SHOCK_DECAY * shock + hit * rng.exponential(SHOCK_MEAN, n)
        state = (
            PERSISTENCE * state
            + (1 - PERSISTENCE) * level
            + rng.normal(0, NOISE_SD * np.sqrt(1 - PERSISTENCE**2), n)
        )
        stress[:, t] = state + shock + SEASON[int(calendar_months[t])]
    return stress
