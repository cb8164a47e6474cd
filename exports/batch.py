"""What a nightly batch found, for the planner: per scenario the verdict, the headline reduction with what produced
it (framing, limit basis, profile) and the robustness; the batch summary (CSV and Excel, rounded, with units);
and one briefing for the date (HTML, printed to PDF by :mod:`exports.pdf`).

Pure functions of stored runs (``flows.store.repository.get_run`` dicts of the batch's child runs), apart from
the writers. Labels in ``TEXT``/``COLUMNS`` (Chinese first, English beside), in one place for the i18n pass.
"""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exports.briefing import bottleneck_rows, caveats_section, conclusion_paragraph
from exports.briefing_facts import department_names, framing_name, now_in_shanghai, pct
from exports.csv_files import csv_cell
from exports.tables import Column, Kind, Table
from exports.vocabulary import BASIS_NAMES, PROFILE_NAMES, ROBUSTNESS_NAMES, VERDICT_NAMES, profile_text

TEXT = {
    "title": "夜间批次简报 {date}",
    "title_en": "Nightly batch briefing, {date}",
    "facts": "批次运行 {batch} · {scenarios} 个情景 × {seeds} 个随机种子 · 每次 {projects} 个项目 × {replications} 次重复 · 生成于北京时间 {generated}",
    "summary": "结论一览",
    "summary_en": "Verdicts at a glance",
    "summary_line": "{count} 个情景：{parts}。",
    "per_scenario": "各情景结论",
    "per_scenario_en": "Each scenario",
    "mixed": "各种子不一",
    "seeds_line": "各随机种子：{parts}。",
    "bottlenecks_line": "主要瓶颈（若即办可缩短的工作日）：{parts}。",
    "problems": "未能比较的情景文件",
    "problems_en": "Scenario files not compared",
    "invalid": "无效，已跳过：{file}（用 approval-sim check {file} 查看原因）",
    "failed": "运行失败：{file}",
    "none": "没有完成的比较。",
    "footer": "由 approval-sim 生成 · 北京时间 {generated} · 批次运行 {batch} · 各情景各种子的完整报告见同一文件夹，或 approval-sim export <运行编号>",
    "robust_cell": "{word}（{share} 达标，{low}–{high}）",
    "reduction_cell": "{mean}（{low}–{high}）",
}

# (key, header, kind) of the batch summary, one row per run; headers carry the unit
COLUMNS: tuple[tuple[str, str, Kind], ...] = (
    ("run", "运行编号 run", "int"),
    ("scenario", "情景 scenario", "text"),
    ("seed", "随机种子 seed", "int"),
    ("framing", "比较口径 framing", "text"),
    ("limit_basis", "时限口径 limit basis", "text"),
    ("profile", "项目画像 profile", "text"),
    ("verdict", "结论 verdict", "text"),
    ("reduction", "平均压缩率 reduction（%）", "percent"),
    ("ci_low", "95% 置信区间下限 CI low（%）", "percent"),
    ("ci_high", "95% 置信区间上限 CI high（%）", "percent"),
    ("target", "目标 target（%）", "percent"),
    ("baseline_days", "改革前平均 before（工作日 wd）", "days"),
    ("reform_days", "改革后平均 after（工作日 wd）", "days"),
    ("robustness", "假设范围内结论 over the assumptions", "text"),
    ("holds_share", "假设范围内达标比例 holds share（%）", "percent"),
    ("band_low", "假设范围内压缩率 5% 分位 band p5（%）", "percent"),
    ("band_high", "假设范围内压缩率 95% 分位 band p95（%）", "percent"),
)
SCENARIO_COLUMNS: tuple[tuple[str, str, Kind], ...] = (
    ("scenario", "情景 scenario", "text"),
    ("seeds", "随机种子数 seeds", "int"),
    ("framing", "比较口径 framing", "text"),
    ("limit_basis", "时限口径 limit basis", "text"),
    ("profile", "项目画像 profile", "text"),
    ("verdict", "结论 verdict", "text"),
    ("reduction", "平均压缩率 reduction（%）", "percent"),
    ("reduction_low", "各种子最低 lowest（%）", "percent"),
    ("reduction_high", "各种子最高 highest（%）", "percent"),
    ("robustness", "假设范围内结论 over the assumptions", "text"),
    ("holds_share", "假设范围内达标比例 holds share（%）", "percent"),
)


