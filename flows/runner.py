"""Which nightly flow to run: in-process, or partitioned over a Dask cluster (scale-out).

``VS_DASK_ADDRESS`` points at a running Dask scheduler; ``VS_DASK_LOCAL_WORKERS`` > 0 starts a
local cluster of that many worker processes for the run. Either way the triage runs per
partition (postcode area), which gives the same task list as the single-process run.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow
from prefect.task_runners import TaskRunner

from connectors.settings import Settings, get_settings
from flows.nightly import nightly
from flows.report import NightReport


def scaled_out(settings: Settings) -> bool:
    """True when the settings ask for a Dask cluster (the triage is then partitioned)."""
    return settings.scaled_out


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

    The flow partitions its triage by itself when the settings scale out.
    """
    runner = dask_runner(settings)
    if runner is None:
        return nightly
    return nightly.with_options(task_runner=runner)


#: The nightly flow as deployed from ``prefect.yaml``: the worker's environment (VS_DASK_*)
#: decides, when it imports this module, whether it runs in-process or on Dask.
scheduled_nightly = nightly_for(get_settings())
