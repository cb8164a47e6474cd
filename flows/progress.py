"""Progress of a flow, told to whoever listens in this process (the command line prints it).

Flows and tasks call ``report``; it costs nothing when nobody listens (tasks on a remote Dask worker).
Listeners are called from the task runner's threads, so they must be thread-safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str], None]
_listeners: list[Listener] = []


def report(message: str) -> None:
    for listener in list(_listeners):
        listener(message)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
