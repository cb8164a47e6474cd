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

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

import numpy as np

from approval_model.models import ApprovalItem, Department, HandlingDistribution, Process
from simulations.compare import DEFAULT_TARGET
from simulations.compiled import Mode, compile_process
from simulations.runner import Engine, resolve_engine, run_replication
from simulations.sampling import replication_seeds
from simulations.stats import Verdict, judge, mean_ci

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

Parameter = Literal["capacity", "limit", "handling", "supplement", "instant", "parallel", "kind"]
PARAMETERS: tuple[Parameter, ...] = (
    "capacity",
    "limit",
    "handling",
    "supplement",
    "instant",
    "parallel",
    "kind",
)
DEFAULT_BY = 0.20
INSTANT_DEPARTMENT = "sensitivity-instant"
PARALLEL_MEANING = (
    "made parallel: nothing waits for the item any more; items that waited for it wait for its prerequisites "
    "instead, and it still has to finish before the project does"
)

_ZH = {
    "capacity": "容量",
    "limit": "时限",
    "handling": "办理用时",
    "supplement": "补正概率",
    "instant": "即办（不耗时）",
    "parallel": "改为并联（后续事项不再等待）",
    "kind": "同类工作用时",
}
_NAME_CHARS = 16


@dataclass(frozen=True)
class Variation:
    """The process with one parameter changed. ``key`` is a stable id (``limit:I02:+20%``)."""

    key: str
    label: str
    parameter: Parameter
    subject: str
    factor: float | None  # the multiplier applied (capacity: new / old); None for instant and parallel
    process: Process = field(repr=False)


@dataclass(frozen=True)
class Skipped:
    """A variation that cannot change anything, and why."""

    parameter: Parameter
    subject: str
    factor: float | None
    reason: str

    def as_dict(self) -> dict:
        return {
            "parameter": self.parameter,
            "subject": self.subject,
            "factor": self.factor,
            "reason": self.reason,
        }


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


# ------------------------------------------------------------------------------------------- variations


def parse_vary(text: str | Sequence[str]) -> tuple[Parameter, ...]:
    """``"limit,handling"`` (or a list) -> parameters in canonical order; unknown names raise ValueError."""
    parts = [p.strip().lower() for p in (text.split(",") if isinstance(text, str) else text)]
    parts = [p for p in parts if p]
    unknown = sorted(set(parts) - set(PARAMETERS))
    if unknown or not parts:
        raise ValueError(
            f"--vary: unknown parameter(s) {', '.join(repr(u) for u in unknown)}; choose from {','.join(PARAMETERS)}"
            if unknown
            else f"--vary: name at least one of {','.join(PARAMETERS)}"
        )
    return tuple(p for p in PARAMETERS if p in parts)


def _percent(by: float, sign: int) -> str:
    return f"{'+' if sign > 0 else '-'}{100 * by:g}%"


