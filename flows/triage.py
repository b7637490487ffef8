"""The night's state and triage steps: signal state, then decisions, cases, tasks, planning.

Plain functions (no Prefect): the nightly flow wraps them in tasks, the backfill calls them
for many nights in one flow run, and tests call them directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from connectors.database import history as delivery_log
from connectors.database import nights
from connectors.database import state as state_db
from connectors.database.engine import session_scope
from connectors.database.versions import ConcurrentChangeError
from flows.resources import Resources
from signals.ddas import STATUS_PICKED_UP
from signals.state import (
    deliveries_to_state,
    delivery_state,
    next_complete_delivery,
    previous_complete_delivery,
)
from signals.triage.night import (
    NightInput,
    NightOutput,
    combine,
    household_partitions,
    new_cases_opened,
    plan_open_tasks,
    split_by_partition,
)

logger = logging.getLogger(__name__)
#: How often a night is triaged again when a worker changed a case while it ran.
MAX_ATTEMPTS = 3

Triager = Callable[[list[NightInput], date], list[NightOutput]]


def derive_signal_states(res: Resources, night: date) -> int:
    """Derive the state of every stored signal that has none yet, delivery by delivery.

    Idempotent: a delivery whose signals already have a state is skipped, so a crashed night
    resumes where it stopped. Deliveries dated after ``night`` wait for their own night. Each
    delivery reads only the rows it is compared with.
    """
    with session_scope(res.engine) as session:
        pending = deliveries_to_state(state_db.pending_deliveries(session))
        complete = delivery_log.load_complete_deliveries(session)
    # What a night knows ends at its date: a later delivery already stored (a night killed
    # after loading it, then resumed from an earlier date) is derived on its own night.
    known = pd.Timestamp(night)
    pending = pending[pending["delivery_date"] <= known]
    complete = complete[complete["delivery_date"] <= known].reset_index(drop=True)
    done = 0
    for partner, delivered in pending.itertuples(index=False):
        partner, day = str(partner), delivered.date()
        with session_scope(res.engine) as session:
            history, held = _partner_rows(session, complete, partner, day)
            states, gone = delivery_state(history, complete, partner, day, held)
            done += state_db.save_signal_states(session, states, night)
            state_db.save_resolutions(session, gone, night)
    return done


def _partner_rows(
    session: object, complete: pd.DataFrame, partner: str, day: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows a delivery is compared with: itself, its neighbours, held-back households."""
    before = previous_complete_delivery(complete, partner, day)
    after = next_complete_delivery(complete, partner, day)
    dates = [d.date() for d in (before, after) if d is not None] + [day]
    rows = state_db.load_partner_rows(session, partner, dates)  # type: ignore[arg-type]
    held = delivery_log.load_held_back(session, partner, dates)  # type: ignore[arg-type]
    if before is not None:
        in_before = held[held["delivery_date"] == before]["household_key"]
        listed = rows[rows["delivery_date"] == before]["household_key"]
        missing = sorted(set(in_before) - set(listed))
        earlier = state_db.load_latest_rows_before(
            session,  # type: ignore[arg-type]
            partner,
            before.date(),
            missing,
        )
        rows = pd.concat([rows, earlier], ignore_index=True)
    return rows, held


@dataclass
class TriageSummary:
    """What a night's triage did, in counts (no resident is named)."""

    signals_decided: int = 0
    picked_up: int = 0
    cases_opened: int = 0
    closed_by_system: int = 0
    attempts: int = 0
    tasks_per_team: dict[str, dict[str, int]] = field(default_factory=dict)
    open_tasks: int = 0
    resolved_everywhere: int = 0


def triage_night(
    res: Resources,
    night: date,
    run_id: str | None,
    triage: Triager,
    partitioned: bool = False,
    scores: pd.DataFrame | None = None,
) -> TriageSummary:
    """Decide tonight's signals, shape and plan all open work, store it in one transaction.

    ``triage`` runs the pure triage on the partitions (in-process, or on Dask workers). When
    a worker changed a case or task while the night ran, the store refuses the night's stale
    writes; the night is then read and triaged again (at most ``MAX_ATTEMPTS`` times).
    """
    policy = res.policy_book.in_force(night)
    settings = res.settings
    episodic = frozenset(spec.partner_id for spec in res.catalog.partners.values() if spec.episodic)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with session_scope(res.engine) as session:
            nights.seed_teams(session, policy.weekly_capacity(), policy.version)
        with session_scope(res.engine) as session:
            loaded = nights.load_night(
                session,
                night,
                settings.multiple_window_days,
                settings.recurrence_days,
                episodic,
            )
        parts = split_by_partition(loaded.batch, household_partitions(loaded.batch, partitioned))
        result = combine(triage(list(parts.values()), night))
        plan = plan_open_tasks(
            loaded.open_tasks,
            result.tasks,
            policy,
            night,
            loaded.capacity,
            loaded.done_this_week,
            loaded.reached_cases,
            scores,
        )
        try:
            with session_scope(res.engine) as session:
                counts = nights.save_night(
                    session,
                    night,
                    run_id,
                    result,
                    plan,
                    loaded.batch.open_cases,
                    loaded.open_tasks,
                    loaded.delivery_ids,
                )
        except ConcurrentChangeError as error:
            logger.warning("night %s, attempt %d: %s; triaging again", night, attempt, error)
            if attempt == MAX_ATTEMPTS:
                raise
            continue
        return _summary(result, plan.tasks, counts, night)
    raise AssertionError("unreachable")


def _summary(
    result: NightOutput, planned: pd.DataFrame, counts: dict[str, int], night: date
) -> TriageSummary:
    """Counts of the night; per team the open tasks due this week, later, overdue, resolved."""
    is_open = planned["status"] == "open"
    open_tasks = planned[is_open]
    kind = due_kinds(open_tasks, night)
    per_team = (
        pd.crosstab(open_tasks["team"], kind).astype(int) if len(open_tasks) else pd.DataFrame()
    )
    teams = {
        str(team): {str(k): int(v) for k, v in row.items()} for team, row in per_team.iterrows()
    }
    return TriageSummary(
        signals_decided=len(result.decisions),
        picked_up=int((result.decisions["status"] == STATUS_PICKED_UP).sum()),
        cases_opened=new_cases_opened(result.cases, night),
        closed_by_system=counts.get("closed_by_system", 0),
        tasks_per_team=teams,
        open_tasks=int(is_open.sum()),
        resolved_everywhere=int(open_tasks["resolved_since"].notna().sum()),
    )


def due_kinds(tasks: pd.DataFrame, night: date) -> pd.Series:
    """Per open task: due "deze week", "later", "te laat" (due date passed), or "opgelost bij
    de partner" (the partners no longer report the household)."""
    due = pd.to_datetime(tasks["due_date"])
    sunday = pd.Timestamp(night) + pd.Timedelta(days=6 - night.weekday())
    kind = pd.Series("later", index=tasks.index)
    kind[due <= sunday] = "deze week"
    kind[due < pd.Timestamp(night)] = "te laat"
    kind[tasks["resolved_since"].notna()] = "opgelost bij de partner"
    return kind
