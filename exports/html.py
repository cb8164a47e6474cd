"""The HTML report: one self-contained file (inline SVG figures, inline CSS, an embedded font subset).

The briefing (汇报版, :mod:`exports.briefing`) first: title, the verdict (large, Chinese and English), key
figures, then the conclusion, targets, robustness, clocks, bottlenecks, method and caveats; then an appendix
with the figures and the data tables. No external URL is referenced, so the file can be mailed or archived
and opens the same anywhere. A print stylesheet (A4, no scroll boxes, table headers repeated on each page, the
appendix on a new page) makes the browser's print and the PDF (:mod:`exports.pdf`) the same pages.
"""

from __future__ import annotations

import html
import re
from typing import Any

from exports.briefing import TEXT as BRIEFING_TEXT
from exports.briefing import briefing_header, briefing_html, footer
from exports.briefing_facts import pct, target_pct
from exports.fonts import web_font_data_uri
from exports.overview import basis_rows
from exports.plots import Plot
from exports.tables import Table, format_value
from exports.vocabulary import (
    KIND_NAMES,
    ROBUSTNESS_NAMES,
    ROLE_NAMES,
    ROLE_ORDER,
    VERDICT_NAMES,
    basis_note,
    side_label,
)

VERDICT_COLOURS = {"holds": "#1e7b45", "fails": "#b03a2e", "inconclusive": "#b7791f"}
VERDICT_SENTENCES = {
    "holds": ("压缩目标达成", "the promised reduction holds"),
    "fails": ("压缩目标未达成", "the promised reduction fails"),
    "inconclusive": ("尚不能判断是否达成目标，需要更多重复", "inconclusive: more replications needed"),
}

WRAPPING = {"事项名称", "说明", "变动", "对象", "情景"}

