"""Time targets of a reform (a scenario's ``targets:``) checked on one typical project, statically.

The national reform (国办发〔2019〕11号) caps the approval time of the whole process (<= 120 working days) and a city
declares a split per stage. ``catalog metrics`` checks them on the project the after-scenario describes (its
``profile``, else the default profile) when every step takes its limit — statutory (法定) and promised (承诺), both
reported because they give different answers — on the approval clock (docs/kinds-and-clocks.md). ``compare``
checks the same targets on the simulated projects (``target_checks``).
"""

from __future__ import annotations

from typing import Any

from approval_model.limits import LimitBasis
from approval_model.models import Process, TimeTarget
from approval_model.profiles import DEFAULT_PROFILE, applicable_process, load_profile
from approval_model.timeline import StaticClocks, static_clocks

__all__ = ["time_target_rows"]


def _project(process: Process) -> tuple[Process, str]:
    profile = process.profile or load_profile(DEFAULT_PROFILE)
    if profile is None:  # the default profile is a built-in one, never 'all'
        return process, "all"
    return applicable_process(process, profile), profile.name or "scenario profile"


def _row(
    measure: str, scope: str, target: TimeTarget, before: StaticClocks, after: StaticClocks, key: str | None
) -> dict[str, Any]:
    def value(clocks: StaticClocks) -> float | None:
        if measure == "elapsed_days":
            return clocks.elapsed_days
        if key is None:
            return clocks.approval_days
        return clocks.stage_approval_days.get(key)

    reached = value(after)
    return {
        "measure": measure,
        "scope": scope,
        "unit": "calendar days" if measure == "elapsed_days" else "working days",
        "limit": after.limit,
        "max_days": target.max_days,
        "before": None if value(before) is None else round(value(before), 4),  # type: ignore[arg-type]
        "after": None if reached is None else round(reached, 4),
        "met": None if reached is None else reached <= target.max_days + 1e-9,
        "status": target.status,
        "sources": list(target.sources),
        "note": target.note,
    }


def time_target_rows(before: Process, after: Process) -> list[dict[str, Any]]:
    """One row per target of ``after`` and limit basis: the typical project's figure before and after."""
    targets = after.targets
    if targets is None:
        return []
    (first, profile), (second, _) = _project(before), _project(after)
    rows = []
    for limit in (LimitBasis.statutory, LimitBasis.promised):
        one, two = static_clocks(first, limit), static_clocks(second, limit)
        wanted: list[tuple[str, str, TimeTarget, str | None]] = []
        if targets.approval_days is not None:
            wanted.append(("approval_days", "whole process", targets.approval_days, None))
        for stage, target in targets.stage_approval_days.items():
            wanted.append(("approval_days", f"stage {stage}", target, stage))
        if targets.elapsed_days is not None:
            wanted.append(("elapsed_days", "whole process", targets.elapsed_days, None))
        for measure, scope, target, key in wanted:
            rows.append({**_row(measure, scope, target, one, two, key), "profile": profile})
    return rows
