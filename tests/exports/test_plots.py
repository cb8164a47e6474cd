"""The figures as PNG and SVG: sizes, text kept as text in the CJK font, no missing glyphs, labels."""

from __future__ import annotations

import warnings

import matplotlib
import pytest

from exports import export_run
from tests.exports.files import embedded_font_characters, png_size, svg_texts


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


def test_tornado_label_without_a_stored_label(store):
    from exports.plots import variation_label

    _, runs = store
    row = {"variation": "", "parameter": "capacity", "subject": "huanbao", "factor": 0.8}
    assert variation_label(runs["compare"], row) == "市环保局：部门受理能力 ×0.8"
    assert (
        variation_label(runs["compare"], {**row, "parameter": "supplement", "subject": "all", "factor": 1.2})
        == "全部事项：补正概率 ×1.2"
    )
