"""Deterministic work started before its task runs, e.g. while a temporary Prefect server starts.

``run compare`` knows its whole comparison before Prefect can run a single task; it starts the simulation and
the robustness analysis here, on one background thread, and the flow's tasks then take the finished results
(waiting if need be) instead of computing them again. Only for pure functions of hashable arguments: a taken
result is exactly what the task would have computed (same inputs, same seeds). In the Prefect UI such a task
looks short: its work was done before it started.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_started: dict[Hashable, Future] = {}
_queue: queue.SimpleQueue[tuple[Future, Callable[..., Any], tuple]] = queue.SimpleQueue()
_worker: threading.Thread | None = None


def _key(function: Callable[..., Any], args: tuple) -> Hashable:
    return (function.__module__, function.__qualname__, args)


def _work() -> None:
    while True:
        future, function, args = _queue.get()
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(function(*args))
            except BaseException as error:  # noqa: BLE001 - handed to whoever takes the result
                future.set_exception(error)


def start(function: Callable[..., Any], *args: Hashable) -> None:
    """Compute ``function(*args)`` in the background (in the order started), unless already started."""
    global _worker
    key = _key(function, args)
    with _lock:
        if key in _started:
            return
        future: Future = Future()
        _started[key] = future
        if _worker is None:  # a daemon: unused work never holds up the end of the command
            _worker = threading.Thread(target=_work, name="prefetch", daemon=True)
            _worker.start()
    _queue.put((future, function, args))


def call(function: Callable[..., T], *args: Hashable) -> T:
    """``function(*args)``: the prefetched result when that call was started, else computed now."""
    with _lock:
        future = _started.pop(_key(function, args), None)
    return future.result() if future is not None else function(*args)


def forget() -> None:
    """Drop what was started and not taken (work not begun yet is cancelled)."""
    with _lock:
        for future in _started.values():
            future.cancel()
        _started.clear()
