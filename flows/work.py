"""The work the flows orchestrate, as plain functions (no Prefect): testable directly and picklable for Dask.

A unit of work is coarse: a scenario pair x a group of replications (both sides, common random numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from approval_model.models import Process
from approval_model.profiles import DEFAULT_PROFILE
from approval_model.scenario_document import builtin_names, resolve_reference
from flows.store.records import (
    DepartmentStat,
    ItemStat,
    ReplicationFigure,
    RunOutcome,
    SideSummary,
    Verdict,
)
from rules.loading import for_simulation, load, summed_variant, with_limit_basis
from rules.metrics import catalog_metrics
from simulations.compare import Comparison, prepare, reductions, replication_sides, runs_of
from simulations.compiled import Mode, compile_process
from simulations.mix import Mix, Simulated
from simulations.montecarlo import critical_items, end_to_end, schedule, start_times
from simulations.robustness import DEFAULT_SAMPLES, assess_comparison, skipped
from simulations.runner import Engine, SimulationRun, resolve_engine
from simulations.sampling import replication_seeds

__all__ = [
    "PairSpec",
    "ReplicationPair",
    "comparison_outcome",
    "run_pair_replications",
    "scenario_text",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
HISTOGRAM_BINS = 40


def today_in_shanghai() -> date:
    """The batch date when none is given: today in China (the nightly batch runs at 02:00 Asia/Shanghai)."""
    return datetime.now(SHANGHAI).date()


def scenario_text(reference: str) -> tuple[str, str]:
    """(source label, file text) of a built-in name or a path, for storing exactly what was run."""
    path = resolve_reference(reference)
    label = reference if reference in builtin_names() else str(path)
    return label, path.read_text(encoding="utf-8")


def profile_label(process: Process, profile: str | None) -> str:
    """How a run names its project profile: the one asked for, else the scenario's own (its name, or 'scenario'
    for an unnamed inline profile), else the default profile."""
    if profile is not None:
        return profile
    if process.mix is not None:
        total = sum(process.mix.values()) or 1.0
        return "mix: " + ", ".join(f"{name} {weight / total:.0%}" for name, weight in process.mix.items())
    if process.profile is not None:
        return process.profile.name or "scenario"
    return DEFAULT_PROFILE


@dataclass(frozen=True)
class PairSpec:
    """What a comparison runs: two scenarios (or one, serial vs parallel), the project and the settings.

    ``framing`` names the headline framing (None: the default of :func:`simulations.compare.plan_framings`);
    ``baseline_mode`` / ``reform_mode`` are the legacy ``--mode`` (both sides in one mode).
    """

    baseline: str
    reform: str | None
    profile: str | None = None
    baseline_mode: Mode | None = None
    reform_mode: Mode | None = None
    projects: int = 10_000
    replications: int = 10
    seed: int = 0
    engine: Engine = "auto"
    target: float = 0.20
    limit_basis: str | None = None  # None: each scenario's own simulation.limit_basis
    framing: str | None = None
    robustness_samples: int | None = DEFAULT_SAMPLES  # None: no robustness analysis
    name: str | None = None  # the scenario file's whole name in labels (its stem is shared in its batch)

    def _prepared(self, reference: str) -> Process:
        return with_limit_basis(for_simulation(load(reference), self.profile), self.limit_basis)

    def processes(self) -> tuple[Process, Process]:
        baseline = self._prepared(self.baseline)
        reform = baseline if self.reform is None else self._prepared(self.reform)
        return baseline, reform

    def catalogs(self) -> tuple[Process, Process]:
        """The two processes whole (every item, whatever the project): what the catalog targets count."""
        baseline = load(self.baseline)
        return baseline, baseline if self.reform is None else load(self.reform)

    def prepared(self) -> tuple[Simulated, Simulated | None, list[str], str, float | None]:
        """Compiled sides, the framings and the headline (see :func:`simulations.compare.prepare`)."""
        baseline, reform = self.processes()
        return prepare(
            baseline, None if self.reform is None else reform, baseline_mode=self.baseline_mode,
            reform_mode=self.reform_mode, framing=self.framing,
        )  # fmt: skip

    def headline(self) -> str:
        return self.prepared()[3]

    def basis(self) -> str:
        """The limit basis the run works to: the one asked for, else the baseline scenario's own."""
        return str(self.limit_basis or self.processes()[0].simulation.limit_basis)

    def profile_name(self) -> str:
        """The project profile simulated: the one asked for, else the scenario's own, else the default."""
        return profile_label(load(self.baseline), self.profile)

    def robustness(self) -> dict:
        """The robustness analysis of this comparison over the modelling assumptions (see
        :mod:`simulations.robustness`), or why it was skipped."""
        if self.robustness_samples is None:
            return skipped("--no-robustness")
        baseline, reform = self.processes()
        summed = (
            summed_variant(self.baseline, self.profile, self.limit_basis),
            None if self.reform is None else summed_variant(self.reform, self.profile, self.limit_basis),
        )
        return assess_comparison(
            baseline, None if self.reform is None else reform, summed=summed, framing=self.framing,
            baseline_mode=self.baseline_mode, reform_mode=self.reform_mode, target=self.target,
            samples=self.robustness_samples, projects=self.projects, seed=self.seed,
        )  # fmt: skip

    @property
    def label(self) -> str:
        own = self.name or Path(self.reform or self.baseline).stem
        if self.reform is None:
            return f"{own} (serial -> parallel)"
        return f"{Path(self.baseline).stem} -> {own}"


