"""Measuring the model's side of a validation row: the kinds of measurement ``data/rows.yaml`` may name.

Like is compared with like (docs/validation.md says it for readers):

- **span** ``to_start`` = 立项 -> 开工: the construction permit (I26) and every item it waits for, see
  :func:`upstream_process`; ``whole`` = 立项 -> 竣工验收, every item that applies to the project (profile);
- a **static** figure is the serial sum or the longest prerequisite path of the statutory or promised limits
  (:func:`approval_model.graph.analyse`); a **simulated** one is the Monte Carlo mean with handling drawn from
  the statutory limits, common random numbers and a fixed seed, so the same data give the same rows.

A measurement is a one-key mapping, its argument written compactly: ``{static: SCENARIO PROFILE SPAN MODE LIMIT}``,
``{simulated: SCENARIO PROFILE SPAN MODE}``, ``{simulated_reduction: {before: .., after: .., target: ..}}``,
``{path_to_start: SCENARIO PROFILE LIMIT}``, ``{items|gating|materials: SCENARIO PROFILE SPAN}``,
``{item_limit: SCENARIO ITEM LIMIT}``, ``{changes: BEFORE AFTER}`` (what the rules did to a whole catalog),
the two clocks ``{approval_simulated|elapsed_simulated: SCENARIO PROFILE SPAN MODE}``, ``{approval_static: SCENARIO
PROFILE LIMIT}`` and ``{approval_items: SCENARIO PROFILE SPAN}`` (items of kind approval only),
``{reduction: NAME NAME}`` (percent, from two earlier measurements) and ``{difference: NAME NAME}``.
Each gives a :class:`Figure`: a number (its ``value``) with named details for the row's text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, cast

from approval_model.graph import analyse, ancestors
from approval_model.limits import LimitBasis
from approval_model.models import Process
from approval_model.timeline import static_clocks

__all__ = [
    "CONSTRUCTION_PERMIT",
    "PROJECTS",
    "REPLICATIONS",
    "SEED",
    "Figure",
    "Measure",
    "longest_path_to",
    "measure",
    "rounded",
    "upstream_process",
]

SEED = 2017
PROJECTS = 2_000
REPLICATIONS = 5
CONSTRUCTION_PERMIT = "I26"  # 建筑工程施工许可证核发: its completion is 开工 (construction may start)

Span = Literal["to_start", "whole"]
Mode = Literal["serial", "parallel"]
SPAN_TEXT = {"to_start": "立项→开工 (to I26)", "whole": "立项→竣工验收 (whole)"}


def rounded(value: float | None, digits: int = 1) -> float | None:
    """Rounded for reading (one decimal), never ``-0.0``; None and NaN stay None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    result = round(float(value), digits)
    return 0.0 if result == 0 else result


@dataclass(frozen=True)
class Figure:
    """A measured number with named details (``{name.detail}`` in a row's text); ``where`` says what was measured."""

    value: float | None
    where: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    simulated: dict[str, Any] | None = None  # the row's JSON ``simulated`` when the row shows this figure

    def __getattr__(self, name: str) -> Any:
        try:
            return self.details[name]
        except KeyError:
            raise AttributeError(name) from None


# ---------------------------------------------------------------------------------------------- processes
def upstream_process(process: Process, item_id: str) -> Process:
    """The item and every item it waits for (its ancestors), as a valid process whose only sink is ``item_id``:
    its parallel total is the longest path up to the completion of ``item_id``."""
    if item_id not in process.item_ids:
        raise ValueError(f"{process.name}: no item {item_id} in this process (after the profile)")
    kept = ancestors(process, item_id) | {item_id}
    return process.replace(items=tuple(item for item in process.items if item.id in kept))


def longest_path_to(
    process: Process, item_id: str, limit: LimitBasis = LimitBasis.statutory
) -> tuple[float, tuple[str, ...]]:
    """Working days from the start to the completion of ``item_id`` when every item starts as soon as its
    prerequisites are done (stage coordination included), and the path that sets it."""
    result = analyse(upstream_process(process, item_id), limit)
    return result.parallel_days, result.critical_path


@cache
def _load(scenario: str) -> Process:
    from rules.loading import load

    return load(scenario)


@cache
def _process(scenario: str, profile: str, span: Span) -> Process:
    from rules.loading import for_profile

    process = for_profile(_load(scenario), profile)
    return upstream_process(process, CONSTRUCTION_PERMIT) if span == "to_start" else process


