"""Which files an export writes for each kind of run (compare, simulate, nightly), and the format words."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from exports import expand_formats, export_run, missing
from exports.run_tables import build_tables


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
    assert any("child runs" in note for note in missing(run))  # English text; the CLI shows it translated
    assert [t.key for t in build_tables(run)] == ["overview"]
