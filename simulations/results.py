"""The one result type both engines return, and its assembly from item times.

Per project the result keeps arrays (end-to-end, counted and arrival days: enough for percentiles and calendar
dates); per item and per department it keeps *sums and counts* only, so results of chunks of projects merge
by concatenation and addition (:meth:`SimulationResult.merge`) and a million projects fit in little memory.
Following salabim's split of monitors, waiting and handling are tallies (per file); utilisation and mean queue
length are levels (time-weighted over the horizon), derived from the tallies by Little's law.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import numpy as np

from simulations.clocks import ClockFigures, clock_figures
from simulations.compiled import CompiledProcess, Mode
from simulations.montecarlo import critical_items, end_to_end, schedule
from simulations.sampling import Draws

__all__ = ["GAIN_SAMPLE", "SimulationResult", "assemble", "gain_limit"]

GAIN_SAMPLE = 20_000  # at most this many projects (the first of a replication) for "gain if instant"
GAIN_CELLS = 2**21  # and at most this many (item, project) cells: 2,000 projects of a 1,000-item catalog
# Work bound of the gain recomputation: items evaluated x items rescheduled. Every critical item of a
# catalog of up to ~450 items is evaluated; beyond, the most critical ones (the others' gain: NaN, unknown).
GAIN_STEPS = 200_000
_EPS = 1e-9


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of simulating a set of projects (one replication, or a chunk of one), in working days.

    Per project (arrays of length ``projects``): ``arrival_days``, ``end_to_end_days`` (arrival to completion
    of the last item), ``counted_days`` (end-to-end minus the stopped-clock time on the realised critical path)
    and ``overdue_items`` (how many items exceeded the limit worked to: statutory, or promised with
    ``simulation.limit_basis: promised``).

    Per item (arrays in ``item_ids`` order): sums over projects of ``wait``, ``handling`` (counted, at the
    department), ``stopped`` (补正 + excluded time), counts of ``overdue`` and ``critical`` (on the realised
    critical path) projects, ``join_last[j][p]`` = projects in which prerequisite ``p`` finished last at the
    join ``j`` (joins only: a dict, not an items x items matrix), and ``gain_sum`` / ``gain_projects`` (end-to-end days saved if the item took no time, other
    items' realised times held fixed; computed on a sample, ``None`` unless requested).

    Per department: ``department_busy`` (handling days), ``department_wait`` and ``department_files``.
    """

    process: str
    mode: Mode
    engine: str
    replication: int
    start_date: date
    item_ids: tuple[str, ...]
    item_names: tuple[str, ...]
    item_department: tuple[int, ...]
    limits: (
        np.ndarray
    )  # the limit worked to (statutory or promised, see limit_basis); overdue is measured on it
    statutory_limits: np.ndarray
    limit_basis: str
    department_ids: tuple[str, ...]
    capacity: tuple[int | None, ...]
    first_project: int
    arrival_days: np.ndarray
    end_to_end_days: np.ndarray
    counted_days: np.ndarray
    overdue_items: np.ndarray
    item_wait: np.ndarray
    item_handling: np.ndarray
    item_stopped: np.ndarray
    item_overdue: np.ndarray
    item_critical: np.ndarray
    join_last: dict[int, dict[int, int]]
    gain_sum: np.ndarray | None
    gain_projects: int
    department_busy: np.ndarray
    department_wait: np.ndarray
    department_files: np.ndarray
    events: int
    stage_ids: tuple[str, ...] = ()
    item_kinds: tuple[str, ...] = ()  # per item: approval, intermediary, utility, notice, applicant
    item_day_units: tuple[str, ...] = ()  # per item: working or calendar (the unit of its limit and handling)
    # per item: its handling comes from its own ``handling_days`` (declared or calibrated), not limit x fraction
    item_own_handling: tuple[bool, ...] = ()
    approval_days: np.ndarray | None = None  # per project: working days on the approval clock
    stage_approval_days: np.ndarray | None = None  # (stages, projects): the approval clock per stage
    kind_calendar_days: np.ndarray | None = (
        None  # per category (clocks.CATEGORIES): critical-path calendar days, summed
    )
    targets: dict | None = None  # the process's time targets (Process.targets as plain data)
    # a project mix (simulations.mix): each profile's own result; this one is the mix (the whole catalog's items)
    profiles: dict[str, SimulationResult] | None = None

    @property
    def projects(self) -> int:
        return int(self.end_to_end_days.shape[0])

    @property
    def horizon_days(self) -> float:
        """From the first arrival to the last completion: the span utilisation is measured over."""
        if self.projects == 0:
            return 0.0
        return float((self.arrival_days + self.end_to_end_days).max() - self.arrival_days.min())

    @property
    def on_time_rate(self) -> float:
        """Share of projects in which no item exceeded its limit (statutory, or promised: ``limit_basis``)."""
        return float((self.overdue_items == 0).mean()) if self.projects else float("nan")

    def item_means(self) -> dict[str, np.ndarray]:
        """Per item: criticality, mean wait/handling/stopped days, overdue rate, mean gain if instant."""
        n = max(self.projects, 1)
        out = {
            "criticality": self.item_critical / n,
            "mean_wait_days": self.item_wait / n,
            "mean_handling_days": self.item_handling / n,
            "mean_stopped_days": self.item_stopped / n,
            "overdue_rate": self.item_overdue / n,
        }
        if self.gain_sum is not None and self.gain_projects:
            out["gain_if_instant_days"] = self.gain_sum / self.gain_projects
        return out

    def department_levels(self) -> dict[str, np.ndarray]:
        """Per department: utilisation (busy / capacity / horizon; NaN without capacity), mean files in
        handling and in the queue (time-weighted, Little's law), mean wait and handling per file."""
        horizon = self.horizon_days or 1.0
        files = np.maximum(self.department_files, 1)
        capacity = np.array([c if c is not None else np.nan for c in self.capacity], dtype=float)
        return {
            "utilisation": self.department_busy / (capacity * horizon),
            "mean_in_handling": self.department_busy / horizon,
            "mean_queue_length": self.department_wait / horizon,
            "mean_wait_days": self.department_wait / files,
            "mean_handling_days": self.department_busy / files,
        }

    @staticmethod
    def merge(parts: Sequence[SimulationResult]) -> SimulationResult:
        """Combine chunks of one replication (or pool replications): arrays concatenate, sums add."""
        if not parts:
            raise ValueError("nothing to merge")
        parts = sorted(parts, key=lambda r: r.first_project)
        first = parts[0]
        for other in parts[1:]:
            if (other.item_ids, other.mode, other.process) != (first.item_ids, first.mode, first.process):
                raise ValueError("can only merge results of the same process, items and mode")
        gains = [r.gain_sum for r in parts if r.gain_sum is not None]

        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(r, name) for r in parts])

        def add(name: str) -> np.ndarray:
            return np.sum([getattr(r, name) for r in parts], axis=0)

        return replace(
            first,
            arrival_days=cat("arrival_days"),
            end_to_end_days=cat("end_to_end_days"),
            counted_days=cat("counted_days"),
            overdue_items=cat("overdue_items"),
            item_wait=add("item_wait"),
            item_handling=add("item_handling"),
            item_stopped=add("item_stopped"),
            item_overdue=add("item_overdue"),
            item_critical=add("item_critical"),
            join_last=_add_counts([r.join_last for r in parts]),
            gain_sum=np.sum(gains, axis=0) if gains else None,
            gain_projects=sum(r.gain_projects for r in parts),
            department_busy=add("department_busy"),
            department_wait=add("department_wait"),
            department_files=add("department_files"),
            approval_days=_joined([r.approval_days for r in parts]),
            stage_approval_days=_joined([r.stage_approval_days for r in parts], axis=1),
            kind_calendar_days=_summed([r.kind_calendar_days for r in parts]),
            events=sum(r.events for r in parts),
            profiles=None,  # a mix's profiles are kept per replication (SimulationRun.profile_runs)
        )


