"""One night's triage for a set of households: decisions, cases and tasks.

A pure composition of the triage steps, so that the same function runs on all households at
once or per partition (postcode area) on Dask workers: households never span partitions, and
every id is derived from the data, so the partitioned result equals the single-process one.

Only the households involved tonight are looked at: those with undecided signals, those a
partner dropped tonight (their arrears may now be resolved everywhere), and those a nazorg
file listed tonight (a relapse can move their open task up). Planning then runs over all open
work together (:func:`plan_open_tasks`), since every task shares its team's capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date

import pandas as pd

from signals.capacity import plan_capacity
from signals.cases import CASE_COLUMNS, CASE_SIGNAL_COLUMNS, OPEN, assign_cases
from signals.closing import CLOSURE_COLUMNS, resolved_to_close
from signals.ddas import STATUS_PICKED_UP
from signals.grouping import join_per_group
from signals.membership import is_in
from signals.schema import (
    DECISION_SCHEMA,
    HOUSEHOLD_STATE_SCHEMA,
    PICKUP_SCHEMA,
    SIGNAL_STATE_SCHEMA,
    TASK_SCHEMA,
    conform,
    empty_frame,
)
from signals.state import (
    STATE_ESCALATED,
    STATE_INCREASED,
    STATE_NEW,
    household_picture,
)
from signals.tasks import DONE, build_tasks
from signals.triage.policy import TriagePolicy
from signals.triage.rules import triage_signals
from signals.triage.shape import base_rule, household_facts
from signals.triage.text import DATE_NL, euro_nl_series, fill_template

#: Households listed in tonight's nazorg (aftercare) deliveries.
NAZORG_SCHEMA: dict[str, str] = {"household_key": "string"}


@dataclass
class NightInput:
    """What the triage of one partition needs; all frames restricted to its households,
    except ``complete_deliveries`` (partner and date of every complete delivery)."""

    households: pd.Series  # the households involved tonight
    signals: pd.DataFrame  # undecided linked signals (LINKED_SIGNAL_SCHEMA)
    signal_state: pd.DataFrame  # SIGNAL_STATE_SCHEMA of those signals
    history: pd.DataFrame  # the households' linked signals up to tonight (window + horizon)
    complete_deliveries: pd.DataFrame
    held_back: pd.DataFrame  # partner, delivery_date, household_key of quarantined rows
    resolutions: pd.DataFrame  # RESOLUTION_SCHEMA
    aftercare: pd.DataFrame  # LINKED_AFTERCARE_SCHEMA
    nazorg_tonight: pd.DataFrame  # NAZORG_SCHEMA
    open_cases: pd.DataFrame  # CASE_COLUMNS
    open_tasks: pd.DataFrame  # TASK_SCHEMA
    pickups: pd.DataFrame  # PICKUP_SCHEMA: earlier pick-ups per household × partner
    window_days: int = 183
    recurrence_days: int = 365
    episodic_partners: frozenset[str] | None = None


@dataclass
class NightOutput:
    decisions: pd.DataFrame = field(default_factory=lambda: empty_frame(DECISION_SCHEMA))
    cases: pd.DataFrame = field(default_factory=lambda: conform(pd.DataFrame(), CASE_COLUMNS))
    case_signals: pd.DataFrame = field(
        default_factory=lambda: conform(pd.DataFrame(), CASE_SIGNAL_COLUMNS)
    )
    tasks: pd.DataFrame = field(default_factory=lambda: conform(pd.DataFrame(), TASK_SCHEMA))
    household_states: pd.DataFrame = field(
        default_factory=lambda: empty_frame(HOUSEHOLD_STATE_SCHEMA)
    )


def triage_night(batch: NightInput, policy: TriagePolicy, night: date) -> NightOutput:
    """Decide every undecided signal, fold it into its household's case and task."""
    episodic = None if batch.episodic_partners is None else set(batch.episodic_partners)
    states, current = household_picture(
        batch.history,
        batch.aftercare,
        night,
        batch.window_days,
        batch.complete_deliveries,
        batch.resolutions,
        batch.recurrence_days,
        episodic,
        batch.held_back,
    )
    involved = set(batch.households.dropna().tolist())
    states = states[is_in(states["household_key"], involved)].reset_index(drop=True)
    decisions = triage_signals(batch.signals, batch.signal_state, batch.pickups, policy)
    cases, links = assign_cases(decisions, states, batch.open_cases, night)
    open_after = _open_after(batch.open_cases, cases)

    facts = household_facts(current, states, policy)
    facts["resolved_since"] = states.set_index("household_key")["resolved_since"]
    picked = set(decisions.loc[decisions["status"] == STATUS_PICKED_UP, "household_key"].tolist())
    relapsed = set(
        states.loc[states["relapse"].fillna(False).astype(bool), "household_key"].tolist()
    )
    # A nazorg file lists finished trajectories month after month: news only for a household
    # whose open task is not yet an aftercare task.
    relapse_rules = {rule.id for rule in policy.task_rules if rule.when == "relapse"}
    tasks = batch.open_tasks
    known = set(
        tasks.loc[
            is_in(base_rule(tasks["rule"].fillna("")), relapse_rules), "household_key"
        ].tolist()
    )
    listed = (set(batch.nazorg_tonight["household_key"].dropna().tolist()) & relapsed) - known
    with_case = set(open_after["household_key"].tolist())
    reshape = pd.Series(is_in(facts.index, (picked | listed) & with_case), index=facts.index)
    news = news_lines(batch.signals, batch.signal_state, decisions, states, listed, policy, night)
    tasks = build_tasks(facts, reshape, news, open_after, batch.open_tasks, policy, night)
    return NightOutput(decisions, cases, links, tasks, states)


