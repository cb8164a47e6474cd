"""The overview sheet (概览) of a run: what was run, what produced the figures, the verdict, and each side's
end-to-end time. ``basis_rows`` and ``robustness_rows`` are also quoted by the HTML report's key facts."""

from __future__ import annotations

from typing import Any

from exports.tables import Cell, Column, Kind, Table, format_value
from exports.vocabulary import (
    BASIS_NAMES,
    FRAMING_NAMES,
    KIND_NAMES,
    MODE_NAMES,
    PROFILE_NAMES,
    ROBUSTNESS_NAMES,
    ROLE_NAMES,
    ROLE_ORDER,
    STATUS_NAMES,
    VERDICT_NAMES,
    basis_note,
    mix_order,
    profile_english,
    profile_text,
    run_basis,
    run_mix,
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
    basis, framing = run.get("limit_basis"), run.get("framing")
    rows: list[tuple[Any, ...]] = [
        (
            "时限口径",
            BASIS_NAMES.get(basis, basis) if basis else "未记录（旧版本运行）",
            basis_note(run, basis) if basis else "limit basis not recorded",
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
    rows.append(("项目画像", profile_text(run), profile_english(run)))
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


def profiles_table(run: dict[str, Any]) -> Table | None:
    """A project mix: the result of each profile's own projects (same projects and random numbers on both
    sides), its share, and the mix as a whole on the last row. Compare runs show the headline framing's before,
    after and reduction per profile; a single simulation shows each profile's time."""
    mix = run_mix(run)
    data = run.get("payload") or {}
    profiles = data.get("profiles") or {}
    if not mix or not profiles:
        return None
    names = [n for n in mix_order(mix) if n in profiles] + sorted(set(profiles) - set(mix))
    basis = run_basis(run)
    framing = run.get("framing") or data.get("headline")
    said = (
        f"时限口径：{BASIS_NAMES.get(basis, basis) if basis else '未记录'}；"
        + (f"比较口径：{FRAMING_NAMES.get(framing, framing)}；" if framing else "")
        + "占比为情景声明的权重；各类项目为同一批模拟项目中抽到该画像的项目（改革前后相同）"
    )
    columns: tuple[Column, ...]
    if "baseline" in data and "reform" in data:
        rows: list[tuple[Any, ...]] = []
        for name in names:
            row = profiles[name]
            reduction = row.get("reduction") or {}
            low, high = (reduction.get("ci95") or [None, None])[:2]
            rows.append(
                (
                    PROFILE_NAMES.get(name, name), name, mix.get(name), row.get("projects_drawn"),
                    row.get("baseline_mean_days"), row.get("reform_mean_days"), reduction.get("mean"), low, high,
                    verdict_label(row.get("verdict")) if row.get("verdict") else (row.get("note") or "不适用"),
                )
            )  # fmt: skip
        headline: dict[str, Any] = next((f for f in data.get("framings", []) if f.get("name") == framing), {})
        rows.append(
            (
                "组合（整体）", "mix", 1.0, sum(r.get("projects_drawn") or 0 for r in profiles.values()),
                headline.get("baseline_mean_days"), headline.get("reform_mean_days"), run.get("reduction_mean"),
                run.get("reduction_ci_low"), run.get("reduction_ci_high"), verdict_label(run.get("verdict")),
            )
        )  # fmt: skip
        columns = (
            Column("项目画像"), Column("画像编码"), Column("占比", "percent"), Column("模拟项目数", "int"),
            Column("改革前平均（工作日）", "days"), Column("改革后平均（工作日）", "days"),
            Column("平均办理时间压缩率", "percent"), Column("95% 置信区间下限", "percent"),
            Column("95% 置信区间上限", "percent"), Column("结论"),
        )  # fmt: skip
    else:
        rows = [
            (
                PROFILE_NAMES.get(name, name), name, mix.get(name), profiles[name].get("projects_drawn"),
                profiles[name].get("mean_days"), profiles[name].get("p90_days"), profiles[name].get("on_time_rate"),
            )
            for name in names
        ]  # fmt: skip
        columns = (
            Column("项目画像"), Column("画像编码"), Column("占比", "percent"), Column("模拟项目数", "int"),
            Column("平均（工作日）", "days"), Column("90 分位数（工作日）", "days"), Column("按时办结率", "percent"),
        )  # fmt: skip
    return Table(
        "profiles",
        "分项目画像结果",
        "Result per project profile",
        columns,
        tuple(rows),
        note=said,
        sheet="概览",
    )
