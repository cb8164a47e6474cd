"""CLI commands of the rules area: ``reform diff`` and ``catalog metrics`` (imports stay inside the commands)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from approval_sim import words
from approval_sim.errors import handle_user_errors
from approval_sim.options import BaselineArgument, JsonOption
from approval_sim.output import print_json
from messages import N_, _, language, localize

DEFAULT_BEFORE = "luoyang-2017-before"
DEFAULT_AFTER = "luoyang-2017-after"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or _("(none)")
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) or "{}"
    return str(value)


@handle_user_errors
def reform_diff(
    baseline: BaselineArgument,
    reformed: Annotated[
        str,
        typer.Argument(
            help=N_(
                "the process derived from it by rules: built-in name (see 'approval-sim catalog names') or "
                "scenario file"
            )
        ),
    ],
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


# what a rule did (the audit's action, a JSON word): Chinese by default, the word itself in English
_ACTIONS = {
    "absorbed": N_("absorbed"),
    "after_the_fact_inspection": N_("after_the_fact_inspection"),
    "applicant_days_reduced": N_("applicant_days_reduced"),
    "cancelled": N_("cancelled"),
    "decided_on_commitment": N_("decided_on_commitment"),
    "department_merged": N_("department_merged"),
    "department_transferred": N_("department_transferred"),
    "handled_online": N_("handled_online"),
    "limit_compressed": N_("limit_compressed"),
    "materials_cancelled": N_("materials_cancelled"),
    "materials_shared": N_("materials_shared"),
    "merge_skipped": N_("merge_skipped"),
    "merged": N_("merged"),
    "merged_for_small_projects": N_("merged_for_small_projects"),
    "no_supplement_data": N_("no_supplement_data"),
    "no_time_effect": N_("no_time_effect"),
    "prerequisite_added": N_("prerequisite_added"),
    "prerequisite_dropped": N_("prerequisite_dropped"),
    "prerequisites_inherited": N_("prerequisites_inherited"),
    "scope_narrowed": N_("scope_narrowed"),
    "service_time_limited": N_("service_time_limited"),
    "simulation_setting": N_("simulation_setting"),
    "stage_model": N_("stage_model"),
    "statutory_limit_amended": N_("statutory_limit_amended"),
    "supplement_reduced": N_("supplement_reduced"),
}
_ITEM_STATUS = {
    "changed": N_("changed"),
    "removed": N_("removed"),
    "added": N_("added"),
    "unchanged": N_("unchanged"),
}


def _print_diff(payload: dict[str, Any]) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    console.print(
        _("[bold]reform audit[/bold]: {base} -> {reformed}").format(
            base=payload["base"], reformed=payload["reformed"]
        )
    )
    if not payload["rules"]:
        console.print(_("no rule lies between these two processes"))
    for applied in payload["rules"]:
        console.print(
            _("\n[bold]{rule}[/bold] ({document}, rules[{position}]) - source: {source}").format(
                rule=applied["rule"],
                document=localize(applied["document"]),
                position=applied["position"],
                source=applied["source"],
            )
        )
        if not applied["audit"]:
            console.print(_("  (no change)"))
        for entry in applied["audit"]:
            items = ", ".join(entry["items"])
            change = ""
            if entry["field"] is not None or entry["action"] == "cancelled":
                change = f" {entry['field'] or ''}: {_fmt(entry['before'])} -> {_fmt(entry['after'])}"
            elif entry["action"] == "merged":
                change = _(" -> {item} (limit {limit}, materials {materials})").format(
                    item=entry["items"][0],
                    limit=_fmt(entry["after"]["statutory_limit_days"]),
                    materials=entry["after"]["materials"],
                )
            note = f" [dim]({localize(entry['note'])})[/dim]" if entry.get("note") else ""
            status = "" if entry["status"] == "documented" else " [yellow]" + _("assumed") + "[/yellow]"
            action = _(_ACTIONS[entry["action"]]) if entry["action"] in _ACTIONS else entry["action"]
            console.print(f"  {action} {items}{change}{status}{note}", highlight=False)
    columns = [
        Column(_("id"), "key"),
        Column(_("status"), "label"),
        Column(_("change"), "text", min_width=20),
        Column(_("rules"), "text", min_width=12, priority=1),
    ]
    rows = []
    for record in payload["items"]:
        if record["status"] == "removed":
            change = record["fate"]
        else:
            change = "; ".join(
                f"{k}: {_fmt(v['before'])} -> {_fmt(v['after'])}"
                for k, v in record.get("changes", {}).items()
            )
        rules = (
            ", ".join(record["rules"]) if record["traced"] else "[red]" + _("not traced to a rule") + "[/red]"
        )
        status = _(_ITEM_STATUS[record["status"]]) if record["status"] in _ITEM_STATUS else record["status"]
        rows.append([record["id"], status, change, rules])
    console.print(fitted_table(console, columns, rows, title=_("items before -> after")))
    summary = payload["summary"]
    console.print(
        _(
            "{before} -> {after} items: {changed} changed, {removed} removed, {added} added, {unchanged} unchanged; "
            "untraced: {untraced}"
        ).format(
            before=summary["items_before"],
            after=summary["items_after"],
            changed=summary["changed"],
            removed=summary["removed"],
            added=summary["added"],
            unchanged=summary["unchanged"],
            untraced=", ".join(summary["untraced"]) or _("none"),
        )
    )


@handle_user_errors
def catalog_metrics(
    baseline: Annotated[str, typer.Argument(help=N_("catalog before the reform"))] = DEFAULT_BEFORE,
    reformed: Annotated[str, typer.Argument(help=N_("catalog after the reform"))] = DEFAULT_AFTER,
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
        goal, result = "[dim]" + _("info") + "[/dim]", ""
    else:
        goal = "100%" if level else f"-{target['target']:.0%}"
        result = "[green]" + _("PASS") + "[/green]" if target["met"] else "[red]" + _("FAIL") + "[/red]"
    return shown(target["before"]), shown(target["after"]), change, goal, result


def _target_name(name: str) -> str:
    """The plan's Chinese name of a target (exports' vocabulary) in Chinese, its JSON key in English."""
    from exports.vocabulary import TARGET_NAMES

    return TARGET_NAMES.get(name, name) if language() == "zh" else name


def _print_metrics(payload: dict[str, Any]) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    columns = [
        Column(_("target"), "name", min_width=16),
        Column(_("before")),
        Column(_("after")),
        Column(_("change")),
        Column(_("goal"), priority=1),
        Column(_("result"), "label"),
    ]
    catalog = [t for t in payload["targets"] if t["role"] != "project"]
    rows = [
        [
            _target_name(t["name"]) if t["role"] == "target" else f"[dim]{_target_name(t['name'])}[/dim]",
            *_target_cells(t),
        ]
        for t in catalog
    ]
    title = _("plan targets: {before} -> {after} (whole catalog)").format(
        before=payload["before"], after=payload["after"]
    )
    console.print(fitted_table(console, columns, rows, title=title))
    for target in catalog:
        console.print(f"- {_target_name(target['name'])}: {localize(target['measures'])}", highlight=False)
        for note in target["assumptions"]:
            console.print(f"    {localize(note)}", highlight=False)
    projects = [t for t in payload["targets"] if t["role"] == "project"]
    if projects:
        columns = [
            Column(_("measure"), "label"),
            Column(_("profile"), "name", min_width=14),
            Column(_("before")),
            Column(_("after")),
            Column(_("change")),
            Column(_("goal"), priority=1),
            Column(_("result"), "label"),
        ]
        rows = [
            [
                _("items") if t["name"] == "items_per_project" else _("materials"),
                t["scope"],
                *_target_cells(t),
            ]
            for t in projects
        ]
        title = _("one project of each profile (beside the plan's four targets)")
        console.print(fitted_table(console, columns, rows, title=title))
        for name in dict.fromkeys(t["name"] for t in projects):
            first = next(t for t in projects if t["name"] == name)
            described = localize(first["description"])
            about = localize(first["measures"])
            text = about if described == _target_name(name) else f"{described}; {about}"
            console.print(f"- {_target_name(name)}: {text}", highlight=False)
    for limit, comparison in payload["analyze"].items():
        first, second = comparison["baseline"], comparison["reform"]
        console.print(
            _(
                "{basis} limits: serial {serial_before:g} -> {serial_after:g} wd, parallel {parallel_before:g} -> "
                "{parallel_after:g} wd (critical path {path}); before serial -> after parallel {across:.1%}"
            ).format(
                basis=words.basis(limit),
                serial_before=first["serial_days"],
                serial_after=second["serial_days"],
                parallel_before=first["parallel_days"],
                parallel_after=second["parallel_days"],
                path=" -> ".join(second["critical_path"]),
                across=comparison["baseline_serial_to_reform_parallel"],
            ),
            highlight=False,
        )
        console.print(
            _(
                "  approval clock {approval_before:g} -> {approval_after:g} wd; elapsed {elapsed_before:g} -> "
                "{elapsed_after:g} calendar days (profile {profile}, every step taking its limit)"
            ).format(
                approval_before=first["approval_days"],
                approval_after=second["approval_days"],
                elapsed_before=first["elapsed_days"],
                elapsed_after=second["elapsed_days"],
                profile=first["profile"],
            ),
            highlight=False,
        )
    for row in payload.get("time_targets", []):
        result = "[green]" + _("met") + "[/green]" if row["met"] else "[red]" + _("not met") + "[/red]"
        template = (
            _(
                "time target {measure} {scope} <= {max_days:g} {unit}, {basis} limits, profile {profile}: {before} -> {after:g}: {result}"
            )
            if row["status"] == "documented"
            else _(
                "time target {measure} {scope} <= {max_days:g} {unit} (assumed target), {basis} limits, profile "
                "{profile}: {before} -> {after:g}: {result}"
            )
        )
        console.print(
            template.format(
                measure=row["measure"],
                scope=row["scope"],
                max_days=row["max_days"],
                unit=row["unit"],
                basis=words.basis(row["limit"]),
                profile=row["profile"],
                before=row["before"] if row["before"] is not None else "-",
                after=row["after"],
                result=result,
            ),
            highlight=False,
        )
    met = [t for t in payload["targets"] if t["role"] == "target"]
    count = sum(1 for t in met if t["met"])
    verdict = (
        _("all four targets met")
        if payload["all_met"]
        else _("{count} of {total} plan targets met").format(count=count, total=len(met))
    )
    console.print(f"[bold]{verdict}[/bold]")


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add this module's commands to the main app (and the 'catalog' group)."""
    reform_app = typer.Typer(
        help=N_("Reform measures as auditable rules: what a reform changed and why."), no_args_is_help=True
    )
    reform_app.command("diff")(reform_diff)
    app.add_typer(reform_app, name="reform")
    catalog_app.command("metrics")(catalog_metrics)
