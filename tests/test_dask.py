"""Scale-out: the nightly flow partitioned over a Dask cluster of worker processes gives the
same task list as the single-process run of the same night."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import pandas as pd
import pytest

if TYPE_CHECKING:
    from prefect.states import State

    from flows.report import NightReport

from tests.flow_fixtures import (  # noqa: F401  (fixtures)
    EXAMPLE_NIGHT,
    Municipality,
    clear_resources,
    municipality_fixture,
    prefect_harness_fixture,
    read_table,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]


def test_partitioned_on_dask_equals_single_process(
    municipality: Municipality, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from prefect_dask import DaskTaskRunner

    from connectors.settings import get_settings
    from flows.nightly import nightly
    from flows.runner import dask_runner, nightly_for, scaled_out

    municipality.deliver(EXAMPLE_NIGHT)
    single = nightly(as_of=EXAMPLE_NIGHT, export=False)
    single_tasks = read_table(municipality.database_url, "tasks")

    # The same night on a database of its own, on a local cluster of two worker processes.
    dask_dir = tmp_path / "dask"
    monkeypatch.setenv("VS_DATA_DIR", str(dask_dir))
    monkeypatch.setenv("VS_DASK_LOCAL_WORKERS", "2")
    clear_resources()
    settings = get_settings()
    runner = dask_runner(settings)
    assert isinstance(runner, DaskTaskRunner)
    assert runner.cluster_kwargs == {"n_workers": 2, "processes": True, "threads_per_worker": 1}
    assert scaled_out(settings)
    scaled = nightly_for(settings)
    state = cast(
        "State[NightReport]",
        scaled(
            as_of=EXAMPLE_NIGHT, export=False, partitioned=scaled_out(settings), return_state=True
        ),
    )
    partitioned = state.result()
    dask_tasks = read_table(f"sqlite:///{dask_dir / 'vroegsignaal.db'}", "tasks")

    assert len(single_tasks) > 0
    assert partitioned.signals_decided == single.signals_decided
    assert partitioned.tasks_per_team == single.tasks_per_team
    pd.testing.assert_frame_equal(dask_tasks, single_tasks)
    # The workers reported to this session's server: one triage run per postcode area.
    partitions = _task_runs(str(state.state_details.flow_run_id), "triage-partition")
    assert len(partitions) == 2
    assert {run["state_type"] for run in partitions} == {"COMPLETED"}


def _task_runs(flow_run_id: str, name: str) -> list[dict[str, object]]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/task_runs/filter",
            json={
                "flow_runs": {"id": {"any_": [flow_run_id]}},
                "task_runs": {"name": {"like_": name}},
            },
        )
    return list(response.json())
