"""Which nightly flow to run: in-process, or partitioned over a Dask cluster (scale-out).

``VS_DASK_ADDRESS`` points at a running Dask scheduler; ``VS_DASK_LOCAL_WORKERS`` > 0 starts a
local cluster of that many worker processes for the run. Either way the triage runs per
partition (postcode area), which gives the same task list as the single-process run.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow
from prefect.task_runners import TaskRunner

from connectors.settings import Settings
from flows.nightly import nightly
from flows.report import NightReport


def scaled_out(settings: Settings) -> bool:
    """True when the settings ask for a Dask cluster (the triage is then partitioned)."""
    return bool(settings.dask_address) or settings.dask_local_workers > 0


def dask_runner(settings: Settings) -> TaskRunner[Any] | None:
    """The Dask task runner the settings ask for, or None for the default in-process one."""
    if not scaled_out(settings):
        return None
    from prefect_dask import DaskTaskRunner  # imported only when scaling out

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.dask_local_workers,
            "processes": True,
            "threads_per_worker": 1,
        }
    )


def nightly_for(settings: Settings) -> Flow[..., NightReport]:
    """The nightly flow with the task runner the settings ask for.

    Call it with ``partitioned=scaled_out(settings)``: partitions are what the workers share.
    """
    runner = dask_runner(settings)
    if runner is None:
        return nightly
    return nightly.with_options(task_runner=runner)