@dataclass(frozen=True)
class Measure:
    """What the model measures: a scenario, a project profile, a span, a mode and the limits."""

    scenario: str
    profile: str
    span: Span
    mode: Mode
    limit: LimitBasis = LimitBasis.statutory

    @classmethod
    def parse(cls, text: str) -> Measure:
        """``SCENARIO PROFILE SPAN MODE [LIMIT]``."""
        scenario, profile, span, mode, *limit = text.split()
        if span not in ("to_start", "whole") or mode not in ("serial", "parallel"):
            raise ValueError(f"{text!r}: span is to_start or whole, mode serial or parallel")
        return cls(scenario, profile, cast(Span, span), cast(Mode, mode), LimitBasis(*limit or ["statutory"]))

    def text(self) -> str:
        return f"{self.scenario} · {self.profile} · {SPAN_TEXT[self.span]} · {self.mode}"

    def process(self) -> Process:
        return _process(self.scenario, self.profile, self.span)


# ---------------------------------------------------------------------------------------------- kinds
def _static(text: str) -> Figure:
    measure = Measure.parse(text)
    result = analyse(measure.process(), measure.limit)
    value = result.serial_days if measure.mode == "serial" else result.parallel_days
    return Figure(value, measure.text())


@cache
def _run(measure: Measure):  # noqa: ANN202 - a simulations.runner.SimulationRun
    from simulations.runner import simulate

    return simulate(
        measure.process(),
        mode=measure.mode,
        projects=PROJECTS,
        replications=REPLICATIONS,
        seed=SEED,
        engine="montecarlo",
    )


def _simulated(text: str) -> Figure:
    measure = Measure.parse(text)
    summary = _run(measure).summary()
    low, high = summary["mean_days_ci95"]
    mean = rounded(summary["mean_days"])
    shown: dict[str, Any] = {
        "mean_days": mean,
        "ci95": [rounded(low), rounded(high)],
        "p90_days": rounded(summary["p90_days"]),
        "calendar_mean_days": rounded(summary["calendar"]["mean_days"]),
    }
    return Figure(mean, measure.text(), shown, simulated=shown)


def _clock_simulated(text: str, clock: str) -> Figure:
    """A simulated clock (docs/kinds-and-clocks.md): ``approval_days`` (working days the government holds a
    file) or ``elapsed_days`` (calendar days, everything), mean and p90 over the simulated projects."""
    measure = Measure.parse(text)
    summary = _run(measure).summary()
    figures = summary[clock]
    shown: dict[str, Any] = {
        "measure": clock,
        "mean_days": rounded(figures["mean"]),
        "p90_days": rounded(figures["p90"]),
        "end_to_end_mean_days": rounded(summary["mean_days"]),
    }
    return Figure(rounded(figures["mean"]), f"{measure.text()} · {clock}", shown, simulated=shown)


def _approval_static(text: str) -> Figure:
    """``SCENARIO PROFILE LIMIT``: the approval clock of the project when every step takes its limit, in parallel
    (the union of the approval items' handling: approval_model.timeline), with the per-stage figures."""

    scenario, profile, limit = text.split()
    clocks = static_clocks(_process(scenario, profile, "whole"), LimitBasis(limit))
    stages = " / ".join(f"{stage} {rounded(days)}" for stage, days in clocks.stage_approval_days.items())
    return Figure(
        clocks.approval_days,
        f"{scenario} · {profile} · 立项→竣工验收 (whole) · approval clock · {limit} limits",
        {"stages": stages, "elapsed_days": rounded(clocks.elapsed_days)},
    )


def _approval_items(text: str) -> Figure:
    """Approval items (kind approval) of the project: intermediary, utility, notice and applicant steps not counted."""
    return Figure(sum(1 for item in _selection(text).items if item.kind == "approval"))


def _simulated_reduction(spec: Mapping[str, Any], reported: float | None) -> Figure:
    from simulations.compare import reductions
    from simulations.stats import judge

    target = spec["target"]
    if target == "reported":
        if reported is None:
            raise ValueError("simulated_reduction: target 'reported' on a row without a reported value")
        target = reported / 100
    before, after = _run(Measure.parse(spec["before"])), _run(Measure.parse(spec["after"]))
    verdict = judge(reductions(before, after, "mean"), float(target))
    mean, low, high = (rounded(100 * x) for x in (verdict.estimate, *verdict.ci95))
    shown: dict[str, Any] = {"mean": mean, "ci95": [low, high], "verdict": verdict.verdict}
    return Figure(mean, "", {**shown, "low": low, "high": high}, simulated=shown)


