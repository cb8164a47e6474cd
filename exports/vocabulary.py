"""The product's one Chinese vocabulary: how JSON words, stage ids, profiles and times are shown to planners.

Every export (tables, briefing, plots) and the CLI (``approval_sim.words``) name things from here, so a verdict
or a limit basis reads the same in Excel, the HTML report, the PDF and the terminal. Also the names a stored run
gives its own departments, items and sides, and times in Beijing time (stored in UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

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


WORK_KIND_NAMES = {
    "approval": "行政审批",
    "intermediary": "中介服务",
    "utility": "市政公用",
    "notice": "公告期",
    "applicant": "申请人工作",
    "coordination": "协调交接",
}
WORK_KIND_ORDER = ("approval", "intermediary", "utility", "notice", "applicant", "coordination")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _moment(value: datetime | str) -> datetime | None:
    """A stored time as an aware datetime (naive means UTC; an ISO text is read), None if it is no time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def shown_time(value: Any) -> str | None:
    """Dates as ISO; times (stored in UTC, naive means UTC) in Beijing time with the zone said, as planners
    read them: '2026-12-01 05:05:00 北京时间'."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    moment = (
        _moment(value)
        if isinstance(value, datetime | str) and ("T" in str(value) or " " in str(value))
        else None
    )
    if moment is None:
        return str(value)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") + " 北京时间"


def shanghai_time(value: Any) -> str:
    """A stored time (UTC; naive means UTC; datetime or ISO text) as Beijing time, '2026-12-01 05:05' (the
    caller says the zone); '—' for none."""
    if value is None:
        return "—"
    moment = _moment(value)
    return str(value) if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def today_in_shanghai() -> date:
    """Today's date in China (on this machine's clock): the date planners read in file headers and deadlines."""
    return datetime.now(SHANGHAI).date()


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


def subject_name(run: dict[str, Any], subject: str) -> str:
    if subject in ("all", "*", ""):
        return "全部事项"
    if subject in WORK_KIND_NAMES:  # a 'kind' variation: every step of that kind of work
        return f"全部{WORK_KIND_NAMES[subject]}"
    return department_names(run).get(subject) or item_names(run).get(subject) or subject


def run_mix(run: dict[str, Any]) -> dict[str, float] | None:
    """The project mix a run simulated (profile -> share, from its payload), or None for a single profile."""
    mix = (run.get("payload") or {}).get("mix")
    if not isinstance(mix, dict) or not mix:
        return None
    total = sum(float(w) for w in mix.values()) or 1.0
    return {str(name): round(float(w) / total, 9) for name, w in mix.items()}


def share_text(share: float) -> str:
    """A share of a mix as declared: 60%, not 60.0%; 2.5% keeps its decimal."""
    return f"{share:.0%}" if abs(share * 100 - round(share * 100)) < 1e-9 else f"{share:.1%}"


def mix_order(mix: dict[str, float]) -> list[str]:
    """Profiles of a mix, largest share first (then by name)."""
    return sorted(mix, key=lambda name: (-mix[name], name))


def profile_text(run: dict[str, Any], missing: str = "未记录") -> str:
    """The project profile a run is about, in Chinese: a profile's name, or the mix with each share."""
    mix = run_mix(run)
    if mix:
        parts = "、".join(f"{PROFILE_NAMES.get(n, n)} {share_text(mix[n])}" for n in mix_order(mix))
        return f"项目组合：{parts}"
    profile = run.get("profile")
    return PROFILE_NAMES.get(profile, profile) if profile else missing


def profile_english(run: dict[str, Any]) -> str:
    """The same in the words of the JSON: ``government-typical``, or ``project mix: a 60%, b 40%``."""
    mix = run_mix(run)
    if mix:
        return "project mix: " + ", ".join(f"{n} {share_text(mix[n])}" for n in mix_order(mix))
    return str(run.get("profile") or "")


def run_basis(run: dict[str, Any]) -> str | None:
    """The limit basis a run simulated: recorded on the run, else in its payload's sides (older runs)."""
    if run.get("limit_basis"):
        return str(run["limit_basis"])
    data = run.get("payload") or {}
    for side in (data.get("reform"), data.get("baseline"), data):
        if isinstance(side, dict) and side.get("limit_basis"):
            return str(side["limit_basis"])
    return None


HANDLING_OWN = "各事项自身的用时分布（校准或声明）"
HANDLING_OWN_EN = "handling from the items' own distributions (calibrated or declared)"


def handling_counts(run: dict[str, Any]) -> list[tuple[str, int, int]]:
    """Per side of a run's payload, (role, items whose handling comes from their own ``handling_days``, items);
    empty for runs stored before ``handling_own_items`` was recorded (their handling followed the limits)."""
    data = run.get("payload") or {}
    sides = [("baseline", data.get("baseline")), ("reform", data.get("reform"))] if "reform" in data else []
    out = []
    for role, side in sides or [("single", data)]:
        if isinstance(side, dict) and isinstance(side.get("handling_own_items"), int):
            out.append((role, int(side["handling_own_items"]), len(side.get("items") or {})))
    return out


def handling_basis(run: dict[str, Any], basis: str | None, missing: str) -> tuple[str, str]:
    """What the run's handling times follow, as (Chinese words for "办理时间按…推算", English clause or "" when
    it is the limit basis alone): the limits (``missing`` when no basis is recorded), unless some items take
    their handling from their own distribution (``handling_own_items``), then how many."""
    word = BASIS_NAMES.get(basis or "", basis or missing)
    sides = handling_counts(run)
    if not any(own for _, own, _ in sides):
        return word, ""
    if all(own == items for _, own, items in sides):
        return HANDLING_OWN, HANDLING_OWN_EN
    if len({(own, items) for _, own, items in sides}) == 1:
        _, own, items = sides[0]
        zh, en = f"{items} 个事项中的 {own} 个", f"{own} of {items} items"
    else:
        zh = "、".join(f"{ROLE_NAMES[r]} {items} 个事项中的 {own} 个" for r, own, items in sides)
        en = ", ".join(f"{r} {own} of {items}" for r, own, items in sides) + " items"
    return (
        f"各事项自身的用时分布（{zh}；其余事项按{word}）",
        f"handling from own distributions for {en}, the rest scaled to {basis or 'the'} limits",
    )


def basis_note(run: dict[str, Any], basis: str | None) -> str:
    """The note on what produced the handling times, Chinese with English beside: ``BASIS_NOTES`` of the basis
    unless some items take their handling from their own distribution."""
    if not basis:
        return "办理时间的时限口径未记录 (limit basis not recorded)"
    zh, en = handling_basis(run, basis, basis)
    return f"办理时间按{zh}推算 ({en})" if en else BASIS_NOTES.get(basis, basis)