@dataclass
class ScenarioResult:
    """One scenario of a batch over its seeds: the runs (seed order) and what they say together."""

    label: str
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first(self) -> dict[str, Any]:
        return self.runs[0]

    @property
    def verdicts(self) -> list[str]:
        return [r.get("verdict") or "inconclusive" for r in self.runs]

    @property
    def verdict(self) -> str:
        """The seeds' common verdict, or 'mixed' when they differ."""
        found = set(self.verdicts)
        return found.pop() if len(found) == 1 else "mixed"

    @property
    def reductions(self) -> list[float]:
        return [r["reduction_mean"] for r in self.runs if r.get("reduction_mean") is not None]

    @property
    def reduction(self) -> float | None:
        values = self.reductions
        return sum(values) / len(values) if values else None

    def robustness(self) -> list[dict[str, Any]]:
        found = [(r.get("payload") or {}).get("robustness") or {} for r in self.runs]
        return [x for x in found if x and not x.get("skipped")]

    @property
    def robustness_verdict(self) -> str | None:
        verdicts = {x["verdict"] for x in self.robustness()}
        if not verdicts:
            return None
        return verdicts.pop() if len(verdicts) == 1 else "depends"

    @property
    def holds_share(self) -> float | None:
        shares = [x["holds_share"] for x in self.robustness()]
        return sum(shares) / len(shares) if shares else None

    def as_json(self) -> dict[str, Any]:
        """What the nightly command prints and the batch run stores, per scenario."""
        first = self.first
        robust = self.robustness()
        return {
            "scenario": self.label,
            "runs": [
                {"run_id": r["id"], "seed": r.get("seed"), "verdict": r.get("verdict"),
                 "reduction": _rounded(r.get("reduction_mean")),
                 "ci95": [_rounded(r.get("reduction_ci_low")), _rounded(r.get("reduction_ci_high"))],
                 "robustness_verdict": r.get("robustness_verdict")}
                for r in self.runs
            ],  # fmt: skip
            "verdict": self.verdict,
            "reduction": _rounded(self.reduction),
            "reduction_range": [_rounded(min(self.reductions, default=None)), _rounded(max(self.reductions, default=None))],
            "target": first.get("target"),
            "framing": first.get("framing"),
            "limit_basis": first.get("limit_basis"),
            "profile": first.get("profile"),
            "robustness": None if not robust else {
                "verdict": self.robustness_verdict,
                "holds_share": _rounded(self.holds_share),
                "band": [_rounded(min(x["band"][0] for x in robust)), _rounded(max(x["band"][1] for x in robust))],
                "samples": robust[0].get("samples"),
            },
        }  # fmt: skip


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def group_by_scenario(runs: Sequence[dict[str, Any]]) -> list[ScenarioResult]:
    """Completed comparison runs of a batch, per scenario (in name order), each in seed order."""
    groups: dict[str, ScenarioResult] = {}
    for run in sorted(runs, key=lambda r: (r["scenario"], r.get("seed") or 0, r["id"])):
        groups.setdefault(run["scenario"], ScenarioResult(run["scenario"])).runs.append(run)
    return list(groups.values())


# --------------------------------------------------------------------------------------- summary tables