@dataclass(frozen=True)
class ReplicationPair:
    """Every side of some replications (same seeds: common random numbers), by (side, mode)."""

    indices: tuple[int, ...]
    sides: tuple  # per index: {(side, mode): SimulationResult}


def run_pair_replications(spec: PairSpec, indices: Sequence[int]) -> ReplicationPair:
    """Simulate replications ``indices`` of every side; identical to the same replications of a full run."""
    first, second, names, headline, _ = spec.prepared()
    engine = resolve_engine([first] if second is None else [first, second], spec.engine)
    seeds = replication_seeds(spec.seed, spec.replications)
    return ReplicationPair(
        tuple(indices),
        tuple(
            replication_sides(
                first, second, names, headline, spec.projects, seeds[i], engine=engine, replication=i
            )
            for i in indices
        ),
    )


def assemble_comparison(spec: PairSpec, parts: Sequence[ReplicationPair]) -> Comparison:
    """Join groups of replications (in replication order) into one comparison with its verdicts."""
    ordered = sorted(((i, sides) for part in parts for i, sides in zip(part.indices, part.sides, strict=True)),
                     key=lambda pair: pair[0])  # fmt: skip
    if [i for i, _ in ordered] != list(range(spec.replications)):
        raise ValueError(f"replications {[i for i, _ in ordered]} do not cover 0..{spec.replications - 1}")
    first, _, names, headline, share = spec.prepared()
    engine = next(iter(ordered[0][1].values())).engine
    runs = runs_of(
        [sides for _, sides in ordered], engine=engine, projects=spec.projects, seed=spec.seed, share=share,
        mix=first.weights() if isinstance(first, Mix) else None,
    )  # fmt: skip
    return Comparison.from_runs(runs, names, headline, spec.target)


def _number(value: float | None, default: float = 0.0) -> float:
    return default if value is None or not np.isfinite(value) else float(value)


def _side(
    role: str, run: SimulationRun, summary: dict, process: Process
) -> tuple[SideSummary, list[ItemStat], list[DepartmentStat]]:
    days = run.pooled().end_to_end_days
    counts, edges = np.histogram(days, bins=HISTOGRAM_BINS)
    side = SideSummary(
        role=role,
        scenario=process.name,
        mode=run.mode,
        projects=run.projects,
        mean_days=summary["mean_days"],
        p50_days=summary["p50_days"],
        p90_days=summary["p90_days"],
        on_time_rate=summary["on_time_rate"],
        quantiles={f"{q:g}": float(np.quantile(days, q)) for q in QUANTILES},
        histogram={"edges": [float(e) for e in edges], "counts": [float(c) for c in counts]},
    )
    items = [
        ItemStat(
            role=role,
            item_id=item_id,
            item_name=values["name"],
            department=values["department"],
            stage=process.item(item_id).stage,
            statutory_limit_days=values["statutory_limit_days"],
            criticality=_number(values.get("criticality")),
            mean_wait_days=_number(values.get("mean_wait_days")),
            mean_handling_days=_number(values.get("mean_handling_days")),
            overdue_rate=_number(values.get("overdue_rate")),
        )
        for item_id, values in summary["items"].items()
    ]
    departments = []
    for department_id, values in summary["departments"].items():
        own = [i for i in items if i.department == department_id]
        utilisation = values.get("utilisation")
        departments.append(
            DepartmentStat(
                role=role,
                department=department_id,
                department_name=process.department(department_id).name,
                utilisation=None
                if utilisation is None or not np.isfinite(utilisation)
                else min(float(utilisation), 1.0),
                mean_wait_days=_number(values.get("mean_wait_days")),
                mean_handling_days=_number(values.get("mean_handling_days")),
                overdue_rate=float(np.mean([i.overdue_rate for i in own])) if own else 0.0,
            )
        )
    return side, items, departments


