"""The Excel workbook and the CSV files, opened back: sheets, headers, number formats, values as stored."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from exports.excel import display_width
from tests.exports.files import BOM, header_row


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
