"""The nightly flow with a promoted model: work ordered by score within the policy's band,
and the task list shows the model's reasons next to the policy rule."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pandas as pd

from connectors.database import registry
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.models_registry import RiskModel
from connectors.exports import columns as col
from connectors.settings import get_settings
from flows.night import run_night
from flows.report import NightReport
from flows.resources import Resources, resources
from flows.scoring import night_scores
from signals.risk import estimators
from tests.flow_fixtures import (
    Municipality,
    municipality_fixture,  # noqa: F401  (fixture)
)
from tests.risk.history import matrix
from tests.scenario import (
    Town,
    town_fixture,  # noqa: F401  (fixture)
)

FIRST, SECOND = date(2026, 10, 5), date(2026, 10, 12)


def _night(night: date, **options: object) -> None:
    run_night(
        get_settings(), night, NightReport(as_of=night.isoformat()), f"run-{night}", **options
    )  # type: ignore[arg-type]


def _promote_a_model_that_prefers_small_arrears(res: Resources | None = None) -> str:
    """A logistic model whose score falls with the arrears: its order inverts the rules'."""
    x, _ = matrix(600)
    y = (x["current_total"] < 1200).astype(int).to_numpy()
    model = estimators.make("logistic").fit(x, y)
    res = res or resources(get_settings())
    now = dt.datetime(2026, 10, 11, tzinfo=dt.UTC)
    with session_scope(res.engine) as session:
        version = registry.save_model(
            session,
            model,
            version="logistic-test",
            model_name="logistic",
            trained_at=now,
            train_from=FIRST,
            train_to=FIRST,
            label_window_days=91,
            features=list(x.columns[:-1]),
            params={},
            metrics={"per_split": []},
            data_hash="0" * 64,
            beats_rules=True,
        )
        registry.promote(session, version, "test", now)
    return version


def test_without_a_promoted_model_the_rules_order_stands(municipality: Municipality) -> None:
    municipality.deliver(FIRST)
    _night(FIRST, export=False)
    assert night_scores(resources(get_settings()), FIRST) is None


def test_a_promoted_model_orders_the_work_within_the_band(municipality: Municipality) -> None:
    municipality.deliver(FIRST)
    _night(FIRST, export=False)
    version = _promote_a_model_that_prefers_small_arrears()
    municipality.deliver(SECOND)
    _night(SECOND, scores=night_scores)

    res = resources(get_settings())
    with session_scope(res.engine) as session:
        tasks = repo.load_tasks(session)
    assert len(tasks) >= 2
    assert (tasks["model_version"] == version).all()
    assert tasks["score"].notna().all()
    assert tasks["score_reasons_nl"].fillna("").str.len().gt(0).all()
    for _, group in tasks.groupby(["team", "band"]):
        ordered = group.sort_values("team_rank")
        # Within a band the score decides (highest first), whatever the amount.
        assert ordered["score"].is_monotonic_decreasing, ordered[["score", "total_amount"]]

    exported = sorted((res.settings.task_list_dir / SECOND.isoformat()).glob("*.csv"))
    assert exported
    lists = pd.concat(
        [pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig") for path in exported]
    )
    assert lists[col.SCORE_REASONS].notna().all()
    assert lists[col.REASON].notna().all()  # the policy rule stays next to it
    assert set(lists[col.SCORE_REASONS]) <= set(tasks["score_reasons_nl"])


def test_within_a_band_a_score_overrides_the_amount_order(town: Town) -> None:
    """Four letters in one band: the rules plan the largest arrears first, the model the
    smallest (as it was trained to); the plan follows the model, through the night's steps."""
    amounts = {"h1": 200.0, "h2": 400.0, "h3": 600.0, "h4": 800.0}
    rows = [{"household": h, "amount": a} for h, a in amounts.items()]
    town.deliver("zorg", "2026-03-02", rows)
    town.night("2026-03-02")
    by_rules = town.tasks().sort_values("team_rank")["household_key"].tolist()
    assert by_rules == ["h4", "h3", "h2", "h1"]

    _promote_a_model_that_prefers_small_arrears(town.res)
    town.deliver("zorg", "2026-03-09", rows)
    night = date(2026, 3, 9)
    scores = night_scores(town.res, night)
    assert scores is not None and set(scores["household_key"]) == set(amounts)
    town.night(night, scores=scores)
    tasks = town.tasks().sort_values("team_rank")
    assert tasks["band"].nunique() == 1
    assert tasks["household_key"].tolist() == ["h1", "h2", "h3", "h4"]
    assert tasks["score"].is_monotonic_decreasing
    assert tasks["score_reasons_nl"].str.contains("achterstand").all()


def test_a_model_needing_features_no_longer_built_leaves_the_rules_order(town: Town) -> None:
    town.deliver("zorg", "2026-03-02", [{"household": "h1", "amount": 300.0}])
    town.night("2026-03-02")
    _promote_a_model_that_prefers_small_arrears(town.res)
    with session_scope(town.res.engine) as session:
        row = session.get(RiskModel, "logistic-test")
        assert row is not None
        row.features = [*row.features, "feature_of_an_older_version"]
    assert night_scores(town.res, date(2026, 3, 2)) is None
