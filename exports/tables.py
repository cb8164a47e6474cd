"""The export tables of a stored run, with Chinese headers: pure functions of the run dict.

Every format (Excel, CSV, HTML) renders the same ``Table`` objects, so the numbers agree across them. Values
stay numbers (or None for "not applicable"); each column (or a single cell, via ``Cell``) carries a kind
that says how to show it: days with one decimal, rates as percentages, and so on.

Long (over 600 lines) because every table of every export is built here from the same run dict, so the
numbers agree across Excel, CSV and HTML; the natural split, should it grow, is one module per table family
(overview, sides, items and departments, sensitivity, clocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

Kind = Literal["text", "int", "days", "percent", "number"]

ROLE_NAMES = {"baseline": "基准", "reform": "改革", "single": "单次模拟"}
ROLE_ORDER = {"baseline": 0, "reform": 1, "single": 2}
KIND_NAMES = {"simulate": "单次模拟", "compare": "比较", "nightly": "夜间批次", "sensitivity": "敏感性分析"}
STATUS_NAMES = {"running": "运行中", "completed": "已完成", "failed": "失败", "interrupted": "已中断"}
MODE_NAMES = {"serial": "串联审批", "parallel": "并联审批", "partial": "部分并联审批"}
VERDICT_NAMES = {"holds": "达标", "fails": "未达标", "inconclusive": "尚无定论"}
ROBUSTNESS_NAMES = {"holds": "达标", "fails": "未达标", "depends": "视假设而定"}
BASIS_NAMES = {"statutory": "法定时限", "promised": "承诺时限（无承诺则法定）"}
BASIS_NOTES = {
    "statutory": "办理时间按法定时限推算 (handling scaled to statutory limits)",
    "promised": "办理时间按承诺时限推算，无承诺时限的事项按法定时限 (handling scaled to promised limits)",
}
FRAMING_NAMES = {
    "serial-to-parallel": "串联改并联（方案所述的变化）",
    "parallel-to-parallel": "并联对并联（仅审批目录规则）",
    "partial-to-parallel": "部分并联改全部并联（改革前并联比例已声明）",
}
VERDICT_ENGLISH = {"holds": "holds", "fails": "fails", "inconclusive": "inconclusive"}
PARAMETER_NAMES = {
    "capacity": "部门受理能力",
    "limit": "事项时限",
    "handling": "办理时间",
    "supplement": "补正概率",
    "instant": "事项即办",
    "parallel": "改为并联",
    "kind": "同类工作用时",
}
# the stages of the built-in scenarios (Luoyang 2017; national 2019's four); other stage ids are shown as they are
STAGE_NAMES = {
    "P_LX": "立项阶段",
    "P_BJ": "报建阶段",
    "P_YS": "验收阶段",
    "S1": "立项用地规划许可阶段",
    "S2": "工程建设许可阶段",
    "S3": "施工许可阶段",
    "S4": "竣工验收阶段",
}
TARGET_NAMES = {
    "items": "报建审批事项数",
    "mean_handling_limit_days": "事项平均办理时限（工作日，承诺时限，无则法定）",
    "mean_statutory_limit_days": "事项平均法定时限（工作日，仅供参考）",
    "materials": "事项平均申报材料数",
    "online_share": "网上在线办理率",
    "items_per_project": "单个项目办理事项数",
    "materials_per_project": "单个项目申报材料数（同一材料只计一次）",
}
TARGET_ROLES = {"target": "方案目标", "project": "项目视角", "information": "仅供参考"}
PROFILE_NAMES = {
    "all": "全部事项",
    "catalog": "整个目录",
    "government-typical": "一般政府投资项目",
    "government-small": "小型政府投资项目",
    "enterprise-approval-typical": "核准类企业投资项目",
    "enterprise-filing-typical": "备案类企业投资项目",
    "enterprise-filing-ftz": "自贸区备案类企业投资项目",
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Cell:
    """A value whose kind differs from its column's (key/value tables)."""

    value: Any
    kind: Kind


