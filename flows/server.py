"""The temporary Prefect server of a CLI run, bound to the life of the process that started it.

Without a configured ``PREFECT_API_URL`` Prefect starts a temporary API server as a child
process and stops it at exit; but a run killed outright (SIGKILL, the OOM killer) never gets
to exit, and the server lives on, orphaned, holding its port and database. On Linux the
child is asked to receive SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), so nothing is
left behind however the run ends.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the forked child before exec: SIGTERM when the parent goes away."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class _BoundPopen(subprocess.Popen):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("preexec_fn", _die_with_parent)
        super().__init__(*args, **kwargs)


@contextmanager
def _children_bound_to_us() -> Iterator[None]:
    original = subprocess.Popen
    subprocess.Popen = _BoundPopen  # type: ignore[misc]
    try:
        yield
    finally:
        subprocess.Popen = original  # type: ignore[misc]


@contextmanager
def bound_temporary_server() -> Iterator[None]:
    """Start Prefect's temporary server bound to this process, for the flows run inside.

    A no-op when a real server is configured (``PREFECT_API_URL``) or off Linux, where
    Prefect's own temporary server (stopped at normal exit) is used as before.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value() or not sys.platform.startswith("linux"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    with _children_bound_to_us():
        server.start()
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url  # for child processes (Dask workers)
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        _drain_to(server)
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
        server.stop()


def _drain_to(server: Any) -> None:
    """Send the logs and events still queued while the server is up, then let it stop."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=10)
