"""The schedules: served deployments and ``prefect.yaml`` agree, and ``prefect deploy`` works."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.flow_fixtures import prefect_harness_fixture  # noqa: F401  (fixture)

EXPECTED = {
    "nightly": ("0 2 * * *", "flows/runner.py:scheduled_nightly"),
    "retention": ("30 3 * * *", "flows/retention.py:retention"),
    "train": ("0 5 * * 0", "flows/training.py:train"),
}
TIMEZONE = "Europe/Amsterdam"


def _project() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_served_deployments_run_at_night_in_amsterdam_one_at_a_time() -> None:
    from flows.deployments import deployments

    served = {d.name: d for d in deployments()}
    assert set(served) == set(EXPECTED)
    for name, (cron, _) in EXPECTED.items():
        deployment = served[name]
        assert [s.schedule.cron for s in deployment.schedules] == [cron]  # type: ignore[union-attr]
        assert [s.schedule.timezone for s in deployment.schedules] == [TIMEZONE]  # type: ignore[union-attr]
        assert deployment.concurrency_limit == 1


def test_prefect_yaml_declares_the_same_schedules_and_importable_entrypoints() -> None:
    declared = {d["name"]: d for d in _project()["deployments"]}
    assert set(declared) == set(EXPECTED)
    for name, (cron, entrypoint) in EXPECTED.items():
        deployment = declared[name]
        assert deployment["entrypoint"] == entrypoint
        assert deployment["schedules"] == [{"cron": cron, "timezone": TIMEZONE}]
        assert deployment["concurrency_limit"]["limit"] == 1
        assert deployment["work_pool"]["name"] == "vroegsignaal"
        path, function = entrypoint.split(":")
        spec = importlib.util.spec_from_file_location(f"entrypoint_{name}", ROOT / path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert getattr(module, function).name == name


def _prefect(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
def test_prefect_deploy_registers_the_schedules_on_a_server() -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "VS_PROJECT_DIR": str(ROOT),
    }
    pool = _prefect("work-pool", "create", "vroegsignaal", "--type", "process", env=env)
    assert pool.returncode == 0, pool.stdout + pool.stderr
    deploy = _prefect("deploy", "--all", env=env)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr

    with get_client(sync_client=True) as client:
        for name, (cron, entrypoint) in EXPECTED.items():
            deployment = client.read_deployment_by_name(f"{name}/{name}")
            assert deployment.entrypoint == entrypoint
            assert deployment.work_pool_name == "vroegsignaal"
            schedules = [s.schedule for s in deployment.schedules]
            assert [(s.cron, s.timezone) for s in schedules] == [(cron, TIMEZONE)]  # type: ignore[union-attr]
            assert all(s.active for s in deployment.schedules)
            limit = deployment.global_concurrency_limit
            assert limit is not None and limit.limit == 1
