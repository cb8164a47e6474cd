"""The two clocks of one project whose every step takes its limit (static analysis, no randomness).

The schedule is the one ``approval-sim analyze`` measures (each step starts when its prerequisites are done, plus
stage coordination; calendar-day steps laid on the statutory calendar). On it:

* ``approval_days``: working days during which at least one approval item is in handling — the union of the
  approval items' ``[start, finish]`` (a limit has no stopped time); per stage, the union over that stage's items;
* ``elapsed_days``: calendar days from the start to the last step's end;
* ``elapsed_by_kind``: the critical path's calendar days by kind of work (gaps before a step: ``coordination``).

The simulation computes the same clocks per simulated project (``simulations/clocks.py``); with every handling
time equal to the limit the two agree (a test). See docs/kinds-and-clocks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from approval_model.clock import DEFAULT_START_DATE, shared_clock
from approval_model.graph import critical_path, item_days, prerequisites_of, step_end, topological_order
from approval_model.limits import LimitBasis
from approval_model.models import Process

__all__ = ["CATEGORIES", "StaticClocks", "static_clocks", "static_schedule", "union_length"]

CATEGORIES = ("approval", "intermediary", "utility", "notice", "applicant", "coordination")


def union_length(intervals: list[tuple[float, float]]) -> float:
    """Total length of the union of closed intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def static_schedule(
    process: Process, limit: LimitBasis = LimitBasis.statutory
) -> dict[str, tuple[float, float]]:
    """Start and finish (working days from day 0) of every item when each takes its limit, in parallel."""
    from approval_model.graph import process_clock

    items = {item.id: item for item in process.items}
    prerequisites = prerequisites_of(process)
    coordination = process.simulation.coordination_days
    clock = process_clock(process)
    times: dict[str, tuple[float, float]] = {}
    for node in topological_order(process):
        start = coordination
        for prerequisite in prerequisites[node]:
            changeover = coordination if items[prerequisite].stage != items[node].stage else 0.0
            start = max(start, times[prerequisite][1] + changeover)
        times[node] = (start, step_end(items[node], start, item_days(items[node], limit), clock))
    return times


@dataclass(frozen=True)
class StaticClocks:
    """Approval and elapsed clocks of one project whose steps take their limits."""

    limit: str
    approval_days: float
    stage_approval_days: dict[str, float]
    elapsed_days: float
    elapsed_by_kind: dict[str, float]

    def as_json(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "approval_days": round(self.approval_days, 4),
            "stage_approval_days": {k: round(v, 4) for k, v in self.stage_approval_days.items()},
            "elapsed_days": round(self.elapsed_days, 4),
            "elapsed_by_kind": {k: round(v, 4) for k, v in self.elapsed_by_kind.items()},
        }


def static_clocks(process: Process, limit: LimitBasis = LimitBasis.statutory) -> StaticClocks:
    """The two clocks of the project ``process`` describes (restrict it to a profile first)."""
    limit = LimitBasis(limit)
    times = static_schedule(process, limit)
    items = {item.id: item for item in process.items}
    approvals = [times[i.id] for i in process.items if i.kind == "approval"]
    stages = {
        stage.id: union_length(
            [times[i.id] for i in process.items if i.kind == "approval" and i.stage == stage.id]
        )
        for stage in process.stages
    }
    clock = shared_clock(process.simulation.start_date or DEFAULT_START_DATE)
    end = max((finish for _, finish in times.values()), default=0.0)
    elapsed = float(clock.to_calendar(end))
    by_kind = dict.fromkeys(CATEGORIES, 0.0)
    reached = 0.0
    for item_id in critical_path(process, limit):
        start, finish = times[item_id]
        item = items[item_id]
        begin = float(clock.to_calendar(start))
        stop = (
            begin + item_days(item, limit)
            if item.day_unit == "calendar"
            else float(clock.to_calendar(finish))
        )
        t0 = max(begin, reached)
        by_kind[item.kind] += max(stop - t0, 0.0)
        reached = max(reached, stop)
    by_kind["coordination"] = max(elapsed - sum(by_kind.values()), 0.0)
    return StaticClocks(limit.value, union_length(approvals), stages, elapsed, by_kind)
