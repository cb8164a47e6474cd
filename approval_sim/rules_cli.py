"""CLI commands of the rules area: ``reform diff`` and ``catalog metrics`` (imports stay inside the commands)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from approval_sim.errors import handle_user_errors
from approval_sim.options import SCENARIO_HELP, BaselineArgument, JsonOption
from approval_sim.output import print_json

DEFAULT_BEFORE = "luoyang-2017-before"
DEFAULT_AFTER = "luoyang-2017-after"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) or "{}"
    return str(value)


@handle_user_errors
def reform_diff(
    baseline: BaselineArgument,
    reformed: Annotated[str, typer.Argument(help=f"the process derived from it by rules: {SCENARIO_HELP}")],
    as_json: JsonOption = False,
) -> None:
    """The audit of a reform: per rule what it did (with its policy source), per item before -> after."""
    from rules.diff import reform_diff as build
    from rules.scenario import load_with_audit

    base_process, base_applied = load_with_audit(baseline)
    reformed_process, applied = load_with_audit(reformed)
    payload = build(base_process, reformed_process, applied, base_applied)
    if as_json:
        print_json(payload)
        return
    _print_diff(payload)


def _print_diff(payload: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]reform audit[/bold]: {payload['base']} -> {payload['reformed']}")
    if not payload["rules"]:
        console.print("no rule lies between these two processes")
    for applied in payload["rules"]:
        console.print(
            f"\n[bold]{applied['rule']}[/bold] ({applied['document']}, rules[{applied['position']}]) "
            f"- source: {applied['source']}"
        )
        if not applied["audit"]:
            console.print("  (no change)")
        for entry in applied["audit"]:
            items = ", ".join(entry["items"])
            change = ""
            if entry["field"] is not None or entry["action"] == "cancelled":
                change = f" {entry['field'] or ''}: {_fmt(entry['before'])} -> {_fmt(entry['after'])}"
            elif entry["action"] == "merged":
                change = (
                    f" -> {entry['items'][0]} (limit {_fmt(entry['after']['statutory_limit_days'])}, "
                    f"materials {entry['after']['materials']})"
                )
            note = f" [dim]({entry['note']})[/dim]" if entry.get("note") else ""
            status = "" if entry["status"] == "documented" else " [yellow]assumed[/yellow]"
            console.print(f"  {entry['action']} {items}{change}{status}{note}", highlight=False)
    table = Table(title="items before -> after", show_lines=False)
    for column in ("id", "status", "change", "rules"):
        table.add_column(column, overflow="fold")
    for record in payload["items"]:
        if record["status"] == "removed":
            change = record["fate"]
        else:
            change = "; ".join(
                f"{k}: {_fmt(v['before'])} -> {_fmt(v['after'])}"
                for k, v in record.get("changes", {}).items()
            )
        rules = ", ".join(record["rules"]) if record["traced"] else "[red]not traced to a rule[/red]"
        table.add_row(record["id"], record["status"], change, rules)
    console.print(table)
    summary = payload["summary"]
    console.print(
        f"{summary['items_before']} -> {summary['items_after']} items: {summary['changed']} changed, "
        f"{summary['removed']} removed, {summary['added']} added, {summary['unchanged']} unchanged; "
        f"untraced: {', '.join(summary['untraced']) or 'none'}"
    )


@handle_user_errors
def catalog_metrics(
    baseline: Annotated[str, typer.Argument(help="catalog before the reform")] = DEFAULT_BEFORE,
    reformed: Annotated[str, typer.Argument(help="catalog after the reform")] = DEFAULT_AFTER,
    as_json: JsonOption = False,
) -> None:
    """The plan's four catalog targets (items, mean handling limit, materials, online share) before vs after
    over the whole catalog, the statutory mean as information, items and materials per project of each
    profile, plus serial vs parallel totals of both."""
    from rules.loading import load
    from rules.metrics import catalog_metrics as measure

    metrics = measure(load(baseline), load(reformed))
    if as_json:
        print_json(metrics.as_json())
        return
    _print_metrics(metrics.as_json())


def _target_cells(target: dict[str, Any]) -> tuple[str, str, str, str, str]:
    level = target["name"] == "online_share"

    def shown(value: float) -> str:
        return f"{value:.1%}" if level else f"{value:.4g}"

    change = f"{target['reduction']:.1%}" if level else f"{-target['reduction']:+.1%}"
    if target["met"] is None:
        goal, result = "[dim]info[/dim]", ""
    else:
        goal = "100%" if level else f"-{target['target']:.0%}"
        result = "[green]PASS[/green]" if target["met"] else "[red]FAIL[/red]"
    return shown(target["before"]), shown(target["after"]), change, goal, result


def _print_metrics(payload: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"plan targets: {payload['before']} -> {payload['after']} (whole catalog)")
    for column in ("target", "before", "after", "change", "goal", "result"):
        table.add_column(column)
    catalog = [t for t in payload["targets"] if t["role"] != "project"]
    for target in catalog:
        name = target["name"] if target["role"] == "target" else f"[dim]{target['name']}[/dim]"
        table.add_row(name, *_target_cells(target))
    console.print(table)
    for target in catalog:
        console.print(f"- {target['name']}: {target['measures']}", highlight=False)
        for note in target["assumptions"]:
            console.print(f"    {note}", highlight=False)
    projects = [t for t in payload["targets"] if t["role"] == "project"]
    if projects:
        table = Table(title="one project of each profile (beside the plan's four targets)")
        for column in ("measure", "profile", "before", "after", "change", "goal", "result"):
            table.add_column(column)
        for target in projects:
            label = "items" if target["name"] == "items_per_project" else "materials"
            table.add_row(label, target["scope"], *_target_cells(target))
        console.print(table)
        for name in dict.fromkeys(t["name"] for t in projects):
            first = next(t for t in projects if t["name"] == name)
            console.print(f"- {name}: {first['description']}; {first['measures']}", highlight=False)
    for limit, comparison in payload["analyze"].items():
        first, second = comparison["baseline"], comparison["reform"]
        console.print(
            f"{limit} limits: serial {first['serial_days']:g} -> {second['serial_days']:g} wd, parallel "
            f"{first['parallel_days']:g} -> {second['parallel_days']:g} wd (critical path "
            f"{' -> '.join(second['critical_path'])}); before serial -> after parallel "
            f"{comparison['baseline_serial_to_reform_parallel']:.1%}",
            highlight=False,
        )
        console.print(
            f"  approval clock {first['approval_days']:g} -> {second['approval_days']:g} wd; elapsed "
            f"{first['elapsed_days']:g} -> {second['elapsed_days']:g} calendar days "
            f"(profile {first['profile']}, every step taking its limit)",
            highlight=False,
        )
    for row in payload.get("time_targets", []):
        result = "[green]met[/green]" if row["met"] else "[red]not met[/red]"
        assumed = "" if row["status"] == "documented" else " (assumed target)"
        console.print(
            f"time target {row['measure']} {row['scope']} <= {row['max_days']:g} {row['unit']}{assumed}, "
            f"{row['limit']} limits, profile {row['profile']}: {row['before'] if row['before'] is not None else '-'}"
            f" -> {row['after']:g}: {result}",
            highlight=False,
        )
    met = [t for t in payload["targets"] if t["role"] == "target"]
    count = sum(1 for t in met if t["met"])
    verdict = "all four targets met" if payload["all_met"] else f"{count} of {len(met)} plan targets met"
    console.print(f"[bold]{verdict}[/bold]")


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add this module's commands to the main app (and the 'catalog' group)."""
    reform_app = typer.Typer(
        help="Reform measures as auditable rules: what a reform changed and why.", no_args_is_help=True
    )
    reform_app.command("diff")(reform_diff)
    app.add_typer(reform_app, name="reform")
    catalog_app.command("metrics")(catalog_metrics)
