"""Discrete-event engine: projects compete for department capacity (FIFO pools shared across items).

Design, and why not a library. SimPy (and Ciw, Prosimos) model each file as a generator-based process with
event objects and callbacks: flexible, but every handling costs several object allocations and generator
switches, tens of microseconds. Our model has exactly four kinds of events, so the kernel is a plain binary
heap of ``(time, code)`` tuples with ``code = 4 * (project * items + item) + kind`` (ints compare fast, and the
code makes ties deterministic, like SimPy's event counter), flat Python lists for state, and a ``deque`` per
department. Arrivals are not pushed on the heap but merged in from a sorted list, so the heap only holds files
in progress. All random times are drawn beforehand (vectorised, :mod:`simulations.sampling`), so the kernel
does no sampling and the event engine sees the very same draws as the Monte Carlo engine. That makes a
replication a few microseconds per item.

Life cycle of one item of one project:

1. ``REQUEST``: its prerequisites are done (plus handover / coordination delay): it asks its department
   for a slot. A department without capacity serves at once; otherwise the file joins the FIFO queue.
2. ``SERVICE_DONE``: the slot is released (the head of the queue is served). If the item has a 补正 request,
   only the share ``split`` of the handling was done: the applicant works (clock stopped, no slot held), then
   the file requests the department again (``REQUEST_AGAIN``) for the rest of the handling.
3. ``ITEM_DONE`` after the excluded (expert review / intermediary) time, which holds no slot either; the
   item's dependents are released.

Statistics are not kept in the kernel: it returns each file's total waiting time and each project's completion
time; everything else is derived afterwards (:func:`simulations.results.assemble`).
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np

from simulations.compiled import CompiledProcess, Mode
from simulations.sampling import Draws

__all__ = ["run_des"]

REQUEST, REQUEST_AGAIN, SERVICE_DONE, ITEM_DONE = range(4)


ProjectPlan = tuple[list, list, list[int], list[int]]
"""Per project: dependents (per item, (item, delay) pairs), roots ((item, delay) pairs), then per file the
prerequisites pending, and per project the number of its items (a project mix: each project its own items)."""


def run_des(
    compiled: CompiledProcess,
    draws: Draws,
    mode: Mode,
    *,
    wait_again: list[np.ndarray] | None = None,
    plan: ProjectPlan | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Simulate the drawn projects; returns (waiting days per item x project, end-to-end days, events).

    ``wait_again``: a list to which the waiting after a 补正 request (part of the total) is appended. ``plan``:
    which items each project has and how they follow each other (:mod:`simulations.mix`), instead of every
    project having every item of ``compiled`` in ``mode``."""
    m, n = draws.handling.shape
    if m == 0 or n == 0:
        return np.zeros((m, n)), np.zeros(n), 0
    # flat per-file state, file k = project * m + item (project-major so a project's files are adjacent)
    handling = draws.handling.T.ravel().tolist()
    size = n * m
    applicant = draws.applicant.T.ravel().tolist() if draws.applicant is not None else [0.0] * size
    supplemented = draws.supplemented.T.ravel().tolist() if draws.supplemented is not None else [False] * size
    split = draws.split.T.ravel().tolist() if draws.split is not None else [1.0] * size
    excluded = draws.excluded.T.ravel().tolist() if draws.excluded is not None else [0.0] * size
    arrival = draws.arrival.tolist()
    department = compiled.item_department.tolist()
    capacity = [c or 0 for c in compiled.capacity]
    free = list(capacity)
    queues: list[deque] = [deque() for _ in capacity]
    serial_pending = [0] + [1] * (m - 1)
    parallel_pending = [len(p) for p in compiled.prerequisites]
    remaining = [m] * n
    if plan is not None:
        dependents_of, roots_of, pending, remaining = plan
        pending, remaining = list(pending), list(remaining)
    elif mode == "partial":  # each project its own mode (drawn beforehand, like every other random time)
        if draws.parallel is None:
            raise ValueError(f"{compiled.name}: mode 'partial' needs simulation.parallel_share")
        chosen = draws.parallel.tolist()
        by_mode = {
            True: (compiled.dependents("parallel"), compiled.roots("parallel"), parallel_pending),
            False: (compiled.dependents("serial"), compiled.roots("serial"), serial_pending),
        }
        dependents_of = [by_mode[c][0] for c in chosen]
        roots_of = [by_mode[c][1] for c in chosen]
        pending = [count for c in chosen for count in by_mode[c][2]]
    else:
        dependents_of = [compiled.dependents(mode)] * n
        roots_of = [compiled.roots(mode)] * n
        pending = (parallel_pending if mode == "parallel" else serial_pending) * n
    ready = [0.0] * size
    wait = [0.0] * size
    again = [0.0] * size  # the part of the waiting after a 补正 request (the file queues a second time)
    second = [False] * size
    finished = [0.0] * n
    heap: list[tuple[float, int]] = []
    push, pop = heapq.heappush, heapq.heappop

    calendar_items = set(compiled.calendar_rows)
    clock = compiled.clock()

    def serve(t: float, k: int) -> None:
        """Start handling file k now (the slot is already taken)."""
        h = handling[k]
        if k % m in calendar_items:  # calendar days from the date the handling starts (no 补正, validated)
            assert clock is not None  # compiled.clock() exists whenever an item counts calendar days
            push(heap, (clock.add_calendar_days_scalar(t, h), 4 * k + SERVICE_DONE))
            return
        if supplemented[k]:
            h = h * (1.0 - split[k]) if second[k] else h * split[k]
        push(heap, (t + h, 4 * k + SERVICE_DONE))

    def request(t: float, k: int) -> None:
        d = department[k % m]
        if capacity[d] == 0:
            serve(t, k)
        elif free[d]:
            free[d] -= 1
            serve(t, k)
        else:
            queues[d].append((k, t))

    def item_done(t: float, k: int) -> None:
        p, i = divmod(k, m)
        remaining[p] -= 1
        if not remaining[p]:
            finished[p] = t
        base = p * m
        for j, delay in dependents_of[p][i]:
            kj = base + j
            candidate = t + delay
            if candidate > ready[kj]:
                ready[kj] = candidate
            pending[kj] -= 1
            if not pending[kj]:
                if ready[kj] > t:
                    push(heap, (ready[kj], 4 * kj + REQUEST))
                else:
                    request(t, kj)

    events = 0
    next_project = 0
    next_arrival = arrival[0]
    infinity = float("inf")
    while True:
        if heap and heap[0][0] < next_arrival:
            t, code = pop(heap)
        elif next_project < n:
            t = next_arrival
            base = next_project * m
            roots = roots_of[next_project]
            next_project += 1
            next_arrival = arrival[next_project] if next_project < n else infinity
            events += 1
            for i, delay in roots:
                if delay:
                    push(heap, (t + delay, 4 * (base + i) + REQUEST))
                else:
                    request(t, base + i)
            continue
        else:
            break
        events += 1
        k, kind = divmod(code, 4)
        if kind == SERVICE_DONE:
            d = department[k % m]
            if capacity[d]:
                queue = queues[d]
                if queue:
                    k2, since = queue.popleft()
                    wait[k2] += t - since
                    if second[k2]:
                        again[k2] += t - since
                    serve(t, k2)
                else:
                    free[d] += 1
            if supplemented[k] and not second[k]:
                second[k] = True
                push(heap, (t + applicant[k], 4 * k + REQUEST_AGAIN))
            elif excluded[k] > 0.0:
                push(heap, (t + excluded[k], 4 * k + ITEM_DONE))
            else:
                item_done(t, k)
        elif kind == ITEM_DONE:
            item_done(t, k)
        else:  # REQUEST or REQUEST_AGAIN
            request(t, k)
    wait_matrix = np.array(wait).reshape(n, m).T
    if wait_again is not None:  # asked for by the approval clock: where in the item the waiting falls
        wait_again.append(np.array(again).reshape(n, m).T)
    end_to_end = np.array(finished) - draws.arrival
    return wait_matrix, end_to_end, events
