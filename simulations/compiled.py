"""A process compiled into flat, index-based tables that both engines read.

Items are numbered in the deterministic topological order of :mod:`approval_model.graph` (ties broken by item
id), so the serial order and the parallel pass match the static analysis exactly; prerequisites of an item are
listed in item-id order, as the analysis does, so ties on the critical path resolve the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from approval_model.clock import DEFAULT_START_DATE, WorkingClock, shared_clock
from approval_model.graph import item_days, prerequisites_of, topological_order
from approval_model.limits import LimitBasis
from approval_model.models import ApprovalItem, HandlingDistribution, Process, Supplement

__all__ = ["DEFAULT_START_DATE", "CompiledProcess", "Mode", "compile_process", "item_stream_key"]

Mode = Literal["serial", "parallel", "partial"]
"""How a project's items are handled: ``serial`` (one window after another), ``parallel`` (each item starts when its
prerequisites are done) or ``partial`` (each project is handled in parallel with probability
``simulation.parallel_share``, else serially: pre-reform practice that was partly parallel)."""


def item_stream_key(item_id: str) -> int:
    """A stable 64-bit number from an item id: the item's random stream never depends on item order or count."""
    return int.from_bytes(hashlib.blake2b(item_id.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class CompiledProcess:
    """Index tables of one process (item i = the i-th item in topological order)."""

    name: str
    item_ids: tuple[str, ...]
    item_names: tuple[str, ...]
    items: tuple[ApprovalItem, ...]
    prerequisites: tuple[tuple[int, ...], ...]
    stage_change: tuple[tuple[bool, ...], ...]  # per prerequisite: does the path change stage there?
    limits: np.ndarray  # the limit worked to (simulation.limit_basis), working days
    statutory_limits: np.ndarray  # statutory limit, working days (for reports)
    limit_basis: str
    promised_limits: np.ndarray  # promised limit where the item has one, else statutory
    department_ids: tuple[str, ...]
    item_department: np.ndarray  # department index per item
    capacity: tuple[int | None, ...]  # per department; None = never queues
    handling: tuple[HandlingDistribution | None, ...]
    supplement: tuple[Supplement | None, ...]
    excluded: tuple[float | HandlingDistribution | None, ...]
    stream_keys: tuple[int, ...]
    handover_days: float
    coordination_days: float
    arrival_rate: float | None  # projects per working day; None = all at day 0
    start_date: date
    parallel_share: float | None = None  # share of projects handled in parallel in mode "partial"
    kinds: tuple[str, ...] = ()  # per item: approval, intermediary, utility, notice, applicant
    calendar_rows: tuple[int, ...] = ()  # items whose durations count calendar days
    stage_ids: tuple[str, ...] = ()  # the process's stages, in order
    item_stage: tuple[int, ...] = ()  # stage index per item
    targets: dict | None = None  # Process.targets as plain data (time targets the summary checks)

    def clock(self) -> WorkingClock | None:
        """A working-day clock from the start date when some item counts calendar days (else None)."""
        return shared_clock(self.start_date) if self.calendar_rows else None

    promise_keeping: float | None = None  # share of departments working to promised limits; None: the basis
    department_keys: tuple[
        int, ...
    ] = ()  # stream key per department (promise keeping is drawn per department)
    batch_release: bool = False  # capacities without arrivals asked for on purpose
    stated: dict[str, float] = field(
        default_factory=dict
    )  # assumption settings the scenario states explicitly

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def own_handling(self) -> tuple[bool, ...]:
        """Per item: its handling time comes from its own ``handling_days`` (declared, or written by
        ``calibrate``), not from its limit x a fraction (the sampler's choice, ``sampling.draw``)."""
        return tuple(spec is not None for spec in self.handling)

    @property
    def limited(self) -> bool:
        """Whether some department that handles an item has a capacity (files queue there)."""
        used = set(self.item_department.tolist())
        return any(self.capacity[d] is not None for d in used)

    def dependents(self, mode: Mode) -> tuple[tuple[tuple[int, float], ...], ...]:
        """Per item, the items it releases and the delay before they may start (handover / coordination)."""
        if mode == "partial":
            raise ValueError("a partial run has a mode per project: ask for serial or parallel dependents")
        n = self.n_items
        if mode == "serial":
            return tuple(((i + 1, self.handover_days),) if i + 1 < n else () for i in range(n))
        out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for j, (pre, change) in enumerate(zip(self.prerequisites, self.stage_change, strict=True)):
            for p, c in zip(pre, change, strict=True):
                out[p].append((j, self.coordination_days if c else 0.0))
        return tuple(tuple(d) for d in out)

    def roots(self, mode: Mode) -> tuple[tuple[int, float], ...]:
        """Items a project starts with, and the delay after arrival (stage coordination in parallel mode)."""
        if self.n_items == 0:
            return ()
        if mode == "serial":
            return ((0, 0.0),)
        return tuple((i, self.coordination_days) for i, pre in enumerate(self.prerequisites) if not pre)


def _arrival_rate(arrivals: dict[str, float] | None) -> float | None:
    if not arrivals:
        return None
    unknown = set(arrivals) - {"per_working_day"}
    if unknown:
        raise ValueError(
            f"simulation.arrivals: unknown key(s) {', '.join(sorted(unknown))}; "
            "write e.g. arrivals: {per_working_day: 0.5} (projects per working day)"
        )
    rate = arrivals.get("per_working_day")
    if rate is None or rate <= 0:
        raise ValueError(
            f"simulation.arrivals.per_working_day must be > 0, got {rate}; e.g. {{per_working_day: 0.5}}"
        )
    return float(rate)


def _start_date(text: date | str | None) -> date:
    if text is None:
        return DEFAULT_START_DATE
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise ValueError(
            f"simulation.start_date {text!r} is not a date; write YYYY-MM-DD, e.g. 2017-10-09"
        ) from None


def compile_process(process: Process) -> CompiledProcess:
    """Flatten a validated process into the tables the engines use."""
    order = topological_order(process)
    before = prerequisites_of(process)
    index = {item_id: k for k, item_id in enumerate(order)}
    items = tuple(process.item(item_id) for item_id in order)
    department_ids = tuple(d.id for d in process.departments)
    department_index = {d: k for k, d in enumerate(department_ids)}
    stage_index = {s.id: k for k, s in enumerate(process.stages)}
    prerequisites = []
    stage_change = []
    for item in items:
        pre = before[item.id]
        prerequisites.append(tuple(index[p] for p in pre))
        stage_change.append(tuple(process.item(p).stage != item.stage for p in pre))
    return CompiledProcess(
        name=process.name,
        item_ids=tuple(order),
        item_names=tuple(i.name for i in items),
        items=items,
        prerequisites=tuple(prerequisites),
        stage_change=tuple(stage_change),
        limits=np.array([item_days(i, process.simulation.limit_basis) for i in items], dtype=float),
        statutory_limits=np.array([i.statutory_limit_days for i in items], dtype=float),
        limit_basis=process.simulation.limit_basis,
        promised_limits=np.array([item_days(i, LimitBasis.promised) for i in items], dtype=float),
        department_ids=department_ids,
        item_department=np.array([department_index[i.department] for i in items], dtype=np.intp),
        capacity=tuple(d.capacity for d in process.departments),
        handling=tuple(i.handling_days for i in items),
        supplement=tuple(i.supplement for i in items),
        excluded=tuple(i.excluded_days for i in items),
        stream_keys=tuple(item_stream_key(i.id) for i in items),
        handover_days=process.simulation.handover_days,
        coordination_days=process.simulation.coordination_days,
        arrival_rate=_arrival_rate(process.simulation.arrivals),
        start_date=_start_date(process.simulation.start_date),
        parallel_share=process.simulation.parallel_share,
        kinds=tuple(i.kind for i in items),
        calendar_rows=tuple(k for k, i in enumerate(items) if i.day_unit == "calendar"),
        stage_ids=tuple(s.id for s in process.stages),
        item_stage=tuple(stage_index[i.stage] for i in items),
        targets=None if process.targets is None else process.targets.model_dump(mode="json"),
        promise_keeping=process.simulation.promise_keeping,
        batch_release=process.simulation.batch_release,
        department_keys=tuple(item_stream_key(f"department:{d}") for d in department_ids),
        stated={
            key: float(value)
            for key in ("serial_handover_days", "stage_coordination_days", "promise_keeping")
            if (value := getattr(process.simulation, key)) is not None
        },
    )
