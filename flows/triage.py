"""The night's state and triage stage: signal state, decisions, cases, tasks, capacity."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.database import history as delivery_log
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.settings import Settings
from flows.resources import resources
from signals.state import deliveries_to_state, delivery_state
from signals.triage.night import (
    NightInput,
    NightOutput,
    night_input,
    plan_open_tasks,
    triage_night,
)
from signals.triage.policy import TriagePolicy

logger = logging.getLogger(__name__)


@task(name="signal-state", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def update_signal_state(settings: Settings) -> int:
    """Derive the state of every stored delivery that has none yet (and of the partner's later
    deliveries, when a file came late), oldest first.

    Idempotent: a delivery whose signals already have a state is skipped, so a crashed night
    resumes where it stopped.
    """
    res = resources(settings)
    with session_scope(res.engine) as session:
        history = repo.load_signals(session)
        known = set(repo.load_signal_states(session)["signal_key"])
        complete = delivery_log.load_complete_deliveries(session)
        held_back = delivery_log.load_held_back(session)
    done = 0
    for partner, delivered in deliveries_to_state(history, known, complete).itertuples(index=False):
        states, gone = delivery_state(history, complete, str(partner), delivered.date(), held_back)
        with session_scope(res.engine) as session:
            repo.save_signal_states(session, states)
            repo.replace_resolutions(session, str(partner), delivered.date(), gone)
        done += len(states)
    return done


@task(name="load-night", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def load_night(settings: Settings, night: date) -> NightInput:
    """Everything the triage of ``night`` reads: undecided signals and the households' state."""
    res = resources(settings)
    with session_scope(res.engine) as session:
        history = repo.load_signals(session)
        decisions = repo.load_decisions(session)
        states = repo.load_signal_states(session)
        aftercare = repo.load_aftercare(session)
        complete = delivery_log.load_complete_deliveries(session)
        cases = repo.load_cases(session)
        open_tasks = repo.load_tasks(session, status="open")
        resolved = repo.load_resolutions(session)
    episodic = {spec.partner_id for spec in res.catalog.partners.values() if spec.episodic}
    return night_input(
        history,
        decisions,
        states,
        aftercare,
        complete,
        cases,
        open_tasks,
        night,
        settings.multiple_window_days,
        resolved,
        settings.recurrence_days,
        episodic,
    )


@task(name="triage-partition", cache_policy=NO_CACHE)
def triage_partition(batch: NightInput, policy: TriagePolicy, night: date) -> NightOutput:
    """Triage one partition; runs in-process or on a Dask worker (pure, picklable inputs)."""
    return triage_night(batch, policy, night)


@task(name="save-night", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10])
def save_night(
    settings: Settings, result: NightOutput, carried_tasks: pd.DataFrame, night: date
) -> pd.DataFrame:
    """Plan capacity over all open tasks and store the night's outcome in one transaction.

    ``carried_tasks`` are the open tasks before tonight; those of households not triaged
    tonight are planned together with tonight's, since they share the teams' capacity.
    """
    res = resources(settings)
    tasks = plan_open_tasks(carried_tasks, result.tasks, res.policy, night)
    teams = pd.DataFrame(
        [{"name": t.name, "weekly_capacity": t.weekly_capacity} for t in res.policy.teams]
    )
    with session_scope(res.engine) as session:
        repo.upsert_teams(session, teams)
        repo.save_decisions(session, result.decisions, night)
        repo.upsert_cases(session, result.cases)
        repo.link_case_signals(session, result.case_signals)
        repo.upsert_tasks(session, tasks)
    return tasks
