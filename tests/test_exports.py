"""Exports of stored runs (issue 7): every format is written, then opened back and checked.

Runs are real: simulated, stored and read back with ``repository.get_run`` (no Prefect). The HTML report
is opened in headless Chromium and photographed; set ``APPROVAL_SIM_SCREENSHOT_DIR`` to keep the screenshot
(the suite writes nothing into the repository).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import struct
import subprocess
import warnings
from pathlib import Path

import matplotlib
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from exports import expand_formats, export_run, missing
from exports.excel import display_width
from exports.tables import build_tables
from flows import work
from flows.store import repository
from flows.store.database import get_engine
from flows.store.records import RunOutcome, RunStart, SensitivityFigure

CHROMIUM = Path("/usr/bin/chromium")
BOM = b"\xef\xbb\xbf"


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A results database with a compare, a sensitivity, a simulate and a nightly run (ids in a dict)."""
    path = tmp_path_factory.mktemp("exports") / "runs.db"
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", projects=300, replications=3, seed=1)
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, (0, 1, 2))])
    outcome = work.comparison_outcome(comparison, *spec.processes(), spec.catalogs())
    ids = {}

    def stored(kind: str, result: RunOutcome, **start) -> int:
        settings = {
            "scenario": spec.label,
            "mode": "parallel",
            "projects": 300,
            "seed": 1,
            "replications": 3,
            "target": 0.2,
        }
        run_id = repository.start_run(engine, RunStart(kind=kind, **{**settings, **start}))
        repository.complete_run(engine, run_id, result)
        return run_id

    ids["compare"] = stored("compare", outcome)
    ids["sensitivity"] = stored("sensitivity", outcome.model_copy(update={"sensitivity": sensitivity_rows()}))

    from simulations.runner import simulate

    process = spec.processes()[0]
    single = simulate(process, mode="serial", projects=200, replications=2, seed=3)
    ids["simulate"] = stored(
        "simulate",
        work.simulation_outcome(single, process),
        scenario="luoyang-2017-before",
        mode="serial",
        target=None,
    )
    parent = repository.start_run(
        engine, RunStart(kind="nightly", scenario="scenarios/", projects=300, replications=3)
    )
    child = stored("compare", outcome, parent_run_id=parent)
    repository.complete_run(engine, parent, RunOutcome(summaries=()))
    ids["nightly"], ids["nightly_child"] = parent, child
    runs = {name: repository.get_run(engine, run_id) for name, run_id in ids.items()}
    return url, runs


def sensitivity_rows() -> tuple[SensitivityFigure, ...]:
    rows = [
        ("huanbao 市环保局: 受理能力 3→2 (capacity)", "capacity", "huanbao", 0.67, 4.1, 3.2, 5.0, -0.031),
        ("I02 即办", "instant", "I02", None, -3.6, -4.0, -3.2, 0.028),
        ("I12 办理时间 +20%", "handling", "I12", 1.2, 2.2, 1.9, 2.5, -0.017),
        ("补正概率 +20%", "supplement", "all", 1.2, 0.8, 0.2, 1.4, -0.006),
        ("I11 时限 −20%", "limit", "I11", 0.8, -0.4, -0.9, 0.1, 0.003),
    ]
    return tuple(
        SensitivityFigure(
            rank=rank,
            variation=variation,
            parameter=parameter,
            subject=subject,
            factor=factor,
            mean_days=110.4 + effect,
            effect_mean_days=effect,
            effect_ci_low=low,
            effect_ci_high=high,
            effect_on_reduction=on_reduction,
        )
        for rank, (variation, parameter, subject, factor, effect, low, high, on_reduction) in enumerate(
            rows, start=1
        )
    )


@pytest.fixture(scope="module")
def compare_export(store, tmp_path_factory):
    """Everything an export of the before vs after comparison writes (drawing with glyph warnings as errors)."""
    _, runs = store
    out = tmp_path_factory.mktemp("compare-export")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        paths = export_run(runs["compare"], {"xlsx", "csv", "png", "svg", "html"}, out)
    return runs["compare"], {p.name: p for p in paths}


