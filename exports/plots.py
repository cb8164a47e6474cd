"""The export figures (matplotlib, Agg; PNG and SVG), with Chinese labels in Noto Sans CJK SC.

- ``distribution``: end-to-end working days of every simulated project, baseline vs reform (from the stored
  histograms), with both means and the target line: baseline mean × (1 − target);
- ``kinds``: where the elapsed time goes: calendar days by kind of work (approval, intermediary, utility, notice,
  applicant), one stacked bar per side;
- ``gantt``: a typical project (items at their mean simulated times) on each side, critical items highlighted;
- ``departments``: mean waiting vs handling per department, each side;
- ``tornado``: the sensitivity ranking (effect on mean days with its 95 % CI).

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no global backend or rcParams change) inside
a private ``rc_context``. Every figure is 1200 px wide; heights grow with the number of rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from exports.clocks_and_targets import clock_sides
from exports.fonts import plot_style
from exports.vocabulary import (
    PARAMETER_NAMES,
    ROLE_ORDER,
    WORK_KIND_NAMES,
    WORK_KIND_ORDER,
    side_label,
    subject_name,
)

WIDTH_INCHES = 10.0
DPI = 120  # PNG: 1200 px wide
TORNADO_ROWS = 15
SIDE_COLOURS = {"baseline": "#7f8fa6", "reform": "#2f6fb0", "single": "#2f6fb0"}
WAIT_COLOUR, HANDLING_COLOUR = "#e69138", "#3d78b5"
CRITICAL_COLOUR, OTHER_COLOUR = "#c0392b", "#a9bcd6"
TARGET_COLOUR = "#b03a2e"


@dataclass(frozen=True)
class Plot:
    """One rendered figure: ``key`` names its files; PNG and (optionally) SVG bytes."""

    key: str
    title: str
    english: str
    png: bytes
    svg: bytes | None
    width_px: int
    height_px: int


def _figure(height: float) -> Figure:
    figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sides(run: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(run.get("summaries", []), key=lambda s: ROLE_ORDER.get(s["role"], 9))


def distribution_figure(run: dict[str, Any]) -> Figure | None:
    sides = [s for s in _sides(run) if s.get("histogram") and s["histogram"].get("counts")]
    if not sides:
        return None
    figure = _figure(5.5)
    ax = figure.add_subplot()
    for side in sides:
        edges, counts = side["histogram"]["edges"], side["histogram"]["counts"]
        total = sum(counts) or 1.0
        shares = [c / total for c in counts]
        colour = SIDE_COLOURS.get(side["role"], "#2f6fb0")
        ax.stairs(shares, edges, fill=True, alpha=0.30, color=colour)
        ax.stairs(
            shares,
            edges,
            color=colour,
            linewidth=1.4,
            label=f"{side_label(run, side['role'])}，{side['projects']} 个项目",
        )
        ax.axvline(
            side["mean_days"],
            color=colour,
            linestyle="--",
            linewidth=1.2,
            label=f"平均 {side['mean_days']:.1f} 工作日",
        )
    baseline = next((s for s in sides if s["role"] == "baseline"), None)
    target = run.get("target")
    if baseline is not None and target is not None:
        line = baseline["mean_days"] * (1 - target)
        ax.axvline(
            line,
            color=TARGET_COLOUR,
            linewidth=2.2,
            label=f"目标 target：平均 ≤ {line:.1f} 工作日（基准平均 × (1 − {target:.0%})）",
        )
    ax.set_title("端到端办理时间分布 End-to-end time distribution")
    ax.set_xlabel("工作日 working days")
    ax.set_ylabel("项目占比 share of projects")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # room for the legend above the bars
    ax.legend(loc="upper right", frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return figure


def gantt_figure(run: dict[str, Any]) -> Figure | None:
    schedules = (run.get("payload") or {}).get("typical_schedule") or {}
    sides = [(role, schedules[role]) for role in ("baseline", "reform") if schedules.get(role)]
    if not sides:
        return None
    rows = [len(schedule) for _, schedule in sides]
    figure = _figure(max(4.0, 0.24 * sum(rows) + 1.2 * len(sides) + 0.8))
    axes = figure.subplots(len(sides), 1, sharex=True, squeeze=False, height_ratios=rows)[:, 0]
    for ax, (role, schedule) in zip(axes, sides, strict=True):
        ordered = sorted(schedule, key=lambda s: (s["start"], s["finish"], s["item"]))
        for y, step in enumerate(ordered):
            colour = CRITICAL_COLOUR if step["critical"] else OTHER_COLOUR
            ax.barh(y, step["finish"] - step["start"], left=step["start"], height=0.7, color=colour)
        ax.set_yticks(range(len(ordered)))
        ax.set_yticklabels([f"{s['item']} {_short(s['name'])}" for s in ordered], fontsize=8)
        ax.invert_yaxis()
        length = max((s["finish"] for s in ordered), default=0.0)
        ax.set_title(f"{side_label(run, role)}：典型项目 {length:.1f} 工作日", loc="left", fontsize=11)
        ax.grid(axis="x", alpha=0.3)
    axes[-1].set_xlabel("工作日（自项目开始）working days from the start")
    figure.suptitle("典型项目甘特图 Gantt chart of a typical project（各事项取平均模拟时间）", fontsize=13)
    figure.legend(
        handles=[
            Patch(color=CRITICAL_COLOUR, label="关键路径 critical path"),
            Patch(color=OTHER_COLOUR, label="其他事项 other items"),
        ],
        loc="outside lower center",
        ncols=2,
        frameon=False,
    )
    return figure


def departments_figure(run: dict[str, Any]) -> Figure | None:
    rows = run.get("departments", [])
    if not rows:
        return None
    roles = sorted({d["role"] for d in rows}, key=lambda r: ROLE_ORDER.get(r, 9))
    by_role = {role: {d["department"]: d for d in rows if d["role"] == role} for role in roles}
    names = {d["department"]: d["department_name"] for d in rows}
    last = by_role[roles[-1]]

    def total(department: str) -> float:
        d = last.get(department) or next(by_role[r][department] for r in roles if department in by_role[r])
        return d["mean_wait_days"] + d["mean_handling_days"]

    order = sorted(names, key=lambda k: (-total(k), k))
    figure = _figure(max(4.0, 0.38 * len(order) + 1.8))
    axes = figure.subplots(1, len(roles), sharex=True, sharey=True, squeeze=False)[0]
    for ax, role in zip(axes, roles, strict=True):
        stats = by_role[role]
        waits = [stats[k]["mean_wait_days"] if k in stats else 0.0 for k in order]
        handling = [stats[k]["mean_handling_days"] if k in stats else 0.0 for k in order]
        ax.barh(range(len(order)), waits, color=WAIT_COLOUR, label="等待 waiting")
        ax.barh(range(len(order)), handling, left=waits, color=HANDLING_COLOUR, label="办理 handling")
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([names[k] for k in order])
        ax.set_title(side_label(run, role), fontsize=11)
        ax.set_xlabel("平均工作日（每件）mean working days per file")
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()
    figure.suptitle("各部门等待与办理时间 Waiting vs handling per department", fontsize=13)
    axes[0].legend(loc="lower right", frameon=False)
    return figure


def variation_label(run: dict[str, Any], row: dict[str, Any]) -> str:
    """The stored variation label (the sweep names it, e.g. "huanbao 市环保局: 受理能力 3→2 (capacity)"),
    else one built from parameter, subject and factor."""
    if row.get("variation"):
        return _short(row["variation"], 34)
    parameter = PARAMETER_NAMES.get(row["parameter"], row["parameter"])
    factor = row.get("factor")
    change = f" ×{factor:g}" if factor is not None and row["parameter"] not in ("instant", "parallel") else ""
    return f"{_short(subject_name(run, row['subject']), 14)}：{parameter}{change}"


def tornado_figure(run: dict[str, Any]) -> Figure | None:
    rows = sorted(run.get("sensitivity", []), key=lambda v: v["rank"])[:TORNADO_ROWS]
    if not rows:
        return None
    figure = _figure(max(4.0, 0.42 * len(rows) + 1.8))
    ax = figure.add_subplot()
    effects = [r["effect_mean_days"] for r in rows]
    errors = [
        [max(r["effect_mean_days"] - r["effect_ci_low"], 0.0) for r in rows],
        [max(r["effect_ci_high"] - r["effect_mean_days"], 0.0) for r in rows],
    ]
    colours = ["#2e8b57" if e < 0 else "#c0392b" for e in effects]
    ax.barh(
        range(len(rows)),
        effects,
        color=colours,
        xerr=errors,
        error_kw={"ecolor": "#333333", "capsize": 3, "linewidth": 1},
    )
    ax.axvline(0, color="#333333", linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([variation_label(run, r) for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("对平均办理时间的影响（工作日，95% 置信区间）effect on mean days")
    ax.set_title("敏感性排名（龙卷风图）Sensitivity ranking (tornado chart)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(
        handles=[Patch(color="#2e8b57", label="更快 faster"), Patch(color="#c0392b", label="更慢 slower")],
        loc="lower right",
        frameon=False,
    )
    return figure


KIND_COLOURS = {
    "approval": "#2f6fb0",
    "intermediary": "#e69138",
    "utility": "#6aa84f",
    "notice": "#8e7cc3",
    "applicant": "#999999",
    "coordination": "#d9d2b5",
}


def kinds_figure(run: dict[str, Any]) -> Figure | None:
    """Where the elapsed time goes: one stacked bar per side, calendar days by kind of work."""
    sides = clock_sides(run)
    if not sides:
        return None
    figure = _figure(1.6 + 0.9 * len(sides))
    ax = figure.add_subplot()
    labels = []
    for row, (role, side) in enumerate(sides):
        left = 0.0
        for kind in WORK_KIND_ORDER:
            days = side["elapsed_by_kind"].get(kind, {}).get("days") or 0.0
            if days <= 0:
                continue
            ax.barh(row, days, left=left, color=KIND_COLOURS[kind], edgecolor="white", height=0.6)
            if days >= 12:
                ax.text(
                    left + days / 2, row, f"{days:.0f}", ha="center", va="center", color="white", fontsize=9
                )
            left += days
        approval = (side.get("approval_days") or {}).get("mean")
        labels.append(
            f"{side_label(run, role)}\n审批时间 {approval:.0f} 工作日"
            if approval is not None
            else side_label(run, role)
        )
    ax.set_yticks(range(len(sides)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("日历日 calendar days (立项 → 竣工验收备案)")
    ax.set_title("全流程用时构成 Where the elapsed time goes, by kind of work")
    ax.legend(
        handles=[Patch(color=KIND_COLOURS[k], label=f"{WORK_KIND_NAMES[k]} {k}") for k in WORK_KIND_ORDER],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.08),
        ncols=3,
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    return figure


FIGURES = (
    ("distribution", "端到端办理时间分布", "End-to-end time distribution", distribution_figure),
    ("kinds", "全流程用时构成", "Where the elapsed time goes, by kind", kinds_figure),
    ("gantt", "典型项目甘特图", "Gantt chart of a typical project", gantt_figure),
    ("departments", "各部门等待与办理时间", "Waiting vs handling per department", departments_figure),
    ("tornado", "敏感性排名", "Sensitivity ranking", tornado_figure),
)


def render(run: dict[str, Any], svg: bool = True) -> list[Plot]:
    """Every figure the run has data for, as PNG (and SVG) bytes."""
    plots = []
    with matplotlib.rc_context(plot_style()):
        for key, title, english, build in FIGURES:
            figure = build(run)
            if figure is None:
                continue
            png = io.BytesIO()
            figure.savefig(png, format="png", dpi=DPI, metadata={"Software": "approval-sim"})
            svg_bytes = None
            if svg:
                buffer = io.BytesIO()
                figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "approval-sim"})
                svg_bytes = buffer.getvalue()
            width, height = figure.get_size_inches()
            plots.append(
                Plot(key, title, english, png.getvalue(), svg_bytes, round(width * DPI), round(height * DPI))
            )
    return plots