def _path_to_start(text: str) -> Figure:
    scenario, profile, limit = text.split()
    days, path = longest_path_to(_process(scenario, profile, "whole"), CONSTRUCTION_PERMIT, LimitBasis(limit))
    return Figure(days, details={"ids": " → ".join(path)})


def _selection(text: str) -> Process:
    scenario, profile, span = text.split()
    if span not in ("to_start", "whole"):
        raise ValueError(f"{text!r}: span is to_start or whole")
    return _process(scenario, profile, cast(Span, span))


def _items(text: str) -> Figure:
    return Figure(len(_selection(text).items))


def _gating(text: str) -> Figure:
    ids = [item.id for item in _selection(text).items if item.gates_construction]
    return Figure(len(ids), details={"ids": ", ".join(ids)})


def _materials(text: str) -> Figure:
    return Figure(sum(item.material_count for item in _selection(text).items))


def _item_limit(text: str) -> Figure:
    scenario, item_id, limit = text.split()
    item = next(item for item in _load(scenario).items if item.id == item_id)
    value = (
        item.promised_limit_days if LimitBasis(limit) == LimitBasis.promised else item.statutory_limit_days
    )
    return Figure(value)


def _changes(text: str) -> Figure:
    """Whole-catalog item counts and what the rules did to them (cancelled, merged, added)."""
    from rules.measures import merged_ids

    before_name, after_name = text.split()
    before, after = _load(before_name), _load(after_name)
    merged = [(item.id, merged_ids(item)) for item in after.items if merged_ids(item)]
    absorbed = {member for _, members in merged for member in members}
    cancelled = sorted(set(before.item_ids) - set(after.item_ids) - absorbed)
    details = {
        "before": len(before.items),
        "after": len(after.items),
        "cancelled": ", ".join(cancelled),
        "cancelled_count": len(cancelled),
        "merged_groups": len(merged),
        "merged_members": len(absorbed)
        + len(merged),  # the absorbed items and the ones they were merged into
        "added": ", ".join(sorted(set(after.item_ids) - set(before.item_ids))),
    }
    return Figure(None, details=details)


def _number(reference: str, known: Mapping[str, Figure]) -> float:
    """``name`` (a measurement's value) or ``name.detail`` of an earlier measurement of the row."""
    name, _, detail = reference.partition(".")
    figure = known[name]
    value = figure.details[detail] if detail else figure.value
    if value is None:
        raise ValueError(f"{reference} has no number")
    return float(value)


def _reduction(text: str, known: Mapping[str, Figure]) -> Figure:
    before, after = (_number(reference, known) for reference in text.split())
    return Figure(100 * (1 - after / before))


def _difference(text: str, known: Mapping[str, Figure]) -> Figure:
    first, second = (_number(reference, known) for reference in text.split())
    return Figure(first - second)


SIMPLE: dict[str, Callable[[str], Figure]] = {
    "static": _static,
    "simulated": _simulated,
    "path_to_start": _path_to_start,
    "items": _items,
    "gating": _gating,
    "materials": _materials,
    "item_limit": _item_limit,
    "changes": _changes,
    "approval_simulated": lambda text: _clock_simulated(text, "approval_days"),
    "elapsed_simulated": lambda text: _clock_simulated(text, "elapsed_days"),
    "approval_static": _approval_static,
    "approval_items": _approval_items,
}
DERIVED: dict[str, Callable[[str, Mapping[str, Figure]], Figure]] = {
    "reduction": _reduction,
    "difference": _difference,
}
KINDS = (*SIMPLE, *DERIVED, "simulated_reduction")


def measure(spec: Mapping[str, Any], known: Mapping[str, Figure], reported: float | None = None) -> Figure:
    """One measurement of a row (``known``: the row's earlier measurements, for the derived kinds)."""
    (kind, argument), *rest = spec.items()
    if rest or kind not in KINDS:
        raise ValueError(f"a measurement is one of {', '.join(KINDS)}, got {dict(spec)}")
    if kind in SIMPLE:
        return SIMPLE[kind](argument)
    if kind in DERIVED:
        return DERIVED[kind](argument, known)
    return _simulated_reduction(argument, reported)


def clear_caches() -> None:
    """Forget loaded processes and simulation runs (to show that generation is reproducible)."""
    for cached in (_load, _process, _run):
        cached.cache_clear()