CSS = """
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --band: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font-family: "Report CJK", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 15px; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 24px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
.verdict { margin: 20px 0; padding: 20px 26px; border-radius: 10px; color: #fff; }
.verdict .word { font-size: 44px; font-weight: 700; line-height: 1.2; }
.verdict .word small { font-size: 24px; font-weight: 400; opacity: .9; margin-left: 12px; }
.verdict .figures { font-size: 20px; margin-top: 6px; }
.verdict .english { font-size: 15px; opacity: .92; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 18px; }
.card { flex: 1 1 200px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--band); }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 22px; font-weight: 700; }
.notes { color: var(--muted); font-size: 13px; margin: 0 0 18px; padding-left: 18px; }
h2 { font-size: 20px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h2 .en, h3 .en { color: var(--muted); font-weight: 400; font-size: 15px; margin-left: 8px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
figure { margin: 0 0 24px; }
figure img { display: block; width: 100%; max-width: 1100px; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.table-wrap { overflow-x: auto; max-height: 640px; overflow-y: auto; border: 1px solid var(--line); margin-bottom: 6px; }
figure svg { display: block; width: 100%; max-width: 1100px; height: auto; border: 1px solid var(--line); }
figure svg text { font-family: "Report CJK", "Noto Sans CJK SC", sans-serif !important; }
.brief-header .scenario { font-size: 17px; color: var(--ink); margin: 2px 0; }
.muted, .brief .english { color: var(--muted); }
.brief .english { display: block; font-size: 12.5px; }
.brief p.lead { font-size: 16px; margin: 0 0 4px; }
ul.lines { margin: 0; padding-left: 20px; }
ul.lines li { margin: 3px 0; }
ul.lines li.met b { color: #1e7b45; }
ul.lines li.not-met b { color: #b03a2e; }
table.brief-table { margin: 6px 0 8px; }
table.brief-table td.wrap { white-space: normal; }
.small { font-size: 12.5px; }
td.small { font-size: 12px; }
#appendix-title { margin-top: 40px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 14em; }
th { background: #dde5f0; position: sticky; top: 0; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--band); }
.table-note { color: var(--muted); font-size: 12.5px; margin: 0 0 16px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12.5px; }
@page { size: A4; margin: 15mm 13mm 16mm; }
@media print {
  body { font-size: 10.5pt; line-height: 1.45; }
  main { max-width: none; padding: 0; }
  .verdict { padding: 10px 16px; margin: 10px 0; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .verdict .word { font-size: 28pt; }
  .verdict .figures { font-size: 13pt; }
  .card, th, tbody tr:nth-child(even) { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .table-wrap { overflow: visible; max-height: none; border: none; }
  table { font-size: 8pt; }
  th { position: static; white-space: normal; }
  th, td { white-space: normal; padding: 2px 5px; }
  td.wrap { min-width: 0; }
  thead { display: table-header-group; }
  tr, li, figure, .card, .verdict, .brief p.lead { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  #appendix-title { break-before: page; margin-top: 0; }
  figure svg { max-width: 100%; border: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def verdict_block(run: dict[str, Any]) -> str:
    verdict = run.get("verdict")
    if verdict is None or run.get("reduction_mean") is None:
        kind = KIND_NAMES.get(run.get("kind", ""), run.get("kind", ""))
        return (
            '<section class="verdict" id="verdict" style="background:#4a5568">'
            f'<div class="word">无结论<small>no verdict</small></div>'
            f'<div class="figures">{_e(kind)}运行没有改革前后的比较，因此没有是否达标的结论。</div>'
            f'<div class="english">A {_e(run.get("kind"))} run compares nothing, so there is no verdict.</div></section>'
        )
    chinese, english = VERDICT_SENTENCES.get(verdict, (verdict, verdict))
    target = run.get("target")
    ci = f"{pct(run['reduction_ci_low'])} – {pct(run['reduction_ci_high'])}"
    needed = run.get("replications_needed")
    extra_zh = f"；约需 {needed} 次重复才能下结论" if needed else ""
    extra_en = f"; about {needed} replications needed" if needed else ""
    return (
        f'<section class="verdict" id="verdict" style="background:{VERDICT_COLOURS.get(verdict, "#4a5568")}">'
        f'<div class="word">{_e(VERDICT_NAMES.get(verdict, verdict))}<small>{_e(verdict)}</small></div>'
        f'<div class="figures">平均办理时间压缩 <b>{pct(run["reduction_mean"])}</b>'
        f"（95% 置信区间 {ci}），目标 {target_pct(target)}：{_e(chinese)}{_e(extra_zh)}</div>"
        f'<div class="english">Mean end-to-end time reduced by {pct(run["reduction_mean"])} (95% CI {ci}) '
        f"against a target of {target_pct(target)}: {_e(english)}{_e(extra_en)}.</div>"
        f'<div class="english" id="basis">{_e(basis_sentence(run))}</div></section>'
    )


def _time_note(run: dict[str, Any]) -> str:
    """The footer's note on units: working days of the statutory calendar; which limits handling follows."""
    basis = run.get("limit_basis")
    handling = basis_note(run, basis)
    return (
        "时间单位为工作日（国家法定节假日与调休日历），标明日历日者除外；"
        + handling
        + " (times in working days of the official calendar unless marked calendar days)"
    )


def basis_sentence(run: dict[str, Any]) -> str:
    """口径: limit basis, framing, profile and (if analysed) the verdict over the modelling assumptions."""
    parts = [f"{label}：{value}" for label, value, _ in basis_rows(run)]
    robust = (run.get("payload") or {}).get("robustness") or {}
    if robust and not robust.get("skipped"):
        low, high = robust["band"]
        parts.append(
            f"假设范围内：{ROBUSTNESS_NAMES.get(robust['verdict'], robust['verdict'])}（{pct(low)} – {pct(high)}）"
        )
    return " · ".join(parts)