def _short(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def _item_label(item: ApprovalItem, text: str, parameter: str) -> str:
    return f"{item.id} {_short(item.name)}: {text} ({parameter})"


def _always_zero(spec: HandlingDistribution | float | None) -> bool:
    """A time that is 0 whatever the draw (None: no such time)."""
    if spec is None:
        return True
    if not isinstance(spec, HandlingDistribution):
        return float(spec) == 0.0
    values = [spec.value, spec.low, spec.mode, spec.high, spec.mean, *(spec.values or ())]
    return all(v is None or v == 0 for v in values)


def _takes_no_time(item: ApprovalItem) -> bool:
    """No handling, no 补正, no excluded time: already instant."""
    handling_zero = item.handling_days is not None and _always_zero(item.handling_days)
    no_supplement = item.supplement is None or item.supplement.probability == 0
    return handling_zero and no_supplement and _always_zero(item.excluded_days)


def _with_item(process: Process, item: ApprovalItem, **update: object) -> Process:
    items = tuple(i.model_copy(update=update) if i.id == item.id else i for i in process.items)
    return process.replace(items=items)


def _with_capacity(process: Process, department: Department, capacity: int) -> Process:
    departments = tuple(
        d.model_copy(update={"capacity": capacity}) if d.id == department.id else d
        for d in process.departments
    )
    return process.replace(departments=departments)


def _instant(process: Process, item: ApprovalItem) -> Process:
    update: dict[str, object] = {
        "handling_days": HandlingDistribution(distribution="fixed", value=0.0),
        "handling_scale": 1.0,
        "supplement": None,
        "excluded_days": None,
    }
    departments = process.departments
    if process.department(item.department).capacity is not None:  # no queue either
        update["department"] = INSTANT_DEPARTMENT
        if all(d.id != INSTANT_DEPARTMENT for d in departments):
            departments = (*departments, Department(id=INSTANT_DEPARTMENT, name="即办（不排队）"))
    items = tuple(i.model_copy(update=update) if i.id == item.id else i for i in process.items)
    return process.replace(items=items, departments=departments)


def _made_parallel(process: Process, item: ApprovalItem) -> Process:
    items = []
    for other in process.items:
        if item.id not in other.prerequisite_ids:
            items.append(other)
            continue
        kept = [p for p in other.prerequisites if p.item != item.id]
        have = {p.item for p in kept}
        inherited = [p for p in item.prerequisites if p.item not in have]
        items.append(other.model_copy(update={"prerequisites": tuple(kept + inherited)}))
    return process.replace(items=tuple(items))


@dataclass(frozen=True)
class _Candidate:
    key: str
    label: str
    parameter: Parameter
    subject: str
    factor: float | None
    build: Callable[[], Process]


def _candidates(
    process: Process, vary: Collection[Parameter], by: float, mode: Mode
) -> tuple[list[_Candidate], list[Skipped]]:
    out: list[_Candidate] = []
    skipped: list[Skipped] = []
    signs = (-1, +1)
    if "capacity" in vary:
        used = {i.department for i in process.items}
        for d in process.departments:
            if d.id not in used:
                skipped.append(Skipped("capacity", d.id, None, "handles no item"))
                continue
            if d.capacity is None:
                skipped.append(Skipped("capacity", d.id, None, "no capacity: files never queue there"))
                continue
            for sign in signs:
                factor = 1 + sign * by
                new = round(d.capacity * factor)
                if new == d.capacity:
                    new = d.capacity + sign  # at least one file
                new = max(1, new)
                if new == d.capacity:
                    skipped.append(
                        Skipped("capacity", d.id, factor, f"capacity {d.capacity} cannot go lower")
                    )
                    continue
                out.append(
                    _Candidate(
                        f"capacity:{d.id}:{_percent(by, sign)}",
                        f"{d.id} {_short(d.name)}: {_ZH['capacity']} {d.capacity}→{new} (capacity)",
                        "capacity",
                        d.id,
                        new / d.capacity,
                        partial(_with_capacity, process, d, new),
                    )
                )
    for item in process.items:
        for parameter in ("limit", "handling", "supplement"):
            if parameter not in vary:
                continue
            for sign in signs:
                factor = 1 + sign * by
                pct = _percent(by, sign)
                key = f"{parameter}:{item.id}:{pct}"
                if parameter == "limit":
                    if item.handling_days is not None:
                        reason = "handling_days given: the limit changes the overdue count, not the days"
                        skipped.append(Skipped("limit", item.id, factor, reason))
                        continue
                    limit = item.statutory_limit_days * factor
                    build = partial(_with_item, process, item, statutory_limit_days=limit)
                    text = f"{_ZH['limit']} {pct}"
                elif parameter == "handling":
                    if item.handling_days is not None and _always_zero(item.handling_days):
                        skipped.append(Skipped("handling", item.id, factor, "takes no handling time"))
                        continue
                    scale = item.handling_scale * factor
                    build = partial(_with_item, process, item, handling_scale=scale)
                    text = f"{_ZH['handling']} {pct}"
                else:
                    supplement = item.supplement
                    if supplement is None or supplement.probability == 0:
                        skipped.append(Skipped("supplement", item.id, factor, "no 补正 requests"))
                        continue
                    p = min(1.0, supplement.probability * factor)
                    if p == supplement.probability:
                        skipped.append(Skipped("supplement", item.id, factor, "probability already 1"))
                        continue
                    new_supplement = supplement.model_copy(update={"probability": p})
                    build = partial(_with_item, process, item, supplement=new_supplement)
                    text = f"{_ZH['supplement']} {supplement.probability:.0%}→{p:.0%}"
                label = _item_label(item, text, parameter)
                out.append(_Candidate(key, label, parameter, item.id, factor, build))
        if "instant" in vary:
            if _takes_no_time(item):
                skipped.append(Skipped("instant", item.id, None, "already takes no time"))
            else:
                out.append(
                    _Candidate(
                        f"instant:{item.id}",
                        _item_label(item, _ZH["instant"], "instant"),
                        "instant",
                        item.id,
                        None,
                        partial(_instant, process, item),
                    )
                )
        if "parallel" in vary:
            waits = any(item.id in other.prerequisite_ids for other in process.items)
            if mode == "serial":
                skipped.append(
                    Skipped("parallel", item.id, None, "serial mode: items run one after another anyway")
                )
            elif not waits:
                skipped.append(Skipped("parallel", item.id, None, "nothing waits for it"))
            else:
                out.append(
                    _Candidate(
                        f"parallel:{item.id}",
                        _item_label(item, _ZH["parallel"], "parallel"),
                        "parallel",
                        item.id,
                        None,
                        partial(_made_parallel, process, item),
                    )
                )
    if "kind" in vary:
        out += _kind_candidates(process, by, skipped)
    return out, skipped


KIND_ZH = {
    "approval": "行政审批",
    "intermediary": "中介服务",
    "utility": "市政公用",
    "notice": "公告期",
    "applicant": "申请人工作",
}


def _with_kind_scaled(process: Process, kind: str, factor: float) -> Process:
    items = tuple(
        i.model_copy(update={"handling_scale": i.handling_scale * factor}) if i.kind == kind else i
        for i in process.items
    )
    return process.replace(items=items)


def _kind_candidates(process: Process, by: float, skipped: list[Skipped]) -> list[_Candidate]:
    """Every step of one kind of work at once (``kind:intermediary:-30%``): the time of all intermediary
    services, utility hookups, notice periods, applicant work or approvals scaled together, each in its own
    unit (a calendar-day notice stays in calendar days): "cut intermediary time by 30 %" in one variation."""
    out = []
    present = {i.kind for i in process.items}
    for kind in KIND_ZH:
        if kind not in present:
            skipped.append(Skipped("kind", kind, None, "no item of this kind"))
            continue
        if all(_takes_no_time(i) for i in process.items if i.kind == kind):
            skipped.append(Skipped("kind", kind, None, "its items take no time"))
            continue
        for sign in (-1, +1):
            factor = 1 + sign * by
            pct = _percent(by, sign)
            out.append(
                _Candidate(
                    f"kind:{kind}:{pct}",
                    f"{KIND_ZH[kind]} {kind}: {_ZH['kind']} {pct} (kind)",
                    "kind",
                    kind,
                    factor,
                    partial(_with_kind_scaled, process, kind, factor),
                )
            )
    return out


def build_variations(
    process: Process,
    *,
    vary: Collection[Parameter] = PARAMETERS,
    by: float = DEFAULT_BY,
    mode: Mode = "parallel",
    only: Collection[str] | None = None,
) -> tuple[list[Variation], list[Skipped]]:
    """Every one-at-a-time variation of ``process`` (or just those whose key is in ``only``), and the skipped.

    Deterministic: the same process and settings give the same variations in the same order.
    """
    if not 0 < by < 1:
        raise ValueError(f"--by must be between 0 and 1 (0.2 = ±20 %), got {by}")
    unknown = set(vary) - set(PARAMETERS)
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARAMETERS)}"
        )
    candidates, skipped = _candidates(process, vary, by, mode)
    wanted = None if only is None else set(only)
    if wanted is not None:
        missing = wanted - {c.key for c in candidates}
        if missing:
            raise ValueError(f"no such variation(s): {', '.join(sorted(missing))}")
    variations = [
        Variation(c.key, c.label, c.parameter, c.subject, c.factor, c.build())
        for c in candidates
        if wanted is None or c.key in wanted
    ]
    return variations, skipped


# ------------------------------------------------------------------------------------------- simulation


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
