"""The follow-up list (督办清单) of a time-limit supervision, as an Excel workbook a supervisor works from.

Sheets: 督办清单 (every item of the file, most urgent first: red = past its deadline, yellow = at risk, then
green, then completed ones; red and yellow rows filled in red and yellow), 部门汇总 (per department), 问题行 (rows
of the file left out, with the fix) and 说明 (as-of date, catalog, limit basis, thresholds). Labels in ``TEXT``
(Chinese first, English beside), in one place for the i18n pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from exports.excel import write_workbook
from exports.tables import Cell, Column, Table
from exports.vocabulary import BASIS_NAMES

RED_FILL = "FFC7CE"  # Excel's own "bad" fill
YELLOW_FILL = "FFEB9C"  # Excel's own "neutral" fill
FILLS = {"red": RED_FILL, "yellow": YELLOW_FILL}
URGENCY = {"red": 0, "yellow": 1, "green": 2, "done_late": 3, "done_on_time": 4}
STATUS_NAMES = {
    "red": "红牌：已超期 overdue",
    "yellow": "黄牌：临近时限 at risk",
    "green": "正常 on track",
    "done_late": "超期办结 done late",
    "done_on_time": "按时办结 done on time",
}
TEXT = {
    "list": "督办清单",
    "list_en": "Follow-up list",
    "departments": "部门汇总",
    "departments_en": "Per department",
    "problems": "问题行",
    "problems_en": "Rows left out",
    "about": "说明",
    "about_en": "About",
    "list_note": "红牌：已过办结期限；黄牌：剩余工作日不超过 {days} 天或不超过时限的 {share:.0%}；按紧急程度排序",
    "title": "督办清单 {as_of}",
    "yes": "是",
}
LIST_COLUMNS = (
    Column("督办等级 status"),
    Column("行号 row", "int"),
    Column("项目代码 project code"),
    Column("事项编码 item"),
    Column("事项名称 item name"),
    Column("部门 department"),
    Column("受理日期 accepted"),
    Column("时限（工作日）limit, wd", "int"),
    Column("时限口径 limit basis"),
    Column("计时暂停（工作日）stopped, wd", "int"),
    Column("办结期限 deadline"),
    Column("已用（工作日）used, wd", "int"),
    Column("剩余（工作日）left, wd", "int"),
    Column("暂停中 clock stopped"),
    Column("办结日期 completed"),
)
DEPARTMENT_COLUMNS = (
    Column("部门 department"),
    Column("事项数 items", "int"),
    Column("红牌 red", "int"),
    Column("黄牌 yellow", "int"),
    Column("正常 green", "int"),
    Column("按时办结 done on time", "int"),
    Column("超期办结 done late", "int"),
    Column("超期率 overdue rate", "percent"),
)
PROBLEM_COLUMNS = (
    Column("行号 row", "int"),
    Column("列 column"),
    Column("内容 value"),
    Column("问题 problem"),
    Column("解决办法 fix"),
)


def follow_up_tables(
    results: Sequence[Any],
    summary: Sequence[dict[str, Any]],
    problems: Sequence[Any],
    *,
    as_of: str,
    catalog: str,
    basis: str,
    yellow_days: int,
    yellow_share: float,
) -> list[Table]:
    """The workbook's tables; ``results`` are ``approval_model.supervision.RowResult`` (most urgent first)."""
    ordered = sorted(results, key=lambda r: (URGENCY.get(r.status, 9), r.working_days_left or 0, r.input.row))
    rows = tuple(
        (
            STATUS_NAMES.get(r.status, r.status),
            r.input.row,
            r.input.project_code,
            r.input.item_id,
            r.item.name,
            r.item.department_name,
            r.input.accepted.isoformat(),
            r.limit_days,
            BASIS_NAMES.get(str(r.limit_kind), str(r.limit_kind)),
            r.stopped_working_days,
            r.deadline.isoformat() + ("*" if r.estimated else ""),
            r.working_days_used,
            r.working_days_left,
            TEXT["yes"] if r.clock_stopped else "",
            r.input.completed.isoformat() if r.input.completed else None,
        )  # fmt: skip
        for r in ordered
    )
    follow_up = Table(
        "follow_up", TEXT["list"], TEXT["list_en"], LIST_COLUMNS, rows,
        note=TEXT["list_note"].format(days=yellow_days, share=yellow_share), sheet=TEXT["list"],
        row_fills=tuple(FILLS.get(r.status) for r in ordered),
    )  # fmt: skip
    departments = Table(
        "departments", TEXT["departments"], TEXT["departments_en"], DEPARTMENT_COLUMNS,
        tuple(
            (d["department_name"], d["items"], d["red"], d["yellow"], d["green"], d["done_on_time"], d["done_late"],
             d["overdue_rate"])
            for d in summary
        ),
        sheet=TEXT["departments"],
        row_fills=tuple(RED_FILL if d["red"] else (YELLOW_FILL if d["yellow"] else None) for d in summary),
    )  # fmt: skip
    tables = [follow_up, departments]
    if problems:
        tables.append(
            Table(
                "problems",
                TEXT["problems"],
                TEXT["problems_en"],
                PROBLEM_COLUMNS,
                tuple((p.row, p.column, p.value, p.message, p.fix) for p in problems),
                sheet=TEXT["problems"],
            )  # fmt: skip
        )
    about = (
        ("督办日期 as of", as_of),
        ("目录 catalog", catalog),
        ("时限口径 limit basis", BASIS_NAMES.get(basis, basis)),
        ("黄牌：剩余工作日不超过 yellow days", Cell(yellow_days, "int")),
        ("黄牌：剩余不超过时限的比例 yellow share", Cell(yellow_share, "percent")),
        ("红牌 red", sum(r.status == "red" for r in results)),
        ("黄牌 yellow", sum(r.status == "yellow" for r in results)),
        ("问题行 rows left out", len(problems)),
    )
    tables.append(
        Table(
            "about",
            TEXT["about"],
            TEXT["about_en"],
            (Column("项目 field"), Column("内容 value")),
            tuple(
                (k, v if isinstance(v, Cell) else Cell(v, "int") if isinstance(v, int) else v)
                for k, v in about
            ),
            sheet=TEXT["about"],
        )  # fmt: skip
    )
    return tables


def write_follow_up(tables: list[Table], path: Path, as_of: str) -> Path:
    """The workbook at ``path`` (an .xlsx file)."""
    return write_workbook(tables, path, title=TEXT["title"].format(as_of=as_of))
