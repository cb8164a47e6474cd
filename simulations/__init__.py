"""Monte Carlo and discrete-event simulation of projects flowing through an approval process.

Depends only on :mod:`approval_model` and numpy. Typical use::

    from simulations import compare, simulate

    run = simulate(process, mode="parallel", projects=10_000, replications=10, seed=1)
    run.summary()["mean_days"]
    verdict = compare(before, after, seed=1).summary()["verdict"]

For orchestration in coarse chunks: :func:`compile_process` once, :func:`replication_seeds` for the seeds,
then :func:`run_chunk` (Monte Carlo, any project range) or :func:`run_replication` (any engine) per task;
combine with :meth:`SimulationResult.merge` and wrap in :class:`SimulationRun`. See docs/simulation.md.
"""

from simulations.compare import DEFAULT_TARGET, Comparison, compare, reductions
from simulations.compiled import CompiledProcess, compile_process
from simulations.results import SimulationResult
from simulations.runner import (
    SimulationRun,
    calendar_days,
    compile_for,
    resolve_engine,
    run_chunk,
    run_replication,
    simulate,
)
from simulations.sampling import default_handling, replication_seeds
from simulations.stats import Verdict, judge, mean_ci, replications_needed

__all__ = [
    "DEFAULT_TARGET",
    "CompiledProcess",
    "Comparison",
    "SimulationResult",
    "SimulationRun",
    "Verdict",
    "calendar_days",
    "compare",
    "compile_for",
    "compile_process",
    "default_handling",
    "judge",
    "mean_ci",
    "reductions",
    "replication_seeds",
    "replications_needed",
    "resolve_engine",
    "run_chunk",
    "run_replication",
    "simulate",
]
