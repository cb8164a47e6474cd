"""Queues that cannot keep up are refused before simulating, not reported.

A department with a capacity ``c`` (files handled at once) receiving ``λ`` projects per working day, each bringing
files whose mean handling times add up to ``W`` working days, has an **offered load** ``ρ = λ W / c``: the share of
its capacity the work needs in the long run. With ``ρ >= 1`` the queue grows without bound, so any mean the
simulation reports depends only on how long it ran (issue 11 saw 18,286 working days, and 192 with ``-n 100``).
Such a scenario is an error naming the department, its load, and the capacity or arrival rate that brings it under
1; ``ρ >= 0.95`` is a warning (the queue clears, but only after very long excursions). Capacities without
arrivals (every project at day 0) are an error too, unless the scenario asks for that on purpose
(``simulation.batch_release: true``).

The mean handling time per file is the handling distribution's mean (default: ``limit x 0.73``, the mean of the
default distribution; a notice runs its full period) times ``handling_scale``; a 补正 splits a file's handling in
two visits but not its total, and excluded time holds no slot. Calendar-day steps count about 249 working days in
365 calendar days.

Queueing runs also start empty; their first :data:`WARMUP_SHARE` of projects (by arrival) are simulated but left
out of every statistic (:func:`warmup_projects`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from approval_model.models import HandlingDistribution
from messages import Joined, Message
from simulations.compiled import CompiledProcess

if TYPE_CHECKING:
    from simulations.mix import Simulated
from simulations.sampling import (
    DEFAULT_HIGH,
    DEFAULT_LOW,
    DEFAULT_OVERDUE_SHARE,
    DEFAULT_TAIL_HIGH,
    DEFAULT_TAIL_LOW,
)

__all__ = [
    "WARN_LOAD",
    "WARMUP_SHARE",
    "DepartmentLoad",
    "QueueError",
    "check_queues",
    "department_loads",
    "load_warnings",
    "mean_handling",
    "warmup_projects",
]

WARN_LOAD = 0.95
WARMUP_SHARE = 0.10  # of the projects of a queueing replication, simulated but not counted
WORKING_PER_CALENDAR_DAY = 249 / 365  # the official calendar has about 249 working days a year
DEFAULT_MEAN_FACTOR = (1 - DEFAULT_OVERDUE_SHARE) * (
    DEFAULT_LOW + DEFAULT_HIGH
) / 2 + DEFAULT_OVERDUE_SHARE * (DEFAULT_TAIL_LOW + DEFAULT_TAIL_HIGH) / 2  # 0.73


class QueueError(ValueError):
    """A scenario whose queues cannot be simulated meaningfully; the message says which department and the fix."""


def _mean(spec: HandlingDistribution) -> float:
    kind = spec.distribution
    if kind == "fixed":
        return float(spec.value or 0.0)
    if kind == "uniform":
        return (float(spec.low or 0.0) + float(spec.high or 0.0)) / 2
    if kind == "triangular":
        return (float(spec.low or 0.0) + float(spec.mode or 0.0) + float(spec.high or 0.0)) / 3
    if kind in ("lognormal", "exponential"):
        return float(spec.mean or 0.0)
    values = spec.values or (0.0,)
    return sum(values) / len(values)


def mean_handling(compiled: CompiledProcess, i: int) -> float:
    """Mean working days item ``i`` holds a slot of its department (its handling time, not its stopped time)."""
    spec = compiled.handling[i]
    if spec is not None:
        days = _mean(spec)
    elif compiled.kinds and compiled.kinds[i] == "notice":
        days = float(compiled.limits[i])
    else:
        keeping = compiled.promise_keeping
        limit = (
            float(compiled.limits[i])
            if keeping is None
            else keeping * float(compiled.promised_limits[i])
            + (1 - keeping) * float(compiled.statutory_limits[i])
        )
        days = DEFAULT_MEAN_FACTOR * limit
    if i in compiled.calendar_rows:
        days *= WORKING_PER_CALENDAR_DAY
    return days * compiled.items[i].handling_scale


@dataclass(frozen=True)
class DepartmentLoad:
    """One department with a capacity: its work per project and the share of its capacity that work needs."""

    department: str
    capacity: int
    arrivals_per_day: float | None
    files_per_project: int
    work_per_project_days: float  # mean handling days all of a project's files need at this department
    offered_load: float | None  # None without arrivals

    def capacity_needed(self, below: float = 1.0) -> int:
        """The smallest capacity whose offered load is under ``below``."""
        return math.floor((self.arrivals_per_day or 0.0) * self.work_per_project_days / below) + 1

    def arrival_rate_below(self, below: float = 1.0) -> float:
        """The arrival rate at which the load reaches ``below`` (stay under it)."""
        return below * self.capacity / self.work_per_project_days if self.work_per_project_days else math.inf

    def as_json(self) -> dict:
        return {
            "department": self.department,
            "capacity": self.capacity,
            "arrivals_per_day": self.arrivals_per_day,
            "files_per_project": self.files_per_project,
            "work_per_project_days": round(self.work_per_project_days, 4),
            "offered_load": None if self.offered_load is None else round(self.offered_load, 4),
        }


def department_loads(compiled: Simulated) -> list[DepartmentLoad]:
    """Every department with a capacity that handles at least one item of the process; for a project mix
    (:class:`simulations.mix.Mix`), each profile's work per project weighted by its share."""
    if not isinstance(compiled, CompiledProcess):
        return _mixed_loads(compiled)
    loads = []
    for d, capacity in enumerate(compiled.capacity):
        rows = [i for i in range(compiled.n_items) if compiled.item_department[i] == d]
        if capacity is None or not rows:
            continue
        work = sum(mean_handling(compiled, i) for i in rows)
        rate = compiled.arrival_rate
        loads.append(
            DepartmentLoad(
                compiled.department_ids[d],
                capacity,
                rate,
                len(rows),
                work,
                None if rate is None else rate * work / capacity,
            )
        )
    return loads


