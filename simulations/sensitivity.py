"""One-at-a-time sensitivity analysis: which parameter, changed a little, moves the end-to-end time most?

A :class:`Variation` is the process with one thing changed:

* ``capacity``: a department's capacity × (1 ± by), rounded, changed by at least one file and never below 1
  (only departments that have a capacity and handle an item);
* ``limit``: an item's statutory limit × (1 ± by). Only items *without* ``handling_days`` take a time that
  depends on their limit (the default handling time is limit × U(0.4, 1.0) with a 5 % overdue tail); for an
  item with ``handling_days`` the limit changes the overdue count but never the days, so it is skipped;
* ``handling``: an item's handling time × (1 ± by) (``ApprovalItem.handling_scale``), limit unchanged;
* ``supplement``: an item's 补正 probability × (1 ± by), at most 1 (only items with a probability > 0);
* ``instant``: the item takes no time: no handling, no 补正, no excluded time, and no queue (it moves to a
  department without capacity when its own has one);
* ``parallel``: the item is *made parallel*: nothing waits for it any more. Items that waited for it wait
  for its prerequisites instead (orderings through it are kept), and it still has to finish before the
  project does. Only items that something waits for, and only in parallel mode (in serial mode the items
  run one after another whatever the prerequisites say).

Variations that cannot change anything are skipped with the reason (:class:`Skipped`).

Every variation is simulated with the same seed as the unchanged process: items draw from streams keyed by
their id (:mod:`simulations.sampling`), so each project draws the same uniforms for the same item in both,
and the per-replication difference of the mean end-to-end days measures the effect with little noise (a
variation that changes nothing has an effect of exactly 0). The effect is the mean of those paired
differences with a 95 % t interval across replications. Given a baseline process, the effect on the
reduction (``1 - varied / baseline`` minus ``1 - unchanged / baseline``, per replication) comes with it.
Effects are ranked by their absolute size: the data behind a tornado chart.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from approval_model.models import Process
from simulations.compare import DEFAULT_TARGET
from simulations.compiled import Mode, compile_process
from simulations.runner import Engine, resolve_engine, run_replication
from simulations.sampling import replication_seeds
from simulations.stats import Verdict, judge, mean_ci
from simulations.sweep import (
    DEFAULT_BY,
    PARALLEL_MEANING,
    PARAMETERS,
    Parameter,
    Skipped,
    Variation,
    build_variations,
    parse_vary,
)

__all__ = [
    "DEFAULT_BY",
    "PARALLEL_MEANING",
    "PARAMETERS",
    "Effect",
    "Parameter",
    "SensitivityResult",
    "Skipped",
    "Variation",
    "assemble",
    "build_variations",
    "parse_vary",
    "replication_means",
    "resolve_sensitivity_engine",
    "sensitivity",
]


@dataclass(frozen=True)
class Effect:
    """A variation's effect, ranked (1 = largest absolute effect on the mean end-to-end days)."""

    rank: int
    key: str
    label: str
    parameter: Parameter
    subject: str
    factor: float | None
    mean_days: float  # mean end-to-end working days of the varied process
    effect_mean_days: float  # varied minus unchanged, mean of paired per-replication differences
    effect_ci95: tuple[float, float]
    effect_on_reduction: float | None = None  # change of the reduction vs the baseline (share; + = larger)
    effect_on_reduction_ci95: tuple[float, float] | None = None

    def as_dict(self) -> dict:
        return {
            "rank": self.rank,
            "key": self.key,
            "variation": self.label,
            "parameter": self.parameter,
            "subject": self.subject,
            "factor": self.factor,
            "mean_days": self.mean_days,
            "effect_mean_days": self.effect_mean_days,
            "effect_ci95": list(self.effect_ci95),
            "effect_on_reduction": self.effect_on_reduction,
            "effect_on_reduction_ci95": None
            if self.effect_on_reduction_ci95 is None
            else list(self.effect_on_reduction_ci95),
        }


@dataclass(frozen=True)
class SensitivityResult:
    """Ranked effects of every variation, with the settings and the unchanged (and baseline) means."""

    process: str
    baseline: str | None
    mode: Mode
    engine: str
    projects: int
    replications: int
    seed: int
    by: float
    vary: tuple[Parameter, ...]
    base_means: np.ndarray  # per replication, mean end-to-end days of the unchanged process
    baseline_means: np.ndarray | None
    effects: tuple[Effect, ...]
    skipped: tuple[Skipped, ...]
    target: float = DEFAULT_TARGET

    @property
    def reduction(self) -> Verdict | None:
        """The unchanged process's reduction against the baseline (None without a baseline)."""
        if self.baseline_means is None:
            return None
        return judge(1 - self.base_means / self.baseline_means, self.target)

    def as_json(self) -> dict:
        lo, hi = mean_ci(self.base_means)
        out: dict = {
            "process": self.process,
            "baseline": self.baseline,
            "mode": self.mode,
            "engine": self.engine,
            "projects": self.projects,
            "replications": self.replications,
            "seed": self.seed,
            "by": self.by,
            "vary": list(self.vary),
            "parallel_meaning": PARALLEL_MEANING,
            "mean_days": _estimate(self.base_means),
            "mean_days_ci95": [lo, hi],
            "baseline_mean_days": None if self.baseline_means is None else _estimate(self.baseline_means),
            "reduction": None if self.reduction is None else self.reduction.as_dict(),
            "variations": [e.as_dict() for e in self.effects],
            "skipped": [s.as_dict() for s in self.skipped],
        }
        return out


