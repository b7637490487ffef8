"""Labels, metrics under ties, estimators, splits, explanations and the bias audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from signals.risk import audit, estimators, explain, metrics, problem, validation
from signals.risk.features import build_features, feature_names
from tests.risk.history import history, matrix, signal


def test_label_is_the_first_new_crisis_after_the_night_within_the_window() -> None:
    signals = pd.DataFrame(
        [
            signal("A", "domesta", "2026-01-05", 900.0, crisis="ontruiming", state="repeat"),
            signal("A", "energie", "2026-03-10", 300.0, crisis="eindelevering", state="escalated"),
            signal("B", "zorg", "2026-09-03", 800.0, crisis="cak", state="new"),
            signal("C", "zorg", "2026-02-03", 800.0, state="increased"),
            # Each partner's first delivery: a crisis in it may predate the record.
            signal("Z", "energie", "2025-11-10", 100.0),
            signal("Z", "zorg", "2025-11-03", 100.0),
            signal("Y", "water", "2025-11-03", 100.0, crisis="cak", state="new"),
        ]
    )
    events = problem.escalations(signals)
    assert events["household_key"].tolist() == ["A", "B"]  # a repeated crisis is no news
    rows = pd.DataFrame(
        {
            "night": pd.to_datetime(["2026-02-02", "2026-03-10", "2026-02-02", "2026-02-02"]),
            "household_key": ["A", "A", "B", "C"],
        }
    )
    labelled = problem.label(rows, events, pd.Timestamp("2026-10-30"), window_days=183)
    assert labelled["label"].tolist() == [1, 0, 0, 0]  # B escalates after its window
    assert labelled["escalated_on"].iloc[0] == pd.Timestamp("2026-03-10")
    late = problem.label(rows, events, pd.Timestamp("2026-05-01"), window_days=183)
    assert not late["observed"].any()


def test_cohort_is_the_cases_open_on_each_night() -> None:
    cases = pd.DataFrame(
        {
            "case_id": ["c1", "c2", "c3"],
            "household_key": ["A", "B", "C"],
            "opened_on": pd.to_datetime(["2026-01-01", "2026-01-10", "2026-01-05"]),
            "closed_on": pd.to_datetime(["2026-01-20", None, "2026-01-05"]),
            "picked_up_on": pd.to_datetime(["2026-01-01", "2026-01-10", None]),
        }
    )
    nights = problem.scoring_nights(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-31"))
    rows = problem.cohort(cases, nights)
    # Mondays 5, 12, 19, 26 January; C closed the night it opened (nothing picked up).
    assert rows.groupby("household_key")["night"].count().to_dict() == {"A": 3, "B": 3}


def test_precision_at_k_bounds_under_ties() -> None:
    key = np.array([3.0, 2.0, 2.0, 2.0, 1.0])
    label = np.array([0, 1, 0, 0, 1])
    worst, expected, best = metrics.top_k_counts(key, label, 2)
    assert (worst, best) == (0.0, 1.0)
    assert expected == pytest.approx(1 / 3)
    assert metrics.top_k_counts(key, label, 10) == (2.0, 2.0, 2.0)


def test_capacity_is_per_team_and_band_comes_first() -> None:
    frame = pd.DataFrame(
        {
            "night": pd.Timestamp("2026-03-02"),
            "team": ["T", "T", "T", "U", "U"],
            "band": [1, 4, 4, 4, 4],
            "label": [0, 1, 0, 1, 0],
        }
    )
    score = np.array([0.1, 0.9, 0.2, 0.3, 0.8])
    result = metrics.at_capacity(frame, metrics.work_key(frame, score), {"T": 1, "U": 1})
    assert result["precision_expected"] == 0.0  # team T plans its band-1 task first
    result = metrics.at_capacity(frame, metrics.work_key(frame, score), {"T": 2, "U": 2})
    assert result["precision_expected"] == pytest.approx(0.5)
    assert result["recall_expected"] == pytest.approx(1.0)


@pytest.mark.parametrize("name", estimators.CANDIDATES)
def test_every_candidate_shares_the_sklearn_interface(name: str) -> None:
    x, y = matrix()
    model = estimators.make(name)
    assert repr(clone(model).get_params(deep=False)) == repr(model.get_params(deep=False))
    fitted = model.fit(x, y)
    check_is_fitted(fitted)
    probability = estimators.score(fitted, x)
    assert probability.shape == (len(x),) and ((probability >= 0) & (probability <= 1)).all()


def test_rules_baseline_orders_like_the_policy() -> None:
    x, y = matrix()
    x.loc[:9, "band"] = 1
    model = estimators.make("rules").fit(x, y)
    order = np.argsort(-estimators.score(model, x), kind="stable")
    assert set(order[:10]) == set(range(10))  # the crisis band first, whatever the amount
    rest = x.iloc[order[10:]]
    assert rest["current_total"].is_monotonic_decreasing


def test_splits_keep_the_label_window_as_gap() -> None:
    nights = problem.scoring_nights(pd.Timestamp("2025-11-03"), pd.Timestamp("2026-10-26"))
    splits = validation.rolling_splits(nights, pd.Timestamp("2026-10-30"), 91, 4, 28)
    assert len(splits) == 4
    for split in splits:
        assert max(split.train_nights) + pd.Timedelta(days=91) <= split.origin
        assert min(split.test_nights) > split.origin
        assert max(split.test_nights) + pd.Timedelta(days=91) <= pd.Timestamp("2026-10-30")
    with pytest.raises(validation.NotEnoughHistoryError, match="183-day"):
        validation.rolling_splits(nights, pd.Timestamp("2026-10-30"), 183, 4, 28)


def _hand_built_household() -> pd.DataFrame:
    """Rent arrears rising over three months, and a second partner (energy) since January."""
    signals = [
        signal("H", "domesta", "2025-12-05", 400.0, months=1.0),
        signal("H", "domesta", "2026-01-05", 800.0, months=2.0),
        signal("H", "domesta", "2026-02-05", 1200.0, months=3.0),
        signal("H", "energie", "2026-01-10", 250.0),
        signal("H", "energie", "2026-02-10", 260.0),
    ]
    rows = pd.DataFrame({"night": [pd.Timestamp("2026-02-16")], "household_key": ["H"]})
    return build_features(rows, history(signals))


@pytest.mark.parametrize("name", ["logistic", "boosting"])
def test_explanations_name_the_features_that_drove_the_score(name: str) -> None:
    x, y = matrix(1200)
    model = estimators.make(name).fit(x, y)
    x = x.iloc[:200]  # the rest of the night: the reference of the tree attributions
    household = _hand_built_household()
    assert household.at[0, "growth_Huur_3m"] == 800.0 and household.at[0, "partners_6m"] == 2
    batch = pd.concat([household, x.assign(night=household.at[0, "night"])], ignore_index=True)
    why = explain.reasons(model, batch[feature_names()]).iloc[0]
    assert {explain.family(f) for f in why["features"][:2]} == {"growth_Huur", "partners"}
    assert "huurachterstand gestegen in" in why["reasons_nl"]
    assert "tweede partner binnen" in why["reasons_nl"]
    assert len(why["features"]) <= 3


def test_every_feature_has_a_dutch_phrase() -> None:
    for name in feature_names():
        for value in (0.0, 1.0, 2.0, 350.0):
            assert explain.phrase(name, value)
    assert explain.phrase("growth_Huur_3m", 200.0) == "huurachterstand gestegen in 3 maanden"
    assert explain.phrase("partners_6m", 2.0) == "tweede partner binnen 6 maanden"
    assert explain.phrase("current_total", 1250.4) == "totale achterstand nu € 1.250"
    assert explain.phrase("max_Zorg_6m", 0.0) == "geen achterstand zorgpremie in 6 maanden"


def test_audit_has_a_row_per_group_with_counts_and_flags() -> None:
    n = 400
    frame = pd.DataFrame(
        {
            "night": pd.Timestamp("2026-03-02"),
            "team": "T",
            "band": 4,
            "label": ([1] * 40 + [0] * 160) + ([1] * 40 + [0] * 160),
            "age_band": ["27-44"] * 200 + ["18-26"] * 180 + ["67+"] * 20,
            "wijkcode": ["WK1"] * 200 + ["WK2"] * 200,
        }
    )
    assert len(frame) == n
    # The score favours the first group: the second is selected far less often.
    score = np.r_[np.linspace(1, 0.5, 200), np.linspace(0.49, 0.0, 200)]
    table = audit.bias_audit(frame, metrics.work_key(frame, score), {"T": 100})
    by_age = table[table["by"] == "age_band"].set_index("group")
    assert set(by_age.index) == {"27-44", "18-26", "67+"}
    assert by_age.loc["27-44", "households"] == 200 and by_age.loc["27-44", "reference"]
    assert by_age.loc["18-26", "outside_band"]  # selected at 0 against 0.5
    assert by_age.loc["67+", "too_small"] and not by_age.loc["67+", "outside_band"]
    assert {"selection_rate", "precision", "false_negative_rate"} <= set(table.columns)
    assert set(table[table["by"] == "wijkcode"]["group"]) == {"WK1", "WK2"}
    fair = audit.bias_audit(frame, metrics.work_key(frame, np.tile([1.0, 0.0], n // 2)), {"T": 200})
    assert not fair[fair["by"] == "wijkcode"]["outside_band"].any()


def test_published_audit_hides_small_counts_and_their_rates() -> None:
    from signals.risk.report import published_audit

    table = pd.DataFrame(
        {
            "by": "wijkcode",
            "group": ["WK1", "WK2"],
            "households": [200, 40],
            "escalated": [30, 0],
            "planned": [20.0, 4.0],
            "planned_escalated": [16.0, 0.0],
            "precision": [0.3, 0.0],
            "selection_rate": [0.1, 0.1],
        }
    )
    shown = published_audit(table)
    assert shown["escalated"].tolist() == [30, 0]  # zero names nobody
    shown = published_audit(table.assign(escalated=[30, 3]))
    assert shown["escalated"].tolist() == [30, "<10"]
    assert "planned_escalated" not in shown.columns
    assert shown["precision"].iloc[0] == 0.3 and pd.isna(shown["precision"].iloc[1])
