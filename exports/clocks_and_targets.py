"""Tables of time and targets: the two clocks of each side (approval working days, elapsed calendar days and
where they go by kind of work), time targets such as <= 120 working days, and the catalog targets of the plan
(items, limits, materials, online share). All sit on the overview sheet (概览) under the overview block."""

from __future__ import annotations

from typing import Any

from exports.tables import Cell, Column, Kind, Table
from exports.vocabulary import (
    PROFILE_NAMES,
    TARGET_NAMES,
    TARGET_ROLES,
    VERDICT_NAMES,
    WORK_KIND_NAMES,
    WORK_KIND_ORDER,
    side_label,
)


def clock_sides(run: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(role, simulated summary) of each side of a run whose payload carries the two clocks."""
    payload = run.get("payload") or {}
    if "baseline" in payload and "reform" in payload:
        sides = [("baseline", payload["baseline"]), ("reform", payload["reform"])]
    else:
        sides = [("single", payload)]
    return [(role, side) for role, side in sides if isinstance(side, dict) and side.get("elapsed_by_kind")]


def clocks_table(run: dict[str, Any]) -> Table | None:
    """The two clocks of each side: approval time (working days the government holds a file) and elapsed time
    (calendar days), with where the elapsed time goes, by kind of work (docs/kinds-and-clocks.md)."""
    sides = clock_sides(run)
    if not sides:
        return None
    rows = []
    for role, side in sides:
        approval = side.get("approval_days") or {}
        elapsed = side.get("elapsed_days") or {}
        kinds = side["elapsed_by_kind"]
        rows.append(
            (
                side_label(run, role),
                approval.get("mean"),
                approval.get("p90"),
                elapsed.get("mean"),
                elapsed.get("p90"),
                *(kinds.get(k, {}).get("days") for k in WORK_KIND_ORDER),
            )
        )
    columns = (
        Column("方案"),
        Column("审批时间平均（工作日）", "days"),
        Column("审批时间 90 分位（工作日）", "days"),
        Column("全流程用时平均（日历日）", "days"),
        Column("全流程用时 90 分位（日历日）", "days"),
        *(Column(f"其中{WORK_KIND_NAMES[k]}（日历日）", "days") for k in WORK_KIND_ORDER),
    )
    note = (
        "审批时间：政府至少办理一项审批事项的工作日（不含中介服务、公告期、申请人和市政公用时间，计时暂停的补正与"
        "专家评审时间不计）；全流程用时：立项到竣工验收备案的日历日；分项：关键路径上各类工作所占日历日"
    )
    return Table(
        "clocks",
        "审批时间与全流程用时",
        "Approval and elapsed time",
        columns,
        tuple(rows),
        note=note,
        sheet="概览",
    )


def time_targets_table(run: dict[str, Any]) -> Table | None:
    """Time targets (e.g. <= 120 working days, 国办发〔2019〕11号) checked on the simulated projects."""
    checks = (run.get("payload") or {}).get("target_checks") or []
    if not checks:
        return None
    rows = tuple(
        (
            c["scope"],
            "审批时间" if c["measure"] == "approval_days" else "全流程用时",
            c["max_days"],
            c["mean"],
            c["p90"],
            c["share_within"],
            VERDICT_NAMES.get(c["verdict"], c["verdict"]),
            "有据" if c["status"] == "documented" else "假设",
            "、".join(c.get("sources") or ()),
        )
        for c in checks
    )
    columns = (
        Column("范围"),
        Column("指标"),
        Column("目标上限（天）", "number"),
        Column("平均", "days"),
        Column("90 分位", "days"),
        Column("达标项目占比", "percent"),
        Column("结论（平均值）"),
        Column("目标来源"),
        Column("来源编号"),
    )
    return Table("time_targets", "时间目标", "Time targets", columns, rows, sheet="概览")


def targets_table(run: dict[str, Any]) -> Table | None:
    """The catalog targets of 洛政办〔2017〕89号 (compare runs only): the plan's four, the statutory mean as
    information, and items and materials per project of each profile."""
    metrics = (run.get("payload") or {}).get("catalog_metrics") or {}
    targets = metrics.get("targets") or []
    if not targets:
        return None
    rows = []
    for t in targets:
        level = t["name"] == "online_share"
        counted = t["name"] in ("items", "items_per_project", "materials_per_project")
        value_kind: Kind = "percent" if level else ("int" if counted else "number")
        before = int(t["before"]) if value_kind == "int" else t["before"]
        after = int(t["after"]) if value_kind == "int" else t["after"]
        met = t.get("met")
        role = t.get("role", "target")
        scope = t.get("scope", "catalog")
        name = TARGET_NAMES.get(t["name"], t["name"])
        if scope != "catalog":
            name = f"{name} · {PROFILE_NAMES.get(scope, scope)}"
        rows.append(
            (
                name,
                Cell(before, value_kind),
                Cell(after, value_kind),
                Cell(None if level else t["reduction"], "percent"),
                Cell(t.get("target"), "percent"),
                "达到 100%" if level else "压缩",
                "—" if met is None else ("是" if met else "否"),
                TARGET_ROLES.get(role, role),
                "；".join([t.get("measures") or "", *t.get("assumptions", [])]).strip("；"),
            )
        )
    columns = (
        Column("目录目标"),
        Column("改革前", "number"),
        Column("改革后", "number"),
        Column("压缩率", "percent"),
        Column("目标", "percent"),
        Column("目标类型"),
        Column("是否达到"),
        Column("类别"),
        Column("说明"),
    )
    note = (
        "方案目标：洛政办〔2017〕89号的四项目标，按整个目录计；办理时限按承诺时限（无则法定时限）计，"
        "法定时限仅供参考；项目视角：各类项目实际办理的事项与申报材料（同一材料只计一次）"
    )
    return Table("targets", "目录目标", "Catalog targets", columns, tuple(rows), note=note, sheet="概览")
