"""Running replications: engine choice, chunks of projects, pooled summaries (JSON-ready).

The unit of work an orchestrator (e.g. a Prefect task) should call is :func:`run_chunk` (Monte Carlo: any
range of projects of one replication) or :func:`run_replication` (one whole replication, any engine); results
merge with :meth:`SimulationResult.merge`, and :class:`SimulationRun` summarises a list of replications.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from approval_model.models import Process
from simulations.budget import chunk_projects, des_limit_message, memory_budget_bytes
from simulations.clocks import calendar_days, clock_summary, target_checks
from simulations.compiled import CompiledProcess, Mode, compile_process
from simulations.des import run_des
from simulations.load import warmup_projects
from simulations.mix import Mix, compile_mix, run_replication_mix
from simulations.results import SimulationResult, assemble, gain_limit
from simulations.sampling import BLOCK, draw, replication_seeds
from simulations.stats import mean_ci

__all__ = [
    "DEFAULT_CHUNK",
    "Engine",
    "chunk_for",
    "SimulationRun",
    "calendar_days",
    "compile_for",
    "resolve_engine",
    "run_chunk",
    "run_replication",
    "run_replication_modes",
    "simulate",
    "simulate_modes",
]

Engine = Literal["auto", "montecarlo", "des"]
ResolvedEngine = Literal["montecarlo", "des"]
DEFAULT_CHUNK = BLOCK  # the largest Monte Carlo chunk (small catalogs: item matrices of a few MB, in cache)
Progress = Callable[[int, int], None]


def compile_for(process: Process) -> CompiledProcess | Mix:
    """What a simulation of the process runs: its project mix when it declares one, else the process itself."""
    return compile_mix(process) if process.mix is not None else compile_process(process)


def resolve_engine(
    compiled: CompiledProcess | Mix | Sequence[CompiledProcess | Mix], engine: Engine = "auto"
) -> ResolvedEngine:
    """``auto``: the event engine when any department has a capacity or projects arrive over time."""
    processes: list[CompiledProcess | Mix] = (
        list(compiled) if isinstance(compiled, list | tuple) else [compiled]  # type: ignore[list-item]
    )
    if engine == "des":
        return "des"
    limited = [c.name for c in processes if c.limited]
    if engine == "montecarlo":
        if limited:
            raise ValueError(
                f"{', '.join(limited)}: departments with a capacity make files queue, which the Monte Carlo "
                "engine cannot model; use --engine des (or auto)"
            )
        return "montecarlo"
    if engine != "auto":
        raise ValueError(f"unknown engine {engine!r}; use auto, montecarlo or des")
    needs_events = limited or any(c.arrival_rate is not None for c in processes)
    return "des" if needs_events else "montecarlo"


def run_chunk(
    compiled: CompiledProcess,
    mode: Mode,
    replication_seed: np.random.SeedSequence,
    start: int,
    stop: int,
    *,
    replication: int = 0,
    gains: bool = False,
) -> SimulationResult:
    """Monte Carlo for projects ``start..stop-1`` of one replication (identical draws whatever the chunking)."""
    draws = draw(compiled, replication_seed, start, stop)
    return assemble(compiled, draws, mode, "montecarlo", replication=replication, gains=gains)


def run_replication_modes(
    compiled: CompiledProcess | Mix,
    modes: Sequence[Mode],
    projects: int,
    replication_seed: np.random.SeedSequence,
    *,
    engine: str = "montecarlo",
    replication: int = 0,
    gains: Collection[Mode] = (),
    chunk: int | None = None,
    on_chunk: Callable[[], None] | None = None,
    warmup: int = 0,
    memory_budget: int | None = None,
) -> dict[Mode, SimulationResult]:
    """One replication of ``projects`` projects in several modes from the same draws (common random numbers).

    Monte Carlo draws each chunk once and derives every mode from it (serial, parallel and partial need two
    schedules between them); the event engine draws once and runs its kernel per mode (queues differ).
    ``gains``: the modes whose "gain if the item took no time" is computed. ``warmup`` (event engine): the first
    projects are simulated (they fill the queues) but left out of the result (:mod:`simulations.load`).
    ``chunk`` (Monte Carlo projects at once) defaults to what fits in the memory budget
    (:mod:`simulations.budget`); the event engine refuses a replication that would not fit.
    """
    if projects < 1:
        raise ValueError(f"projects must be at least 1, got {projects}")
    modes = list(dict.fromkeys(modes))
    budget = memory_budget_bytes() if memory_budget is None else memory_budget
    chunk = chunk_for(compiled, budget) if chunk is None else chunk
    if isinstance(compiled, Mix):
        if engine == "des" and (refusal := des_limit_message(compiled.n_items, projects, budget)) is not None:
            raise ValueError(f"{compiled.name}: {refusal}")
        return run_replication_mix(
            compiled, modes, projects, replication_seed, engine=engine, replication=replication, gains=gains,
            chunk=chunk, on_chunk=on_chunk, warmup=warmup,
        )  # fmt: skip
    if engine == "des":
        refusal = des_limit_message(compiled.n_items, projects, budget)
        if refusal is not None:
            raise ValueError(f"{compiled.name}: {refusal}")
        draws = draw(compiled, replication_seed, 0, projects)
        results: dict[Mode, SimulationResult] = {}
        for mode in modes:
            again: list[np.ndarray] = []
            wait, e2e, events = run_des(compiled, draws, mode, wait_again=again)
            results[mode] = assemble(
                compiled, draws.after(warmup), mode, "des", replication=replication, wait=wait[:, warmup:],
                end_to_end_days=e2e[warmup:], events=events, gains=mode in gains,
                wait_again=again[0][:, warmup:] if again else None,
            )  # fmt: skip
        if on_chunk:
            on_chunk()
        return results
    # gains: on the first `sample` projects of the replication, in one block whatever the chunking (the first
    # chunk when it holds them, as it does unless `chunk` is set smaller than the budget allows)
    sample = min(projects, chunk_for(compiled, budget), gain_limit(compiled.n_items))
    in_first = min(projects, chunk) >= sample
    merged: dict[Mode, SimulationResult] = {}
    for start in range(0, projects, chunk):
        draws = draw(compiled, replication_seed, start, min(projects, start + chunk))
        plans: dict = {}
        for mode in modes:
            part = assemble(
                compiled, draws, mode, "montecarlo", replication=replication, plans=plans,
                gains=start == 0 and in_first and mode in gains, gain_sample=sample,
            )  # fmt: skip
            # merged as they come: a list of parts would hold every chunk's per-item arrays at once
            merged[mode] = SimulationResult.merge([merged[mode], part]) if mode in merged else part
        if on_chunk:
            on_chunk()
    wanted = [mode for mode in modes if mode in gains]
    if wanted and not in_first:
        draws = draw(compiled, replication_seed, 0, sample)
        plans = {}
        for mode in wanted:
            block = assemble(
                compiled, draws, mode, "montecarlo", replication=replication, gains=True, plans=plans
            )
            merged[mode] = replace(merged[mode], gain_sum=block.gain_sum, gain_projects=block.gain_projects)
    return merged


def chunk_for(compiled: CompiledProcess | Mix, budget: int | None = None) -> int:
    """Monte Carlo projects at once for this process: what fits in the memory budget (whatever the modes)."""
    if isinstance(compiled, Mix):
        compiled = compiled.union  # the draws are made for the whole catalog
    stopped = any(s is not None and s.probability > 0 for s in compiled.supplement) or any(
        x is not None for x in compiled.excluded
    )
    return chunk_projects(compiled.n_items, memory_budget_bytes() if budget is None else budget, stopped)


def run_replication(
    compiled: CompiledProcess | Mix,
    mode: Mode,
    projects: int,
    replication_seed: np.random.SeedSequence,
    *,
    engine: str = "montecarlo",
    replication: int = 0,
    gains: bool = False,
    chunk: int | None = None,
    on_chunk: Callable[[], None] | None = None,
    memory_budget: int | None = None,
) -> SimulationResult:
    """One replication of ``projects`` projects with a resolved engine (``montecarlo`` or ``des``)."""
    return run_replication_modes(
        compiled, [mode], projects, replication_seed, engine=engine, replication=replication,
        gains=[mode] if gains else (), chunk=chunk, on_chunk=on_chunk, memory_budget=memory_budget,
    )[mode]  # fmt: skip


def _measures(result: SimulationResult, elapsed: np.ndarray) -> dict[str, np.ndarray]:
    """Per-project days of each clock measure a target can name."""
    measures = {"elapsed_days": elapsed}
    if result.approval_days is not None:
        measures["approval_days"] = result.approval_days
    if result.stage_approval_days is not None:
        for k, stage in enumerate(result.stage_ids):
            measures[f"stage:{stage}"] = result.stage_approval_days[k]
    return measures


def _round(value: float, digits: int = 4) -> float | None:
    value = float(value)
    return None if np.isnan(value) else round(value, digits)


@dataclass(frozen=True)
class SimulationRun:
    """Replications of one process in one mode, with the settings that produced them."""

    process: str
    mode: Mode
    engine: str
    projects: int
    seed: int
    results: tuple[SimulationResult, ...]
    parallel_share: float | None = None  # mode "partial": the declared share of files handled in parallel
    mix: dict[str, float] | None = None  # a project mix: profile -> share (each result holds its profiles')

    def profile_runs(self) -> dict[str, SimulationRun]:
        """Per profile of a mix, its own replications as a run (empty without a mix)."""
        if not self.mix or self.results[0].profiles is None:
            return {}
        return {
            name: replace(self, results=tuple(r.profiles[name] for r in self.results if r.profiles), mix=None)
            for name in self.mix
        }

    @property
    def replication_means(self) -> np.ndarray:
        return np.array([r.end_to_end_days.mean() for r in self.results])

    def pooled(self) -> SimulationResult:
        """All replications' projects in one result (per-item sums add up)."""
        return SimulationResult.merge(list(self.results))

    def summary(self) -> dict:
        """JSON-ready summary: pooled over all projects of all replications, CI across replications."""
        pooled = self.pooled()
        e2e = pooled.end_to_end_days
        lo, hi = mean_ci(self.replication_means)
        cal, estimated = calendar_days(pooled.start_date, pooled.arrival_days, e2e)
        items = pooled.item_means()
        dept_levels = [r.department_levels() for r in self.results]
        used = sorted(set(pooled.item_department))
        joins = {}
        for j, row in sorted(pooled.join_last.items()):
            total = sum(row.values())
            if total:
                joins[pooled.item_ids[j]] = {
                    pooled.item_ids[p]: _round(count / total) for p, count in sorted(row.items()) if count
                }
        return {
            "process": self.process,
            "mode": self.mode,
            "engine": self.engine,
            "projects": self.projects,
            "replications": len(self.results),
            "seed": self.seed,
            "limit_basis": pooled.limit_basis,
            # items whose handling comes from their own handling_days, not from the limit (len(items) = all)
            "handling_own_items": sum(pooled.item_own_handling),
            "warmup_projects": self.projects - self.results[0].projects,
            **({"parallel_share": self.parallel_share} if self.mode == "partial" else {}),
            "mean_days": _round(e2e.mean()),
            "p50_days": _round(np.percentile(e2e, 50)),
            "p90_days": _round(np.percentile(e2e, 90)),
            "mean_days_ci95": [_round(lo), _round(hi)],
            "counted_mean_days": _round(pooled.counted_days.mean()),
            "on_time_rate": _round(pooled.on_time_rate),
            "calendar": {
                "start_date": pooled.start_date.isoformat(),
                "mean_days": _round(cal.mean(), 2),
                "p50_days": _round(np.percentile(cal, 50), 2),
                "p90_days": _round(np.percentile(cal, 90), 2),
                "estimated": estimated,
            },
            "items": {
                item_id: {
                    "name": pooled.item_names[i],
                    "department": pooled.department_ids[pooled.item_department[i]],
                    "kind": pooled.item_kinds[i] if pooled.item_kinds else "approval",
                    "day_unit": pooled.item_day_units[i] if pooled.item_day_units else "working",
                    "statutory_limit_days": float(pooled.statutory_limits[i]),
                    "limit_days": float(pooled.limits[i]),
                    **{key: _round(values[i]) for key, values in items.items()},
                }
                for i, item_id in enumerate(pooled.item_ids)
            },
            "joins": joins,
            "departments": {
                pooled.department_ids[d]: {
                    "capacity": pooled.capacity[d],
                    "files": int(pooled.department_files[d]),
                    **{
                        key: _round(np.mean([levels[key][d] for levels in dept_levels]))
                        for key in dept_levels[0]
                    },
                }
                for d in used
            },
            "events": int(pooled.events),
            **self._clocks(pooled, cal),
            **self._profiles(),
        }

    def _profiles(self) -> dict:
        """A mix: its declared shares, and each profile's summary with the share of projects it drew."""
        runs = self.profile_runs()
        if not runs:
            return {}
        total = sum(r.projects for r in self.results)
        out = {}
        for name, run in runs.items():
            drawn = sum(r.projects for r in run.results)
            out[name] = {
                "share": self.mix[name] if self.mix else None,
                "projects_drawn": drawn,
                "share_drawn": _round(drawn / total) if total else None,
                **(run.summary() if drawn else {"mean_days": None}),
            }
        return {"mix": self.mix, "profiles": out}

    def _clocks(self, pooled: SimulationResult, elapsed: np.ndarray) -> dict:
        """``approval_days``, ``elapsed_days``, ``stage_approval_days``, ``elapsed_by_kind`` and the process's
        ``target_checks`` (docs/kinds-and-clocks.md)."""
        block = clock_summary(
            pooled.approval_days,
            pooled.stage_approval_days,
            pooled.stage_ids,
            pooled.kind_calendar_days,
            elapsed,
        )
        block["target_checks"] = target_checks(
            pooled.targets,
            [
                _measures(r, calendar_days(r.start_date, r.arrival_days, r.end_to_end_days)[0])
                for r in self.results
            ],
            _measures(pooled, elapsed),
        )
        return block