@dataclass(frozen=True)
class Table:
    """One table: ``name`` is the Chinese title (and sheet), ``key`` names its CSV file."""

    key: str
    name: str
    english: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    sheet: str = field(default="")
    row_fills: tuple[
        str | None, ...
    ] = ()  # Excel background (RRGGBB) per row, e.g. the follow-up list's red/yellow

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def cells(self) -> list[list[tuple[Any, Kind]]]:
        """Rows of (plain value, kind), with ``Cell`` wrappers resolved."""
        return [
            [
                (v.value, v.kind) if isinstance(v, Cell) else (v, c.kind)
                for v, c in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


def format_value(value: Any, kind: Kind, missing: str = "—") -> str:
    """The text of a value as planners read it: the one formatter of every export (CSV keeps raw numbers; HTML
    and plots show ``missing`` for "not applicable", an Excel cell stays empty: ``missing=""``)."""
    if value is None:
        return missing
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "days":
        return f"{value:.1f}"
    if kind == "number":
        return f"{value:.2f}"
    if kind == "int":
        return f"{value:d}"
    return str(value)


SHANGHAI = ZoneInfo("Asia/Shanghai")


def _text(value: Any) -> str | None:
    """Dates as ISO; times (stored in UTC, naive means UTC) in Beijing time, as planners read them."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") + " 北京时间"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def verdict_label(verdict: str | None) -> str:
    if verdict is None:
        return "不适用"
    return f"{VERDICT_NAMES.get(verdict, verdict)}（{VERDICT_ENGLISH.get(verdict, verdict)}）"


def department_names(run: dict[str, Any]) -> dict[str, str]:
    return {d["department"]: d["department_name"] for d in run.get("departments", [])}


def item_names(run: dict[str, Any]) -> dict[str, str]:
    return {i["item_id"]: i["item_name"] for i in run.get("items", [])}


def side_label(run: dict[str, Any], role: str) -> str:
    """How a side is named in legends: role, scenario and mode, e.g. 基准 luoyang-2017-before（并联审批）."""
    summary = next((s for s in run.get("summaries", []) if s["role"] == role), None)
    if summary is None:
        return ROLE_NAMES.get(role, role)
    return f"{ROLE_NAMES.get(role, role)} {summary['scenario']}（{MODE_NAMES.get(summary['mode'], summary['mode'])}）"


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
        rows.append(("批次日期", _text(run["as_of"]), ""))
    rows.append(("开始时间", _text(run.get("started_at")), ""))
    if run.get("finished_at") is not None:
        rows.append(("完成时间", _text(run["finished_at"]), ""))
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


WORK_KIND_NAMES = {
    "approval": "行政审批",
    "intermediary": "中介服务",
    "utility": "市政公用",
    "notice": "公告期",
    "applicant": "申请人工作",
    "coordination": "协调交接",
}
WORK_KIND_ORDER = ("approval", "intermediary", "utility", "notice", "applicant", "coordination")


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


def subject_name(run: dict[str, Any], subject: str) -> str:
    if subject in ("all", "*", ""):
        return "全部事项"
    if subject in WORK_KIND_NAMES:  # a 'kind' variation: every step of that kind of work
        return f"全部{WORK_KIND_NAMES[subject]}"
    return department_names(run).get(subject) or item_names(run).get(subject) or subject


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


def build_tables(run: dict[str, Any]) -> list[Table]:
    """All tables the run has, in sheet order (概览 blocks first); tables that do not apply are left out."""
    candidates: Sequence[Table | None] = (
        overview_table(run),
        end_to_end_table(run),
        clocks_table(run),
        time_targets_table(run),
        targets_table(run),
        items_table(run),
        departments_table(run),
        sensitivity_table(run),
    )
    return [t for t in candidates if t is not None]


def missing(run: dict[str, Any]) -> list[str]:
    """What this run has no data for (said in the CLI output and the HTML report)."""
    notes = []
    if run.get("status") != "completed":
        notes.append(
            f"运行状态为 {STATUS_NAMES.get(run.get('status') or '', run.get('status'))}，只有概览 (run is {run.get('status')}: overview only)"
        )
    if not run.get("summaries"):
        notes.append("无端到端结果：不生成时间分布图 (no end-to-end results: no distribution plot)")
    if run.get("kind") == "nightly":
        notes.append("夜间批次：结果在各子运行中 (nightly batch: results are in the child runs)")
    if not run.get("items") and run.get("summaries"):
        notes.append("无事项统计 (no item statistics)")
    if not (run.get("payload") or {}).get("catalog_metrics"):
        notes.append("无目录目标：仅比较运行有 (catalog targets: compare runs only)")
    if not (run.get("payload") or {}).get("typical_schedule"):
        notes.append("无典型项目甘特图：仅比较运行有 (Gantt chart: compare runs only)")
    if not run.get("departments"):
        notes.append("无部门统计：不生成部门图 (no department statistics: no department chart)")
    if not run.get("sensitivity"):
        notes.append(
            "无敏感性结果：不生成敏感性表和龙卷风图 (no sensitivity rows: no 敏感性 sheet, no tornado chart)"
        )
    return notes
