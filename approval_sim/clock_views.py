"""Printing the two clocks (approval time, elapsed time by kind) and time-target checks, for the CLI."""

from __future__ import annotations

from typing import Any

KIND_LABELS = {
    "approval": "审批 approval",
    "intermediary": "中介 intermediary",
    "utility": "市政公用 utility",
    "notice": "公告期 notice",
    "applicant": "申请人 applicant",
    "coordination": "协调/交接 coordination",
}


def _figures(block: dict[str, Any] | None) -> str:
    if not block or block.get("mean") is None:
        return "-"
    return f"mean {block['mean']:.1f}, median {block['p50']:.1f}, p90 {block['p90']:.1f}"


def clock_lines(summary: dict[str, Any]) -> list[str]:
    """Lines for one simulated side: the approval clock (whole, per stage) and where elapsed time goes."""
    lines = [
        f"approval clock (审批时间, working days the government holds a file): {_figures(summary.get('approval_days'))}",
        f"elapsed clock (calendar days, initiation to completion filing): {_figures(summary.get('elapsed_days'))}",
    ]
    stages = summary.get("stage_approval_days") or {}
    if stages:
        lines.append(
            "approval clock by stage (mean wd): "
            + ", ".join(
                f"{stage} {v['mean']:.1f}" for stage, v in stages.items() if v.get("mean") is not None
            )
        )
    kinds = summary.get("elapsed_by_kind") or {}
    shown = [(k, v) for k, v in kinds.items() if v.get("days")]
    if shown:
        lines.append(
            "elapsed time by kind (calendar days, share): "
            + "; ".join(f"{KIND_LABELS.get(k, k)} {v['days']:.0f} ({v['share']:.0%})" for k, v in shown)
        )
    return lines


def target_lines(checks: list[dict[str, Any]]) -> list[str]:
    """One line per time-target check of simulated projects."""
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}
    lines = []
    for check in checks:
        lo, hi = check["mean_ci95"]
        ci = f" (95% CI {lo:.1f}-{hi:.1f})" if lo is not None else ""
        tag = "" if check["status"] == "documented" else " (assumed target)"
        lines.append(
            f"target {check['measure']} {check['scope']} <= {check['max_days']:g} {check['unit']}{tag}: mean "
            f"{check['mean']:.1f}{ci}, p90 {check['p90']:.1f}, {check['share_within']:.0%} of projects within: "
            f"[{colour[check['verdict']]}]{check['verdict']}[/{colour[check['verdict']]}]"
        )
    return lines