def simulate_modes(
    process: Process | CompiledProcess | Mix,
    modes: Sequence[Mode],
    *,
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    gains: Collection[Mode] = (),
    chunk: int | None = None,
    on_progress: Progress | None = None,
    memory_budget: int | None = None,
) -> dict[Mode, SimulationRun]:
    """:func:`simulate` in several modes at once, from the same draws (see :func:`run_replication_modes`)."""
    compiled = process if isinstance(process, CompiledProcess | Mix) else compile_for(process)
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    modes = list(dict.fromkeys(modes))
    chosen = resolve_engine(compiled, engine)
    budget = memory_budget_bytes() if memory_budget is None else memory_budget
    chunk = chunk_for(compiled, budget) if chunk is None else chunk
    seeds = replication_seeds(seed, replications)
    per_replication = 1 if chosen == "des" else -(-projects // chunk)
    total, done = replications * per_replication, 0

    def tick() -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(done, total)

    results = [
        run_replication_modes(
            compiled,
            modes,
            projects,
            s,
            engine=chosen,
            replication=r,
            gains=gains,
            chunk=chunk,
            on_chunk=tick,
            warmup=warmup_projects([compiled], chosen, projects),
            memory_budget=budget,
        )
        for r, s in enumerate(seeds)
    ]
    return {
        mode: SimulationRun(
            compiled.name,
            mode,
            chosen,
            projects,
            seed,
            tuple(r[mode] for r in results),
            parallel_share=compiled.parallel_share if mode == "partial" else None,
            mix=compiled.weights() if isinstance(compiled, Mix) else None,
        )  # fmt: skip
        for mode in modes
    }


def simulate(
    process: Process | CompiledProcess | Mix,
    *,
    mode: Mode = "parallel",
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    gains: bool = False,
    chunk: int | None = None,
    on_progress: Progress | None = None,
    memory_budget: int | None = None,
) -> SimulationRun:
    """Simulate ``replications`` independent replications of ``projects`` projects.

    Replication ``r`` is seeded by ``SeedSequence(seed).spawn(replications)[r]``, so the same scenario, mode
    and seed give identical numbers, and two processes simulated with the same seed share common random
    numbers item by item (see :mod:`simulations.sampling`).
    """
    return simulate_modes(
        process, [mode], projects=projects, replications=replications, seed=seed, engine=engine,
        gains=[mode] if gains else (), chunk=chunk, on_progress=on_progress, memory_budget=memory_budget,
    )[mode]  # fmt: skip