def _names(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "verdict":
        return f"{VERDICT_NAMES.get(value, '各种子不一' if value == 'mixed' else value)} {value}"
    if key == "robustness":
        return f"{ROBUSTNESS_NAMES.get(value, value)} {value}"
    if key == "limit_basis":
        return f"{BASIS_NAMES.get(value, value)} {value}"
    if key == "framing":
        return f"{framing_name(value)} {value}"
    if key == "profile":
        return f"{PROFILE_NAMES.get(value, value)} {value}" if value in PROFILE_NAMES else value
    return value


def run_row(run: dict[str, Any]) -> dict[str, Any]:
    robust = (run.get("payload") or {}).get("robustness") or {}
    band = robust.get("band") if not robust.get("skipped") else None
    sides = {s["role"]: s for s in run.get("summaries", [])}
    return {
        "run": run["id"], "scenario": run["scenario"], "seed": run.get("seed"), "framing": run.get("framing"),
        "limit_basis": run.get("limit_basis"), "profile": run.get("profile"), "verdict": run.get("verdict"),
        "reduction": run.get("reduction_mean"), "ci_low": run.get("reduction_ci_low"),
        "ci_high": run.get("reduction_ci_high"), "target": run.get("target"),
        "baseline_days": sides.get("baseline", {}).get("mean_days"), "reform_days": sides.get("reform", {}).get("mean_days"),
        "robustness": robust.get("verdict") if band else None, "holds_share": robust.get("holds_share") if band else None,
        "band_low": band[0] if band else None, "band_high": band[1] if band else None,
    }  # fmt: skip


def scenario_row(result: ScenarioResult) -> dict[str, Any]:
    first = result.first
    return {
        "scenario": result.label, "seeds": len(result.runs), "framing": first.get("framing"),
        "limit_basis": first.get("limit_basis"), "profile": first.get("profile"), "verdict": result.verdict,
        "reduction": result.reduction, "reduction_low": min(result.reductions, default=None),
        "reduction_high": max(result.reductions, default=None), "robustness": result.robustness_verdict,
        "holds_share": result.holds_share,
    }  # fmt: skip


def _table(
    key: str, name: str, english: str, spec: tuple[tuple[str, str, Kind], ...], rows: list[dict]
) -> Table:
    def cell(k: str, kind: Kind, value: Any) -> Any:
        if value is None or kind == "text":
            return _names(k, value)
        if kind == "percent":
            return round(float(value), 4)  # shown as 0.0 %: a rounded fraction
        if kind == "days":
            return round(float(value), 1)
        return value

    return Table(
        key, name, english, tuple(Column(header, kind) for _, header, kind in spec),
        tuple(tuple(cell(k, kind, row.get(k)) for k, _, kind in spec) for row in rows), sheet=name,
    )  # fmt: skip


def summary_tables(results: Sequence[ScenarioResult]) -> list[Table]:
    """情景汇总 (one row per scenario) and 运行明细 (one row per run), rounded, units in the headers."""
    return [
        _table("scenarios", "情景汇总", "Scenarios", SCENARIO_COLUMNS, [scenario_row(r) for r in results]),
        _table("runs", "运行明细", "Runs", COLUMNS, [run_row(run) for r in results for run in r.runs]),
    ]


def _csv_value(value: Any, kind: Kind) -> Any:
    """Rounded for the CSV: percentages in points with one decimal (the header says %), days one decimal."""
    if value is None:
        return ""
    if kind == "percent":
        return round(value * 100, 1)
    if kind == "days":
        return round(value, 1)
    return csv_cell(value if isinstance(value, int | float) else str(value))  # never a formula in Excel


def write_summary(results: Sequence[ScenarioResult], folder: Path, name: str = "batch-summary") -> list[Path]:
    """``<name>.csv`` (one row per run, UTF-8 with BOM for Excel) and ``<name>.xlsx`` (情景汇总, 运行明细)."""
    from exports.excel import write_workbook

    folder.mkdir(parents=True, exist_ok=True)
    tables = summary_tables(results)
    runs = tables[1]
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(runs.headers)
        for row in runs.cells():
            writer.writerow([_csv_value(value, kind) for value, kind in row])
    workbook = write_workbook(tables, folder / f"{name}.xlsx", title="approval-sim nightly batch")
    return [path, workbook]


# ------------------------------------------------------------------------------------------- briefing


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _scenario_section(result: ScenarioResult) -> str:
    first = result.first
    seeds = "；".join(
        f"种子 {r.get('seed')}：{VERDICT_NAMES.get(r.get('verdict') or '', r.get('verdict') or '—')} {pct(r.get('reduction_mean'))}"
        for r in result.runs
    )
    names = department_names(first)
    bottlenecks = "；".join(
        f"{b.get('name') or b['item']}（{names.get(b.get('department', ''), b.get('department', ''))}）"
        f" {b['gain_if_instant_days']:.1f}"
        for b in bottleneck_rows(first, top=3)
    )
    parts = [
        f'<h3 id="scenario-{_e(re.sub(r"[^A-Za-z0-9_-]+", "-", result.label))}">{_e(result.label)}</h3>',
        conclusion_paragraph(first),
        f'<p class="small">{_e(TEXT["seeds_line"].format(parts=seeds))}</p>',
    ]
    if bottlenecks:
        parts.append(f'<p class="small">{_e(TEXT["bottlenecks_line"].format(parts=bottlenecks))}</p>')
    return '<section class="brief scenario">' + "".join(parts) + "</section>"


def _overview(results: Sequence[ScenarioResult]) -> str:
    counts = Counter(r.verdict for r in results)
    parts = "，".join(
        f"{VERDICT_NAMES.get(v, TEXT['mixed'] if v == 'mixed' else v)} {n} 个"
        for v, n in counts.most_common()
    )
    head = "".join(
        f"<th>{_e(h)}</th>"
        for h in (
            "情景",
            "比较口径",
            "时限口径",
            "项目画像",
            "结论",
            "平均压缩率（各种子范围）",
            "假设范围内",
        )
    )
    rows = []
    for r in results:
        first = r.first
        robust = r.robustness()
        robust_cell = (
            TEXT["robust_cell"].format(
                word=ROBUSTNESS_NAMES.get(r.robustness_verdict or "", r.robustness_verdict or ""),
                share=pct(r.holds_share),
                low=pct(min(x["band"][0] for x in robust)),
                high=pct(max(x["band"][1] for x in robust)),
            )  # fmt: skip
            if robust
            else "—"
        )
        verdict = VERDICT_NAMES.get(r.verdict, TEXT["mixed"] if r.verdict == "mixed" else r.verdict)
        rows.append(
            "<tr>"
            f'<td class="wrap">{_e(r.label)}</td><td>{_e(framing_name(first.get("framing")))}</td>'
            f"<td>{_e(BASIS_NAMES.get(first.get('limit_basis') or '', first.get('limit_basis') or '—'))}</td>"
            f"<td>{_e(profile_text(first, missing='—'))}</td>"
            f"<td><b>{_e(verdict)}</b></td>"
            f'<td class="num">{_e(TEXT["reduction_cell"].format(mean=pct(r.reduction), low=pct(min(r.reductions, default=None)), high=pct(max(r.reductions, default=None))))}</td>'
            f"<td>{_e(robust_cell)}</td></tr>"
        )
    return (
        f'<section class="brief" id="brief-summary"><h2>{_e(TEXT["summary"])}<span class="en">{_e(TEXT["summary_en"])}</span></h2>'
        f"<p>{_e(TEXT['summary_line'].format(count=len(results), parts=parts))}</p>"
        f'<table class="brief-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def batch_briefing_html(
    as_of: str,
    batch_id: int,
    results: Sequence[ScenarioResult],
    *,
    invalid: Sequence[str] = (),
    failed: Sequence[str] = (),
) -> str:
    """One self-contained page for the date: verdicts at a glance, then each scenario, problems, caveats."""
    from exports.fonts import web_font_data_uri
    from exports.html import CSS

    first = results[0].first if results else {}
    facts = TEXT["facts"].format(
        batch=batch_id, scenarios=len(results), seeds=max((len(r.runs) for r in results), default=0),
        projects=f"{first.get('projects') or 0:,}", replications=first.get("replications") or "?",
        generated=now_in_shanghai(),
    )  # fmt: skip
    title = TEXT["title"].format(date=as_of)
    body = [
        f'<header class="brief-header"><h1>{_e(title)}</h1>'
        f'<p class="muted">{_e(TEXT["title_en"].format(date=as_of))} · {_e(facts)}</p></header>',
        _overview(results) if results else f"<p>{_e(TEXT['none'])}</p>",
    ]
    if results:
        body.append(
            f'<h2 id="per-scenario">{_e(TEXT["per_scenario"])}<span class="en">{_e(TEXT["per_scenario_en"])}</span></h2>'
        )
        body += [_scenario_section(r) for r in results]
    if invalid or failed:
        items = [TEXT["invalid"].format(file=f) for f in invalid] + [
            TEXT["failed"].format(file=f) for f in failed
        ]
        body.append(
            f'<section class="brief" id="brief-problems"><h2>{_e(TEXT["problems"])}<span class="en">{_e(TEXT["problems_en"])}</span></h2>'
            '<ul class="lines">' + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul></section>"
        )
    body.append(caveats_section())
    body.append(f"<footer>{_e(TEXT['footer'].format(generated=now_in_shanghai(), batch=batch_id))}</footer>")
    content = "\n".join(body)
    font = web_font_data_uri(html.unescape(re.sub(r"<[^>]+>", " ", title + content)))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>\n"
        f'@font-face {{ font-family: "Report CJK"; src: url("{font}") format("woff"); }}\n{CSS}</style>\n'
        f"</head>\n<body>\n<main>\n{content}\n</main>\n</body>\n</html>\n"
    )


def write_briefing(
    as_of: str,
    batch_id: int,
    results: Sequence[ScenarioResult],
    folder: Path,
    *,
    invalid: Sequence[str] = (),
    failed: Sequence[str] = (),
) -> tuple[list[Path], str | None]:
    """``briefing-<date>.html`` and ``.pdf``; without a PDF renderer, the HTML and the reason (not an error: the
    batch's results are saved and the page prints from a browser)."""
    from exports.pdf import RendererMissing, RenderFailed, html_to_pdf

    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"briefing-{as_of}.html"
    page.write_text(
        batch_briefing_html(as_of, batch_id, results, invalid=invalid, failed=failed), encoding="utf-8"
    )
    try:
        return [page, html_to_pdf(page, folder / f"briefing-{as_of}.pdf")], None
    except (RendererMissing, RenderFailed) as error:
        return [page], str(error)
