"""Rendering of domain results for the terminal (rich) and for JSON output."""

from __future__ import annotations

from typing import Any

from approval_model.models import ApprovalItem, Process
from approval_sim import words
from approval_sim.output import console as safe_console
from messages import _

console = safe_console()


def _provenance_text(item: ApprovalItem, field: str) -> str:
    record = item.provenance.get(field)
    if record is None:
        return "-"
    if record.status == "documented":
        return _("documented: {sources}").format(sources=",".join(record.sources))
    return _("assumed")


def items_as_json(process: Process) -> list[dict[str, Any]]:
    """One object per item: the fields a script needs plus provenance."""
    return [
        {
            "id": item.id,
            "name": item.name,
            "department": item.department,
            "department_name": process.department(item.department).name,
            "stage": item.stage,
            "kind": item.kind,
            "day_unit": item.day_unit,
            "statutory_limit_days": item.statutory_limit_days,
            "promised_limit_days": item.promised_limit_days,
            "materials": item.material_count,
            "prerequisites": list(item.prerequisite_ids),
            "online": item.online,
            "legal_basis": item.legal_basis,
            "condition": item.condition,
            "provenance": {name: record.model_dump(mode="json") for name, record in item.provenance.items()},
        }
        for item in process.items
    ]


def print_catalog(process: Process) -> None:
    from approval_sim.clock_views import KIND_LABELS
    from approval_sim.tables import Column, fitted_table

    columns = [
        Column(_("id"), "key"),
        Column(_("item"), "name"),
        Column(_("department"), "name", priority=2),
        Column(_("stage"), "label", priority=5),
        Column(_("kind"), "text", priority=4),
        Column(_("limit")),
        Column(_("limit source"), "text", priority=8, min_width=10),
        Column(_("materials"), priority=3),
        Column(_("materials source"), "text", priority=9, min_width=10),
        Column(_("online"), "label", priority=6),
    ]
    rows = [
        [
            item.id,
            item.name,
            process.department(item.department).name,
            item.stage,
            _(KIND_LABELS[item.kind]) if item.kind in KIND_LABELS else item.kind,
            (_("{days:g} cd") if item.day_unit == "calendar" else _("{days:g} wd")).format(
                days=item.statutory_limit_days
            ),
            _provenance_text(item, "statutory_limit_days"),
            str(item.material_count),
            _provenance_text(item, "materials"),
            _("yes") if item.online else _("no"),
        ]
        for item in process.items
    ]
    console.print(fitted_table(console, columns, rows, title=process.title or process.name))
    counts = {
        "items": len(process.items),
        "departments": len(process.departments),
        "stages": len(process.stages),
    }
    if process.profile is not None and process.profile.name:
        line = _("{items} items for profile '{profile}', {departments} departments, {stages} stages").format(
            profile=process.profile.name, **counts
        )
    else:
        line = _("{items} items, {departments} departments, {stages} stages").format(**counts)
    console.print(line + _("; wd = working days, cd = calendar days"))


def _print_one(payload: dict[str, Any]) -> None:
    console.print(
        _("[bold]{process}[/bold] (profile {profile}, {limit} limits, {items} items)").format(
            process=payload["process"],
            profile=payload["profile"],
            limit=words.basis(payload["limit"]),
            items=payload["items"],
        )
    )
    console.print(
        _("  serial   (one window after another): {days:g} working days").format(days=payload["serial_days"])
    )
    console.print(
        _("  parallel (start when prerequisites done): {days:g} working days").format(
            days=payload["parallel_days"]
        )
    )
    console.print(_("  reduction by parallel handling: {share:.1%}").format(share=payload["reduction"]))
    console.print(_("  critical path: {path}").format(path=" -> ".join(payload["critical_path"])))


def print_analysis(payload: dict[str, Any]) -> None:
    if "baseline" not in payload:
        _print_one(payload)
        return
    _print_one(payload["baseline"])
    _print_one(payload["reform"])
    reduction = payload["reduction"]
    console.print(
        _(
            "[bold]reduction[/bold]: serial {serial:.1%}, parallel {parallel:.1%}, items {items:.1%}; baseline "
            "serial -> reform parallel {across:.1%}"
        ).format(
            serial=reduction["serial"],
            parallel=reduction["parallel"],
            items=reduction["items"],
            across=payload["baseline_serial_to_reform_parallel"],
        )
    )
