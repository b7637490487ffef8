"""Seconds and peak memory per pipeline stage, measured from outside the pipeline.

The benchmark wraps the functions the nightly flow calls (reader, validation, linkage,
sealing, store, state, triage, tasks, planning, save, export) for the duration of a run, so
the pipeline itself carries no timing code. Times are *exclusive*: a stage nested in another
(tasks inside triage) is not counted twice. A sampler thread reads the resident set size every
20 ms and charges it to the innermost running stage.
"""

from __future__ import annotations

import functools
import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: (module, attribute, stage): what is wrapped. Attributes are patched where the caller looks
#: them up, so ``from x import f`` callers are covered.
WRAPPED: tuple[tuple[str, str, str], ...] = (
    ("flows.night", "discover", "discover"),
    ("flows.ingest", "read_delivery", "read"),
    ("flows.ingest", "validate_signals", "validate"),
    ("flows.ingest", "link_signals", "link"),
    ("flows.ingest", "link_aftercare", "link"),
    ("flows.ingest", "_sealed_quarantine", "seal"),
    ("connectors.vault.ContactVault", "seal_contacts", "seal"),
    ("flows.ingest", "store_delivery", "store"),
    ("flows.night", "derive_signal_states", "state"),
    ("connectors.database.nights", "load_night", "triage-load"),
    ("flows.night", "triage_partition", "triage"),
    ("signals.triage.night", "build_tasks", "tasks"),
    ("flows.triage", "plan_open_tasks", "tasks"),
    ("connectors.database.nights", "save_night", "triage-save"),
    ("flows.night", "export_team_task_lists", "export"),
    ("flows.nightly", "render_data_docs", "data-docs"),
)
PAGE = 4096


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * PAGE


def peak_rss_bytes() -> int:
    """The process's high-water mark (VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Meter:
    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=dict)
    _stack: list[list[Any]] = field(default_factory=list)  # [stage, started, child seconds]
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame: list[Any] = [stage, time.perf_counter(), 0.0]
            with self._lock:
                self._stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - frame[1]
                with self._lock:
                    self._stack.pop()
                    if self._stack:
                        self._stack[-1][2] += elapsed
                self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed - frame[2]
                self.calls[stage] = self.calls.get(stage, 0) + 1

        return timed

    def sample(self) -> None:
        rss = rss_bytes()
        with self._lock:
            stage = self._stack[-1][0] if self._stack else "other"
        self.peak_rss[stage] = max(self.peak_rss.get(stage, 0), rss)


def _target(path: str) -> Any:
    if path.endswith(".ContactVault"):  # a method, patched on its class
        return importlib.import_module(path.removesuffix(".ContactVault")).ContactVault
    return importlib.import_module(path)


@contextmanager
def instrumented() -> Iterator[Meter]:
    """Wrap every stage function for the duration of the block; yields the figures."""
    meter = Meter()
    patched: list[tuple[Any, str, Any]] = []
    for path, name, stage in WRAPPED:
        owner = _target(path)
        original = getattr(owner, name)
        patched.append((owner, name, original))
        setattr(owner, name, meter.wrap(stage, original))
    stop = threading.Event()

    def sampler() -> None:
        while not stop.wait(0.02):
            meter.sample()

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    try:
        yield meter
    finally:
        stop.set()
        thread.join()
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)
