"""Shared fixtures. Tests that need PostgreSQL skip on a laptop but fail under CI=true."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Prefect: a private home per test run, no analytics, patience for the temporary server.
_prefect_home = tempfile.mkdtemp(prefix="vs-prefect-home-")
os.environ.setdefault("PREFECT_HOME", _prefect_home)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "0.3")


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail under CI, where everything must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    require(SHARED.is_dir(), f"../shared is not beside the repository ({SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def ddas_schema_path(shared_dir: Path) -> Path:
    path = shared_dir / "ddas" / "v1.2" / "json_schema_Uitwisselmodel.json"
    require(path.is_file(), f"the DDAS v1.2 schema is absent ({path})")
    return path


from tests.db_fixtures import database_url, db_engine, postgres_url  # noqa: E402, F401
from tests.flow_fixtures import prefect_harness_fixture  # noqa: E402, F401
