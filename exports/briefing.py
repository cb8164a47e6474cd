"""The briefing (汇报版): what a planner forwards to a superior as is, built from a stored run.

In order: a one-paragraph conclusion that quotes the headline figure and says which comparison (framing), which
time measure (法定/承诺 limit basis) and which project profile or mix produced it; for a project mix, each
profile's own result (``exports.briefing_profiles``); the plan's four catalog targets, one
line each; the robustness of the verdict over the modelling assumptions; the two clocks (approval working days
and elapsed calendar days, with where the elapsed time goes and time targets such as <= 120 working days); the
top bottlenecks with what cutting them would gain; method and assumptions with their sources; caveats.

Department and item names, never codes; times in Asia/Shanghai; no notes about what the run lacks (those go
to the command's output). Pure functions of the run dict (``flows.store.repository.get_run``): the HTML report,
its PDF and the nightly batch briefing all use them. Every label and sentence is in ``exports.briefing_text`` (Chinese
first, English beside), so the i18n pass finds them in one place. How figures are written and what produced
them (framing, basis, profile) are in ``exports.briefing_facts``, shared with the nightly batch briefing.
"""

from __future__ import annotations

from typing import Any

from exports.briefing_facts import (
    _e,
    _headline_framing,
    basis_of,
    days,
    department_names,
    framing_name,
    framing_of,
    now_in_shanghai,
    payload,
    pct,
    profile_name,
    scenario_title,
    section,
    target_pct,
)
from exports.briefing_profiles import profile_lines
from exports.briefing_text import (
    BASIS_ENGLISH,
    CHECK_MEASURES,
    FRAMING_MEANINGS,
    LINES,
    ROBUST_SENTENCES,
    TARGET_LABELS,
    TARGET_ORDER,
    TEXT,
    VERDICT_WORDS,
)
from exports.vocabulary import (
    KIND_NAMES,
    ROBUSTNESS_NAMES,
    STAGE_NAMES,
    WORK_KIND_NAMES,
    WORK_KIND_ORDER,
    handling_basis,
    profile_english,
    run_mix,
)

TOP_BOTTLENECKS = 5
TOP_DRIVERS = 3


def conclusion(run: dict[str, Any]) -> str:
    """The conclusion section: the paragraph a superior reads."""
    return section("conclusion", conclusion_paragraph(run))


def conclusion_paragraph(run: dict[str, Any]) -> str:
    """The one paragraph a superior reads: the headline figure and what produced it (and its English line)."""
    if run.get("reduction_mean") is None:
        kind = KIND_NAMES.get(run.get("kind", ""), run.get("kind", ""))
        return (
            f'<p class="lead">{_e(TEXT["no_comparison"].format(kind=kind))}</p>'
            f'<p class="english">{_e(TEXT["no_comparison_en"])}</p>'
        )
    data = payload(run)
    headline = _headline_framing(run) or {}
    framing = framing_of(run)
    basis = basis_of(run)
    before = headline.get("baseline_mean_days")
    after = headline.get("reform_mean_days")
    if before is None or after is None:
        sides = {s["role"]: s for s in run.get("summaries", [])}
        before = sides.get("baseline", {}).get("mean_days")
        after = sides.get("reform", {}).get("mean_days")
    verdict = run.get("verdict") or "inconclusive"
    values = {
        "framing": _e(framing_name(framing)),
        "framing_meaning": _e(FRAMING_MEANINGS.get(framing or "", headline.get("meaning", ""))),
        "basis": _e(handling_basis(run, basis, "未记录的时限")[0]),
        "profile": _e(profile_name(run)),
        "projects": f"{run.get('projects') or 0:,}",
        "replications": run.get("replications") or "?",
        "before": days(before),
        "after": days(after),
        "reduction": pct(run["reduction_mean"]),
        "low": pct(run.get("reduction_ci_low")),
        "high": pct(run.get("reduction_ci_high")),
        "verdict_word": VERDICT_WORDS.get(verdict, verdict),
        "target": target_pct(run.get("target")),
    }
    parts = [TEXT["lead"].format(**values)]
    if verdict == "inconclusive" and run.get("replications_needed"):
        parts.append(TEXT["lead_inconclusive"].format(needed=run["replications_needed"]))
    robust = data.get("robustness") or {}
    if robust.get("skipped"):
        parts.append(_e(TEXT["lead_not_analysed"].format(reason=robust["skipped"])))
    elif robust:
        sentence = ROBUST_SENTENCES.get(robust["verdict"], robust["verdict"])
        if robust.get("deciding_assumption"):
            sentence += TEXT["lead_deciding"].format(
                label=_assumption_label(robust, robust["deciding_assumption"]), when=_holds_when(robust)
            )
        low, high = robust["band"]
        parts.append(
            _e(
                TEXT["lead_robust"].format(
                    samples=robust["samples"],
                    share=pct(robust["holds_share"]),
                    band_low=pct(low),
                    band_high=pct(high),
                    sentence=sentence,
                )  # fmt: skip
            )
            + "。"
        )
    shown = [r["reduction"]["mean"] for r in (data.get("profiles") or {}).values() if r.get("reduction")]
    if run_mix(run) and shown:
        parts.append(_e(TEXT["lead_profiles"].format(low=pct(min(shown)), high=pct(max(shown)))))
    for other in data.get("framings", []):
        if other.get("name") == framing:
            continue
        parts.append(
            _e(
                TEXT["lead_other"].format(
                    framing=framing_name(other["name"]),
                    meaning=FRAMING_MEANINGS.get(other["name"], other.get("meaning", "")),
                    reduction=pct(other["reduction"]["mean"]),
                    verdict_word=VERDICT_WORDS.get(other["verdict"], other["verdict"]),
                )
            )
        )
    english = TEXT["lead_english"].format(
        framing=framing or "?", basis=BASIS_ENGLISH.get(basis or "", basis or "unrecorded limits"),
        profile=profile_english(run) or "the scenario's own", before=days(before), after=days(after),
        reduction=pct(run["reduction_mean"]), low=values["low"], high=values["high"], target=values["target"],
        verdict=verdict,
    )  # fmt: skip
    return f'<p class="lead">{"".join(parts)}</p><p class="english">{_e(english)}</p>'


