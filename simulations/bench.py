"""Measured figures for the README: Monte Carlo projects/s, a million projects in chunks, DES events/s.

Nothing here is asserted in tests; ``approval-sim bench`` prints these numbers so a table can quote a command.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

from approval_model.models import Process
from simulations.compiled import Mode, compile_process
from simulations.runner import run_replication, simulate
from simulations.sampling import replication_seeds

__all__ = [
    "DES_BENCH_PROCESS",
    "bench_des",
    "bench_large",
    "bench_million",
    "bench_montecarlo",
    "bench_robustness",
    "des_bench_process",
    "large_catalog",
    "large_catalog_data",
    "machine_conditions",
]


DES_BENCH_PROCESS: dict[str, Any] = {
    "name": "bench-des-8",
    "title": "DES benchmark: intake, six parallel items (two share one pool), final acceptance",
    "departments": [
        {"id": "intake", "name": "综合受理窗口", "capacity": 14},
        {"id": "plan", "name": "规划", "capacity": 4},
        {"id": "land", "name": "国土", "capacity": 6},
        {"id": "env", "name": "环保", "capacity": 8},
        {"id": "build", "name": "住建", "capacity": 10},
        {"id": "pool", "name": "联合审查组 (shared pool)", "capacity": 12},
        {"id": "final", "name": "联合验收", "capacity": 5},
    ],
    "stages": [{"id": "S1", "name": "受理"}, {"id": "S2", "name": "并联审批"}, {"id": "S3", "name": "验收"}],
    "items": [
        {
            "id": "A",
            "name": "受理",
            "department": "intake",
            "stage": "S1",
            "statutory_limit_days": 20,
            "handling_days": {"distribution": "exponential", "mean": 8},
        },
        {
            "id": "P1",
            "name": "规划许可",
            "department": "plan",
            "stage": "S2",
            "statutory_limit_days": 8,
            "prerequisites": ["A"],
            "handling_days": {"distribution": "triangular", "low": 1, "mode": 2.5, "high": 5.5},
        },
        {
            "id": "P2",
            "name": "用地审批",
            "department": "land",
            "stage": "S2",
            "statutory_limit_days": 12,
            "prerequisites": ["A"],
            "handling_days": {"distribution": "lognormal", "mean": 4.5, "sd": 2},
        },
        {
            "id": "P3",
            "name": "环评审批",
            "department": "env",
            "stage": "S2",
            "statutory_limit_days": 15,
            "prerequisites": ["A"],
            "handling_days": {"distribution": "uniform", "low": 2, "high": 10},
            "supplement": {
                "probability": 0.2,
                "applicant_days": {"distribution": "uniform", "low": 2, "high": 8},
            },
        },
        {
            "id": "P4",
            "name": "施工图审查",
            "department": "build",
            "stage": "S2",
            "statutory_limit_days": 20,
            "prerequisites": ["A"],
            "handling_days": {"distribution": "exponential", "mean": 7},
        },
        {
            "id": "P5",
            "name": "消防审查",
            "department": "pool",
            "stage": "S2",
            "statutory_limit_days": 15,
            "prerequisites": ["A"],
            "handling_days": {"distribution": "exponential", "mean": 5},
        },
        {
            "id": "P6",
            "name": "人防审查",
            "department": "pool",
            "stage": "S2",
            "statutory_limit_days": 15,
            "prerequisites": ["A"],
            "handling_days": {"distribution": "uniform", "low": 2, "high": 8},
            "excluded_days": 2,
        },
        {
            "id": "F",
            "name": "联合验收",
            "department": "final",
            "stage": "S3",
            "statutory_limit_days": 10,
            "prerequisites": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "handling_days": {"distribution": "triangular", "low": 1, "mode": 3, "high": 6},
        },
    ],
    "simulation": {"arrivals": {"per_working_day": 1.0}, "stage_coordination_days": 1},
}


def large_catalog(items: int, *, supplement: bool = False, capacity: int | None = None) -> Process:
    """:func:`large_catalog_data` as a validated process."""
    return Process.model_validate(large_catalog_data(items, supplement=supplement, capacity=capacity))


def large_catalog_data(
    items: int, *, supplement: bool = False, capacity: int | None = None
) -> dict[str, Any]:
    """A synthetic catalog of ``items`` items for cost measurements: 50 departments, 4 stages, and item i
    waiting for items i//2 and i//3 (a DAG about log2(items) items deep, like a real catalog's few chains).

    ``supplement``: every item has a 补正 request (20 %) and excluded time, so every matrix of the engine
    exists; ``capacity``: every department queues (the event engine).
    """
    stages = 4
    extra: dict[str, Any] = {}
    if supplement:
        extra = {
            "supplement": {
                "probability": 0.2,
                "applicant_days": {"distribution": "uniform", "low": 1, "high": 5},
            },
            "excluded_days": {"distribution": "exponential", "mean": 2},
        }
    return {
        "name": f"large-{items}",
        "departments": [
            {"id": f"d{k:02d}", "name": f"部门{k}", **({"capacity": capacity} if capacity else {})}
            for k in range(50)
        ],
        "stages": [{"id": f"S{k}", "name": f"阶段{k}"} for k in range(stages)],
        "items": [
            {
                "id": f"I{i:06d}",
                "name": f"事项{i}",
                "department": f"d{i % 50:02d}",
                "stage": f"S{stages * i // items}",
                "statutory_limit_days": 1 + i % 20,
                "prerequisites": sorted({f"I{j:06d}" for j in (i // 2, i // 3) if j < i}),
                **extra,
            }
            for i in range(items)
        ],
    }


def des_bench_process() -> Process:
    """8 items, Poisson arrivals (1 per working day), capacities 4-14, one pool shared by two items."""
    return Process.model_validate(DES_BENCH_PROCESS)


def _best_of(repeats: int, run: Any) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_montecarlo(process: Process, projects: int = 100_000, repeats: int = 3) -> dict[str, float]:
    """Best-of wall time of one replication per mode, and projects/s (serial and parallel together); and the
    best-of CPU time of this process (steadier than the wall time on a shared machine)."""
    compiled = compile_process(process)
    figures: dict[str, float] = {"items": compiled.n_items, "projects": projects}
    for mode in ("serial", "parallel"):
        wall = cpu = float("inf")
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            simulate(compiled, mode=mode, projects=projects, replications=1, engine="montecarlo")
            wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
        figures[f"{mode}_seconds"], figures[f"{mode}_cpu_seconds"] = wall, cpu
    figures["both_seconds"] = figures["serial_seconds"] + figures["parallel_seconds"]
    figures["both_cpu_seconds"] = figures["serial_cpu_seconds"] + figures["parallel_cpu_seconds"]
    figures["projects_per_second"] = 2 * projects / figures["both_seconds"]
    return figures


def _peak_rss_mb() -> float:
    """This process's peak resident memory in MB: Linux's VmHWM (this program's own pages), else ru_maxrss.

    On Linux ru_maxrss keeps the high-water mark of the process it was forked from across exec: the bench's
    5,000-item child, forked after the 50,000-item catalog was built, reported 280 MB for its own 153 MB.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def bench_million(process: Process, projects: int = 1_000_000, mode: Mode = "parallel") -> dict[str, float]:
    """A million projects in chunks: wall time and the process's peak resident memory afterwards."""
    compiled = compile_process(process)
    t0 = time.perf_counter()
    run = simulate(compiled, mode=mode, projects=projects, replications=1, engine="montecarlo")
    seconds = time.perf_counter() - t0
    return {
        "projects": projects,
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "mean_days": float(run.results[0].end_to_end_days.mean()),
    }


def bench_des(projects: int = 10_000, repeats: int = 3, seed: int = 0) -> dict[str, float]:
    """Best-of wall time of one DES replication of the 8-item benchmark process, and events per second."""
    compiled = compile_process(des_bench_process())
    seeds = replication_seeds(seed, 1)
    results = []
    seconds = _best_of(
        repeats,
        lambda: results.append(run_replication(compiled, "parallel", projects, seeds[0], engine="des")),
    )
    events = results[-1].events
    return {
        "projects": projects,
        "items": compiled.n_items,
        "seconds": seconds,
        "events": events,
        "events_per_second": events / seconds,
        "mean_days": float(results[-1].end_to_end_days.mean()),
    }


def machine_conditions() -> dict[str, Any]:
    """What else the machine was doing: CPUs and the 1-minute load average (timings on a busy machine are
    inflated; report them with these)."""
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "load_average_1min": None if load is None else round(load, 2)}


