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

from simulations.compiled import CompiledProcess, Mode

__all__ = ["Schedule", "critical_items", "end_to_end", "schedule"]


@dataclass(frozen=True)
class Schedule:
    """Finish time of every (item, project) relative to the project's arrival, and who finished last at joins.

    ``binding[j]`` (only for items with two or more prerequisites, parallel mode) is, per project, the index of
    the prerequisite that held the item up (the last to finish, counting the stage coordination).
    """

    finish: np.ndarray
    binding: dict[int, np.ndarray]


def schedule(compiled: CompiledProcess, elapsed: np.ndarray, mode: Mode) -> Schedule:
    """Finish times given each item's elapsed time (waiting + handling + stopped clock), working days."""
    m = compiled.n_items
    if mode == "serial":
        finish = np.empty_like(elapsed)
        if m:
            finish[0] = elapsed[0]
        for i in range(1, m):  # row by row: much faster than cumsum(axis=0) on C-ordered rows
            np.add(finish[i - 1], elapsed[i], out=finish[i])
            if compiled.handover_days:
                finish[i] += compiled.handover_days
        return Schedule(finish, {})
    coordination = compiled.coordination_days
    finish = np.empty_like(elapsed)
    binding: dict[int, np.ndarray] = {}
    for j in range(m):
        pre, change = compiled.prerequisites[j], compiled.stage_change[j]
        if not pre:
            np.add(elapsed[j], coordination, out=finish[j])
        elif len(pre) == 1:
            # finish[p] >= coordination already, so the prerequisite always binds
            np.add(finish[pre[0]], elapsed[j] + (coordination if change[0] else 0.0), out=finish[j])
        else:
            start = finish[pre[0]] + coordination if change[0] else finish[pre[0]].copy()
            held_by = np.full(elapsed.shape[1], pre[0], dtype=np.int32)
            for p, c in zip(pre[1:], change[1:], strict=True):
                candidate = finish[p] + coordination if c else finish[p]
                later = candidate > start
                np.copyto(start, candidate, where=later)
                held_by[later] = p
            np.add(start, elapsed[j], out=finish[j])
            binding[j] = held_by
    return Schedule(finish, binding)


def end_to_end(compiled: CompiledProcess, plan: Schedule, mode: Mode) -> tuple[np.ndarray, np.ndarray]:
    """End-to-end working days per project and the index of the item that finished last."""
    if compiled.n_items == 0:
        n = plan.finish.shape[1]
        return np.zeros(n), np.zeros(n, dtype=np.intp)
    if mode == "serial":
        return plan.finish[-1].copy(), np.full(plan.finish.shape[1], compiled.n_items - 1, dtype=np.intp)
    last = np.argmax(plan.finish, axis=0)
    return plan.finish[last, np.arange(plan.finish.shape[1])], last


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
