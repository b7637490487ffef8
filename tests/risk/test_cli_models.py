"""``vroegsignaal model list / promote / retire`` and ``train`` on too short a record."""

from __future__ import annotations

import datetime as dt
from datetime import date

from typer.testing import CliRunner

from cli.main import app
from connectors.database import registry
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.settings import get_settings
from flows.night import run_night
from flows.report import NightReport
from flows.resources import resources
from signals.risk import estimators
from tests.flow_fixtures import (  # noqa: F401  (fixture)
    Municipality,
    municipality_fixture,
)
from tests.risk.history import matrix

runner = CliRunner()
NIGHT = date(2026, 10, 5)


def _night(municipality: Municipality) -> None:
    """One night through the flow's steps, recorded as a succeeded nightly run."""
    municipality.deliver(NIGHT)
    engine = resources(get_settings()).engine
    with session_scope(engine) as session:
        run_id = repo.start_run(session, "nightly", NIGHT)
    run_night(get_settings(), NIGHT, NightReport(as_of=NIGHT.isoformat()), run_id, export=False)
    with session_scope(engine) as session:
        repo.finish_run(session, run_id)


def _store(version: str, beats: bool) -> None:
    x, y = matrix(300)
    model = estimators.make("logistic").fit(x, y)
    with session_scope(resources(get_settings()).engine) as session:
        registry.save_model(
            session,
            model,
            version=version,
            model_name="logistic",
            trained_at=dt.datetime(2026, 10, 6, tzinfo=dt.UTC),
            train_from=NIGHT,
            train_to=NIGHT,
            label_window_days=91,
            features=list(x.columns[:-1]),
            params={},
            metrics={
                "per_split": [
                    {"model": "logistic", "precision_expected": 0.2},
                    {"model": "rules", "precision_expected": 0.25},
                ]
            },
            data_hash="0" * 64,
            beats_rules=beats,
        )


def test_promoting_is_explicit_and_a_model_that_lost_needs_a_second_word(
    municipality: Municipality,
) -> None:
    _night(municipality)
    _store("logistic-lost", beats=False)

    listed = runner.invoke(app, ["model", "list"])
    assert listed.exit_code == 0, listed.output
    assert "logistic-lost" in listed.output and "candidate" in listed.output
    assert "20.0%" in listed.output and "25.0%" in listed.output

    refused = runner.invoke(app, ["model", "promote", "logistic-lost"])
    assert refused.exit_code == 2 and "did not beat the rules" in refused.output
    unknown = runner.invoke(app, ["model", "promote", "nope"])
    assert unknown.exit_code == 2 and "No model" in unknown.output

    done = runner.invoke(app, ["model", "promote", "logistic-lost", "--despite-backtest"])
    assert done.exit_code == 0, done.output
    with session_scope(resources(get_settings()).engine) as session:
        promoted = registry.promoted_model(session)
    assert promoted is not None and promoted[0].version == "logistic-lost"

    retired = runner.invoke(app, ["model", "retire"])
    assert retired.exit_code == 0 and "1 model" in retired.output
    with session_scope(resources(get_settings()).engine) as session:
        assert registry.promoted_model(session) is None


def test_train_on_too_short_a_record_says_why(municipality: Municipality) -> None:
    _night(municipality)
    result = runner.invoke(app, ["train", "--label-window-days", "91"])
    assert result.exit_code == 1, result.output
    assert "rolling splits" in result.output and "shorter label window" in result.output