@pytest.fixture(scope="module")
def sensitivity_export(store, tmp_path_factory):
    _, runs = store
    out = tmp_path_factory.mktemp("sensitivity-export")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        paths = export_run(runs["sensitivity"], expand_formats(["all"]) - {"pdf"}, out)
    return runs["sensitivity"], {p.name: p for p in paths}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def header_row(sheet) -> list[str]:  # noqa: ANN001
    return [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1)) if c.value is not None]


# ------------------------------------------------------------------------------------------------ files


def test_compare_export_writes_every_file(compare_export):
    run, files = compare_export
    prefix = f"run-{run['id']}"
    expected = {f"{prefix}.xlsx", f"{prefix}-report.html"}
    expected |= {
        f"{prefix}-{t}.csv" for t in ("overview", "end_to_end", "clocks", "targets", "items", "departments")
    }
    expected |= {
        f"{prefix}-{f}.{ext}"
        for f in ("distribution", "kinds", "gantt", "departments")
        for ext in ("png", "svg")
    }
    assert set(files) == expected
    assert all(p.stat().st_size > 0 for p in files.values())


def test_format_words():
    assert expand_formats(["png"]) == {"png", "svg"}
    assert expand_formats(["all"]) == {"xlsx", "csv", "png", "svg", "html", "pdf"}
    assert expand_formats(["xlsx,csv", "html"]) == {"xlsx", "csv", "html"}
    assert expand_formats(["PDF"]) == {"pdf"}
    with pytest.raises(ValueError, match="unknown export format 'docx'"):
        expand_formats(["docx"])
    with pytest.raises(ValueError, match="unknown export format"):
        export_run({"id": 1}, {"docx"}, Path("/nonexistent"))


# ------------------------------------------------------------------------------------------------ Excel


def test_workbook_reads_back(compare_export):
    run, files = compare_export
    workbook = load_workbook(files[f"run-{run['id']}.xlsx"])
    assert workbook.sheetnames == ["概览", "事项", "部门"]

    overview = workbook["概览"]
    assert header_row(overview) == ["指标", "数值", "说明"]
    assert overview.freeze_panes == "A2"
    values = {row[0].value: row[1] for row in overview.iter_rows(min_row=2) if row[0].value}
    reduction = values["平均办理时间压缩率"]
    assert reduction.value == pytest.approx(run["reduction_mean"])
    assert reduction.number_format == "0.0%" and reduction.data_type == "n"
    assert values["随机种子"].value == run["seed"] == 1
    assert values["95% 置信区间下限"].value == pytest.approx(run["reduction_ci_low"])
    # the headline framing (serial-to-parallel by default) holds for the built-in pair
    assert values["结论"].value == "达标（holds）" == "达标（" + run["verdict"] + "）"
    assert values["情景"].value == run["scenario"]
    # the four catalog targets are a block of the overview sheet
    labels = [row[0].value for row in overview.iter_rows(min_row=1)]
    assert "目录目标（Catalog targets）" in labels
    for name in (
        "报建审批事项数",
        "事项平均办理时限（工作日，承诺时限，无则法定）",
        "事项平均法定时限（工作日，仅供参考）",
        "事项平均申报材料数",
        "网上在线办理率",
        "单个项目申报材料数（同一材料只计一次） · 一般政府投资项目",
    ):
        assert name in values
    items_target = next(t for t in run["payload"]["catalog_metrics"]["targets"] if t["name"] == "items")
    assert values["报建审批事项数"].value == items_target["before"]
    # the two clocks: the plain catalog is all approval items, so the approval clock is the end-to-end time
    assert "审批时间与全流程用时（Approval and elapsed time）" in labels
    reform = next(s for s in run["summaries"] if s["role"] == "reform")
    clock_row = next(
        row
        for row in overview.iter_rows(min_row=1)
        if row[0].value and str(row[0].value).startswith("改革") and row[1].number_format == "0.0"
    )
    assert clock_row[1].value == pytest.approx(reform["mean_days"], abs=1e-3)
    assert clock_row[3].value == pytest.approx(run["payload"]["reform"]["elapsed_days"]["mean"])

    items = workbook["事项"]
    assert header_row(items) == [
        "方案", "事项编码", "事项名称", "部门", "阶段", "法定时限（工作日）", "关键程度",
        "平均等待（工作日）", "平均办理（工作日）", "超期率",
    ]  # fmt: skip
    assert items.freeze_panes == "A2"
    assert items.max_row == 1 + len(run["items"])
    first = [c for c in next(items.iter_rows(min_row=2, max_row=2))]
    stored = next(i for i in run["items"] if i["role"] == "baseline" and i["item_id"] == first[1].value)
    assert first[0].value == "基准"
    assert first[2].value == stored["item_name"]
    assert first[9].value == pytest.approx(stored["overdue_rate"]) and first[9].number_format == "0.0%"
    assert first[8].value == pytest.approx(stored["mean_handling_days"]) and first[8].number_format == "0.0"
    assert first[4].value in ("立项阶段", "报建阶段", "验收阶段")
    assert any(c.value == "市发展改革委" for c in items["D"])
    # widths fit the longest item name (CJK characters count double)
    longest = max(display_width(i["item_name"]) for i in run["items"])
    assert items.column_dimensions["C"].width >= min(longest, 60)

    departments = workbook["部门"]
    assert header_row(departments) == [
        "方案",
        "部门编码",
        "部门",
        "利用率",
        "平均等待（工作日）",
        "平均办理（工作日）",
        "超期率",
    ]
    assert departments.freeze_panes == "A2"
    row = next(departments.iter_rows(min_row=2, max_row=2))
    stored = next(
        d for d in run["departments"] if d["role"] == "baseline" and d["department"] == row[1].value
    )
    assert row[2].value == stored["department_name"]
    assert row[3].value is None  # no capacity: utilisation does not apply
    assert row[6].value == pytest.approx(stored["overdue_rate"]) and row[6].number_format == "0.0%"

    for sheet in workbook.worksheets:
        assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r), sheet.title


