"""Every label and sentence of the briefing (汇报版), Chinese first with English beside, in one place for the
i18n pass. ``TEXT`` holds single strings (``str.format`` templates), ``LINES`` lists of them."""

from __future__ import annotations

BASIS_ENGLISH = {"statutory": "statutory limits", "promised": "promised limits (statutory where none)"}
FRAMING_SHORT = {  # exports.vocabulary.FRAMING_NAMES adds the meaning in brackets; the briefing says it in words
    "serial-to-parallel": "串联改并联",
    "parallel-to-parallel": "并联对并联",
    "partial-to-parallel": "部分并联改全部并联",
}
FRAMING_MEANINGS = {
    "serial-to-parallel": "改革前逐个窗口串联办理，改革后网上并联审批：方案所述的变化",
    "parallel-to-parallel": "改革前后都按并联审批：只看审批目录规则本身的作用",
    "partial-to-parallel": "改革前按声明的比例并联办理，改革后全部并联",
}
VERDICT_WORDS = {"holds": "达到", "fails": "未达到", "inconclusive": "尚不能判断是否达到"}
ROBUST_SENTENCES = {
    "holds": "在各项建模假设的合理范围内结论都成立：结论稳健",
    "fails": "在各项建模假设的合理范围内都达不到目标",
    "depends": "结论取决于建模假设",
}
TARGET_LABELS = {
    "items": ("审批事项数", "项", "Approval items"),
    "mean_handling_limit_days": ("事项平均办理时限", "工作日", "Mean handling limit per item"),
    "materials": ("事项平均申报材料数", "份", "Mean application materials per item"),
    "online_share": ("网上在线办理率", "", "Share handled online"),
}
TARGET_ORDER = ("items", "mean_handling_limit_days", "materials", "online_share")
CHECK_MEASURES = {"approval_days": ("审批时间", "工作日"), "elapsed_days": ("全流程用时", "日历日")}

TEXT: dict[str, str] = {
    "title": "投资项目审批改革效果评估（汇报版）",
    "title_en": "Approval reform assessment: briefing",
    "conclusion": "结论",
    "conclusion_en": "Conclusion",
    "targets": "方案四项目标",
    "targets_en": "The plan's four targets (洛政办〔2017〕89号)",
    "robustness": "结论的稳健性",
    "robustness_en": "How far the verdict depends on assumptions",
    "clocks": "审批时间与全流程用时",
    "clocks_en": "Approval time and elapsed time",
    "bottlenecks": "主要瓶颈",
    "bottlenecks_en": "Top bottlenecks, and what cutting them would gain",
    "profiles": "各类项目的结果",
    "profiles_en": "Result per project profile",
    "profiles_intro": (
        "项目组合按情景声明的权重抽取（{mix}）。下表为同一批模拟项目中各类项目各自的结果（改革前后为同一批项目），"
        "按{framing}口径，办理时间按{basis}推算："
    ),
    "profiles_single_intro": "项目组合按情景声明的权重抽取（{mix}）。各类项目的用时（办理时间按{basis}推算）：",
    "profiles_english": "Per profile ({framing}, handling on {basis}): {parts}.",
    "profiles_single_english": "Per profile (handling on {basis}): {parts}.",
    "profile_whole": "组合（整体）",
    "profile_no_projects": "未抽到项目",
    "lead_profiles": "各类项目的压缩率在 {low}–{high} 之间（见“各类项目的结果”）。",
    "method": "方法与假设",
    "method_en": "Method and assumptions",
    "caveats": "注意事项",
    "caveats_en": "Caveats",
    "sides": "{before} → {after}",
    "serial_parallel_of": "{scenario}（串联与并联比较）",
    "facts": (
        "运行 {id} · {kind} · {profile} · {projects} 个项目 × {replications} 次重复 · 随机种子 {seed} · 生成于北京时间 {generated}"
    ),
    "profile_catalog": "情景自身的项目画像（全部适用事项）",
    "lead": (
        "按<b>{framing}</b>口径（{framing_meaning}），办理时间按<b>{basis}</b>推算，项目画像为<b>{profile}</b>，"
        "模拟 {projects} 个项目 × {replications} 次重复：改革后项目平均审批用时由 {before} 个工作日降至 "
        "{after} 个工作日，<b>压缩 {reduction}</b>（95% 置信区间 {low}–{high}），{verdict_word}方案“压缩 {target}”的目标。"
    ),
    "lead_inconclusive": "约需 {needed} 次重复才能下结论。",
    "lead_robust": "在 {samples} 组建模假设取值（各在合理范围内）中，{share} 达标，压缩率在 {band_low}–{band_high} 之间：{sentence}",
    "lead_deciding": "，起决定作用的是“{label}”（{when}时达标）",
    "lead_not_analysed": "未做假设稳健性分析（{reason}）。",
    "lead_other": "按{framing}口径（{meaning}）压缩 {reduction}，{verdict_word}目标。",
    "lead_english": (
        "Headline ({framing}, handling on {basis}, profile {profile}): mean approval time {before} → {after} "
        "working days, {reduction} shorter (95% CI {low}–{high}); the {target} target {verdict}."
    ),
    "no_comparison": "本次运行为{kind}，没有改革前后的比较，因此没有是否达标的结论。",
    "no_comparison_en": "This run compares nothing, so there is no verdict.",
    "target_line": "{label}：{before} → {after}{unit}，{change}（目标 {target}）：<b>{met}</b>。",
    "target_online": "{label}：{before} → {after}（目标 100%）：<b>{met}</b>。",
    "target_assumed": "仅当假设的承诺时限兑现时达到；不计这些假设，压缩 {without}。",
    "target_level_info": "法定时限（法律规定，城市不能改）平均 {before} → {after} 个工作日，仅供参考。",
    "met": "达到",
    "not_met": "未达到",
    "cut": "压缩 {value}",
    "rise": "增加 {value}",
    "no_targets": "本次运行未记录目录目标（仅比较运行有）。",
    "robust_line": (
        "在 {samples} 组假设取值中达标的比例 <b>{share}</b>；压缩率 5%–95% 区间 {band_low}–{band_high}"
        "（名义值 {nominal}）。结论：<b>{word}</b>。"
    ),
    "robust_deciding": "决定结论的假设：“{label}”，{when}时达标（其余假设取默认值）。",
    "robust_drivers": "影响最大的假设（Sobol 总效应指数）：{drivers}。",
    "robust_not_varied": "未改变（情景已明确给出）：{names}。",
    "robust_skipped": "未做稳健性分析：{reason}。",
    "robust_none": "本次运行没有稳健性分析（旧版本运行或单次模拟）。",
    "robust_note": "95% 置信区间只反映随机误差；此处的区间还反映建模假设的不确定性。",
    "clock_approval": "审批时间（政府至少在办一项审批事项的工作日）：{before} → {after} 个工作日，{change}。",
    "clock_elapsed": "全流程用时（立项到竣工验收备案的日历日）：{before} → {after} 个日历日，{change}。",
    "clock_kinds": "改革后全流程用时构成：{parts}。",
    "clock_check": "{scope}{measure} ≤ {max_days} {unit}：平均 {mean}，90 分位 {p90}，{share} 的项目在限内：<b>{verdict}</b>。",
    "whole_process": "全流程",
    "clock_none": "本次运行未记录两种时钟。",
    "bottleneck_intro": "改革后（{framing}口径）拖慢项目最多的事项，按“若该事项即办，平均全流程可缩短的工作日”排序：",
    "department_line": "排队最长的部门：{parts}。",
    "no_bottlenecks": "本次运行未记录瓶颈事项。",
    "method_handling_own": (
        "办理时间按{basis}推算：有自身用时分布（校准或声明）的事项按该分布随机抽取；"
        "其余事项（如有）的用时在时限的一定比例之间随机，少数超期。"
    ),
    "status_documented": "有据",
    "status_assumed": "假设",
    "sources_line": (
        "来源：洛阳市《进一步推进简政放权放管结合优化服务改革实施方案》（洛政办〔2017〕89号）；"
        "国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见（国办发〔2019〕11号）；"
        "每个事项、时限和材料数的出处见 approval-sim catalog list，与公开报道数字的对照见 approval-sim validate。"
    ),
    "footer": "由 approval-sim {version} 生成 · 北京时间 {generated} · 运行编号 {id} · 复现：approval-sim export {id} --format pdf",
}

