"""Ground-truth tables: household attributes and the household × month state."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.world import BURN_IN, CHARGE_COLUMN, World


def households_truth(world: World) -> pd.DataFrame:
    """One row per household: address, wijk, type, size, income band, trajectory history."""
    hh = world.households
    out = hh[["household_id", "postcode", "huisnummer", "toevoeging", "wijkcode", "wijknaam",
              "buurtcode", "household_type", "inhabitants", "income_band", "young_adult",
              "head_birth_date", "bsn", "domesta_tenant", "bank_customer",
              "stress_level"]].copy()  # fmt: skip
    out["head_birth_date"] = out["head_birth_date"].dt.strftime("%Y-%m-%d")
    traj = world.trajectories.sort_values("end_date").drop_duplicates("household", keep="last")
    ends = pd.Series(traj["end_date"].astype(str).to_numpy(), index=traj["household"].to_numpy())
    out["trajectory_end_date"] = pd.Series(np.arange(len(hh))).map(ends).fillna("").to_numpy()
    return out


def household_months(world: World) -> pd.DataFrame:
    """Per household and output month: latent stress, arrears per partner and outcomes."""
    hh = world.households
    n, months = len(hh), world.months
    cols = slice(BURN_IN, BURN_IN + months)
    month_labels = [m.strftime("%Y-%m") for m in world.month_starts[cols]]
    frame: dict[str, np.ndarray] = {
        "household_id": np.repeat(hh["household_id"].to_numpy(), months),
        "month": np.tile(np.array(month_labels), n),
        "stress": np.round(world.stress[:, cols], 2).ravel(),
    }
    for partner, hist in world.histories.items():
        charge = hh[CHARGE_COLUMN[partner]].fillna(0).to_numpy(float)[:, None]
        k = hist.months_unpaid[:, cols]
        amount = np.where(k > 0, charge * (k - hist.partial[:, cols]), 0.0)
        frame[f"{partner}_arrears_months"] = k.ravel()
        frame[f"{partner}_arrears_amount"] = np.round(amount, 2).ravel()
    bank = np.zeros((n, len(world.month_starts)), dtype=np.int8)
    np.add.at(bank, (world.bank["household"].to_numpy(), world.bank["month"].to_numpy()), 1)
    frame["bank_referral"] = bank[:, cols].ravel()
    frame["eviction_filed"] = world.histories["domesta"].escalated_now[:, cols].ravel()
    frame["end_of_supply_notice"] = world.histories["energie"].escalated_now[:, cols].ravel()
    frame["supply_cut_off"] = world.histories["energie"].cut_off[:, cols].ravel()
    frame["cak_registered"] = world.histories["zorg"].escalated_now[:, cols].ravel()
    intake = np.zeros((n, len(world.month_starts)), dtype=bool)
    has = world.intake >= 0
    intake[np.nonzero(has)[0], world.intake[has]] = True
    frame["debt_help_intake"] = intake[:, cols].ravel()
    out = pd.DataFrame(frame)
    flags = ["eviction_filed", "end_of_supply_notice", "supply_cut_off", "cak_registered",
             "debt_help_intake"]  # fmt: skip
    out[flags] = out[flags].astype(int)
    return out
