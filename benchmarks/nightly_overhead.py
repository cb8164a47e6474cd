"""Prefect and database overhead of a nightly batch as a share of its compute time.

Usage: uv run python benchmarks/nightly_overhead.py [--scenarios 20] [--seeds 10] [--projects 2000] [--replications 5]

Builds N scenario files (built-in reform scenarios x project profiles, each against luoyang-2017-before),
times the pure simulation work of every (scenario, seed) comparison without Prefect or a database, then
times the same batch through the `nightly_batch` flow (SQLite results database, ephemeral Prefect server),
and prints both and the overhead share. Server start-up is reported separately.
"""

from __future__ import annotations

import argparse
import itertools
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
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="nightly-bench-"))
    write_scenarios(folder, args.scenarios)
    seeds = list(range(1, args.seeds + 1))

    from flows import work

    started = time.perf_counter()
    jobs, bad = work.plan_batch(folder, projects=args.projects, replications=args.replications)
    assert not bad, bad
    for job in jobs:
        work.job_outcomes(job, seeds)  # exactly what each batch task runs
    compute = time.perf_counter() - started
    print(
        f"compute only: {len(jobs)} scenarios x {len(seeds)} seeds = {len(jobs) * len(seeds)} comparisons "
        f"({args.projects} projects x {args.replications} replications each): {compute:.1f} s"
    )

    started = time.perf_counter()
    from flows.pipelines import nightly_batch

    imported = time.perf_counter() - started
    database = f"sqlite:///{folder / 'results.db'}"
    from prefect import flow

    @flow
    def warm_up() -> None:  # starts the ephemeral server, so the batch below is timed on a running one
        return None

    started = time.perf_counter()
    warm_up()
    server = time.perf_counter() - started
    started = time.perf_counter()
    result = nightly_batch(str(folder), date(2026, 11, 25), seeds, projects=args.projects, replications=args.replications,
                           database_url=database)  # fmt: skip
    batch = time.perf_counter() - started
    print(f"prefect import {imported:.1f} s, ephemeral server start + first flow {server:.1f} s")
    print(f"nightly_batch flow: {batch:.1f} s for {result['runs']} runs")
    print(
        f"overhead (Prefect + database) = {batch - compute:.1f} s = {(batch - compute) / compute:.1%} of compute"
    )


if __name__ == "__main__":
    main()
