"""The detail sheets of a run, one row per thing: items (事项), departments (部门) and sensitivity variations
(敏感性), each sorted so the row a planner looks for first comes first."""

from __future__ import annotations

from typing import Any

from exports.tables import Column, Table
from exports.vocabulary import (
    PARAMETER_NAMES,
    ROLE_NAMES,
    ROLE_ORDER,
    STAGE_NAMES,
    department_names,
    subject_name,
)


def items_table(run: dict[str, Any]) -> Table | None:
    items = run.get("items", [])
    if not items:
        return None
    departments = department_names(run)
    ordered = sorted(items, key=lambda i: (ROLE_ORDER.get(i["role"], 9), -i["criticality"], i["item_id"]))
    rows = tuple(
        (
            ROLE_NAMES.get(i["role"], i["role"]),
            i["item_id"],
            i["item_name"],
            departments.get(i["department"], i["department"]),
            STAGE_NAMES.get(i["stage"], i["stage"]),
            i["statutory_limit_days"],
            i["criticality"],
            i["mean_wait_days"],
            i["mean_handling_days"],
            i["overdue_rate"],
        )
        for i in ordered
    )
    columns = (
        Column("方案"),
        Column("事项编码"),
        Column("事项名称"),
        Column("部门"),
        Column("阶段"),
        Column("法定时限（工作日）", "days"),
        Column("关键程度", "percent"),
        Column("平均等待（工作日）", "days"),
        Column("平均办理（工作日）", "days"),
        Column("超期率", "percent"),
    )
    note = "关键程度：该事项处在关键路径上的项目占比；按方案、关键程度排序"
    return Table("items", "事项", "Items", columns, rows, note=note, sheet="事项")


def departments_table(run: dict[str, Any]) -> Table | None:
    departments = run.get("departments", [])
    if not departments:
        return None
    ordered = sorted(
        departments,
        key=lambda d: (
            ROLE_ORDER.get(d["role"], 9),
            -d["mean_wait_days"],
            -d["mean_handling_days"],
            d["department"],
        ),
    )
    rows = tuple(
        (
            ROLE_NAMES.get(d["role"], d["role"]),
            d["department"],
            d["department_name"],
            d["utilisation"],
            d["mean_wait_days"],
            d["mean_handling_days"],
            d["overdue_rate"],
        )
        for d in ordered
    )
    columns = (
        Column("方案"),
        Column("部门编码"),
        Column("部门"),
        Column("利用率", "percent"),
        Column("平均等待（工作日）", "days"),
        Column("平均办理（工作日）", "days"),
        Column("超期率", "percent"),
    )
    note = "利用率为空：该部门未设受理能力（不排队）；按方案、等待时间排序"
    return Table("departments", "部门", "Departments", columns, rows, note=note, sheet="部门")


def sensitivity_table(run: dict[str, Any]) -> Table | None:
    variations = sorted(run.get("sensitivity", []), key=lambda v: v["rank"])
    if not variations:
        return None
    rows = tuple(
        (
            v["rank"],
            v["variation"],
            PARAMETER_NAMES.get(v["parameter"], v["parameter"]),
            v["subject"],
            subject_name(run, v["subject"]),
            v["factor"],
            v["mean_days"],
            v["effect_mean_days"],
            v["effect_ci_low"],
            v["effect_ci_high"],
            v["effect_on_reduction"],
        )
        for v in variations
    )
    columns = (
        Column("排名", "int"),
        Column("变动"),
        Column("参数"),
        Column("对象编码"),
        Column("对象"),
        Column("系数", "number"),
        Column("平均办理时间（工作日）", "days"),
        Column("对平均时间的影响（工作日）", "days"),
        Column("影响 95% 置信下限", "days"),
        Column("影响 95% 置信上限", "days"),
        Column("对压缩率的影响", "percent"),
    )
    note = "影响 = 变动后 − 变动前（负值表示更快）；共同随机数，按影响大小排名"
    return Table("sensitivity", "敏感性", "Sensitivity", columns, rows, note=note, sheet="敏感性")
