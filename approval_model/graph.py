"""The process as a DAG: serial total, parallel total (critical path) and the critical path itself.

Serial: an applicant walks from window to window, one item after another: the sum of the limits, plus a
handover between consecutive windows. Parallel (online parallel approval): each item starts as soon as its
prerequisites are done; the total is the longest prerequisite path weighted by the items' limits (node
weights: ``nx.dag_longest_path`` weights edges, so the path is computed here by dynamic programming over a
deterministic topological order), plus a coordination time for each stage the path enters. No graph library
is needed for that; :func:`process_graph` gives a networkx DiGraph for other analyses.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING

from approval_model.clock import WorkingClock
from approval_model.limits import LimitBasis
from approval_model.models import ApprovalItem, Process

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "PathAnalysis",
    "ancestors",
    "analyse",
    "critical_path",
    "item_days",
    "parallel_total_days",
    "prerequisites_of",
    "process_clock",
    "process_graph",
    "serial_total_days",
    "step_end",
    "topological_order",
]


def item_days(item: ApprovalItem, limit: LimitBasis = LimitBasis.statutory) -> float:
    """The limit an analysis counts for an item; a missing promised limit falls back to the statutory one."""
    if limit == LimitBasis.promised and item.promised_limit_days is not None:
        return item.promised_limit_days
    return item.statutory_limit_days


def process_graph(process: Process, limit: LimitBasis = LimitBasis.statutory) -> nx.DiGraph[str]:
    """Items as nodes (attributes: days, department, stage), prerequisite -> dependent edges."""
    import networkx as nx  # only here: the analyses below need no graph library, and the import costs 0.15 s

    graph: nx.DiGraph[str] = nx.DiGraph(name=process.name)
    for item in process.items:
        graph.add_node(
            item.id, days=item_days(item, limit), department=item.department, stage=item.stage, name=item.name
        )
    for item in process.items:
        for prerequisite in item.prerequisite_ids:
            graph.add_edge(prerequisite, item.id)
    return graph


def prerequisites_of(process: Process) -> dict[str, tuple[str, ...]]:
    """Each item's distinct prerequisites, sorted by id (the order ties are broken in)."""
    return {item.id: tuple(sorted(set(item.prerequisite_ids))) for item in process.items}


def ancestors(process: Process, item_id: str) -> set[str]:
    """Every item ``item_id`` waits for, directly or through others (not the item itself)."""
    by_id = {item.id: item for item in process.items}
    if item_id not in by_id:
        raise ValueError(f"{process.name}: no item {item_id} in this process")
    seen: set[str] = set()
    stack = list(by_id[item_id].prerequisite_ids)
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(by_id[current].prerequisite_ids)
    return seen


def topological_order(process: Process) -> list[str]:
    """Prerequisites first, ties broken by item id, so every analysis is reproducible.

    Kahn's algorithm with a heap: the same order as networkx's ``lexicographical_topological_sort``.
    """
    prerequisites = prerequisites_of(process)
    dependents: dict[str, list[str]] = {item_id: [] for item_id in prerequisites}
    waiting = {item_id: len(before) for item_id, before in prerequisites.items()}
    for item_id, before in prerequisites.items():
        for prerequisite in before:
            dependents[prerequisite].append(item_id)
    ready = [item_id for item_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        item_id = heapq.heappop(ready)
        order.append(item_id)
        for dependent in dependents[item_id]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, dependent)
    if len(order) != len(prerequisites):  # a validated Process never has a cycle
        raise ValueError(f"{process.name}: prerequisites form a cycle")
    return order


def process_clock(process: Process) -> WorkingClock | None:
    """The working-day clock from the process's start date, when some step counts calendar days (else None:
    every duration is already on the working-day axis)."""
    if all(item.day_unit == "working" for item in process.items):
        return None
    return WorkingClock(process.simulation.start_date)


def step_end(item: ApprovalItem, start: float, days: float, clock: WorkingClock | None) -> float:
    """Where a step of ``days`` (in the item's unit) that starts at working position ``start`` ends."""
    if item.day_unit == "calendar":
        assert clock is not None, "a calendar-day step needs the process clock"
        return float(clock.add_calendar_days(start, days))
    return start + days


def serial_total_days(process: Process, limit: LimitBasis = LimitBasis.statutory) -> float:
    """Sum of the limits plus ``serial_handover_days`` between consecutive windows, in working days.

    Calendar-day steps are laid on the calendar from the date they start (topological order, as the
    simulation's serial mode), so the total is still in working days."""
    count = len(process.items)
    handover = process.simulation.handover_days
    clock = process_clock(process)
    if clock is None:
        return sum(item_days(item, limit) for item in process.items) + handover * max(count - 1, 0)
    items = {item.id: item for item in process.items}
    position = 0.0
    for index, item_id in enumerate(topological_order(process)):
        item = items[item_id]
        position = step_end(item, position + (handover if index else 0.0), item_days(item, limit), clock)
    return position


def _longest_path(process: Process, limit: LimitBasis) -> tuple[float, list[str]]:
    items = {item.id: item for item in process.items}
    prerequisites = prerequisites_of(process)
    coordination = process.simulation.coordination_days
    clock = process_clock(process)
    finish: dict[str, float] = {}
    predecessor: dict[str, str | None] = {}
    for node in topological_order(process):
        start, best = coordination, None
        for prerequisite in prerequisites[node]:
            changeover = coordination if items[prerequisite].stage != items[node].stage else 0.0
            candidate = finish[prerequisite] + changeover
            if best is None or candidate > start:
                start, best = candidate, prerequisite
        finish[node] = step_end(items[node], start, item_days(items[node], limit), clock)
        predecessor[node] = best
    if not finish:
        return 0.0, []
    end = max(sorted(finish), key=lambda node: finish[node])
    path = [end]
    while (previous := predecessor[path[-1]]) is not None:
        path.append(previous)
    return finish[end], path[::-1]


def parallel_total_days(process: Process, limit: LimitBasis = LimitBasis.statutory) -> float:
    """Length of the longest prerequisite path, node-weighted by the limits (plus stage coordination)."""
    return _longest_path(process, limit)[0]


def critical_path(process: Process, limit: LimitBasis = LimitBasis.statutory) -> list[str]:
    """Item ids on the longest prerequisite path, first to last."""
    return _longest_path(process, limit)[1]


@dataclass(frozen=True)
class PathAnalysis:
    """Static analysis of one process: serial vs parallel totals in working days."""

    process: str
    items: int
    serial_days: float
    parallel_days: float
    critical_path: tuple[str, ...]
    limit: LimitBasis

    @property
    def reduction(self) -> float:
        """Share of the serial total that parallel handling saves."""
        return 1 - self.parallel_days / self.serial_days if self.serial_days else 0.0


def analyse(process: Process, limit: LimitBasis = LimitBasis.statutory) -> PathAnalysis:
    """Serial total, parallel total and critical path of a process."""
    limit = LimitBasis(limit)  # also accepts the plain words of a scenario file or JSON
    length, path = _longest_path(process, limit)
    return PathAnalysis(
        process.name, len(process.items), serial_total_days(process, limit), length, tuple(path), limit
    )
