"""Printing the two clocks (approval time, elapsed time by kind) and time-target checks, for the CLI."""

from __future__ import annotations

from typing import Any

from approval_sim import words
from messages import N_, _

KIND_LABELS = {
    "approval": N_("approval"),
    "intermediary": N_("intermediary services"),
    "utility": N_("utility hookups"),
    "notice": N_("public notices"),
    "applicant": N_("applicant's own steps"),
    "coordination": N_("coordination and handover"),
}


def _figures(block: dict[str, Any] | None) -> str:
    if not block or block.get("mean") is None:
        return "-"
    return _("mean {mean:.1f}, median {p50:.1f}, p90 {p90:.1f}").format(
        mean=block["mean"], p50=block["p50"], p90=block["p90"]
    )


def clock_lines(summary: dict[str, Any]) -> list[str]:
    """Lines for one simulated side: the approval clock (whole, per stage) and where elapsed time goes."""
    lines = [
        _("approval clock (审批时间, working days the government holds a file): {figures}").format(
            figures=_figures(summary.get("approval_days"))
        ),
        _("elapsed clock (calendar days, initiation to completion filing): {figures}").format(
            figures=_figures(summary.get("elapsed_days"))
        ),
    ]
    stages = summary.get("stage_approval_days") or {}
    if stages:
        lines.append(
            _("approval clock by stage (mean wd): {stages}").format(
                stages=", ".join(
                    f"{words.stage(stage)} {v['mean']:.1f}"
                    for stage, v in stages.items()
                    if v.get("mean") is not None
                )
            )
        )
    kinds = summary.get("elapsed_by_kind") or {}
    shown = [(k, v) for k, v in kinds.items() if v.get("days")]
    if shown:
        lines.append(
            _("elapsed time by kind (calendar days, share): {kinds}").format(
                kinds="; ".join(
                    f"{_(KIND_LABELS[k]) if k in KIND_LABELS else k} {v['days']:.0f} ({v['share']:.0%})"
                    for k, v in shown
                )
            )
        )
    return lines


def target_lines(checks: list[dict[str, Any]]) -> list[str]:
    """One line per time-target check of simulated projects."""
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}
    lines = []
    for check in checks:
        lo, hi = check["mean_ci95"]
        ci = _(" (95% CI {low:.1f}-{high:.1f})").format(low=lo, high=hi) if lo is not None else ""
        verdict = check["verdict"]
        template = (
            _(
                "target {measure} {scope} <= {max_days:g} {unit}: mean {mean:.1f}{ci}, p90 {p90:.1f}, "
                "{within:.0%} of projects within: {verdict}"
            )
            if check["status"] == "documented"
            else _(
                "target {measure} {scope} <= {max_days:g} {unit} (assumed target): mean {mean:.1f}{ci}, "
                "p90 {p90:.1f}, {within:.0%} of projects within: {verdict}"
            )
        )
        lines.append(
            template.format(
                measure=check["measure"],
                scope=check["scope"],
                max_days=check["max_days"],
                unit=check["unit"],
                mean=check["mean"],
                ci=ci,
                p90=check["p90"],
                within=check["share_within"],
                verdict=f"[{colour[verdict]}]{words.verdict(verdict)}[/{colour[verdict]}]",
            )
        )
    return lines