def cards(run: dict[str, Any]) -> str:
    parts = []
    for s in sorted(run.get("summaries", []), key=lambda s: ROLE_ORDER.get(s["role"], 9)):
        role = ROLE_NAMES.get(s["role"], s["role"])
        parts.append(
            f'<div class="card"><div class="label">{_e(side_label(run, s["role"]))}</div>'
            f'<div class="value">{s["mean_days"]:.1f} 工作日</div>'
            f'<div class="label">{_e(role)}平均 · 中位数 {s["p50_days"]:.1f} · 90 分位数 {s["p90_days"]:.1f} · '
            f"按时办结率 {pct(s['on_time_rate'])}</div></div>"
        )
    if run.get("target") is not None and any(s["role"] == "baseline" for s in run.get("summaries", [])):
        baseline = next(s for s in run["summaries"] if s["role"] == "baseline")
        line = baseline["mean_days"] * (1 - run["target"])
        parts.append(
            f'<div class="card"><div class="label">目标 target</div><div class="value">≤ {line:.1f} 工作日</div>'
            f'<div class="label">基准平均 × (1 − {target_pct(run["target"])})</div></div>'
        )
    return f'<div class="cards">{"".join(parts)}</div>' if parts else ""


def table_html(table: Table) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in table.headers)
    body = []
    key_value = table.key == "overview"  # values of mixed kinds: keep them in one left-aligned column
    for row in table.cells():
        cells = []
        for header, (value, kind) in zip(table.headers, row, strict=True):
            if header in WRAPPING:
                cls = ' class="wrap"'
            else:
                cls = ' class="num"' if kind != "text" and not key_value else ""
            cells.append(f"<td{cls}>{_e(format_value(value, kind))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = f'<p class="table-note">{_e(table.note)}</p>' if table.note else ""
    return (
        f'<h3 id="table-{table.key}">{_e(table.name)}<span class="en">{_e(table.english)}</span></h3>'
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>{note}'
    )


def inline_svg(svg: bytes, label: str) -> str:
    """A matplotlib SVG for inlining: no XML prologue, DOCTYPE or metadata; labelled for screen readers."""
    text = svg.decode("utf-8")
    text = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", "", text, flags=re.S).strip()
    return text.replace("<svg ", f'<svg role="img" aria-label="{_e(label)}" ', 1)


def figure_html(plot: Plot) -> str:
    """The figure as inline SVG: crisp when printed, its text selectable and searchable in the PDF."""
    if plot.svg is None:
        raise ValueError(f"figure {plot.key} was rendered without SVG")
    return (
        f'<figure id="figure-{plot.key}">{inline_svg(plot.svg, f"{plot.title} {plot.english}")}'
        f"<figcaption>{_e(plot.title)} · {_e(plot.english)}</figcaption></figure>"
    )


def report_html(
    run: dict[str, Any], tables: list[Table], plots: list[Plot], notes: list[str] | None = None
) -> str:  # noqa: ARG001
    """The report page. ``notes`` (what the run lacks) are not shown: they are the command's to say, not the
    briefing's (a superior reads no internal notes)."""
    title = f"{BRIEFING_TEXT['title']} · 运行 {run['id']}"
    body = [
        briefing_header(run),
        verdict_block(run),
        cards(run),
        briefing_html(run, header=False),
        '<h2 id="appendix-title">附录：图表与数据表<span class="en">Appendix: figures and tables</span></h2>',
    ]
    if plots:
        body.append('<h2 id="figures">图表<span class="en">Figures</span></h2>')
        body += [figure_html(p) for p in plots]
    if tables:
        body.append('<h2 id="tables">数据表<span class="en">Tables</span></h2>')
        body += [table_html(t) for t in tables]
    body.append(
        f"<footer>{_e(footer(run))} · 图中字体 Noto Sans CJK SC（SIL Open Font License）"
        f"· {_e(_time_note(run))}</footer>"
    )
    content = "\n".join(body)
    font = web_font_data_uri(html.unescape(re.sub(r"<[^>]+>", " ", title + content)))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n"
        f'@font-face {{ font-family: "Report CJK"; src: url("{font}") format("woff"); }}\n{CSS}</style>\n'
        f"</head>\n<body>\n<main>\n{content}\n</main>\n</body>\n</html>\n"
    )
