"""The schedules, as Prefect deployments: served by ``vroegsignaal serve`` on one machine.

``prefect.yaml`` declares the same schedules for a work pool in production; a test checks the
two agree.
"""

from __future__ import annotations

from typing import cast

from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from connectors.settings import get_settings
from flows.retention import retention
from flows.runner import nightly_for
from flows.training import train

TIMEZONE = "Europe/Amsterdam"
SCHEDULES: dict[str, str] = {
    "nightly": "0 2 * * *",
    "retention": "30 3 * * *",
    "train": "0 5 * * 0",  # weekly, Sunday morning: a new candidate model, never promoted
}


def deployments() -> list[RunnerDeployment]:
    """Nightly at 02:00, retention at 03:30, training on Sundays at 05:00 (Amsterdam time),
    one run at a time each."""
    nightly = nightly_for(get_settings())  # on Dask when VS_DASK_* ask for it
    deployments = [
        nightly.to_deployment(
            name="nightly",
            schedules=[Cron(SCHEDULES["nightly"], timezone=TIMEZONE)],
            concurrency_limit=1,
            tags=["vroegsignaal", "nightly"],
        ),
        retention.to_deployment(
            name="retention",
            schedules=[Cron(SCHEDULES["retention"], timezone=TIMEZONE)],
            concurrency_limit=1,
            tags=["vroegsignaal", "retention"],
        ),
        train.to_deployment(
            name="train",
            schedules=[Cron(SCHEDULES["train"], timezone=TIMEZONE)],
            concurrency_limit=1,
            tags=["vroegsignaal", "train"],
        ),
    ]
    # to_deployment is sync-compatible: called outside an event loop it returns the object.
    return [cast(RunnerDeployment, deployment) for deployment in deployments]