def _change(reduction: float | None) -> str:
    if reduction is None:
        return "—"
    return (
        TEXT["cut"].format(value=pct(reduction))
        if reduction >= 0
        else TEXT["rise"].format(value=pct(-reduction))
    )


def target_lines(run: dict[str, Any]) -> str:
    """The plan's four catalog targets, one line each, with what the line measures (``measures``)."""
    targets = (payload(run).get("catalog_metrics") or {}).get("targets") or []
    rows = {
        t["name"]: t
        for t in targets
        if t.get("role", "target") == "target" and t.get("scope", "catalog") == "catalog"
    }
    if not rows:
        return section("targets", f"<p>{_e(TEXT['no_targets'])}</p>")
    lines = []
    for name in TARGET_ORDER:
        t = rows.get(name)
        if t is None:
            continue
        label, unit, english = TARGET_LABELS[name]
        met = TEXT["met"] if t.get("met") else TEXT["not_met"]
        if name == "online_share":
            text = TEXT["target_online"].format(
                label=_e(label), before=pct(t["before"]), after=pct(t["after"]), met=met
            )
        else:
            shown = (lambda v: f"{v:.0f}") if name == "items" else (lambda v: f"{v:.2f}")
            text = TEXT["target_line"].format(
                label=_e(label), before=shown(t["before"]), after=shown(t["after"]), unit=f" {unit}",
                change=_change(t.get("reduction")), target=target_pct(t.get("target")), met=met,
            )  # fmt: skip
        if t.get("met") and t.get("met_without_assumed") is False:
            text += " " + TEXT["target_assumed"].format(without=pct(t.get("reduction_without_assumed")))
        if name == "mean_handling_limit_days":
            info = next((x for x in targets if x["name"] == "mean_statutory_limit_days"), None)
            if info is not None:
                text += " " + TEXT["target_level_info"].format(
                    before=f"{info['before']:.1f}", after=f"{info['after']:.1f}"
                )
        measures = t.get("measures") or ""
        lines.append(
            f'<li class="{"met" if t.get("met") else "not-met"}">{text}'
            f'<span class="english">{_e(english)}: {_e(measures)}</span></li>'
        )
    return section("targets", f'<ul class="lines">{"".join(lines)}</ul>')


def _assumption_label(robust: dict[str, Any], key: str) -> str:
    return next((a.get("label") or key for a in robust.get("assumptions", []) if a["assumption"] == key), key)


def _holds_when(robust: dict[str, Any]) -> str:
    when = robust.get("holds_when") or {}
    condition = when.get("holds_when")
    return f"取值 {condition}" if condition else "取某些值"


