"""Rendering of domain results for the terminal (rich) and for JSON output."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from approval_model.models import ApprovalItem, Process

console = Console()


def _provenance_text(item: ApprovalItem, field: str) -> str:
    record = item.provenance.get(field)
    if record is None:
        return "-"
    if record.status == "documented":
        return "documented: " + ",".join(record.sources)
    return "assumed"


KIND_LABELS = {
    "approval": "审批",
    "intermediary": "中介服务",
    "utility": "市政公用",
    "notice": "公告期",
    "applicant": "申请人",
}


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
    table = Table(title=process.title or process.name, show_lines=False)
    for column in (
        "id",
        "事项 item",
        "部门 department",
        "阶段 stage",
        "类别 kind",
        "时限 limit",
        "limit source",
        "材料 materials",
        "materials source",
        "online",
    ):
        table.add_column(column, overflow="fold")
    for item in process.items:
        table.add_row(
            item.id,
            item.name,
            process.department(item.department).name,
            item.stage,
            KIND_LABELS.get(item.kind, item.kind),
            f"{item.statutory_limit_days:g} {'cd' if item.day_unit == 'calendar' else 'wd'}",
            _provenance_text(item, "statutory_limit_days"),
            str(item.material_count),
            _provenance_text(item, "materials"),
            "yes" if item.online else "no",
        )
    console.print(table)
    profile = (
        f" for profile '{process.profile.name}'"
        if process.profile is not None and process.profile.name
        else ""
    )
    console.print(
        f"{len(process.items)} items{profile}, {len(process.departments)} departments, {len(process.stages)} stages"
        "; wd = working days (工作日), cd = calendar days (自然日)"
    )


def _print_one(payload: dict[str, Any]) -> None:
    console.print(
        f"[bold]{payload['process']}[/bold] (profile {payload['profile']}, {payload['limit']} limits, {payload['items']} items)"
    )
    console.print(f"  serial   (one window after another): {payload['serial_days']:g} working days")
    console.print(f"  parallel (start when prerequisites done): {payload['parallel_days']:g} working days")
    console.print(f"  reduction by parallel handling: {payload['reduction']:.1%}")
    console.print("  critical path: " + " -> ".join(payload["critical_path"]))


def print_analysis(payload: dict[str, Any]) -> None:
    if "baseline" not in payload:
        _print_one(payload)
        return
    _print_one(payload["baseline"])
    _print_one(payload["reform"])
    reduction = payload["reduction"]
    console.print(
        f"[bold]reduction[/bold]: serial {reduction['serial']:.1%}, parallel {reduction['parallel']:.1%}, "
        f"items {reduction['items']:.1%}; baseline serial -> reform parallel "
        f"{payload['baseline_serial_to_reform_parallel']:.1%}"
    )
