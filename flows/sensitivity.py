"""Prefect flow: one-at-a-time sensitivity analysis of a scenario, persisted as a run of kind "sensitivity".

The unchanged process (and the baseline, if any) is one task; the variations are split into a few coarse
groups (each worth about a second of simulation or more, never more than ``task_groups``), one task each.
Every task rebuilds its variations from the scenario references and the variation keys, so task inputs stay
small and picklable (Dask). Simulations are deterministic and never retried; database writes are tasks with
retries (:mod:`flows.pipelines`). The numbers equal :func:`simulations.sensitivity.sensitivity` exactly.
"""

from __future__ import annotations

from flows.settings import configure_prefect_environment
from messages import Message

configure_prefect_environment()

import math  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from approval_model.models import Process  # noqa: E402
from flows import progress, work  # noqa: E402
from flows.pipelines import mark_failed, open_new_run, quoted, save_results, save_scenario, task_runner  # noqa: E402
from flows.report import md  # noqa: E402
from flows.store.records import RunOutcome, RunStart, SensitivityFigure, Verdict  # noqa: E402
from rules.loading import for_profile, load  # noqa: E402
from simulations.compare import DEFAULT_TARGET  # noqa: E402
from simulations.compiled import Mode, compile_process  # noqa: E402
from simulations.runner import Engine, SimulationRun, simulate  # noqa: E402
from simulations.sensitivity import (  # noqa: E402
    DEFAULT_BY,
    PARAMETERS,
    Parameter,
    SensitivityResult,
    assemble,
    build_variations,
    parse_vary,
    replication_means,
    resolve_sensitivity_engine,
)

__all__ = ["SensitivitySpec", "figures", "plan_groups", "sensitivity_analysis"]

TASK_SECONDS = 1.0  # aim for at least this much simulation per task
# rough costs per item and project, seconds (Monte Carlo is vectorised; the event engine is a Python loop)
COST_PER_ITEM_PROJECT = {"montecarlo": 6e-8, "des": 3e-6}


@dataclass(frozen=True)
class SensitivitySpec:
    """What a sensitivity run simulates (scenario references, not processes: tasks load them themselves)."""

    scenario: str
    baseline: str | None = None
    profile: str | None = None
    vary: tuple[Parameter, ...] = PARAMETERS
    by: float = DEFAULT_BY
    mode: Mode = "parallel"
    projects: int = 10_000
    replications: int = 10
    seed: int = 0
    engine: Engine = "auto"

    def processes(self) -> tuple[Process, Process | None]:
        process = for_profile(load(self.scenario), self.profile)
        baseline = None if self.baseline is None else for_profile(load(self.baseline), self.profile)
        return process, baseline

    def settings(self, engine: str) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "projects": self.projects,
            "replications": self.replications,
            "seed": self.seed,
            "engine": engine,
        }