def robustness_lines(run: dict[str, Any]) -> str:
    robust = payload(run).get("robustness")
    if run.get("reduction_mean") is None and not robust:
        return ""
    if not robust:
        return section("robustness", f"<p>{_e(TEXT['robust_none'])}</p>")
    if robust.get("skipped"):
        return section("robustness", f"<p>{_e(TEXT['robust_skipped'].format(reason=robust['skipped']))}</p>")
    low, high = robust["band"]
    lines = [
        TEXT["robust_line"].format(
            samples=robust["samples"],
            share=pct(robust["holds_share"]),
            band_low=pct(low),
            band_high=pct(high),
            nominal=pct(robust.get("nominal_reduction")),
            word=ROBUSTNESS_NAMES.get(robust["verdict"], robust["verdict"]),
        )  # fmt: skip
    ]
    if robust.get("deciding_assumption"):
        lines.append(
            _e(
                TEXT["robust_deciding"].format(
                    label=_assumption_label(robust, robust["deciding_assumption"]), when=_holds_when(robust)
                )
            )
        )
    drivers = "；".join(
        f"{_assumption_label(robust, d['assumption'])} {d['total_index']:.2f}"
        for d in robust.get("drivers", [])[:TOP_DRIVERS]
    )
    if drivers:
        lines.append(_e(TEXT["robust_drivers"].format(drivers=drivers)))
    not_varied = "、".join(_assumption_label(robust, n["assumption"]) for n in robust.get("not_varied", []))
    if not_varied:
        lines.append(_e(TEXT["robust_not_varied"].format(names=not_varied)))
    lines.append(f'<span class="muted">{_e(TEXT["robust_note"])}</span>')
    return section(
        "robustness", '<ul class="lines">' + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"
    )