def typical_schedule(
    process: Process, items: dict[str, dict], mode: Mode, parallel_share: float | None = None
) -> list[dict]:
    """Start and finish of each item for a project whose items take their mean simulated times.

    This is what a Gantt chart of "a typical project" shows; the critical flag marks the items that hold
    it up (every item in serial mode). A partial baseline is drawn in the mode most of its projects have.
    """
    if mode == "partial":
        mode = "parallel" if (parallel_share or 0) >= 0.5 else "serial"
    compiled = compile_process(process)
    elapsed = np.array(
        [
            [
                sum(
                    _number(items[i].get(k))
                    for k in ("mean_wait_days", "mean_handling_days", "mean_stopped_days")
                )
            ]
            for i in compiled.item_ids
        ]  # fmt: skip
    )
    plan = schedule(compiled, elapsed, mode)
    _, last = end_to_end(compiled, plan, mode)
    critical = critical_items(compiled, plan, last, mode)
    starts = start_times(compiled, plan, mode)  # calendar-day items: their elapsed row is calendar days
    return [
        {
            "item": item_id,
            "name": items[item_id]["name"],
            "department": items[item_id]["department"],
            "start": round(float(starts[k, 0]), 3),
            "finish": round(float(plan.finish[k, 0]), 3),
            "critical": bool(critical[k, 0]),
        }  # fmt: skip
        for k, item_id in enumerate(compiled.item_ids)
    ]


def comparison_outcome(
    comparison: Comparison,
    baseline: Process,
    reform: Process,
    catalogs: tuple[Process, Process] | None = None,
    *,
    metrics: dict | None = None,
    robustness: dict | None = None,
) -> RunOutcome:
    """The stored form of a comparison (validated records), with the full JSON payload kept alongside.

    The payload also carries what exports need without reloading scenarios: the four catalog targets of the
    two processes (whole catalogs when given, else the simulated processes) and the schedule of a typical
    project on each side.
    """
    payload = comparison.summary()
    if robustness is not None:
        payload["robustness"] = robustness
    payload["catalog_metrics"] = metrics or catalog_metrics(*(catalogs or (baseline, reform))).as_json()
    payload["typical_schedule"] = {
        "baseline": typical_schedule(
            baseline,
            payload["baseline"]["items"],
            comparison.baseline.mode,
            comparison.baseline.parallel_share,
        ),
        "reform": typical_schedule(reform, payload["reform"]["items"], comparison.reform.mode),
    }
    base_side, base_items, base_departments = _side(
        "baseline", comparison.baseline, payload["baseline"], baseline
    )
    reform_side, reform_items, reform_departments = _side(
        "reform", comparison.reform, payload["reform"], reform
    )
    per_replication = reductions(comparison.baseline, comparison.reform, "mean")
    replications = tuple(
        ReplicationFigure(
            replication=i, baseline_mean_days=float(b), reform_mean_days=float(r), reduction=float(d)
        )
        for i, (b, r, d) in enumerate(
            zip(
                comparison.baseline.replication_means,
                comparison.reform.replication_means,
                per_replication,
                strict=True,
            )
        )
    )
    mean = comparison.mean
    low, high = mean.ci95
    verdict = Verdict(
        reduction_mean=mean.estimate,
        reduction_ci_low=low if np.isfinite(low) else mean.estimate,
        reduction_ci_high=high if np.isfinite(high) else mean.estimate,
        verdict=mean.verdict,
        replications_needed=mean.replications_needed,
        robustness_verdict=None if not robustness or robustness.get("skipped") else robustness.get("verdict"),
    )
    return RunOutcome(
        summaries=(base_side, reform_side),
        items=(*base_items, *reform_items),
        departments=(*base_departments, *reform_departments),
        replications=replications,
        verdict=verdict,
        payload=payload,
    )


def simulation_outcome(run: SimulationRun, process: Process) -> RunOutcome:
    """The stored form of a single simulation."""
    payload = run.summary()
    side, items, departments = _side("single", run, payload, process)
    replications = tuple(
        ReplicationFigure(replication=i, reform_mean_days=float(m))
        for i, m in enumerate(run.replication_means)
    )
    return RunOutcome(
        summaries=(side,),
        items=tuple(items),
        departments=tuple(departments),
        replications=replications,
        payload=payload,
    )


def replication_groups(replications: int, groups: int) -> list[tuple[int, ...]]:
    """Split replication indices into at most ``groups`` contiguous groups (coarse tasks)."""
    groups = max(1, min(groups, replications))
    bounds = np.linspace(0, replications, groups + 1).round().astype(int)
    return [tuple(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