def plan_groups(keys: list[str], seconds_each: float, task_groups: int) -> list[tuple[str, ...]]:
    """Contiguous groups of variation keys: at most ``task_groups``, each worth about TASK_SECONDS or more."""
    if not keys:
        return []
    worth = max(1, math.floor(len(keys) * seconds_each / TASK_SECONDS))
    groups = max(1, min(task_groups, worth, len(keys)))
    bounds = np.linspace(0, len(keys), groups + 1).round().astype(int)
    return [tuple(keys[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


@task(name="simulate unchanged process", retries=0, cache_policy=NO_CACHE)
def simulate_base(spec: SensitivitySpec, engine: str) -> tuple[SimulationRun, np.ndarray | None]:
    """The unchanged process in full (its summary is stored) and the baseline's replication means."""
    process, baseline = spec.processes()
    run = simulate(process, gains=True, **spec.settings(engine))
    baseline_means = None if baseline is None else replication_means(baseline, **spec.settings(engine))
    return run, baseline_means


@task(name="simulate variations", retries=0, cache_policy=NO_CACHE)
def simulate_variations(spec: SensitivitySpec, keys: tuple[str, ...], engine: str) -> dict[str, np.ndarray]:
    """Replication means of a group of variations (same seeds as the unchanged process)."""
    process, _ = spec.processes()
    variations, _ = build_variations(process, vary=spec.vary, by=spec.by, mode=spec.mode, only=keys)
    return {v.key: replication_means(v.process, **spec.settings(engine)) for v in variations}


def figures(result: SensitivityResult) -> tuple[SensitivityFigure, ...]:
    """The ranked rows stored for a run (the data behind a tornado chart)."""
    return tuple(
        SensitivityFigure(
            rank=e.rank,
            variation=e.label,
            parameter=e.parameter,
            subject=e.subject,
            factor=e.factor,
            mean_days=e.mean_days,
            effect_mean_days=e.effect_mean_days,
            effect_ci_low=e.effect_ci95[0],
            effect_ci_high=e.effect_ci95[1],
            effect_on_reduction=e.effect_on_reduction,
        )
        for e in result.effects
    )


def _outcome(result: SensitivityResult, run: SimulationRun, process: Process) -> RunOutcome:
    single = work.simulation_outcome(run, process)
    payload = {**(single.payload or {}), "sensitivity": result.as_json()}
    verdict = None
    if result.reduction is not None:
        r = result.reduction
        verdict = Verdict(reduction_mean=r.estimate, reduction_ci_low=r.ci95[0], reduction_ci_high=r.ci95[1],
                          verdict=r.verdict, replications_needed=r.replications_needed)  # fmt: skip
    return single.model_copy(update={"sensitivity": figures(result), "payload": payload, "verdict": verdict})


def _markdown(result: SensitivityResult, run_id: int, top: int = 10) -> str:
    lines = [
        f"# Sensitivity run {run_id}: {md(result.process)}",
        "",
        f"Mean end-to-end days {result.as_json()['mean_days']:.2f} ({result.mode}, {result.engine}, "
        f"{result.projects} projects x {result.replications} replications, seed {result.seed}, ±{result.by:.0%}).",
        "",
        "| rank | variation | effect on mean days | 95 % CI | effect on reduction |",
        "|---|---|---|---|---|",
    ]
    for e in result.effects[:top]:
        reduction = "" if e.effect_on_reduction is None else f"{e.effect_on_reduction:+.2%}"
        lines.append(
            f"| {e.rank} | {md(e.label)} | {e.effect_mean_days:+.2f} | {e.effect_ci95[0]:+.2f} .. {e.effect_ci95[1]:+.2f} | {reduction} |"
        )
    return "\n".join(lines)


@flow(
    name="sensitivity-analysis", flow_run_name="sensitivity {scenario} seed {seed}", task_runner=task_runner()
)
def sensitivity_analysis(
    scenario: str,
    *,
    baseline: str | None = None,
    vary: tuple[str, ...] | list[str] | str = PARAMETERS,
    by: float = DEFAULT_BY,
    profile: str | None = None,
    mode: Mode = "parallel",
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    target: float = DEFAULT_TARGET,
    database_url: str | None = None,
    task_groups: int = 16,
) -> dict[str, Any]:
    """One-at-a-time sensitivity of a scenario (effects with CRN), persisted; returns the run id and payload."""
    if replications < 2:
        raise ValueError(f"a confidence interval needs at least 2 replications, got {replications}")
    if not 0 < by < 1:
        raise ValueError(f"--by must be between 0 and 1 (0.2 = ±20 %), got {by}")
    parameters = parse_vary(vary)
    spec = SensitivitySpec(
        scenario, baseline, profile, parameters, by, mode, projects, replications, seed, engine
    )
    scenario_id = save_scenario(database_url, scenario, Path(scenario).stem)
    baseline_id = save_scenario(database_url, baseline, Path(baseline).stem) if baseline is not None else None
    label = Path(scenario).stem if baseline is None else f"{Path(scenario).stem} (vs {Path(baseline).stem})"
    start = RunStart(kind="sensitivity", scenario=label, baseline_scenario_id=baseline_id, reform_scenario_id=scenario_id,
                     mode=mode, engine=engine, profile=profile, projects=projects, seed=seed, replications=replications,
                     target=None if baseline is None else target)  # fmt: skip
    run_id = open_new_run(database_url, start)
    try:
        process, baseline_process = spec.processes()
        chosen = resolve_sensitivity_engine(process, baseline_process, engine)
        variations, skipped = build_variations(process, vary=spec.vary, by=by, mode=spec.mode)
        base_future = simulate_base.submit(spec, chosen)
        seconds = COST_PER_ITEM_PROJECT[chosen] * compile_process(process).n_items * projects * replications
        groups = plan_groups([v.key for v in variations], seconds, task_groups)
        futures = [simulate_variations.submit(spec, keys, chosen) for keys in groups]
        progress.report(
            Message(
                "{variations} variations in {groups} task group(s)",
                variations=len(variations),
                groups=len(groups),
            )
        )
        base_run, baseline_means = base_future.result()
        means: dict[str, np.ndarray] = {}
        for future in futures:
            means.update(future.result())
            progress.report(
                Message("simulated {done}/{total} variations", done=len(means), total=len(variations))
            )
        result = assemble(
            process, variations, skipped, base_run.replication_means, means, baseline=baseline_process,
            baseline_means=baseline_means, mode=spec.mode, engine=chosen, projects=projects, seed=seed, by=by, vary=spec.vary, target=target,
        )  # fmt: skip
        outcome = _outcome(result, base_run, process)
        save_results(database_url, run_id, quoted(outcome))
    except BaseException as error:
        mark_failed(database_url, run_id, f"{type(error).__name__}: {error}")
        raise
    title = f"Sensitivity run {run_id}"
    create_markdown_artifact(
        markdown=_markdown(result, run_id), key=f"sensitivity-{run_id}", description=title
    )
    return {"run_id": run_id, "task_groups": len(groups), **(outcome.payload or {})}
