"""The overview sheet (概览) of a run: what was run, what produced the figures, the verdict, and each side's
end-to-end time. ``basis_rows`` and ``robustness_rows`` are also quoted by the HTML report's key facts."""

from __future__ import annotations

from typing import Any

from exports.tables import Cell, Column, Kind, Table, format_value
from exports.vocabulary import (
    BASIS_NAMES,
    BASIS_NOTES,
    FRAMING_NAMES,
    KIND_NAMES,
    MODE_NAMES,
    PROFILE_NAMES,
    ROBUSTNESS_NAMES,
    ROLE_NAMES,
    ROLE_ORDER,
    STATUS_NAMES,
    VERDICT_NAMES,
    shown_time,
    verdict_label,
)


def _reduction_rows(run: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    if run.get("reduction_mean") is not None:
        rows += [
            ("结论", verdict_label(run.get("verdict")), "平均办理时间压缩率的 95% 置信区间与目标比较"),
            ("平均办理时间压缩率", Cell(run["reduction_mean"], "percent"), "1 − 改革 / 基准，按重复次数平均"),
            ("95% 置信区间下限", Cell(run["reduction_ci_low"], "percent"), ""),
            ("95% 置信区间上限", Cell(run["reduction_ci_high"], "percent"), ""),
        ]
        if run.get("replications_needed") is not None:
            rows.append(("达成结论约需重复次数", Cell(run["replications_needed"], "int"), "尚无定论时的估计"))
    reduction = (run.get("payload") or {}).get("reduction") or {}
    for key, label in (("median", "中位数"), ("p90", "90 分位数")):
        part = reduction.get(key)
        if isinstance(part, dict) and part.get("mean") is not None:
            low, high = (part.get("ci95") or [None, None])[:2]
            rows.append(
                (
                    f"{label}办理时间压缩率",
                    Cell(part["mean"], "percent"),
                    f"95% 置信区间 {format_value(low, 'percent')} – {format_value(high, 'percent')}，"
                    f"{VERDICT_NAMES.get(part.get('verdict') or '', part.get('verdict') or '')}",
                )
            )
    return rows


def basis_rows(run: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What produced the figures: limit basis, framing (comparisons), project profile. A run stored before these
    were recorded says so instead of guessing."""
    if run.get("kind") == "nightly":
        return []
    basis, framing, profile = run.get("limit_basis"), run.get("framing"), run.get("profile")
    rows: list[tuple[Any, ...]] = [
        (
            "时限口径",
            BASIS_NAMES.get(basis, basis) if basis else "未记录（旧版本运行）",
            BASIS_NOTES.get(basis, "limit basis not recorded") if basis else "limit basis not recorded",
        )
    ]
    if run.get("kind") == "compare":
        meaning = next(
            (
                f.get("meaning", "")
                for f in (run.get("payload") or {}).get("framings", [])
                if f["name"] == framing
            ),
            "",
        )
        rows.append(
            (
                "比较口径",
                FRAMING_NAMES.get(framing, framing) if framing else "未记录（旧版本运行）",
                meaning or framing or "",
            )
        )
    rows.append(("项目画像", PROFILE_NAMES.get(profile, profile) if profile else "未记录", profile or ""))
    return rows


def robustness_rows(run: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The verdict over the modelling assumptions' plausible ranges (compare runs that have one)."""
    robust = (run.get("payload") or {}).get("robustness")
    if not robust:
        return []
    if robust.get("skipped"):
        return [("稳健性分析", "未做", f"not analysed: {robust['skipped']}")]
    labels = {a["assumption"]: a.get("label", a["assumption"]) for a in robust.get("assumptions", [])}
    low, high = robust["band"]
    rows: list[tuple[Any, ...]] = [
        (
            "假设范围内的结论",
            f"{ROBUSTNESS_NAMES.get(robust['verdict'], robust['verdict'])}（{robust['verdict']}）",
            f"{robust['samples']} 组假设（各假设在合理范围内取值）中达到目标的比例 {robust['holds_share']:.0%}",
        ),
        (
            "假设范围内的压缩率（5%–95%）",
            f"{format_value(low, 'percent')} – {format_value(high, 'percent')}",
            f"比较口径 {robust.get('framing', '')}；95% 置信区间只含随机误差，此区间含假设的不确定性",
        ),
    ]
    if robust.get("deciding_assumption"):
        when = robust.get("holds_when")
        rows.append(
            (
                "决定结论的假设",
                labels.get(robust["deciding_assumption"], robust["deciding_assumption"]),
                f"{robust['deciding_assumption']} {when['holds_when']} 时达标（其余假设取默认值）"
                if when
                else "",
            )
        )
    drivers = "；".join(
        f"{labels.get(d['assumption'], d['assumption'])} {d['total_index']:.2f}"
        for d in robust["drivers"][:4]
    )
    if drivers:
        rows.append(("主要影响因素（Sobol 总效应指数）", drivers, "assumptions ranked by total-order index"))
    return rows


def overview_table(run: dict[str, Any]) -> Table:
    """Key facts of the run, one per row: what was run, with which settings, and the verdict."""
    rows: list[tuple[Any, ...]] = [
        ("运行编号", Cell(run["id"], "int"), "approval-sim runs show <编号>"),
        ("运行类型", KIND_NAMES.get(run["kind"], run["kind"]), run["kind"]),
        ("状态", STATUS_NAMES.get(run["status"], run["status"]), run.get("error") or ""),
        ("情景", run["scenario"], ""),
    ]
    if run.get("mode"):
        rows.append(("审批模式", MODE_NAMES.get(run["mode"], run["mode"]), run["mode"]))
    rows += basis_rows(run)
    fields: tuple[tuple[str, str, Kind], ...] = (
        ("engine", "模拟引擎", "text"),
        ("projects", "每次重复的项目数", "int"),
        ("replications", "重复次数", "int"),
        ("seed", "随机种子", "int"),
        ("target", "压缩目标", "percent"),
    )
    for key, label, kind in fields:
        if run.get(key) is not None:
            rows.append((label, Cell(run[key], kind), ""))
    rows += _reduction_rows(run)
    rows += robustness_rows(run)
    if run.get("as_of") is not None:
        rows.append(("批次日期", shown_time(run["as_of"]), ""))
    rows.append(("开始时间", shown_time(run.get("started_at")), ""))
    if run.get("finished_at") is not None:
        rows.append(("完成时间", shown_time(run["finished_at"]), ""))
    if run.get("children"):
        rows.append(
            (
                "子运行",
                "、".join(str(c) for c in run["children"]),
                "夜间批次的结果在各子运行中：approval-sim export <编号>",
            )
        )
    if run.get("engine_version"):
        rows.append(("软件版本", run["engine_version"], ""))
    return Table(
        "overview",
        "概览",
        "Overview",
        (Column("指标"), Column("数值"), Column("说明")),
        tuple(rows),
        sheet="概览",
    )


def end_to_end_table(run: dict[str, Any]) -> Table | None:
    summaries = sorted(run.get("summaries", []), key=lambda s: ROLE_ORDER.get(s["role"], 9))
    if not summaries:
        return None
    rows = tuple(
        (
            ROLE_NAMES.get(s["role"], s["role"]),
            s["scenario"],
            MODE_NAMES.get(s["mode"], s["mode"]),
            s["projects"],
            s["mean_days"],
            s["p50_days"],
            s["p90_days"],
            s["on_time_rate"],
        )
        for s in summaries
    )
    columns = (
        Column("方案"),
        Column("情景"),
        Column("审批模式"),
        Column("项目数", "int"),
        Column("平均（工作日）", "days"),
        Column("中位数（工作日）", "days"),
        Column("90 分位数（工作日）", "days"),
        Column("按时办结率", "percent"),
    )
    return Table("end_to_end", "端到端办理时间", "End-to-end time", columns, rows, sheet="概览")