def clock_lines(run: dict[str, Any]) -> str:
    """Approval working days and elapsed calendar days, where elapsed time goes, and time targets."""
    data = payload(run)
    approval, elapsed = data.get("approval_days"), data.get("elapsed_days")
    lines = []
    if isinstance(approval, dict) and "baseline" in approval:
        lines.append(
            TEXT["clock_approval"].format(
                before=days(approval["baseline"]["mean"]),
                after=days(approval["reform"]["mean"]),
                change=_change((approval.get("reduction") or {}).get("mean")),
            )  # fmt: skip
        )
    if isinstance(elapsed, dict) and "baseline" in elapsed:
        lines.append(
            TEXT["clock_elapsed"].format(
                before=days(elapsed["baseline"]["mean"]),
                after=days(elapsed["reform"]["mean"]),
                change=_change((elapsed.get("reduction") or {}).get("mean")),
            )  # fmt: skip
        )
    kinds = ((data.get("elapsed_by_kind") or {}).get("reform")) or {}
    shown = [
        f"{WORK_KIND_NAMES[k]} {kinds[k]['days']:.0f} 日（{kinds[k]['share']:.0%}）"
        for k in WORK_KIND_ORDER
        if (kinds.get(k) or {}).get("days")
    ]
    if len(shown) > 1:
        lines.append(TEXT["clock_kinds"].format(parts="、".join(shown)))
    for check in data.get("target_checks") or []:
        measure, unit = CHECK_MEASURES.get(check["measure"], (check["measure"], "日"))
        lines.append(
            TEXT["clock_check"].format(
                scope=check_scope(check.get("scope") or ""),
                measure=measure,
                max_days=f"{check['max_days']:g}",
                unit=unit,
                mean=days(check.get("mean")),
                p90=days(check.get("p90")),
                share=pct(check.get("share_within")),
                verdict=VERDICT_WORDS.get(check.get("verdict") or "", check.get("verdict") or ""),
            )  # fmt: skip
        )
    if not lines:
        if run.get("reduction_mean") is None:
            return ""
        return section("clocks", f"<p>{_e(TEXT['clock_none'])}</p>")
    return section("clocks", '<ul class="lines">' + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")


def check_scope(scope: str) -> str:
    """'whole process' -> 全流程, 'stage S1' -> the stage's name."""
    if scope.startswith("stage "):
        stage = scope.removeprefix("stage ")
        return STAGE_NAMES.get(stage, stage)
    return TEXT["whole_process"] if scope in ("whole process", "") else scope


def bottleneck_rows(run: dict[str, Any], top: int = TOP_BOTTLENECKS) -> list[dict[str, Any]]:
    """The reform side's items that gain most if done at once (payload ``bottlenecks``), named."""
    rows = [r for r in payload(run).get("bottlenecks") or [] if (r.get("gain_if_instant_days") or 0) > 0]
    rows.sort(key=lambda r: (-(r.get("gain_if_instant_days") or 0), r.get("item", "")))
    return rows[:top]


def bottleneck_table(run: dict[str, Any]) -> str:
    rows = bottleneck_rows(run)
    if not rows:
        if run.get("reduction_mean") is None:
            return ""
        return section("bottlenecks", f"<p>{_e(TEXT['no_bottlenecks'])}</p>")
    names = department_names(run)
    head = "".join(f"<th>{_e(h)}</th>" for h in LINES["bottleneck_headers"])
    body = "".join(
        "<tr>"
        f'<td class="wrap">{_e(r.get("name") or r["item"])}</td>'
        f"<td>{_e(names.get(r.get('department', ''), r.get('department', '')))}</td>"
        f'<td class="num">{pct(r.get("criticality"))}</td>'
        f'<td class="num">{days((r.get("mean_wait_days") or 0) + (r.get("mean_handling_days") or 0))}</td>'
        f'<td class="num"><b>{days(r.get("gain_if_instant_days"))}</b></td>'
        "</tr>"
        for r in rows
    )
    intro = TEXT["bottleneck_intro"].format(framing=framing_name(framing_of(run)))
    waiting = [
        d for d in payload(run).get("department_bottlenecks") or [] if (d.get("mean_wait_days") or 0) >= 0.05
    ][:3]
    extra = ""
    if waiting:
        parts = "、".join(
            f"{names.get(d['department'], d['department'])}（平均等待 {d['mean_wait_days']:.1f} 工作日）"
            for d in waiting
        )
        extra = f"<p>{_e(TEXT['department_line'].format(parts=parts))}</p>"
    return section(
        "bottlenecks",
        f'<p>{_e(intro)}</p><table class="brief-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        + extra,
    )


def _range(value: Any) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{value[0]} – {value[1]}"
    return str(value)


def method_section(run: dict[str, Any]) -> str:
    data = payload(run)
    basis = basis_of(run)
    framings = "；".join(
        f"{framing_name(f['name'])}（{FRAMING_MEANINGS.get(f['name'], f.get('meaning', ''))}）"
        for f in data.get("framings", [])
    ) or framing_name(framing_of(run))
    handling, own_handling = handling_basis(run, basis, "情景自身的时限口径")  # own_handling: "" = none
    method_lines = [  # the line on default handling, unless items take their own distributions
        TEXT["method_handling_own"] if own_handling and line.startswith("办理时间按{basis}") else line
        for line in LINES["method_lines"]
    ]
    lines = [
        line.format(
            projects=f"{run.get('projects') or 0:,}",
            replications=run.get("replications") or "?",
            seed=run.get("seed") if run.get("seed") is not None else "—",
            engine=run.get("engine") or "auto",
            basis=handling,
            framings=framings,
        )  # fmt: skip
        for line in method_lines
    ]
    body = '<ul class="lines">' + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"
    assumptions = (data.get("robustness") or {}).get("assumptions") or []
    if assumptions:
        head = "".join(f"<th>{_e(h)}</th>" for h in LINES["assumption_headers"])
        rows = "".join(
            "<tr>"
            f'<td>{_e(a.get("label") or a["assumption"])}</td><td class="num">{_e(a.get("nominal"))}</td>'
            f'<td class="num">{_e(_range(a.get("range")))}</td>'
            f"<td>{_e(TEXT['status_documented'] if a.get('status') == 'documented' else TEXT['status_assumed'])}</td>"
            f'<td class="wrap small">{_e(a.get("source") or "")}</td>'
            "</tr>"
            for a in assumptions
        )
        body += f'<table class="brief-table assumptions"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    body += f'<p class="small">{_e(TEXT["sources_line"])}</p>'
    return section("method", body)


def caveats_section() -> str:
    return section(
        "caveats",
        '<ul class="lines">' + "".join(f"<li>{_e(c)}</li>" for c in LINES["caveats_lines"]) + "</ul>",
    )


def briefing_header(run: dict[str, Any]) -> str:
    facts = TEXT["facts"].format(
        id=run["id"], kind=KIND_NAMES.get(run.get("kind", ""), run.get("kind", "")),
        projects=f"{run.get('projects') or 0:,}", replications=run.get("replications") or "?",
        seed=run.get("seed") if run.get("seed") is not None else "—", generated=now_in_shanghai(),
        profile=profile_name(run),
    )  # fmt: skip
    return (
        f'<header class="brief-header"><h1>{_e(TEXT["title"])}</h1>'
        f'<p class="scenario">{_e(scenario_title(run))}</p>'
        f'<p class="muted">{_e(TEXT["title_en"])} · {_e(facts)}</p></header>'
    )


def briefing_html(run: dict[str, Any], *, header: bool = True) -> str:
    """The briefing sections of one run, as an HTML fragment (the report adds styles, figures and tables)."""
    return "\n".join(
        part
        for part in (
            briefing_header(run) if header else "",
            conclusion(run),
            profile_lines(run),
            target_lines(run) if run.get("kind") == "compare" or payload(run).get("catalog_metrics") else "",
            robustness_lines(run),
            clock_lines(run),
            bottleneck_table(run),
            method_section(run),
            caveats_section(),
        )
        if part
    )


def footer(run: dict[str, Any]) -> str:
    return TEXT["footer"].format(
        version=run.get("engine_version") or "", generated=now_in_shanghai(), id=run["id"]
    )
