"""The briefing report (汇报版) and its PDF (issue 14 point 2).

Runs are real (simulated and stored without Prefect). Expected values come from the catalogs themselves (item
counts, department names), from the stored per-replication figures, and from a clock conversion done by hand.
The PDF is printed by headless Chromium and read back with pdfplumber: its text (CJK present, no replacement
characters, the headline figure), the font of every CJK character (an embedded CJK font, so no tofu) and the
first page rendered to PNG. Set ``APPROVAL_SIM_SCREENSHOT_DIR`` to keep that PNG.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from exports import RendererMissing, export_run
from exports.briefing import bottleneck_rows, briefing_html
from exports.overview import overview_table
from flows import work
from flows.store import repository
from flows.store.database import get_engine
from flows.store.records import RunStart
from rules.loading import load

HAS_CHROMIUM = shutil.which("chromium") is not None or Path("/usr/bin/chromium").exists()
needs_chromium = pytest.mark.skipif(
    not HAS_CHROMIUM, reason="headless Chromium not installed (apt-get install chromium; .ci/run does this)"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _store(engine, spec: work.PairSpec, robustness: bool) -> int:  # noqa: ANN001
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, range(spec.replications))])
    outcome = work.comparison_outcome(
        comparison, *spec.processes(), spec.catalogs(), robustness=spec.robustness() if robustness else None
    )
    start = RunStart(kind="compare", scenario=spec.label, mode="parallel", projects=spec.projects,
                     seed=spec.seed, replications=spec.replications, target=spec.target)  # fmt: skip
    run_id = repository.start_run(engine, start)
    assert run_id is not None
    repository.complete_run(engine, run_id, outcome)
    return run_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('briefing') / 'runs.db'}"
    engine = get_engine(url)
    luoyang = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", projects=300, replications=3, seed=2,
                            robustness_samples=64)  # fmt: skip
    national = work.PairSpec(
        "national-2019-before", "national-2019-after", projects=300, replications=3, seed=2
    )
    ids = {"luoyang": _store(engine, luoyang, True), "national": _store(engine, national, False)}
    return url, {name: repository.get_run(engine, run_id) for name, run_id in ids.items()}


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def section_text(fragment: str, key: str) -> str:
    match = re.search(rf'<section class="brief" id="brief-{key}">(.*?)</section>', fragment, re.S)
    assert match, key
    return text_of(match.group(1))


def test_conclusion_quotes_the_headline_and_what_produced_it(runs):
    _, stored = runs
    run = stored["luoyang"]
    brief = briefing_html(run)
    conclusion = section_text(brief, "conclusion")
    # the headline figure: the mean of the stored per-replication reductions
    per_replication = [r["reduction"] for r in run["replications_detail"]]
    assert f"压缩 {np.mean(per_replication):.1%}" in conclusion
    # which framing, which limit basis, which profile, and the target
    assert "串联改并联" in conclusion and "法定时限" in conclusion and "情景自身的项目画像" in conclusion
    assert "压缩 20%" in conclusion and "达到方案" in conclusion
    # the other framing is named too, and the English line says the same
    assert "并联对并联" in conclusion
    assert "Headline (serial-to-parallel, handling on statutory limits" in conclusion


def test_four_plan_targets_one_line_each(runs):
    _, stored = runs
    targets = section_text(briefing_html(stored["luoyang"]), "targets")
    before, after = load("luoyang-2017-before"), load("luoyang-2017-after")
    assert f"审批事项数：{len(before.items)} → {len(after.items)} 项" in targets
    for label in ("审批事项数", "事项平均办理时限", "事项平均申报材料数", "网上在线办理率"):
        assert targets.count(label + "：") == 1, label
    # the time target is met only through assumed promised limits: the line says so, with the cut without them
    assert "仅当假设的承诺时限兑现时达到" in targets
    # each line carries what it measures (the catalog-metrics row's `measures`)
    assert "every item of the catalog" in targets


def test_robustness_and_bottlenecks_use_names(runs):
    _, stored = runs
    run = stored["luoyang"]
    brief = briefing_html(run)
    robust = run["payload"]["robustness"]
    robustness = section_text(brief, "robustness")
    assert f"{robust['holds_share']:.1%}" in robustness and f"{robust['samples']} 组假设" in robustness
    top = next(
        a["label"] for a in robust["assumptions"] if a["assumption"] == robust["drivers"][0]["assumption"]
    )
    assert top in robustness

    bottlenecks = section_text(brief, "bottlenecks")
    catalog = load("luoyang-2017-after")
    rows = bottleneck_rows(run)
    assert rows and all(
        rows[i]["gain_if_instant_days"] >= rows[i + 1]["gain_if_instant_days"] for i in range(len(rows) - 1)
    )
    for row in rows:
        assert catalog.department(row["department"]).name in bottlenecks
        assert f"{row['gain_if_instant_days']:.1f}" in bottlenecks
    # department and item names, never codes, in the whole briefing body
    body = text_of(brief)
    for department in catalog.departments:
        assert not re.search(rf"(?<![A-Za-z_]){re.escape(department.id)}(?![A-Za-z_])", body), department.id
    assert not re.search(r"\bI\d\d\b", body)


def test_clocks_and_time_targets(runs):
    _, stored = runs
    run = stored["national"]
    clocks = section_text(briefing_html(run), "clocks")
    approval = run["payload"]["approval_days"]
    assert f"{approval['baseline']['mean']:.1f} → {approval['reform']['mean']:.1f} 个工作日" in clocks
    assert "个日历日" in clocks and "中介服务" in clocks
    check = next(c for c in run["payload"]["target_checks"] if c["scope"] == "whole process")
    assert f"全流程审批时间 ≤ {check['max_days']:g} 工作日" in clocks
    assert "工程建设许可阶段审批时间" in clocks  # a stage named, not 'stage S2'
    # robustness not analysed for this run: said plainly, no invented figures
    assert "没有稳健性分析" in section_text(briefing_html(run), "robustness")


def test_times_are_beijing_time(runs):
    _, stored = runs
    run = dict(stored["luoyang"], started_at=datetime(2026, 11, 30, 18, 30, tzinfo=UTC))
    with freeze_time("2026-11-30 17:05:00"):
        brief = briefing_html(run)
    assert "2026-12-01 01:05" in text_of(brief)  # 17:05 UTC is 01:05 the next day in Beijing
    started = next(r for r in overview_table(run).rows if r[0] == "开始时间")
    assert started[1] == "2026-12-01 02:30:00 北京时间"
    naive = dict(run, started_at=datetime(2026, 11, 30, 18, 30))  # SQLite gives naive UTC times back
    assert (
        next(r for r in overview_table(naive).rows if r[0] == "开始时间")[1] == "2026-12-01 02:30:00 北京时间"
    )


# ------------------------------------------------------------------------------------------------ PDF


def pdf_characters(path: Path) -> list[tuple[str, str]]:
    """(character, font name) of every character on every page, read with pdfplumber (pdfminer)."""
    import pdfplumber

    with pdfplumber.open(path) as document:
        return [(c["text"], c["fontname"]) for page in document.pages for c in page.chars]


@pytest.fixture(scope="module")
def pdf_export(runs, tmp_path_factory):
    if not HAS_CHROMIUM:
        pytest.skip("headless Chromium not installed (apt-get install chromium; .ci/run does this)")
    _, stored = runs
    out = tmp_path_factory.mktemp("pdf")
    earlier = out / f"run-{stored['luoyang']['id']}-report.html"
    earlier.write_text("an earlier report, edited by hand", encoding="utf-8")
    paths = export_run(stored["luoyang"], {"pdf"}, out)
    assert earlier.read_text(encoding="utf-8") == "an earlier report, edited by hand"  # never touched
    return stored["luoyang"], paths


@needs_chromium
def test_pdf_text_has_cjk_without_tofu_and_the_headline(pdf_export):
    run, paths = pdf_export
    assert [p.name for p in paths] == [f"run-{run['id']}-report.pdf"]  # the page printed is not left behind
    pdf = paths[0]
    assert pdf.read_bytes().startswith(b"%PDF-")
    characters = pdf_characters(pdf)
    text = "".join(c for c, _ in characters)  # characters in reading order, without line breaks
    assert "投资项目审批改革效果评估（汇报版）" in text
    assert f"{run['reduction_mean']:.1%}" in text
    assert "\ufffd" not in text
    # every CJK character is drawn with the embedded CJK font (a fallback font would draw tofu boxes)
    cjk_fonts = {font for character, font in characters if CJK.match(character)}
    assert cjk_fonts and all("NotoSansCJK" in font for font in cjk_fonts), cjk_fonts
    # printed without scroll boxes: the last row of the long items table is on paper, as are the figures' text
    last_item = sorted(
        run["items"], key=lambda i: (i["role"] != "baseline", -i["criticality"], i["item_id"])
    )[-1]
    assert last_item["item_name"][:8] in text
    assert "端到端办理时间分布" in text  # SVG text stays text in the PDF


@needs_chromium
def test_pdf_first_page_renders(pdf_export):
    import pdfplumber

    _, paths = pdf_export
    with pdfplumber.open(paths[0]) as document:
        assert len(document.pages) >= 3
        first = document.pages[0]
        assert (round(first.width), round(first.height)) == (595, 842)  # A4 in points
        image = first.to_image(resolution=150).original  # rendered by pdfium
        keep = os.environ.get("APPROVAL_SIM_SCREENSHOT_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            image.save(Path(keep) / "briefing-page1.png")
    pixels = np.asarray(image.convert("L"))
    assert pixels.shape == (round(842 * 150 / 72), round(595 * 150 / 72))
    ink = pixels < 128
    assert 0.02 < ink.mean() < 0.5  # text and the verdict box, not a blank page
    assert ink[: pixels.shape[0] // 4].mean() > 0.02  # the title and the verdict at the top


def test_missing_renderer_is_a_clear_error_and_keeps_other_files(runs, tmp_path, monkeypatch):
    import typer

    from approval_sim import export_cli

    url, stored = runs
    monkeypatch.setenv("APPROVAL_SIM_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(RendererMissing) as raised:
        export_run(stored["luoyang"], {"xlsx", "pdf"}, tmp_path / "api")
    assert [p.name for p in raised.value.written] == [f"run-{stored['luoyang']['id']}.xlsx"]

    app = typer.Typer()
    app.command("noop")(lambda: None)
    export_cli.register(app, typer.Typer())
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        app, ["export", str(stored["luoyang"]["id"]), "-f", "xlsx,pdf", "--out", str(out), "--database", url]
    )
    assert result.exit_code == 2, result.output
    assert "apt-get install chromium" in result.stderr and "APPROVAL_SIM_CHROMIUM" in result.stderr
    assert "Traceback" not in result.output
    assert (out / f"run-{stored['luoyang']['id']}.xlsx").exists()  # what was written stays
    assert str(out / f"run-{stored['luoyang']['id']}.xlsx") in result.stdout
    assert not list(out.glob("*.pdf*"))


def test_no_chromium_on_the_path(tmp_path, monkeypatch):
    from exports.pdf import find_chromium

    monkeypatch.delenv("APPROVAL_SIM_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RendererMissing, match="Chromium"):
        find_chromium()
