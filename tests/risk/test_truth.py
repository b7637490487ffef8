"""Cross-check: the escalations the pipeline observes in the sample's deliveries agree with
the sample's ground truth. The truth is read here only; it is never a feature or a label.

Replays three months of ``data/sample`` through the real flow (about two minutes).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.flow_fixtures import Municipality, clear_resources, use_municipality

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

SAMPLE = ROOT / "data" / "sample"
TRUTH_FLAG = {
    "ontruiming": "eviction_filed",
    "eindelevering": "end_of_supply_notice",
    "cak": "cak_registered",
}


@pytest.fixture(scope="module")
def observed(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Iterator[pd.DataFrame]:
    from connectors.database import risk_history
    from connectors.database.engine import session_scope
    from connectors.settings import get_settings
    from flows.backfill import backfill
    from flows.resources import resources
    from signals.risk import problem

    town = Municipality(
        root=SAMPLE,
        inbox=SAMPLE / "inbox",
        reference=SAMPLE / "reference" / "adressen.csv",
        data_dir=tmp_path_factory.mktemp("truth") / "var",
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_municipality(monkeypatch, town)
        clear_resources()
        backfill(start=date(2025, 11, 1), end=date(2026, 1, 31))
        with session_scope(resources(get_settings()).engine) as session:
            history = risk_history.load_history(session)
        clear_resources()
    yield problem.escalations(history.signals)


def test_observed_escalations_are_true_escalations(observed: pd.DataFrame) -> None:
    truth = pd.read_csv(SAMPLE / "truth" / "signals.csv.gz", sep=";", dtype=str)
    months = pd.read_csv(SAMPLE / "truth" / "household_months.csv.gz", sep=";")
    observed = observed.assign(
        delivery_date=pd.to_datetime(observed["delivery_date"]).dt.strftime("%Y-%m-%d")
    )
    traced = observed.merge(
        truth[["partner", "delivery_date", "signal_id", "household_id"]].drop_duplicates(),
        on=["partner", "delivery_date", "signal_id"],
        how="left",
    )
    assert len(observed) >= 20, "three months hold dozens of escalations"
    assert traced["household_id"].notna().all()
    traced["month"] = traced["delivery_date"].str[:7]
    agree = []
    for kind, flag in TRUTH_FLAG.items():
        events = months.loc[months[flag] > 0, ["household_id", "month"]]
        ours = traced[traced["crisis_kind"] == kind]
        joined = ours.merge(events.rename(columns={"month": "true_month"}), on="household_id")
        # True when the household's truth has that crisis by the month it was delivered.
        hit = joined[joined["true_month"] <= joined["month"]][["household_id", "month"]]
        agree.append(
            ours.merge(
                hit.drop_duplicates(), on=["household_id", "month"], how="left", indicator=True
            )["_merge"].eq("both")
        )
    share = pd.concat(agree).mean()
    assert share >= 0.95, f"only {share:.0%} of observed escalations are in the truth"


def test_true_escalations_are_observed(observed: pd.DataFrame) -> None:
    """Crises the truth records in December (after every partner's first delivery) are seen
    by the end of January, when a partner delivers them."""
    truth = pd.read_csv(SAMPLE / "truth" / "signals.csv.gz", sep=";", dtype=str)
    months = pd.read_csv(SAMPLE / "truth" / "household_months.csv.gz", sep=";")
    traced = observed.assign(
        delivery_date=pd.to_datetime(observed["delivery_date"]).dt.strftime("%Y-%m-%d")
    ).merge(
        truth[["partner", "delivery_date", "signal_id", "household_id"]].drop_duplicates(),
        on=["partner", "delivery_date", "signal_id"],
    )
    for kind, flag in TRUTH_FLAG.items():
        first = months[months[flag] > 0].groupby("household_id")["month"].min()
        december = set(first[first == "2025-12"].index)
        seen = set(traced.loc[traced["crisis_kind"] == kind, "household_id"])
        if december:
            assert len(december & seen) / len(december) >= 0.9, kind
