"""Arrears episodes per partner, simulated month by month from the latent stress.

State per household and partner: ``k`` = months of charge unpaid and ``since`` = the month of
the oldest unpaid charge. Each month a household in arrears pays everything off, pays the
current charge only (the oldest unpaid charge moves on), or misses again (``k`` grows).
Escalations follow the partner's rules: eviction request (rent), end-of-supply notice and
cut-off (energy), the CAK registration at six months (health insurance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Highest monthly probability of new arrears, even in deep financial stress.
START_CAP = 0.25


@dataclass(frozen=True)
class ArrearsRule:
    """How one partner's arrears start, persist and escalate."""

    start_base: float  # monthly start probability at stress 0
    start_slope: float  # start probability grows as exp(slope · stress)
    payoff_base: float  # monthly probability of paying off everything at stress <= 0
    pay_current: float  # probability of paying only the current charge
    cap_months: int  # at this many months the arrears leave the partner's books (collection)
    eviction: bool = False
    end_of_supply: bool = False
    cak_months: int = 0  # 0 = no CAK regime
    crisis_miss: float = 0.6  # probability this bill goes unpaid in a crisis month


@dataclass
class ArrearsHistory:
    """Household × month arrays of one partner (columns = all simulated months)."""

    months_unpaid: np.ndarray  # k, int
    since_month: np.ndarray  # month index of the oldest unpaid charge, -1 when none
    episode: np.ndarray  # episode number of the household's current arrears, -1 when none
    escalated: np.ndarray  # bool: eviction requested / end-of-supply notice / CAK registered
    escalated_now: np.ndarray  # bool: the escalation happened in this month
    cut_off: np.ndarray  # bool: energy supply cut off in this month
    partial: np.ndarray  # share of one month's charge already paid off (0, 0.25, 0.5)


def simulate_arrears(
    rule: ArrearsRule,
    stress: np.ndarray,
    crisis: np.ndarray,
    eligible: np.ndarray,
    rng: np.random.Generator,
) -> ArrearsHistory:
    """Run one partner's arrears over all months for every household.

    ``crisis`` marks household-months in which money ran out altogether (a shared cause):
    then most partners' bills go unpaid at once, which is why arrears come in clusters.
    """
    n, t_total = stress.shape
    hist = ArrearsHistory(
        months_unpaid=np.zeros((n, t_total), dtype=np.int64),
        since_month=np.full((n, t_total), -1, dtype=np.int64),
        episode=np.full((n, t_total), -1, dtype=np.int64),
        escalated=np.zeros((n, t_total), dtype=bool),
        escalated_now=np.zeros((n, t_total), dtype=bool),
        cut_off=np.zeros((n, t_total), dtype=bool),
        partial=rng.choice([0.0, 0.0, 0.0, 0.25, 0.5], size=(n, t_total)),
    )
    k = np.zeros(n, dtype=np.int64)
    since = np.full(n, -1, dtype=np.int64)
    episode = np.full(n, -1, dtype=np.int64)
    escalated = np.zeros(n, dtype=bool)
    blocked_until = np.full(n, -1, dtype=np.int64)
    next_episode = 0
    for t in range(t_total):
        z = stress[:, t]
        u = rng.random(n)
        active = k > 0
        # An eviction request or end-of-supply notice makes paying more urgent.
        p_pay = rule.payoff_base * np.exp(-0.45 * np.clip(z, 0, None)) * (1 + 0.5 * escalated)
        # At the cap the partner hands the debt to collection or agrees a payment plan.
        pays_off = active & ((u < p_pay) | (k >= rule.cap_months))
        pays_current = active & ~pays_off & (u < p_pay + rule.pay_current)
        misses = active & ~pays_off & ~pays_current
        k = np.where(pays_off, 0, k)
        since = np.where(pays_current, since + 1, since)
        k = np.where(misses, np.minimum(k + 1, rule.cap_months), k)
        escalated &= ~pays_off
        # New arrears: the charge of this month is not paid.
        p_start = np.minimum(START_CAP, rule.start_base * np.exp(rule.start_slope * z))
        p_start = np.where(crisis[:, t], rule.crisis_miss, p_start)
        starts = eligible & ~active & (blocked_until < t) & (rng.random(n) < p_start)
        k = np.where(starts, 1, k)
        since = np.where(starts, t, since)
        episode = np.where(starts, next_episode + np.cumsum(starts) - 1, episode)
        next_episode += int(starts.sum())
        escalate_now, cut = _escalate(rule, t, k, escalated, hist, rng)
        escalated |= escalate_now
        # Cut-off and CAK end the episode at this partner; the household is then out of reach.
        ended = cut | (escalate_now & (rule.cak_months > 0))
        blocked_until = np.where(cut, t + 4, blocked_until)
        blocked_until = np.where(ended & (rule.cak_months > 0), t_total, blocked_until)
        hist.months_unpaid[:, t] = k
        hist.since_month[:, t] = np.where(k > 0, since, -1)
        hist.episode[:, t] = np.where(k > 0, episode, -1)
        hist.escalated[:, t] = escalated & (k > 0)
        hist.escalated_now[:, t] = escalate_now
        hist.cut_off[:, t] = cut
        k = np.where(ended, 0, k)
        escalated &= ~ended
    return hist


def _escalate(
    rule: ArrearsRule,
    t: int,
    k: np.ndarray,
    escalated: np.ndarray,
    hist: ArrearsHistory,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Which households escalate this month, and (energy) whose supply is cut off."""
    n = len(k)
    none = np.zeros(n, dtype=bool)
    if rule.eviction:
        # Domesta files for eviction on some tenants from three months of rent arrears.
        return ~escalated & (k >= 3) & (rng.random(n) < 0.06), none
    if rule.end_of_supply:
        # A notice announced last month that was not paid off ends in a cut-off now.
        cut = escalated & (k > 0) & (hist.escalated[:, t - 1] if t > 0 else none)
        cut &= rng.random(n) < 0.15
        notice = ~escalated & (k >= 3) & (rng.random(n) < 0.08)
        return notice, cut
    if rule.cak_months:
        return (k >= rule.cak_months) & ~escalated, none
    return none, none
