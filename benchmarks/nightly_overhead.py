"""Prefect and database overhead of a nightly batch as a share of its compute time.

Usage: uv run python benchmarks/nightly_overhead.py [--scenarios 20] [--seeds 10] [--projects 2000] [--replications 5]

Builds N scenario files (built-in reform scenarios x project profiles, each against luoyang-2017-before),
times the pure simulation work of every (scenario, seed) comparison without Prefect or a database, then
times the same batch through the `nightly_batch` flow (SQLite results database) on a Prefect server found or
started the way the commands do it (`flows.session.PrefectSession`: a running server, else a temporary one that
never outlives this script), and prints both and the overhead share. Server start-up is reported separately,
as are the machine's load average and core count before and after (the machine may be shared: say so).
The batch writes no exports (`--exports` to add them: their time is reported apart).
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
import time
from datetime import date
from pathlib import Path

BASES = (
    "luoyang-2017-after",
    "luoyang-2017-parallel-only",
    "luoyang-2017-ftz-commitment",
    "luoyang-2017-small-government",
)
PROFILES = (
    "government-typical",
    "government-small",
    "enterprise-approval-typical",
    "enterprise-filing-typical",
    "enterprise-filing-ftz",
)


def write_scenarios(folder: Path, count: int) -> None:
    for index, (base, profile) in enumerate(itertools.islice(itertools.product(BASES, PROFILES), count)):
        (folder / f"s{index:02d}-{base}-{profile}.yaml").write_text(
            f"name: s{index:02d}\nbase: {base}\nbaseline: luoyang-2017-before\nprofile: {profile}\n",
            encoding="utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--exports", action="store_true", help="also write the dated exports (timed apart)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {load()} (1, 5, 15 min) before")
    folder = Path(tempfile.mkdtemp(prefix="nightly-bench-"))
    write_scenarios(folder, args.scenarios)
    seeds = list(range(1, args.seeds + 1))

    from flows import nightly_plan

    started = time.perf_counter()
    jobs, bad = nightly_plan.plan_batch(folder, projects=args.projects, replications=args.replications)
    assert not bad, bad
    for job in jobs:
        nightly_plan.job_outcomes(job, seeds)  # exactly what each batch task runs
    compute = time.perf_counter() - started
    print(
        f"compute only: {len(jobs)} scenarios x {len(seeds)} seeds = {len(jobs) * len(seeds)} comparisons "
        f"({args.projects} projects x {args.replications} replications each): {compute:.1f} s"
    )

    started = time.perf_counter()
    from flows import pipelines
    from flows.nightly import nightly_batch
    from flows.session import PrefectSession

    imported = time.perf_counter() - started
    database = f"sqlite:///{folder / 'results.db'}"
    with PrefectSession(lambda line: print(f"  {line}")) as session:
        started = time.perf_counter()
        session.ready()  # a running server, else the temporary one (started in open()) is waited for here
        server = time.perf_counter() - started
        timers = instrument(pipelines)
        started = time.perf_counter()
        result = nightly_batch(str(folder), date(2026, 11, 25), seeds, projects=args.projects,
                               replications=args.replications, database_url=database)  # fmt: skip
        batch = time.perf_counter() - started
        exported = None
        if args.exports:
            started = time.perf_counter()
            nightly_batch(str(folder), date(2026, 11, 26), seeds[:1], projects=args.projects,
                          replications=args.replications, database_url=database,
                          exports_dir=str(folder / "exports"))  # fmt: skip
            exported = time.perf_counter() - started
    print(f"prefect import {imported:.1f} s, server ready {server:.1f} s")
    print(f"nightly_batch flow: {batch:.1f} s for {result['runs']} runs")
    print(
        f"overhead (Prefect + database) = {batch - compute:.1f} s = {(batch - compute) / compute:.1%} of compute"
    )
    print("where the batch's time goes (main thread and task threads, measured inside the flow):")
    accounted = 0.0
    for name, seconds in timers.items():
        accounted += seconds
        print(f"  {name:<58} {seconds:7.1f} s")
    print(
        f"  {'Prefect (flow and task runs, states, logs, events) and the rest':<58} {batch - accounted:7.1f} s"
    )
    inside = (
        timers["simulation (nightly_plan.job_outcomes)"]
        + timers["validating the scenario files (nightly_plan.plan_batch)"]
    )
    print(f"  compute (validation + simulation) in the flow vs alone: {inside - compute:+.1f} s")
    print(
        f"overhead measured inside the flow (time not computing / compute in the flow) = {batch - inside:.1f} s = "
        f"{(batch - inside) / inside:.1%} (does not depend on the load changing between the two timings)"
    )
    if exported is not None:
        print(f"a batch of one seed with exports (every run, summary, briefing PDF): {exported:.1f} s")
    print(f"machine: load average {load()} (1, 5, 15 min) after")


def instrument(pipelines) -> dict[str, float]:  # noqa: ANN001 - the flows.pipelines module
    """Wrap what the flow calls with timers (module attributes, so the flow's tasks use the wrapped ones)."""
    from flows import nightly_plan
    from flows.store import repository

    timers: dict[str, float] = {}

    def timed(owner, attribute: str, label: str) -> None:  # noqa: ANN001
        original = getattr(owner, attribute)
        timers[label] = 0.0

        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers[label] += time.perf_counter() - started

        setattr(owner, attribute, wrapper)

    timed(nightly_plan, "job_outcomes", "simulation (nightly_plan.job_outcomes)")
    timed(nightly_plan, "plan_batch", "validating the scenario files (nightly_plan.plan_batch)")
    timed(repository, "start_runs", "opening runs (repository.start_runs)")
    timed(repository, "complete_runs", "saving results (repository.complete_runs)")
    timed(repository, "get_run", "reading runs back for the summary (repository.get_run)")
    timed(pipelines, "publish_summary", "the markdown artifact (publish_summary)")
    return timers


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