LINES: dict[str, tuple[str, ...]] = {
    "bottleneck_headers": (
        "事项",
        "部门",
        "处在关键路径的项目占比",
        "平均等待 + 办理（工作日）",
        "若即办可缩短（工作日）",
    ),
    "method_lines": (
        "蒙特卡洛模拟：每次重复模拟 {projects} 个项目，共 {replications} 次重复（随机种子 {seed}，引擎 {engine}），"
        "改革前后使用相同的随机数（共同随机数），按重复次数求平均并给出 95% 置信区间。",
        "办理时间按{basis}推算：按时办结的事项用时在时限的一定比例之间随机，少数事项超期（见下表假设）。",
        "工作日按国家法定节假日与调休日历计算；以日历日计的工作（中介服务、公告期等）按日历日计。",
        "比较口径：{framings}。",
        "目录目标按整个审批目录计（洛政办〔2017〕89号的口径）；办理时限按承诺时限（无则法定时限）计。",
    ),
    "profile_headers": (
        "项目画像",
        "占比",
        "模拟项目数",
        "改革前平均（工作日）",
        "改革后平均（工作日）",
        "压缩率（95% 置信区间）",
        "对照 {target} 目标",
    ),
    "profile_single_headers": ("项目画像", "占比", "模拟项目数", "平均（工作日）", "90 分位数（工作日）"),
    "assumption_headers": ("假设", "名义值", "合理范围", "依据", "来源与理由"),
    "caveats_lines": (
        "这是模型的推算，不是实测：结论取决于目录数据和上述假设，标为“假设”的数字没有本市出处。",
        "95% 置信区间只反映模拟的随机误差，不反映假设的不确定性；后者见“结论的稳健性”。",
        "法定时限由法律规定；承诺时限是部门的承诺，只有兑现才有效果。",
        "审批时间之外的时间（中介服务、市政公用报装、土地供应、招投标、公示）只有情景中列出时才计入全流程用时。",
    ),
}