# ------------------------------------------------------------------------------------------- simulation
# (the variations themselves are built by simulations.sweep)


def resolve_sensitivity_engine(
    process: Process, baseline: Process | None = None, engine: Engine = "auto"
) -> str:
    """One engine for the unchanged process, its variations and the baseline (variations never add or remove
    a capacity, so the unchanged process and the baseline decide)."""
    compiled = [compile_process(process)] + ([] if baseline is None else [compile_process(baseline)])
    return resolve_engine(compiled, engine)


def replication_means(
    process: Process,
    *,
    mode: Mode,
    projects: int,
    replications: int,
    seed: int,
    engine: str,
) -> np.ndarray:
    """Mean end-to-end days of each replication (replication ``r`` seeded as in :func:`simulate`)."""
    compiled = compile_process(process)
    seeds = replication_seeds(seed, replications)
    return np.array(
        [
            run_replication(compiled, mode, projects, s, engine=engine, replication=r).end_to_end_days.mean()
            for r, s in enumerate(seeds)
        ]
    )


def _estimate(x: np.ndarray) -> float:
    """The mean; exactly the common value when all are equal (no rounding noise on a zero effect)."""
    return float(x[0]) if np.ptp(x) == 0 else float(x.mean())


def _interval(x: np.ndarray) -> tuple[float, float]:
    lo, hi = mean_ci(x)
    return float(lo), float(hi)


def assemble(
    process: Process,
    variations: Sequence[Variation],
    skipped: Sequence[Skipped],
    base_means: np.ndarray,
    variation_means: Mapping[str, np.ndarray],
    *,
    baseline: Process | None = None,
    baseline_means: np.ndarray | None = None,
    mode: Mode,
    engine: str,
    projects: int,
    seed: int,
    by: float,
    vary: Sequence[Parameter],
    target: float = DEFAULT_TARGET,
) -> SensitivityResult:
    """Paired differences against the unchanged process, ranked by absolute effect (ties by key)."""
    base_means = np.asarray(base_means, dtype=float)
    rows = []
    for v in variations:
        means = np.asarray(variation_means[v.key], dtype=float)
        diff = means - base_means
        on_reduction = on_reduction_ci = None
        if baseline_means is not None:
            gain = (base_means - means) / np.asarray(baseline_means, dtype=float)
            on_reduction, on_reduction_ci = _estimate(gain), _interval(gain)
        rows.append((v, _estimate(means), _estimate(diff), _interval(diff), on_reduction, on_reduction_ci))
    rows.sort(key=lambda r: (-abs(r[2]), r[0].key))
    effects = tuple(
        Effect(rank, v.key, v.label, v.parameter, v.subject, v.factor, mean, effect, ci, red, red_ci)
        for rank, (v, mean, effect, ci, red, red_ci) in enumerate(rows, start=1)
    )
    return SensitivityResult(
        process=process.name,
        baseline=None if baseline is None else baseline.name,
        mode=mode,
        engine=engine,
        projects=projects,
        replications=int(base_means.shape[0]),
        seed=seed,
        by=by,
        vary=tuple(vary),
        base_means=base_means,
        baseline_means=None if baseline_means is None else np.asarray(baseline_means, dtype=float),
        effects=effects,
        skipped=tuple(skipped),
        target=target,
    )


def sensitivity(
    process: Process,
    *,
    baseline: Process | None = None,
    vary: Collection[Parameter] = PARAMETERS,
    by: float = DEFAULT_BY,
    mode: Mode = "parallel",
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    target: float = DEFAULT_TARGET,
) -> SensitivityResult:
    """All one-at-a-time variations of ``process``, simulated with common random numbers, ranked.

    The baseline (if any) runs in the same ``mode`` with the same seeds.
    """
    if replications < 2:
        raise ValueError(f"a confidence interval needs at least 2 replications, got {replications}")
    vary = parse_vary(list(vary))
    variations, skipped = build_variations(process, vary=vary, by=by, mode=mode)
    chosen = resolve_sensitivity_engine(process, baseline, engine)

    def run(subject: Process) -> np.ndarray:
        return replication_means(
            subject, mode=mode, projects=projects, replications=replications, seed=seed, engine=chosen
        )

    base_means = run(process)
    baseline_means = None if baseline is None else run(baseline)
    means = {v.key: run(v.process) for v in variations}
    return assemble(
        process, variations, skipped, base_means, means, baseline=baseline, baseline_means=baseline_means,
        mode=mode, engine=chosen, projects=projects, seed=seed, by=by, vary=vary, target=target,
    )  # fmt: skip
