"""Monte Carlo engine: every project at once, one vectorised pass over the items in topological order.

Without capacity limits projects never interact, so a project's end-to-end time is a longest path over its
sampled item times: the whole population is a handful of numpy operations per prerequisite edge.

The same pass (:func:`schedule`) also rebuilds the realised schedule of a discrete-event run from its item
times including waiting, which is how both engines produce one result type: with waiting folded into an item's
elapsed time, "start when the prerequisites are done" is again a longest path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from approval_model.clock import WorkingClock
from simulations.compiled import CompiledProcess, Mode

__all__ = ["Schedule", "critical_items", "end_to_end", "schedule", "start_time", "start_times"]


@dataclass(frozen=True)
class Schedule:
    """Finish time of every (item, project) relative to the project's arrival, and who finished last at joins.

    ``binding[j]`` (only for items with two or more prerequisites, parallel mode) is, per project, the index of
    the prerequisite that held the item up (the last to finish, counting the stage coordination).
    """

    finish: np.ndarray
    binding: dict[int, np.ndarray]


def _calendar_finish(
    clock: WorkingClock, start: np.ndarray, days: np.ndarray, arrival: np.ndarray, wait: np.ndarray | None
) -> np.ndarray:
    """Finish (relative to arrival) of a calendar-day step that may start at ``start`` (relative), after
    ``wait`` working days in a queue, and then runs ``days`` calendar days from the date it starts."""
    begin = arrival + start if wait is None else arrival + start + wait
    return clock.add_calendar_days(begin, days) - arrival


def schedule(
    compiled: CompiledProcess,
    elapsed: np.ndarray,
    mode: Mode,
    *,
    arrival: np.ndarray | None = None,
    wait: np.ndarray | None = None,
) -> Schedule:
    """Finish times given each item's elapsed time (waiting + handling + stopped clock), working days.

    Rows of calendar-day items (``compiled.calendar_rows``) hold calendar days instead, without the waiting:
    such an item ends where its calendar days, laid on the calendar from the date it starts (after ``wait``
    working days in its department's queue, if any), end; that depends on the absolute date, hence ``arrival``.
    """
    m = compiled.n_items
    calendar = set(compiled.calendar_rows)
    clock = compiled.clock()
    if calendar:
        arrival = np.zeros(elapsed.shape[1]) if arrival is None else arrival

    def calendar_finish(j: int, start: np.ndarray) -> np.ndarray:
        assert clock is not None and arrival is not None  # both set above when an item counts calendar days
        return _calendar_finish(clock, start, elapsed[j], arrival, None if wait is None else wait[j])

    if mode == "serial":
        finish = np.empty_like(elapsed)
        for i in range(m):  # row by row: much faster than cumsum(axis=0) on C-ordered rows
            if i in calendar:
                ready = finish[i - 1] + compiled.handover_days if i else np.zeros(elapsed.shape[1])
                finish[i] = calendar_finish(i, ready)
            elif i == 0:
                finish[0] = elapsed[0]
            else:
                np.add(finish[i - 1], elapsed[i], out=finish[i])
                if compiled.handover_days:
                    finish[i] += compiled.handover_days
        return Schedule(finish, {})
    coordination = compiled.coordination_days
    finish = np.empty_like(elapsed)
    binding: dict[int, np.ndarray] = {}
    later = np.empty(elapsed.shape[1], dtype=bool)
    for j in range(m):
        pre, change = compiled.prerequisites[j], compiled.stage_change[j]
        if not pre:
            if j in calendar:
                finish[j] = calendar_finish(j, np.full(elapsed.shape[1], coordination))
            else:
                np.add(elapsed[j], coordination, out=finish[j])
            continue
        if len(pre) == 1:
            # finish[p] >= coordination already, so the prerequisite always binds
            delay = coordination if change[0] else 0.0
            if j in calendar:
                finish[j] = calendar_finish(j, finish[pre[0]] + delay)
            else:
                np.add(finish[pre[0]], elapsed[j] + delay if delay else elapsed[j], out=finish[j])
            continue
        start = finish[pre[0]] + coordination if change[0] else finish[pre[0]].copy()
        held_by = np.full(elapsed.shape[1], pre[0], dtype=np.int32)
        for p, c in zip(pre[1:], change[1:], strict=True):
            candidate = finish[p] + coordination if c else finish[p]
            np.greater(candidate, start, out=later)
            np.copyto(held_by, p, where=later)
            np.maximum(start, candidate, out=start)  # = copying where later, without a masked loop
        binding[j] = held_by
        if j in calendar:
            finish[j] = calendar_finish(j, start)
        else:
            np.add(start, elapsed[j], out=finish[j])
    return Schedule(finish, binding)


def start_time(compiled: CompiledProcess, plan: Schedule, j: int, mode: Mode) -> np.ndarray:
    """Row ``j`` of :func:`start_times` alone (the same arithmetic, so the same numbers)."""
    finish = plan.finish
    if mode == "serial":
        return np.zeros(finish.shape[1]) if j == 0 else finish[j - 1] + compiled.handover_days
    coordination = compiled.coordination_days
    pre, change = compiled.prerequisites[j], compiled.stage_change[j]
    if not pre:
        return np.full(finish.shape[1], coordination)
    start = finish[pre[0]] + (coordination if change[0] else 0.0)
    for p, c in zip(pre[1:], change[1:], strict=True):
        np.maximum(start, finish[p] + (coordination if c else 0.0), out=start)
    return start


def start_times(compiled: CompiledProcess, plan: Schedule, mode: Mode) -> np.ndarray:
    """When each item may start (its prerequisites done, plus handover / coordination), relative to arrival.

    For a working-day item this is its finish minus its elapsed time; a calendar-day item's start cannot be
    recovered that way (its working-day length depends on the date), hence this pass over the schedule."""
    finish = plan.finish
    start = np.empty_like(finish)
    m = compiled.n_items
    if mode == "serial":
        if m:
            start[0] = 0.0
        for i in range(1, m):
            np.add(finish[i - 1], compiled.handover_days, out=start[i])
        return start
    coordination = compiled.coordination_days
    for j in range(m):
        pre, change = compiled.prerequisites[j], compiled.stage_change[j]
        if not pre:
            start[j] = coordination
            continue
        start[j] = finish[pre[0]] + (coordination if change[0] else 0.0)
        for p, c in zip(pre[1:], change[1:], strict=True):
            np.maximum(start[j], finish[p] + (coordination if c else 0.0), out=start[j])
    return start


def end_to_end(compiled: CompiledProcess, plan: Schedule, mode: Mode) -> tuple[np.ndarray, np.ndarray]:
    """End-to-end working days per project and the index of the item that finished last."""
    if compiled.n_items == 0:
        n = plan.finish.shape[1]
        return np.zeros(n), np.zeros(n, dtype=np.intp)
    if mode == "serial":
        return plan.finish[-1].copy(), np.full(plan.finish.shape[1], compiled.n_items - 1, dtype=np.intp)
    # = argmax down the columns (the first item to reach the latest finish), row by row: argmax across the
    # rows of a C-ordered matrix is ten times slower
    finish = plan.finish
    latest = finish.max(axis=0)
    last = np.full(finish.shape[1], compiled.n_items - 1, dtype=np.intp)
    for j in range(compiled.n_items - 2, -1, -1):
        np.copyto(last, j, where=finish[j] == latest)
    return latest, last


def critical_items(compiled: CompiledProcess, plan: Schedule, last: np.ndarray, mode: Mode) -> np.ndarray:
    """Boolean (item, project): the item lies on the project's realised critical path."""
    m, n = plan.finish.shape
    if mode == "serial":
        return np.ones((m, n), dtype=bool)
    critical = np.zeros((m, n), dtype=bool)
    if m == 0:
        return critical
    critical[last, np.arange(n)] = True
    for j in range(m - 1, -1, -1):
        pre = compiled.prerequisites[j]
        if not pre:
            continue
        on = critical[j]
        if len(pre) == 1:
            critical[pre[0]] |= on
        else:
            held_by = plan.binding[j]
            for p in pre:
                critical[p] |= on & (held_by == p)
    return critical
