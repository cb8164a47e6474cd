"""How robust is a comparison's verdict: global uncertainty and sensitivity analysis over the modelling assumptions.

The 95 % CI of a comparison covers Monte Carlo noise only; the verdict can still flip with an input nobody knows
(how close to its limit a department works, whether it keeps its promised limits, ...). This module varies every
assumption of ``approval_model/data/assumptions.yaml`` that the scenario does not state, over its plausible range,
with SALib's Sobol' design (Saltelli's scheme, no second-order terms: ``N x (D + 2)`` assumption sets for ``D``
assumptions), re-evaluates each framing's reduction for each set (:mod:`simulations.variation`: one set of draws,
vectorised), and reports:

* ``holds_share``: the share of assumption sets under which the headline reduction reaches the target;
* ``band``: the 5th and 95th percentiles of the reduction over the assumption sets;
* ``drivers``: the assumptions by Sobol' total-order index of the reduction (the share of its variance an
  assumption is involved in, alone or with others), with a bootstrap 95 % interval;
* ``verdict``: ``holds`` when every assumption set reaches the target, ``fails`` when none does, else ``depends``,
  naming ``deciding_assumption`` (the largest total-order index of "reaches the target") and, where one exists,
  the value of it at which the verdict turns with every other assumption at its nominal value (``holds_when``).

Reproducible: the Sobol' sequence is scrambled with the seed and the draws are replication 0's of that seed.
Queueing runs (capacities or arrivals) are not analysed: the vectorised re-evaluation has no queues.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from approval_model.assumptions import Assumption, builtin_assumptions
from approval_model.models import Process
from simulations.budget import memory_budget_bytes, robustness_projects
from simulations.compiled import CompiledProcess, Mode
from simulations.mix import Mix
from simulations.sampling import replication_seeds
from simulations.variation import Side, prepare_side

__all__ = ["DEFAULT_PROJECTS", "DEFAULT_SAMPLES", "assess", "assess_comparison", "skipped"]

DEFAULT_SAMPLES = 500  # assumption sets: ~1-3 s of compute for the built-in comparison (docs/simulation.md)
DEFAULT_PROJECTS = 2_000  # projects per assumption set (the reduction's Monte Carlo noise is ~0.1 pp)
RESAMPLES = 100  # bootstrap resamples of the Sobol' indices' confidence intervals


def skipped(reason: str) -> dict:
    """The ``robustness`` object of a comparison that was not analysed, and why."""
    return {"samples": 0, "skipped": reason}


@dataclass(frozen=True, eq=False)
class _MixedSide:
    """A side with a project mix: each profile's side, the mean weighted by the profile's share."""

    sides: tuple[Side, ...]
    shares: tuple[float, ...]

    @property
    def modes(self) -> tuple[Mode, ...]:
        return self.sides[0].modes

    def means(self, values: Mapping[str, float]) -> dict[Mode, float]:
        total: dict[Mode, float] = {}
        for share, side in zip(self.shares, self.sides, strict=True):
            for mode, mean in side.means(values).items():
                total[mode] = total.get(mode, 0.0) + share * mean
        return total


@dataclass(frozen=True)
class _Setup:
    sides: dict[str, Side | _MixedSide]  # "baseline", "reform" (one process: the same Side twice)
    framings: dict[str, tuple[Mode, Mode]]
    varied: list[Assumption]
    not_varied: list[dict]
    nominal: dict[str, float]


def _framing_modes(name: str) -> tuple[Mode, Mode]:
    from simulations.compare import framing_modes

    return framing_modes(name)


def _stated(compiled: CompiledProcess, key: str) -> float | None:
    return compiled.stated.get(key)


def _setup(
    first: CompiledProcess | Mix,
    second: CompiledProcess | Mix | None,
    names: Sequence[str],
    summed: tuple[CompiledProcess | Mix | None, CompiledProcess | Mix | None],
    projects: int,
    seed: int,
) -> _Setup:
    framings = {name: _framing_modes(name) for name in names}
    replication = replication_seeds(seed, 1)[0]
    base_modes = tuple(dict.fromkeys(m for m, _ in framings.values()))
    reform_modes = tuple(dict.fromkeys(m for _, m in framings.values()))

    def prepared(compiled: CompiledProcess, modes: tuple[Mode, ...], variant: CompiledProcess | None) -> Side:
        return prepare_side(
            compiled, modes, replication, projects, summed=variant,
            keeping=compiled.promise_keeping, handover=_stated(compiled, "serial_handover_days"),
            coordination=_stated(compiled, "stage_coordination_days"),
        )  # fmt: skip

    def side(
        compiled: CompiledProcess | Mix, modes: tuple[Mode, ...], variant: CompiledProcess | Mix | None
    ) -> Side | _MixedSide:
        if not isinstance(compiled, Mix):
            return prepared(compiled, modes, variant if not isinstance(variant, Mix) else None)
        variants = variant.parts if isinstance(variant, Mix) else (None,) * len(compiled.parts)
        return _MixedSide(
            tuple(prepared(part, modes, v) for part, v in zip(compiled.parts, variants, strict=True)),
            tuple(float(x) for x in compiled.shares),
        )

    if second is None:
        one = side(first, tuple(dict.fromkeys(base_modes + reform_modes)), summed[0])
        sides = {"baseline": one, "reform": one}
    else:
        sides = {
            "baseline": side(first, base_modes, summed[0]),
            "reform": side(second, reform_modes, summed[1]),
        }
    catalog = builtin_assumptions()
    flat = [p for s in sides.values() for p in (s.sides if isinstance(s, _MixedSide) else (s,))]
    unique = list({id(s): s for s in flat}.values())
    reasons = {
        "handling": "every item states its handling_days"
        if not any(len(s.default) for s in unique)
        else None,
        "promise_keeping": _keeping_reason(unique),
        "supplement": "every item states its supplement"
        if not any(len(s.no_supplement) for s in unique)
        else None,
        "stage_coordination_days": _setting_reason(unique, "coordination", ("parallel", "partial")),
        "serial_handover_days": _setting_reason(unique, "handover", ("serial", "partial")),
        "merged_limit": None
        if any(s.merged for s in unique)
        else "no merged item whose limit rule is unstated",
    }
    group = {
        "handling_low": "handling",
        "handling_high": "handling",
        "overdue_share": "handling",
        "overdue_size": "handling",
        "supplement_probability": "supplement",
        "applicant_days": "supplement",
    }
    varied, not_varied = [], []
    for name, assumption in catalog.items():
        reason = reasons[group.get(name, name)]
        if reason is None:
            varied.append(assumption)
        else:
            not_varied.append({"assumption": name, "reason": reason})
    nominal = {
        name: (
            unique[0].basis_keeping
            if a.nominal == "basis"
            else 0.0
            if a.nominal == "scenario"
            else 0.25
            if a.nominal == "max"
            else float(a.nominal)
        )
        for name, a in catalog.items()
    }
    return _Setup(sides, framings, varied, not_varied, nominal)


def _keeping_reason(sides: Sequence[Side]) -> str | None:
    if all(s.keeping is not None for s in sides):
        return "stated by simulation.promise_keeping"
    if not any(len(s.default) and np.any(s.promised != s.statutory) for s in sides):
        return "no item with the default handling time has a promised limit below its statutory one"
    return None


def _setting_reason(sides: Sequence[Side], attribute: str, modes: tuple[str, ...]) -> str | None:
    used = [s for s in sides if set(s.modes) & set(modes)]
    if not used:
        return f"no side is handled in mode {' or '.join(modes)}"
    if all(getattr(s, attribute) is not None for s in used):
        key = "serial_handover_days" if attribute == "handover" else "stage_coordination_days"
        return f"stated by simulation.{key}"
    return None


def _reductions(setup: _Setup, values: Mapping[str, float]) -> dict[str, float]:
    means: dict[str, dict[Mode, float]] = {}
    for role, side in setup.sides.items():
        if role == "reform" and side is setup.sides["baseline"]:
            means[role] = means["baseline"]
        else:
            means[role] = side.means(values)
    return {
        name: 1.0 - means["reform"][reform] / means["baseline"][base]
        for name, (base, reform) in setup.framings.items()
    }


def _verdict(share: float) -> str:
    return "holds" if share >= 1.0 else "fails" if share <= 0.0 else "depends"


def _band(values: np.ndarray) -> list[float]:
    return [round(float(np.percentile(values, 5)), 6), round(float(np.percentile(values, 95)), 6)]


def _sobol(problem: dict, outputs: np.ndarray, seed: int) -> dict | None:
    """Total- and first-order indices (None when the output does not vary at all)."""
    if np.ptp(outputs) == 0:
        return None
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # SALib ignores a seed of 0 (falls back to the global generator): shift it, so every seed reproduces
        return sobol.analyze(
            problem, outputs, calc_second_order=False, num_resamples=RESAMPLES, seed=seed + 1,
            print_to_console=False,
        )  # fmt: skip


def _threshold(setup: _Setup, assumption: Assumption, headline: str, target: float) -> dict | None:
    """With every other assumption at its nominal value: where the headline verdict turns (None: it does not)."""

    def margin(value: float) -> float:
        return _reductions(setup, {**setup.nominal, assumption.name: value})[headline] - target

    low, high = assumption.bounds
    if assumption.is_choice:
        first, second = margin(0.0), margin(1.0)
        if (first >= 0) == (second >= 0):
            return None
        holds = assumption.range[0] if first >= 0 else assumption.range[1]
        return {"assumption": assumption.name, "holds_when": f"= {holds}", "value": holds}
    at_low, at_high = margin(low), margin(high)
    if (at_low >= 0) == (at_high >= 0):
        return None
    a, b = low, high
    for _ in range(40):
        middle = (a + b) / 2
        if (margin(middle) >= 0) == (at_low >= 0):
            a = middle
        else:
            b = middle
    value = round((a + b) / 2, 4)
    return {
        "assumption": assumption.name,
        "holds_when": f"{'<=' if at_low >= 0 else '>='} {value:g}",
        "value": value,
    }


def assess(
    first: CompiledProcess | Mix,
    second: CompiledProcess | Mix | None,
    names: Sequence[str],
    headline: str,
    *,
    target: float,
    summed: tuple[CompiledProcess | Mix | None, CompiledProcess | Mix | None] = (None, None),
    samples: int = DEFAULT_SAMPLES,
    projects: int = DEFAULT_PROJECTS,
    seed: int = 0,
) -> dict:
    """The ``robustness`` object of a comparison (JSON-ready): see the module docstring.

    ``first`` / ``second`` and ``names`` / ``headline`` as :func:`simulations.compare.prepare` returns them
    (``second`` None: one process, serial vs parallel of itself); ``summed``: each side with the limits of its
    merged items summed instead of the longest (None: no such variant). ``samples``: at least this many
    assumption sets (rounded up to ``N x (D + 2)``).
    """
    if samples < 1:
        raise ValueError(f"--robustness-samples must be at least 1, got {samples}")
    if (
        first.limited
        or (second is not None and second.limited)
        or first.arrival_rate
        or (second is not None and second.arrival_rate)
    ):
        return skipped(
            "queues (department capacities) or arrivals: the robustness analysis re-evaluates without queues, "
            "which would misstate this comparison"
        )
    held = [first, second, *summed]  # every process the analysis keeps draws for
    projects = robustness_projects(
        sum(c.n_items for c in held if c is not None), projects, memory_budget_bytes()
    )  # a large catalog: fewer projects per set, within the memory budget (simulations.budget)
    setup = _setup(first, second, names, summed, projects, seed)
    nominal = _reductions(setup, setup.nominal)
    assumptions = [
        {
            "assumption": a.name,
            "label": a.label,
            "nominal": a.nominal if a.is_choice else setup.nominal[a.name],
            "range": list(a.range),
            "status": a.status,
            "source": a.source,
        }
        for a in setup.varied
    ]
    common = {
        "projects": projects,
        "seed": seed,
        "framing": headline,
        "target": target,
        "nominal_reduction": round(nominal[headline], 6),
        "assumptions": assumptions,
        "not_varied": setup.not_varied,
        "method": "Sobol' total-order indices (SALib: Saltelli sampling, Jansen estimator), uniform ranges",
    }
    if not setup.varied:
        verdict = "holds" if nominal[headline] >= target else "fails"
        return {"samples": 0, "holds_share": float(verdict == "holds"), "band": [nominal[headline]] * 2,
                "drivers": [], "verdict": verdict, "deciding_assumption": None, "holds_when": None,
                "framings": [], **common}  # fmt: skip
    names_varied = [a.name for a in setup.varied]
    problem: dict[str, Any] = {
        "num_vars": len(setup.varied),
        "names": names_varied,
        "bounds": [list(a.bounds) for a in setup.varied],
    }
    base = max(2, -(-samples // (len(setup.varied) + 2)))
    from SALib.sample import sobol as sobol_sample

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # N not a power of two: slightly weaker balance, documented
        design = sobol_sample.sample(problem, base, calc_second_order=False, scramble=True, seed=seed)
    outputs = {name: np.empty(len(design)) for name in setup.framings}
    for k, row in enumerate(design):
        values = {**setup.nominal, **dict(zip(names_varied, row, strict=True))}
        for name, value in _reductions(setup, values).items():
            outputs[name][k] = value
    main = outputs[headline]
    holds = main >= target - 1e-12
    share = float(holds.mean())
    indices = _sobol(problem, main, seed)
    drivers: list[dict[str, Any]] = []
    if indices is not None:
        for k, name in enumerate(names_varied):
            half = float(indices["ST_conf"][k])
            total = float(indices["ST"][k])
            drivers.append({
                "assumption": name,
                "total_index": round(max(total, 0.0), 4),
                "total_index_ci95": [round(max(total - half, 0.0), 4), round(total + half, 4)],
                "first_index": round(float(indices["S1"][k]), 4),
            })  # fmt: skip
        drivers.sort(key=lambda d: -d["total_index"])
    verdict = _verdict(share)
    deciding, holds_when = None, None
    if verdict == "depends":
        decisive = _sobol(problem, holds.astype(float), seed)
        order = np.argsort(-decisive["ST"]) if decisive is not None else np.arange(len(names_varied))
        deciding = names_varied[int(order[0])]
        holds_when = _threshold(setup, next(a for a in setup.varied if a.name == deciding), headline, target)
    return {
        "samples": int(len(design)),
        "holds_share": round(share, 6),
        "band": _band(main),
        "drivers": drivers,
        "verdict": verdict,
        "deciding_assumption": deciding,
        "holds_when": holds_when,
        "framings": [
            {
                "name": name,
                "holds_share": round(float((values >= target - 1e-12).mean()), 6),
                "band": _band(values),
                "nominal_reduction": round(nominal[name], 6),
                "verdict": _verdict(float((values >= target - 1e-12).mean())),
            }
            for name, values in outputs.items()
        ],
        **common,
    }


def assess_comparison(
    baseline: Process,
    reform: Process | None,
    *,
    summed: tuple[Process | None, Process | None] = (None, None),
    framing: str | None = None,
    baseline_mode: Mode | None = None,
    reform_mode: Mode | None = None,
    target: float,
    samples: int = DEFAULT_SAMPLES,
    projects: int = DEFAULT_PROJECTS,
    seed: int = 0,
) -> dict:
    """:func:`assess` for the comparison :func:`simulations.compare.compare` runs with the same arguments;
    ``projects`` is capped at :data:`DEFAULT_PROJECTS` per assumption set."""
    from simulations.compare import common_mix, compiled_side, prepare

    first, second, names, headline, _ = prepare(
        baseline, reform, baseline_mode=baseline_mode, reform_mode=reform_mode, framing=framing
    )
    mix = common_mix(baseline, reform)
    variants = (
        None if summed[0] is None else compiled_side(summed[0], mix),
        None if summed[1] is None or reform is None else compiled_side(summed[1], mix),
    )
    return assess(
        first, second, names, headline, target=target, summed=variants, samples=samples,
        projects=min(projects, DEFAULT_PROJECTS), seed=seed,
    )  # fmt: skip