def _mixed_loads(mix: Any) -> list[DepartmentLoad]:  # a simulations.mix.Mix
    work: dict[str, float] = {}
    files: dict[str, float] = {}
    capacity: dict[str, int] = {}
    for share, part in zip(mix.shares, mix.parts, strict=True):
        for load in department_loads(part):
            work[load.department] = work.get(load.department, 0.0) + float(share) * load.work_per_project_days
            files[load.department] = files.get(load.department, 0.0) + float(share) * load.files_per_project
            capacity[load.department] = load.capacity
    rate = mix.arrival_rate
    return [
        DepartmentLoad(
            department,
            capacity[department],
            rate,
            round(files[department]),
            work[department],
            None if rate is None else rate * work[department] / capacity[department],
        )
        for department in work
    ]


def check_queues(compiled: Simulated) -> list[DepartmentLoad]:
    """Refuse a process whose queues cannot be simulated meaningfully (:class:`QueueError`, the message names
    the department, its load and the fix); return the loads otherwise."""
    loads = department_loads(compiled)
    if not loads:
        return loads
    if compiled.arrival_rate is None:
        if compiled.batch_release:
            return loads
        names = Joined(
            ", ",
            (
                Message(
                    "{department} (capacity {capacity})", department=load.department, capacity=load.capacity
                )
                for load in loads
            ),
        )
        raise QueueError(
            Message(
                "{process}: departments with a capacity but no arrivals: {names}. Every project would start at "
                "day 0 and queue behind all the others, so the times would measure the batch, not the process. Fix: "
                "declare how often projects arrive, e.g. simulation: {{arrivals: {{per_working_day: 0.2}}}}, or ask "
                "for that batch on purpose with simulation: {{batch_release: true}}",
                process=compiled.name,
                names=names,
            )
        )
    over = [load for load in loads if load.offered_load is not None and load.offered_load >= 1.0]
    if over:
        problems = Joined(
            "; ",
            (
                Message(
                    "{department}: offered load {load:.2f} ({arrivals:g} projects/working day x {work:.2f} wd of "
                    "handling per project / capacity {capacity}); fix: capacity {needed} or more, or arrivals below "
                    "{below:.3g} per working day",
                    department=load.department,
                    load=load.offered_load,
                    arrivals=load.arrivals_per_day,
                    work=load.work_per_project_days,
                    capacity=load.capacity,
                    needed=load.capacity_needed(),
                    below=load.arrival_rate_below(),
                )
                for load in over
            ),
        )
        raise QueueError(
            Message(
                "{process}: queues that cannot keep up (offered load >= 1: the queue grows without end and the "
                "results would only say how long the simulation ran): {problems}",
                process=compiled.name,
                problems=problems,
            )
        )
    return loads


def load_warnings(compiled: Simulated) -> list[str]:
    """One line per department at 95 % of its capacity or more (after :func:`check_queues` passed)."""
    return [
        Message(
            "{process}: department {department} runs at offered load {load:.2f}: its queue clears only after long "
            "excursions, so results vary a lot between replications; capacity {needed} or arrivals below "
            "{below:.3g} per working day bring it under {limit:.2f}",
            process=compiled.name,
            department=load.department,
            load=load.offered_load,
            needed=load.capacity_needed(WARN_LOAD),
            below=load.arrival_rate_below(WARN_LOAD),
            limit=WARN_LOAD,
        )
        for load in department_loads(compiled)
        if load.offered_load is not None and load.offered_load >= WARN_LOAD
    ]


def warmup_projects(compiled: Sequence[Simulated], engine: str, projects: int) -> int:
    """Projects left out at the start of each replication: the first :data:`WARMUP_SHARE` of them when any side
    queues (the event engine, a capacity and arrivals), none otherwise. Both sides of a comparison drop the same
    projects, so common random numbers still pair them."""
    queueing = engine == "des" and any(c.limited and c.arrival_rate is not None for c in compiled)
    return math.ceil(WARMUP_SHARE * projects) if queueing and projects > 1 else 0