def _summed(arrays: list[np.ndarray | None]) -> np.ndarray | None:
    present = [a for a in arrays if a is not None]
    return None if len(present) < len(arrays) else np.sum(present, axis=0)


def _joined(arrays: list[np.ndarray | None], axis: int = 0) -> np.ndarray | None:
    return None if any(a is None for a in arrays) else np.concatenate(arrays, axis=axis)  # type: ignore[arg-type]


def _end_times(
    compiled: CompiledProcess,
    elapsed: np.ndarray,
    mode: Mode,
    mask: np.ndarray | None,
    arrival: np.ndarray,
    wait: np.ndarray | None,
) -> np.ndarray:
    """End-to-end days of each project given item elapsed times (a partial run mixes serial and parallel)."""
    timing = {"arrival": arrival, "wait": wait}
    if mode != "partial":
        return end_to_end(compiled, schedule(compiled, elapsed, mode, **timing), mode)[0]
    serial = end_to_end(compiled, schedule(compiled, elapsed, "serial", **timing), "serial")[0]
    parallel = end_to_end(compiled, schedule(compiled, elapsed, "parallel", **timing), "parallel")[0]
    assert mask is not None  # a partial run draws which projects were handled in parallel
    return np.where(mask, parallel, serial)


def _add_counts(tables: Sequence[dict[int, dict[int, int]]]) -> dict[int, dict[int, int]]:
    total: dict[int, dict[int, int]] = {}
    for table in tables:
        for join, counts in table.items():
            row = total.setdefault(join, {})
            for prerequisite, count in counts.items():
                row[prerequisite] = row.get(prerequisite, 0) + count
    return total


