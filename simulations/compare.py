"""Baseline vs reform (or serial vs parallel): reduction with a 95 % CI, verdict, bottlenecks.

Both sides of a replication use the same replication seed, hence common random numbers: the same project
draws the same handling time for the same item in both, and the reduction is estimated per replication as
``1 - reform / baseline`` of the mean (median, p90) end-to-end time; the CI is across replications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from approval_model.models import Process
from simulations.compiled import Mode, compile_process
from simulations.runner import DEFAULT_CHUNK, Engine, SimulationRun, resolve_engine, simulate
from simulations.stats import Verdict, judge

__all__ = ["DEFAULT_TARGET", "Comparison", "compare", "reductions"]

DEFAULT_TARGET = 0.20


def reductions(baseline: SimulationRun, reform: SimulationRun, statistic: str = "mean") -> np.ndarray:
    """Per replication, ``1 - reform / baseline`` of a statistic of end-to-end days (mean, median, p90)."""
    pick: dict[str, Callable[[np.ndarray], float]] = {
        "mean": np.mean,
        "median": np.median,
        "p90": lambda x: float(np.percentile(x, 90)),
    }
    f = pick[statistic]
    pairs = zip(baseline.results, reform.results, strict=True)
    return np.array([1 - f(r.end_to_end_days) / f(b.end_to_end_days) for b, r in pairs])


@dataclass(frozen=True)
class Comparison:
    """Two runs with the same seeds, and the verdicts on their reduction."""

    baseline: SimulationRun
    reform: SimulationRun
    target: float
    mean: Verdict
    median: Verdict
    p90: Verdict

    @property
    def verdict(self) -> str:
        return self.mean.verdict

    def bottlenecks(self, summary: dict | None = None) -> list[dict]:
        """Reform items by criticality (then gain if instant), with waiting, handling and overdue rate."""
        items = (summary or self.reform.summary())["items"]
        rows = [{"item": item_id, **values} for item_id, values in items.items()]
        rows.sort(key=lambda r: (-(r["criticality"] or 0), -(r.get("gain_if_instant_days") or 0), r["item"]))
        return rows

    def summary(self) -> dict:
        reform = self.reform.summary()
        return {
            "target": self.target,
            "verdict": self.verdict,
            "reduction": {
                **self.mean.as_dict(),
                "median": self.median.as_dict(),
                "p90": self.p90.as_dict(),
            },
            "baseline": self.baseline.summary(),
            "reform": reform,
            "bottlenecks": self.bottlenecks(reform),
            "department_bottlenecks": sorted(
                ({"department": d, **v} for d, v in reform["departments"].items()),
                key=lambda r: (-(r["mean_wait_days"] or 0), -(r["mean_in_handling"] or 0)),
            ),
        }


def compare(
    baseline: Process,
    reform: Process | None = None,
    *,
    baseline_mode: Mode | None = None,
    reform_mode: Mode | None = None,
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    target: float = DEFAULT_TARGET,
    chunk: int = DEFAULT_CHUNK,
    on_progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Compare two processes (each ``parallel`` unless told), or serial vs parallel of one.

    Both sides run on the same engine (the event engine if either side needs it) and the same seeds.
    """
    if reform is None:
        reform = baseline
        baseline_mode, reform_mode = baseline_mode or "serial", reform_mode or "parallel"
    else:
        baseline_mode, reform_mode = baseline_mode or "parallel", reform_mode or "parallel"
    first, second = compile_process(baseline), compile_process(reform)
    chosen = resolve_engine([first, second], engine)
    offset = 0

    def progress(done: int, total: int) -> None:
        if on_progress:
            on_progress(offset + done, 2 * total)

    base_run = simulate(
        first,
        mode=baseline_mode,
        projects=projects,
        replications=replications,
        seed=seed,
        engine=chosen,
        chunk=chunk,
        on_progress=progress,
    )
    offset = replications * (1 if chosen == "des" else -(-projects // chunk))
    reform_run = simulate(
        second,
        mode=reform_mode,
        projects=projects,
        replications=replications,
        seed=seed,
        engine=chosen,
        gains=True,
        chunk=chunk,
        on_progress=progress,
    )
    return Comparison(
        base_run,
        reform_run,
        target,
        judge(reductions(base_run, reform_run, "mean"), target),
        judge(reductions(base_run, reform_run, "median"), target),
        judge(reductions(base_run, reform_run, "p90"), target),
    )
