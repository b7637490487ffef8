"""The retention flow: delete what the retention policy says and log the counts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

import flows  # noqa: F401
from connectors.database import history as delivery_log
from connectors.database import repository as repo
from connectors.database.engine import session_scope
from connectors.database.lock import night_lock
from connectors.database.retention import (
    apply_retention,
    load_retention_policy,
    months_before,
)
from connectors.exports.outreach import prune_exports
from connectors.inbox import prune_inbox
from connectors.settings import PROJECT_ROOT, Settings, get_settings
from flows.logs import forward_our_loggers
from flows.nightly import scheduled_night
from flows.resources import resources

SAMPLE_DIR = (PROJECT_ROOT / "data" / "sample").resolve()


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
        counts["exports"] = prune_exports(settings.resolved_export_dir, cutoff)
        counts["inbox_files"] = _prune_inbox(settings, months_before(today, policy.inbox_months))
        with session_scope(res.engine) as session:
            repo.audit(
                session,
                "retention",
                "delete",
                "files",
                policy.version,
                {
                    "export_folders_and_files": counts["exports"],
                    "inbox_files": counts["inbox_files"],
                },
            )
    get_run_logger().info("Retention %s (%s): %s", today, policy.version, counts)
    rows = "\n".join(f"| {name} | {count} |" for name, count in counts.items())
    create_markdown_artifact(
        markdown=f"# Bewaartermijnen {today}\n\n| verwijderd | aantal |\n|---|---:|\n{rows}\n",
        key="retention-summary",
    )
    return counts


def _prune_inbox(settings: Settings, before: date) -> int:
    """Delivery files already dealt with, older than the policy allows.

    The committed sample municipality is demo data, not deliveries: it is never pruned.
    """
    if settings.inbox.resolve().is_relative_to(SAMPLE_DIR):
        get_run_logger().info("Inbox is the sample municipality: not pruned")
        return 0
    res = resources(settings)
    with session_scope(res.engine) as session:
        recorded = set(delivery_log.recorded_source_files(session))
    return prune_inbox(settings.inbox, res.catalog, recorded, before)