def bench_robustness(
    baseline: Process,
    reform: Process,
    samples: int = 1_000,
    projects: int = 10_000,
    seed: int = 0,
    summed: tuple[Process | None, Process | None] = (None, None),
) -> dict[str, Any]:
    """The robustness analysis of a comparison (every framing, the whole Sobol' design and its indices) with
    ``samples`` assumption sets of ``projects`` projects each: wall time, and the time per assumption set.
    ``summed``: each side with its merged items' limits summed (``rules.loading.summed_variant``), as
    ``compare`` passes them; without them the merged-limit assumption is not varied and the design is smaller
    than the command's. SALib and scipy are imported before the clock starts (a one-off cost of a command)."""
    from SALib.analyze import sobol as _analyze  # noqa: F401
    from SALib.sample import sobol as _sample  # noqa: F401

    from simulations.compare import common_mix, compiled_side, prepare
    from simulations.robustness import assess

    first, second, names, headline, _ = prepare(baseline, reform)
    mix = common_mix(baseline, reform)
    variants = (
        None if summed[0] is None else compiled_side(summed[0], mix),
        None if summed[1] is None else compiled_side(summed[1], mix),
    )
    t0, c0 = time.perf_counter(), time.process_time()
    result = assess(
        first,
        second,
        names,
        headline,
        target=0.2,
        summed=variants,
        samples=samples,
        projects=projects,
        seed=seed,
    )
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "samples": result["samples"],
        "projects": projects,
        "items": [first.n_items, second.n_items if second is not None else first.n_items],
        "framings": list(names),
        "seconds": seconds,
        "cpu_seconds": cpu,  # this process's CPU time: what the wall time would be on an idle machine
        "ms_per_sample": 1000 * seconds / max(result["samples"], 1),
        "holds_share": result.get("holds_share"),
        "varied": [d["assumption"] for d in result.get("drivers", [])],
        **machine_conditions(),
    }


