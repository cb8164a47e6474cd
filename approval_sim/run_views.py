"""Terminal rendering of a stored run."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from approval_sim.output import robustness_line


def print_run(run: dict[str, Any], top: int = 10) -> None:
    console = Console()
    console.print(
        f"[bold]run {run['id']}[/bold] {run['kind']} - {run['scenario']} - [bold]{run['status']}[/bold]"
    )
    details = [
        f"{key} {run[key]}"
        for key in (
            "mode",
            "engine",
            "profile",
            "limit_basis",
            "framing",
            "projects",
            "replications",
            "seed",
            "as_of",
        )
        if run.get(key) is not None
    ]
    console.print("  " + ", ".join(details))
    if run.get("error"):
        console.print(f"  [red]error:[/red] {run['error']}")
    if run.get("verdict") and run.get("reduction_mean") is not None:
        console.print(
            f"  reduction of mean end-to-end time {run['reduction_mean']:.1%} "
            f"(95% CI {run['reduction_ci_low']:.1%} .. {run['reduction_ci_high']:.1%}), target {run['target']:.0%}: "
            f"[bold]{run['verdict']}[/bold]"
            + (f" ({run['framing']}, {run['limit_basis']} limits)" if run.get("framing") else "")
        )
    line = robustness_line((run.get("payload") or {}).get("robustness"))
    if line:
        console.print(f"  {line}", highlight=False)
    if run["summaries"]:
        table = Table(title="end-to-end working days")
        for column in ("role", "scenario", "mode", "projects", "mean", "p50", "p90", "on time"):
            table.add_column(column)
        for s in run["summaries"]:
            table.add_row(
                s["role"],
                s["scenario"],
                s["mode"],
                str(s["projects"]),
                f"{s['mean_days']:.1f}",
                f"{s['p50_days']:.1f}",
                f"{s['p90_days']:.1f}",
                f"{s['on_time_rate']:.1%}",
            )
        console.print(table)
    items = sorted(
        (i for i in run["items"] if i["role"] in ("reform", "single")), key=lambda i: -i["criticality"]
    )[:top]
    if items:
        table = Table(title=f"top {len(items)} bottleneck items")
        for column in ("item", "name", "department", "criticality", "wait", "handling", "overdue"):
            table.add_column(column)
        for i in items:
            table.add_row(
                i["item_id"],
                i["item_name"],
                i["department"],
                f"{i['criticality']:.2f}",
                f"{i['mean_wait_days']:.1f}",
                f"{i['mean_handling_days']:.1f}",
                f"{i['overdue_rate']:.1%}",
            )
        console.print(table)
    sensitivity = run.get("sensitivity") or []
    if sensitivity:
        table = Table(title=f"sensitivity: top {min(top, len(sensitivity))} of {len(sensitivity)} variations")
        for column in ("rank", "variation", "mean days", "effect (days)", "95% CI", "effect on reduction"):
            table.add_column(column)
        for v in sensitivity[:top]:
            on_reduction = v.get("effect_on_reduction")
            table.add_row(
                str(v["rank"]),
                v["variation"],
                f"{v['mean_days']:.1f}",
                f"{v['effect_mean_days']:+.2f}",
                f"{v['effect_ci_low']:+.2f} .. {v['effect_ci_high']:+.2f}",
                "" if on_reduction is None else f"{on_reduction * 100:+.2f} pp",
            )
        console.print(table)
    if run.get("children"):
        console.print(f"  child runs: {', '.join(map(str, run['children']))}")