def gain_limit(n_items: int) -> int:
    """Gains are computed on the first this-many projects of a replication (fewer for large catalogs)."""
    return max(1, min(GAIN_SAMPLE, GAIN_CELLS // max(n_items, 1)))


def _gains(
    compiled: CompiledProcess,
    elapsed: np.ndarray,
    mode: Mode,
    e2e: np.ndarray,
    mask: np.ndarray | None,
    arrival: np.ndarray,
    wait: np.ndarray | None,
    critical: np.ndarray | None,
    k: int,
) -> np.ndarray:
    """Sum over the first ``k`` projects of the end-to-end days saved if each item in turn took no time.

    An item off a project's realised critical path (``critical``; None: every item is on it) saves nothing
    there: that path is left as it was. So an item is rescheduled only on the projects where it is critical,
    the most critical items first, at most :data:`GAIN_STEPS` / items of them (the rest: NaN, unknown).
    Serial without calendar-day items: each item saves exactly its own elapsed time.
    """
    m = compiled.n_items
    gains = np.zeros(m)
    if k == 0 or m == 0:
        return gains
    sample = elapsed[:, :k]
    if mode == "serial" and not compiled.calendar_rows:
        return sample.sum(axis=1)
    base, arrivals = e2e[:k], arrival[:k]
    on_path = np.ones((m, k), dtype=bool) if critical is None else critical[:, :k]
    counts = on_path.sum(axis=1)
    candidates = sorted(np.flatnonzero(counts).tolist(), key=lambda i: (-counts[i], i))
    evaluated = max(1, GAIN_STEPS // m)
    for i in candidates[:evaluated]:
        columns = np.flatnonzero(on_path[i])
        trial = sample[:, columns]  # fancy indexing: a copy
        trial[i] = 0.0
        trial_wait = None if wait is None else wait[:, columns]
        if trial_wait is not None and i in compiled.calendar_rows:  # a calendar step's waiting is kept apart
            trial_wait[i] = 0.0
        part = None if mask is None else mask[columns]
        shorter = _end_times(compiled, trial, mode, part, arrivals[columns], trial_wait)
        gains[i] = float((base[columns] - shorter).sum())
    gains[candidates[evaluated:]] = np.nan
    return gains


Plans = dict[str, Any]  # schedule mode -> (Schedule, end-to-end, last item); 'clocks:<mode>' -> ClockFigures;
# 'critical:parallel' -> the parallel schedule's realised critical paths


def _plans(
    compiled: CompiledProcess,
    elapsed: np.ndarray,
    mode: Mode,
    cache: Plans,
    arrival: np.ndarray,
    wait: np.ndarray | None,
) -> Plans:
    """The schedules a mode needs (a partial run needs both), computed once per elapsed matrix."""
    needs: tuple[Literal["serial", "parallel"], ...] = (
        ("serial", "parallel") if mode == "partial" else (mode,)
    )
    for needed in needs:
        if needed not in cache:
            plan = schedule(compiled, elapsed, needed, arrival=arrival, wait=wait)
            e2e, last = end_to_end(compiled, plan, needed)
            cache[needed] = (plan, e2e, last)
    return cache


def assemble(
    compiled: CompiledProcess,
    draws: Draws,
    mode: Mode,
    engine: str,
    *,
    replication: int = 0,
    wait: np.ndarray | None = None,
    end_to_end_days: np.ndarray | None = None,
    events: int = 0,
    gains: bool = False,
    gain_sample: int | None = None,
    plans: Plans | None = None,
    wait_again: np.ndarray | None = None,
) -> SimulationResult:
    """Build a result from sampled times plus (for DES) waiting per item and the engine's own end times.

    ``gains``: each item's gain if instant, on the first ``gain_sample`` (default :func:`gain_limit`) projects
    of ``draws``.
    ``plans`` shares schedules between modes computed from the same draws without waiting (Monte Carlo:
    serial, parallel and partial results of one set of draws cost two schedules, not three runs).
    """
    m, n = draws.handling.shape
    stopped = draws.stopped
    elapsed = draws.handling if stopped is None else draws.handling + stopped
    if wait is not None:
        elapsed = elapsed + wait
        plans = None  # waiting differs from mode to mode
        rows = list(compiled.calendar_rows)
        if rows:  # calendar days cannot take working days of waiting: schedule() adds those before them
            elapsed[rows] = draws.handling[rows]
    cache = _plans(compiled, elapsed, mode, {} if plans is None else plans, draws.arrival, wait)
    mask = draws.parallel
    if mode == "partial" and mask is None:
        raise ValueError(
            f"{compiled.name}: mode 'partial' needs simulation.parallel_share (the share of files handled in "
            "parallel before the reform), e.g. simulation: {parallel_share: 0.3}"
        )
    join_last: dict[int, dict[int, int]] = {}
    critical: np.ndarray | None = None  # serial: every item is on the one path
    if mode == "serial":  # every item is on the one path: no matrix needed
        _, e2e, _ = cache["serial"]
        critical_count = np.full(m, n, dtype=np.int64)
        critical_stopped = stopped.sum(axis=0) if stopped is not None else 0.0
    else:
        plan, e2e, last = cache["parallel"]
        critical = cache.get("critical:parallel")
        if critical is None:
            critical = critical_items(compiled, plan, last, "parallel")
            cache["critical:parallel"] = critical
        critical = critical.copy() if mode == "partial" else critical  # marked below, not in the cache
        if mode == "partial":
            assert mask is not None  # checked above
            e2e = np.where(mask, e2e, cache["serial"][1])
            critical[:, ~mask] = True
        critical_count = critical.sum(axis=1)
        critical_stopped = (critical * stopped).sum(axis=0) if stopped is not None else 0.0
        for j, held_by in plan.binding.items():
            counts = np.bincount(held_by if mask is None or mode == "parallel" else held_by[mask])
            join_last[j] = {
                p: int(counts[p]) for p in compiled.prerequisites[j] if p < counts.size and counts[p]
            }
    if end_to_end_days is not None:
        e2e = end_to_end_days  # the event engine's own clock (the rebuilt schedule agrees up to rounding)
    clocks = _clocks(compiled, draws, mode, cache, mask, wait, wait_again)
    counted_item = draws.handling if wait is None else draws.handling + wait
    overdue = counted_item > compiled.limits[:, None] + _EPS
    departments = len(compiled.department_ids)
    dept = compiled.item_department
    handling_sum = draws.handling.sum(axis=1)
    wait_sum = wait.sum(axis=1) if wait is not None else np.zeros(m)
    gain_sum, gain_projects = None, 0
    if gains:
        gain_projects = min(n, gain_limit(m) if gain_sample is None else gain_sample)
        gain_sum = _gains(compiled, elapsed, mode, e2e, mask, draws.arrival, wait, critical, gain_projects)
    return SimulationResult(
        process=compiled.name,
        mode=mode,
        engine=engine,
        replication=replication,
        start_date=compiled.start_date,
        item_ids=compiled.item_ids,
        item_names=compiled.item_names,
        item_department=tuple(dept.tolist()),
        limits=compiled.limits,
        statutory_limits=compiled.statutory_limits,
        limit_basis=compiled.limit_basis,
        department_ids=compiled.department_ids,
        capacity=compiled.capacity,
        first_project=draws.start,
        arrival_days=draws.arrival,
        end_to_end_days=e2e,
        counted_days=e2e - critical_stopped,
        overdue_items=overdue.sum(axis=0).astype(np.int32),
        item_wait=wait_sum,
        item_handling=handling_sum,
        item_stopped=stopped.sum(axis=1) if stopped is not None else np.zeros(m),
        item_overdue=overdue.sum(axis=1),
        item_critical=critical_count,
        join_last=join_last,
        gain_sum=gain_sum,
        gain_projects=gain_projects,
        department_busy=np.bincount(dept, weights=handling_sum, minlength=departments),
        department_wait=np.bincount(dept, weights=wait_sum, minlength=departments),
        department_files=np.bincount(dept, minlength=departments) * n,
        events=events,
        stage_ids=compiled.stage_ids,
        item_kinds=compiled.kinds,
        item_day_units=tuple(
            "calendar" if i in compiled.calendar_rows else "working" for i in range(compiled.n_items)
        ),
        item_own_handling=compiled.own_handling,
        targets=compiled.targets,
        approval_days=clocks.approval_days,
        stage_approval_days=clocks.stage_approval_days,
        kind_calendar_days=clocks.kind_calendar_days.sum(axis=1),
    )


def _clocks(
    compiled: CompiledProcess,
    draws: Draws,
    mode: Mode,
    cache: Plans,
    mask: np.ndarray | None,
    wait: np.ndarray | None,
    wait_again: np.ndarray | None,
) -> ClockFigures:
    """The approval and elapsed clocks of each project (a partial run takes each project's own mode); kept in
    the shared cache beside the schedules, so the modes of one set of draws compute each once."""

    def of(schedule_mode: str) -> ClockFigures:
        key = f"clocks:{schedule_mode}"
        if key not in cache:
            plan, _, last = cache[schedule_mode]
            critical = None
            if schedule_mode == "parallel":
                critical = cache.get("critical:parallel")
                if critical is None:
                    critical = cache["critical:parallel"] = critical_items(compiled, plan, last, "parallel")
            cache[key] = clock_figures(
                compiled,
                draws,
                plan,
                critical,
                serial=schedule_mode == "serial",
                wait=wait,
                wait_again=wait_again,
            )
        return cache[key]

    if mode != "partial":
        return of(mode)
    serial, parallel = of("serial"), of("parallel")
    return ClockFigures(
        np.where(mask, parallel.approval_days, serial.approval_days),  # type: ignore[arg-type]
        np.where(mask, parallel.stage_approval_days, serial.stage_approval_days),  # type: ignore[arg-type]
        np.where(mask, parallel.kind_calendar_days, serial.kind_calendar_days),  # type: ignore[arg-type]
    )