def bench_large(
    compile_items: int = 50_000, run_items: int = 5_000, projects: int = 10_000
) -> dict[str, Any]:
    """Large catalogs: validating and compiling ``compile_items`` items, and one Monte Carlo replication of
    ``run_items`` items x ``projects`` projects (parallel, with the gains a comparison computes) in a fresh
    process, whose peak resident memory is reported beside the memory budget."""
    import json
    import subprocess

    from simulations.budget import memory_budget_bytes
    from simulations.runner import chunk_for

    data_start = time.perf_counter()
    process = large_catalog(compile_items)
    validate_seconds = time.perf_counter() - data_start
    t0 = time.perf_counter()
    compile_process(process)
    compile_seconds = time.perf_counter() - t0
    code = (
        "import json, time; from simulations.bench import large_catalog, _peak_rss_mb; "
        "from simulations.runner import simulate; "
        f"p = large_catalog({run_items}); t = time.perf_counter(); "
        f"r = simulate(p, projects={projects}, replications=1, gains=True); "
        "print(json.dumps({'seconds': time.perf_counter() - t, 'peak_rss_mb': _peak_rss_mb(), "
        "'mean_days': float(r.results[0].end_to_end_days.mean())}))"
    )
    child = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    run = json.loads(child.stdout.strip().splitlines()[-1])
    budget = memory_budget_bytes()
    return {
        "compile_items": compile_items,
        "validate_seconds": validate_seconds,
        "compile_seconds": compile_seconds,
        "run_items": run_items,
        "projects": projects,
        "chunk_projects": chunk_for(compile_process(large_catalog(run_items)), budget),
        "memory_budget_mb": budget / 2**20,
        **{f"run_{key}": value for key, value in run.items()},
    }
