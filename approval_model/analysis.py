"""The JSON of ``approval-sim analyze``: serial and parallel totals, the critical path and the two clocks of the
analysed project (the paths from :mod:`approval_model.graph`, the clocks from :mod:`approval_model.timeline`)."""

from __future__ import annotations

from typing import Any

from approval_model.graph import analyse
from approval_model.limits import LimitBasis
from approval_model.models import Process
from approval_model.timeline import static_clocks

__all__ = ["analysis_comparison", "analysis_json"]


def analysis_json(
    process: Process, limit: LimitBasis = LimitBasis.statutory, profile: str | None = None
) -> dict[str, Any]:
    """The analysis as the JSON that ``approval-sim analyze --json`` prints."""
    result = analyse(process, limit)
    if profile is None:
        profile = process.profile.name if process.profile is not None and process.profile.name else "all"
    return {
        "process": process.name,
        "profile": profile,
        "limit": result.limit.value,
        "items": result.items,
        "serial_days": result.serial_days,
        "parallel_days": result.parallel_days,
        "reduction": round(result.reduction, 6),
        "critical_path": list(result.critical_path),
        **_clocks(process, result.limit),
    }


def _clocks(process: Process, limit: LimitBasis) -> dict[str, Any]:
    """The approval and elapsed clocks of the analysed project (approval_model.timeline)."""
    clocks = static_clocks(process, limit).as_json()
    clocks.pop("limit")
    return clocks


def _cut(before: float, after: float) -> float:
    return round(1 - after / before, 6) if before else 0.0


def analysis_comparison(baseline: dict[str, Any], reform: dict[str, Any]) -> dict[str, Any]:
    """Two analyses (``analysis_json``) side by side with the reductions from the first to the second."""
    return {
        "baseline": baseline,
        "reform": reform,
        "reduction": {
            key.removesuffix("_days"): _cut(baseline[key], reform[key])
            for key in ("serial_days", "parallel_days", "items")
        },
        "baseline_serial_to_reform_parallel": _cut(baseline["serial_days"], reform["parallel_days"]),
    }
