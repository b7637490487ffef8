"""Progress hooks: the CLI listens (to draw progress bars); flows only announce."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]
_listeners: list[Listener] = []


def announce(event: str, **details: Any) -> None:
    """Tell every listener that ``event`` happened (e.g. "nights", "night-done")."""
    for listener in list(_listeners):
        listener(event, details)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
