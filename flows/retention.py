"""The retention flow: delete what the retention policy says and log the counts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

import flows  # noqa: F401
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.lock import night_lock
from connectors.database.retention import apply_retention, load_retention_policy
from connectors.exports.outreach import prune_exports
from connectors.settings import get_settings
from flows.logs import forward_our_loggers
from flows.nightly import scheduled_night
from flows.resources import resources


@flow(name="retention", log_prints=False)
def retention(as_of: date | None = None) -> dict[str, int]:
    """Apply the retention policy as of ``as_of`` (default: the scheduled day)."""
    forward_our_loggers()
    today = as_of or scheduled_night()
    settings = get_settings()
    res = resources(settings)
    policy = load_retention_policy(settings.retention_policy)
    with night_lock(res.engine):  # never while a nightly run is writing
        counts = asdict(apply_retention(res.engine, policy, today))
        cutoff = today - timedelta(days=policy.export_days)
        counts["task_list_exports"] = prune_exports(settings.task_list_dir, cutoff)
        with session_scope(res.engine) as session:
            repo.audit(
                session,
                "retention",
                "delete",
                "task_list_exports",
                policy.version,
                {"folders": counts["task_list_exports"], "before": cutoff.isoformat()},
            )
    get_run_logger().info("Retention %s (%s): %s", today, policy.version, counts)
    rows = "\n".join(f"| {name} | {count} |" for name, count in counts.items())
    create_markdown_artifact(
        markdown=f"# Bewaartermijnen {today}\n\n| verwijderd | aantal |\n|---|---:|\n{rows}\n",
        key="retention-summary",
    )
    return counts