def _open_after(before: pd.DataFrame, tonight: pd.DataFrame) -> pd.DataFrame:
    merged = pd.concat([conform(before, CASE_COLUMNS), tonight], ignore_index=True)
    merged = merged.drop_duplicates("case_id", keep="last")
    return merged[merged["status"].eq(OPEN).fillna(False).astype(bool)]


def news_lines(
    signals: pd.DataFrame,
    signal_state: pd.DataFrame,
    decisions: pd.DataFrame,
    states: pd.DataFrame,
    relapse_listed: set[str],
    policy: TriagePolicy,
    night: date,
) -> pd.Series:
    """Per household: what is new tonight, in Dutch ("Nieuw op 05-12-2025: …")."""
    picked = decisions.loc[decisions["status"] == STATUS_PICKED_UP, ["signal_key"]]
    rows = picked.merge(
        signals[["signal_key", "household_key", "partner_type", "amount", "crisis_kind"]],
        on="signal_key",
    ).merge(
        signal_state[["signal_key", "signal_state", "previous_amount"]], on="signal_key", how="left"
    )
    what = rows["partner_type"].map(policy.arrears_nl).astype("string").fillna(rows["partner_type"])
    amount = euro_nl_series(rows["amount"], missing="onbekend bedrag")
    previous = euro_nl_series(rows["previous_amount"], missing="onbekend bedrag")
    kind = rows["crisis_kind"].map(policy.crisis.kinds_nl).astype("string")
    state = rows["signal_state"].astype("string").fillna(STATE_NEW)
    values = {"what": what, "amount": amount, "previous": previous, "kind": kind}
    text = fill_template("{what} opnieuw gemeld ({amount})", values, rows.index)
    templates = {
        STATE_NEW: "nieuwe {what} van {amount}",
        STATE_INCREASED: "{what} gestegen van {previous} naar {amount}",
        STATE_ESCALATED: "{kind} ({what} {amount})",
    }
    for name, template in templates.items():
        mask = state == name
        if mask.any():
            text[mask] = fill_template(
                template, {k: v[mask] for k, v in values.items()}, rows.index[mask]
            )
    no_amount = rows["amount"].isna() & (state == STATE_NEW)
    text[no_amount] = "nieuwe " + what[no_amount]
    new_crisis = kind.notna() & (state == STATE_NEW)
    text[new_crisis] = text[new_crisis] + ", " + kind[new_crisis]
    lines = pd.DataFrame({"household_key": rows["household_key"], "line": text})
    if relapse_listed:
        outcome = states.set_index("household_key")["previous_trajectory_outcome"]
        keys = sorted(relapse_listed)
        told = outcome.reindex(keys).map(policy.outcomes_nl).astype("string").fillna("onbekend")
        relapse = (
            "terugval na een eerder schuldhulptraject gemeld door nazorg (uitkomst: " + told + ")"
        )
        lines = pd.concat(
            [lines, pd.DataFrame({"household_key": keys, "line": relapse.to_numpy()})],
            ignore_index=True,
        )
    if lines.empty:
        return pd.Series(dtype="string")
    joined = join_per_group(lines["household_key"], lines["line"], "; ")
    return (f"Nieuw op {night.strftime(DATE_NL)}: " + joined).astype("string")


def household_partitions(batch: NightInput, partitioned: bool) -> pd.Series:
    """Household -> partition: its wijk when partitioned (unknown: "buiten"), else "alle".

    Households never span partitions, so each partition triages whole households.
    """
    keys = batch.households
    if not partitioned:
        return pd.Series("alle", index=keys.to_numpy(), dtype="string")
    known = batch.history.dropna(subset=["household_key"]).drop_duplicates("household_key")
    by_household = known.set_index("household_key")["wijkcode"].astype("string")
    return by_household.reindex(keys.to_numpy()).fillna("buiten")


#: NightInput fields restricted per partition by household (the rest are shared).
_PER_HOUSEHOLD = (
    "signals",
    "signal_state",
    "history",
    "held_back",
    "resolutions",
    "aftercare",
    "nazorg_tonight",
    "open_cases",
    "open_tasks",
    "pickups",
)


