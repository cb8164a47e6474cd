"""The four catalog targets of 洛政办〔2017〕89号 plan 1 (section 二), measured on two processes.

Targets (to be reached by the end of 2017):

- ``items``: approval items, about -20 % (报建审批事项整合减少20%左右);
- ``mean_statutory_limit_days``: average statutory time limit per item, about -20 % (审批事项平均办理时限缩减20%左右);
- ``materials``: application materials per item, about -20 % (申报材料平均减少20%左右);
- ``online_share``: share of (non-classified) items handled online, 100 % (非涉密投资项目网上在线办理率达到100%).

Measured over the whole catalog (every item, profile ``all``): a catalog-level target, not one project's path.
A reduction target is met when the reduction is at least the target (no rounding of "about"). The catalog has no
classified (涉密) items, so every item counts for the online share. Statutory limits are set by law; the plan's
time cut works on promised limits (承诺时限), which are reported beside the targets as ``supplementary`` figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from approval_model.graph import analysis_comparison, analysis_json
from approval_model.models import Process

__all__ = ["TARGETS", "CatalogMetrics", "Target", "catalog_metrics", "catalog_figures"]

# name -> (description, target value, kind): kind 'reduction' = fractional cut, 'level' = the after value itself
TARGETS: dict[str, tuple[str, float, str]] = {
    "items": ("approval items (报建审批事项)", 0.20, "reduction"),
    "mean_statutory_limit_days": (
        "mean statutory time limit per item, working days (审批事项平均办理时限)",
        0.20,
        "reduction",
    ),
    "materials": ("mean application materials per item (申报材料平均)", 0.20, "reduction"),
    "online_share": ("share of non-classified items handled online (网上在线办理率)", 1.0, "level"),
}
PROFILE = "all"


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def catalog_figures(process: Process) -> dict[str, float]:
    """The raw figures of one catalog (every item): counts, means and totals."""
    items = process.items
    return {
        "items": float(len(items)),
        "mean_statutory_limit_days": _mean([i.statutory_limit_days for i in items]),
        "materials": _mean([float(i.material_count) for i in items]),
        "online_share": _mean([1.0 if i.online else 0.0 for i in items]),
        "total_statutory_limit_days": float(sum(i.statutory_limit_days for i in items)),
        "total_materials": float(sum(i.material_count for i in items)),
        "mean_promised_limit_days": _mean(
            [
                i.promised_limit_days if i.promised_limit_days is not None else i.statutory_limit_days
                for i in items
            ]
        ),
    }


def _reduction(before: float, after: float) -> float:
    return 1 - after / before if before else 0.0


@dataclass(frozen=True)
class Target:
    """One target: before, after, the reduction (for online_share: the after value), the target and whether met."""

    name: str
    description: str
    before: float
    after: float
    reduction: float
    target: float
    met: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "before": round(self.before, 6),
            "after": round(self.after, 6),
            "reduction": round(self.reduction, 6),
            "target": self.target,
            "met": self.met,
        }


@dataclass(frozen=True)
class CatalogMetrics:
    """The four targets for a before/after pair, supplementary figures and the serial/parallel analysis."""

    before: str
    after: str
    targets: tuple[Target, ...]
    supplementary: tuple[dict[str, Any], ...]
    analyze: dict[str, Any]
    profile: str = PROFILE

    @property
    def all_met(self) -> bool:
        return all(t.met for t in self.targets)

    def as_json(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "profile": self.profile,
            "scope": "whole catalog: every item, whatever project it applies to",
            "targets": [t.as_json() for t in self.targets],
            "all_met": self.all_met,
            "supplementary": list(self.supplementary),
            "analyze": self.analyze,
        }


def catalog_metrics(before: Process, after: Process) -> CatalogMetrics:
    """The four targets of plan 1 measured on ``before`` vs ``after`` (whole catalogs), with analyze figures
    (statutory and promised limits) for both."""
    first, second = catalog_figures(before), catalog_figures(after)
    targets = []
    for name, (description, target, kind) in TARGETS.items():
        if kind == "level":
            reduction = second[name]
            met = second[name] >= target - 1e-9
        else:
            reduction = _reduction(first[name], second[name])
            met = reduction >= target - 1e-9
        targets.append(Target(name, description, first[name], second[name], reduction, target, met))
    supplementary = tuple(
        {
            "name": name,
            "description": description,
            "before": round(first[name], 6),
            "after": round(second[name], 6),
            "reduction": round(_reduction(first[name], second[name]), 6),
        }
        for name, description in (
            ("mean_promised_limit_days", "mean limit in force per item: promised (承诺时限), else statutory"),
            ("total_materials", "all application materials of the catalog"),
            ("total_statutory_limit_days", "sum of statutory limits (the serial total)"),
        )
    )
    analyze = {
        limit: analysis_comparison(
            analysis_json(before, limit, PROFILE), analysis_json(after, limit, PROFILE)
        )
        for limit in ("statutory", "promised")
    }
    return CatalogMetrics(before.name, after.name, tuple(targets), supplementary, analyze)