def test_sensitivity_sheet(sensitivity_export):
    run, files = sensitivity_export
    workbook = load_workbook(files[f"run-{run['id']}.xlsx"])
    assert workbook.sheetnames == ["概览", "事项", "部门", "敏感性"]
    sheet = workbook["敏感性"]
    assert header_row(sheet)[:5] == ["排名", "变动", "参数", "对象编码", "对象"]
    assert sheet.freeze_panes == "A2"
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert [first[0].value, first[1].value, first[2].value, first[4].value] == [
        1,
        "huanbao 市环保局: 受理能力 3→2 (capacity)",
        "部门受理能力",
        "市环保局",
    ]
    assert (
        first[7].value == pytest.approx(run["sensitivity"][0]["effect_mean_days"])
        and first[7].number_format == "0.0"
    )
    assert first[10].number_format == "0.0%"


# ------------------------------------------------------------------------------------------------ CSV


def test_csv_files_round_trip_with_bom(compare_export):
    run, files = compare_export
    prefix = f"run-{run['id']}"
    for name in ("overview", "end_to_end", "targets", "items", "departments"):
        assert files[f"{prefix}-{name}.csv"].read_bytes().startswith(BOM)
    with files[f"{prefix}-items.csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["方案", "事项编码", "事项名称"]
    assert len(rows) == 1 + len(run["items"])
    by_key = {(r[0], r[1]): r for r in rows[1:]}
    stored = next(i for i in run["items"] if i["role"] == "reform")
    row = by_key[("改革", stored["item_id"])]
    assert row[2] == stored["item_name"]
    assert float(row[9]) == pytest.approx(stored["overdue_rate"])
    assert float(row[7]) == pytest.approx(stored["mean_wait_days"])

    with files[f"{prefix}-departments.csv"].open(encoding="utf-8-sig", newline="") as handle:
        departments = list(csv.DictReader(handle))
    assert departments[0]["利用率"] == ""  # not applicable without capacity
    with files[f"{prefix}-end_to_end.csv"].open(encoding="utf-8-sig", newline="") as handle:
        sides = list(csv.DictReader(handle))
    assert [s["方案"] for s in sides] == ["基准", "改革"]
    assert float(sides[0]["平均（工作日）"]) == pytest.approx(run["summaries"][0]["mean_days"])


# ------------------------------------------------------------------------------------------------ plots


def test_plots_png_and_svg(compare_export):
    run, files = compare_export
    prefix = f"run-{run['id']}"
    assert png_size(files[f"{prefix}-distribution.png"]) == (1200, 660)
    width, height = png_size(files[f"{prefix}-gantt.png"])
    assert width == 1200 and height > 1200  # one row per item of both sides
    assert png_size(files[f"{prefix}-departments.png"])[0] == 1200
    svg = files[f"{prefix}-distribution.svg"].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    # text stays text (editable), in the CJK family, not glyph paths
    texts = svg_texts(svg)
    assert "端到端办理时间分布 End-to-end time distribution" in texts
    assert "font-family: 'Noto Sans CJK SC'" in svg and 'id="NotoSansCJKsc-Regular-' not in svg
    target = run["summaries"][0]["mean_days"] * (1 - run["target"])
    assert any(t.startswith(f"目标 target：平均 ≤ {target:.1f} 工作日") for t in texts)
    # the embedded font subset has a glyph for every character the text uses (no tofu without the font)
    covered = embedded_font_characters(svg)
    assert set("".join(texts)) - {" "} <= covered
    gantt = files[f"{prefix}-gantt.svg"].read_text(encoding="utf-8")
    assert "关键路径 critical path" in gantt and "典型项目" in gantt
    kinds = files[f"{prefix}-kinds.svg"].read_text(encoding="utf-8")
    assert (
        "全流程用时构成 Where the elapsed time goes, by kind of work" in kinds
        and "行政审批 approval" in kinds
    )
    departments = files[f"{prefix}-departments.svg"].read_text(encoding="utf-8")
    assert "市环保局" in departments and "等待 waiting" in departments


def svg_texts(svg: str) -> list[str]:
    import html

    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def embedded_font_characters(svg: str) -> set[str]:
    """The characters the SVG's embedded @font-face (a WOFF data URI) has glyphs for, read with fontTools."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    match = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", svg)
    assert match, "no embedded font"
    font = TTFont(io.BytesIO(base64.b64decode(match.group(1))))
    return {chr(code) for code in font.getBestCmap()}


def test_tornado_chart(sensitivity_export):
    run, files = sensitivity_export
    prefix = f"run-{run['id']}"
    assert png_size(files[f"{prefix}-tornado.png"])[0] == 1200
    texts = svg_texts(files[f"{prefix}-tornado.svg"].read_text(encoding="utf-8"))
    assert "敏感性排名（龙卷风图）Sensitivity ranking (tornado chart)" in texts
    assert "huanbao 市环保局: 受理能力 3→2 (capacity)" in texts


def test_missing_glyphs_would_fail(tmp_path):
    """The guard used above works: a glyph no font has raises under the same warning filter."""
    from matplotlib.figure import Figure

    from exports.fonts import plot_style

    with matplotlib.rc_context(plot_style()), warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        figure = Figure()
        figure.text(0.5, 0.5, "审批 \U00017000")  # a Tangut character: in neither Noto Sans CJK nor DejaVu
        with pytest.raises(UserWarning, match="missing from font"):
            figure.savefig(tmp_path / "x.png")


def test_user_matplotlib_settings_untouched(store, tmp_path):
    _, runs = store
    before = dict(matplotlib.rcParams)
    export_run(runs["compare"], {"png"}, tmp_path)
    assert dict(matplotlib.rcParams) == before


# ------------------------------------------------------------------------------------------------ HTML


def test_html_is_self_contained(compare_export):
    run, files = compare_export
    page = files[f"run-{run['id']}-report.html"].read_text(encoding="utf-8")
    assert (
        page.startswith("<!DOCTYPE html>")
        and '<html lang="zh-CN">' in page
        and '<meta charset="utf-8">' in page
    )
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page)
    assert page.count("<figure ") == page.count("<svg ") == 4  # figures inline as SVG, text kept as text
    assert "data:image/png" not in page and "<!DOCTYPE svg" not in page
    assert 'src: url("data:font/woff;base64,' in page
    # the briefing first (verdict, conclusion ... caveats), then the appendix: figures, then tables
    order = [
        'id="verdict"', 'id="brief-conclusion"', 'id="brief-targets"', 'id="brief-robustness"',
        'id="brief-clocks"', 'id="brief-bottlenecks"', 'id="brief-method"', 'id="brief-caveats"',
        'id="appendix-title"', 'id="figures"', 'id="tables"',
    ]  # fmt: skip
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "压缩目标达成" in page and "holds" in page and "目标 20%" in page
    # no internal notes about what the run lacks (those are the command's to say)
    assert "无敏感性结果" not in page and "note:" not in page
    # print stylesheet: A4 pages, no scroll boxes, repeated table headers, the appendix on a new page
    css = page[page.index("@media print") :]
    assert "overflow: visible; max-height: none" in css and "display: table-header-group" in css
    assert "#appendix-title { break-before: page" in css and "@page { size: A4" in page


def run_chromium(*arguments: str, user_data: Path) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={user_data}", *arguments,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


CHECK_SCRIPT = """
<script>
window.addEventListener("load", function () {
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure svg"));
  var result = {
    images: figures.length,
    loaded: figures.filter(function (f) { var b = f.getBoundingClientRect(); return b.width > 300 && b.height > 100; }).length,
    verdict: (document.getElementById("verdict") || {}).innerText || "",
    verdictHeight: (document.getElementById("verdict") || {offsetHeight: 0}).offsetHeight,
    font: document.fonts.check('16px "Report CJK"', "审批")
  };
  var out = document.createElement("pre");
  out.id = "export-check";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>
"""


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium not installed (apt-get install chromium; .ci/run does this)",
)
def test_html_in_headless_chromium(compare_export, tmp_path):
    run, files = compare_export
    report = files[f"run-{run['id']}-report.html"]
    probe = tmp_path / "probe.html"
    probe.write_text(
        report.read_text(encoding="utf-8").replace("</body>", CHECK_SCRIPT + "</body>"), encoding="utf-8"
    )
    dumped = run_chromium(
        "--virtual-time-budget=5000", "--dump-dom", probe.as_uri(), user_data=tmp_path / "profile-1"
    )
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    match = re.search(r'<pre id="export-check">(.*?)</pre>', dumped.stdout, re.S)
    assert match, "the check script did not run: " + dumped.stdout[-500:]
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert result["images"] == 4 and result["loaded"] == 4
    assert "达标" in result["verdict"] and "holds" in result["verdict"] and "%" in result["verdict"]
    assert result["verdictHeight"] > 80
    assert result["font"] is True

    screenshot = tmp_path / "report-screenshot.png"
    shot = run_chromium(
        f"--screenshot={screenshot}", "--window-size=1366,900", "--virtual-time-budget=5000", "--hide-scrollbars",
        report.as_uri(), user_data=tmp_path / "profile-2",
    )  # fmt: skip
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    assert png_size(screenshot) == (1366, 900)
    keep = os.environ.get("APPROVAL_SIM_SCREENSHOT_DIR")
    if keep:  # a reviewer's copy, outside the tree unless asked for
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, Path(keep) / "report-screenshot.png")


# ------------------------------------------------------------------------------------------------ other kinds


def test_simulate_run_exports_what_exists(store, tmp_path):
    _, runs = store
    run = runs["simulate"]
    paths = export_run(run, expand_formats(["all"]) - {"pdf"}, tmp_path)
    names = {p.name for p in paths}
    prefix = f"run-{run['id']}"
    assert f"{prefix}-gantt.png" not in names and f"{prefix}-targets.csv" not in names
    assert {
        f"{prefix}-distribution.png",
        f"{prefix}-departments.svg",
        f"{prefix}.xlsx",
        f"{prefix}-report.html",
    } <= names
    assert load_workbook(tmp_path / f"{prefix}.xlsx").sheetnames == ["概览", "事项", "部门"]
    page = (tmp_path / f"{prefix}-report.html").read_text(encoding="utf-8")
    assert "无结论" in page and "没有改革前后的比较" in page
    assert "仅比较运行有" not in page  # what the run lacks is said by the command, not in the briefing
    assert any("Gantt" in note for note in missing(run))


def test_nightly_run_lists_its_children(store, tmp_path):
    _, runs = store
    run = runs["nightly"]
    paths = export_run(run, expand_formats(["all"]) - {"pdf"}, tmp_path)
    assert sorted(p.name for p in paths) == sorted(
        [f"run-{run['id']}.xlsx", f"run-{run['id']}-overview.csv", f"run-{run['id']}-report.html"]
    )
    workbook = load_workbook(tmp_path / f"run-{run['id']}.xlsx")
    assert workbook.sheetnames == ["概览"]
    values = {r[0].value: r[1].value for r in workbook["概览"].iter_rows(min_row=2)}
    assert values["运行类型"] == "夜间批次"
    assert values["子运行"] == str(runs["nightly_child"]["id"])
    assert any("子运行" in note for note in missing(run))
    assert [t.key for t in build_tables(run)] == ["overview"]


# ------------------------------------------------------------------------------------------------ CLI


@pytest.fixture(scope="module")
def cli():
    import typer

    from approval_sim import export_cli

    app = typer.Typer()
    app.command("noop")(lambda: None)  # a second command keeps 'export' a subcommand
    export_cli.register(app, typer.Typer())
    return app


def test_cli_exports(store, cli, tmp_path):
    url, runs = store
    result = CliRunner().invoke(
        cli,
        [
            "export",
            str(runs["compare"]["id"]),
            "--format",
            "xlsx",
            "--format",
            "csv",
            "--out",
            str(tmp_path),
            "--database",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"run-{runs['compare']['id']}.xlsx").exists()
    assert (tmp_path / f"run-{runs['compare']['id']}-items.csv").exists()
    assert not list(tmp_path.glob("*.png"))
    assert str(tmp_path / f"run-{runs['compare']['id']}.xlsx") in result.stdout


def test_cli_png_means_png_and_svg(store, cli, tmp_path, monkeypatch):
    url, runs = store
    monkeypatch.setenv("APPROVAL_SIM_DATABASE_URL", url)
    result = CliRunner().invoke(
        cli, ["export", str(runs["simulate"]["id"]), "--format", "png", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert {p.suffix for p in tmp_path.iterdir()} == {".png", ".svg"}
    assert "no sensitivity rows" in result.stderr


def test_cli_unknown_run_and_format(store, cli, tmp_path):
    url, _ = store
    result = CliRunner().invoke(cli, ["export", "9999", "--out", str(tmp_path), "--database", url])
    assert result.exit_code == 2
    assert "no run with id 9999" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(
        cli, ["export", "1", "--format", "docx", "--out", str(tmp_path), "--database", url]
    )
    assert result.exit_code == 2
    assert "unknown export format 'docx'" in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_cli_wired_into_main_app():
    from approval_sim.cli import app

    result = CliRunner().invoke(app, ["export", "--help"])
    assert result.exit_code == 0 and "--format" in result.output


def test_tornado_label_without_a_stored_label(store):
    from exports.plots import variation_label

    _, runs = store
    row = {"variation": "", "parameter": "capacity", "subject": "huanbao", "factor": 0.8}
    assert variation_label(runs["compare"], row) == "市环保局：部门受理能力 ×0.8"
    assert (
        variation_label(runs["compare"], {**row, "parameter": "supplement", "subject": "all", "factor": 1.2})
        == "全部事项：补正概率 ×1.2"
    )