def split_by_partition(batch: NightInput, household_part: pd.Series) -> dict[str, NightInput]:
    """Split a night's input so that each partition holds whole households.

    ``household_part`` maps household key to partition; involved households it does not
    name go to partition "buiten".
    """
    parts = household_part.reindex(batch.households.to_numpy()).fillna("buiten")
    out: dict[str, NightInput] = {}
    for part in sorted(parts.unique()):
        households = pd.Series(sorted(set(parts.index[parts == part].tolist())), dtype="string")
        values = {f.name: getattr(batch, f.name) for f in fields(batch)}
        for name in _PER_HOUSEHOLD:
            values[name] = _of(values[name], households)
        values["households"] = households
        out[str(part)] = NightInput(**values)
    return out


def combine(outputs: list[NightOutput]) -> NightOutput:
    """Put partition results back together in a canonical order."""
    if not outputs:
        return NightOutput()

    def stack(frames: list[pd.DataFrame], key: list[str], schema: dict[str, str]) -> pd.DataFrame:
        joined = pd.concat(frames, ignore_index=True)
        return conform(joined.sort_values(key, kind="stable"), schema)

    return NightOutput(
        decisions=stack([o.decisions for o in outputs], ["signal_key"], DECISION_SCHEMA),
        cases=stack([o.cases for o in outputs], ["case_id"], CASE_COLUMNS),
        case_signals=stack(
            [o.case_signals for o in outputs], ["case_id", "signal_key"], CASE_SIGNAL_COLUMNS
        ),
        tasks=stack([o.tasks for o in outputs], ["task_id"], TASK_SCHEMA),
        household_states=stack(
            [o.household_states for o in outputs], ["household_key"], HOUSEHOLD_STATE_SCHEMA
        ),
    )


@dataclass
class Plan:
    """All open work after tonight, planned; and what the system closed tonight."""

    tasks: pd.DataFrame  # TASK_SCHEMA: every open task, planned, plus tonight's closed ones
    closures: pd.DataFrame  # CLOSURE_COLUMNS


def plan_open_tasks(
    carried: pd.DataFrame,
    tonight: pd.DataFrame,
    policy: TriagePolicy,
    night: date,
    capacity: Mapping[str, int] | None = None,
    done_this_week: Mapping[str, int] | None = None,
    reached_cases: set[str] | None = None,
    scores: pd.DataFrame | None = None,
) -> Plan:
    """Close what the policy lets the system close, then plan every open task.

    ``carried`` are the open tasks before tonight (all households); tonight's new and
    re-shaped tasks replace theirs. ``scores`` (household_key, score, model_version,
    reasons_nl) of a promoted model order the work within each band.
    """
    untouched = carried[~is_in(carried["task_id"], tonight["task_id"])]
    open_tasks = conform(pd.concat([untouched, tonight], ignore_index=True), TASK_SCHEMA)
    open_tasks = attach_scores(open_tasks, scores)
    closures = resolved_to_close(open_tasks, reached_cases or set(), policy, night)
    closing = is_in(open_tasks["task_id"], closures["task_id"])
    open_tasks.loc[closing, "status"] = DONE
    open_tasks.loc[closing, "closed_by"] = closures["closed_by"].iloc[0] if len(closures) else None
    open_tasks.loc[closing, "updated_on"] = pd.Timestamp(night)
    planned = plan_capacity(open_tasks, policy, night, capacity, done_this_week)
    return Plan(tasks=planned, closures=conform(closures, CLOSURE_COLUMNS))


def attach_scores(tasks: pd.DataFrame, scores: pd.DataFrame | None) -> pd.DataFrame:
    """Put the promoted model's score, version and reasons on each open task."""
    if scores is None or scores.empty:
        return tasks
    by_household = scores.drop_duplicates("household_key").set_index("household_key")
    out = tasks.copy()
    is_open = out["status"].eq("open").fillna(False).astype(bool)
    keys = out.loc[is_open, "household_key"]
    out.loc[is_open, "score"] = keys.map(by_household["score"]).astype("Float64").to_numpy()
    out.loc[is_open, "model_version"] = keys.map(by_household["model_version"]).to_numpy()
    out.loc[is_open, "score_reasons_nl"] = keys.map(by_household["reasons_nl"]).to_numpy()
    return out


def new_cases_opened(cases: pd.DataFrame, night: date) -> int:
    """Cases opened tonight that were picked up (not the same-night closed not-picked-up ones)."""
    opened = cases["opened_on"] == pd.Timestamp(night)
    return int((opened & cases["picked_up_on"].notna()).sum())


def _of(frame: pd.DataFrame, households: pd.Series) -> pd.DataFrame:
    keep = is_in(frame["household_key"], households)
    if keep.all():  # one partition usually holds every row: no copy needed
        return frame.reset_index(drop=True)
    return frame[keep].reset_index(drop=True)


__all__ = [
    "CLOSURE_COLUMNS",
    "NAZORG_SCHEMA",
    "PICKUP_SCHEMA",
    "SIGNAL_STATE_SCHEMA",
    "NightInput",
    "NightOutput",
    "Plan",
    "combine",
    "household_partitions",
    "news_lines",
    "plan_open_tasks",
    "split_by_partition",
    "triage_night",
]
