"""The catalog workbook: template, import (every problem at once, placed on its cell), export and round trip.

Bad workbooks are built here cell by cell with openpyxl, so the expected sheet, row and column of each problem is
known independently of the importer.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from approval_model.scenario import load_process
from approval_model.scenario_document import builtin_names
from approval_sim.cli import app
from rules.loading import load
from workbooks.importer import import_catalog, read_catalog
from workbooks.scenario_file import scenario_yaml
from workbooks.sheets import WorkbookError
from workbooks.writer import process_rows, template_rows, write_workbook

runner = CliRunner()

SHEETS = [
    "说明 instructions",
    "流程 process",
    "部门 departments",
    "阶段 stages",
    "事项 items",
    "前置条件 prerequisites",
    "项目类型 profiles",
    "时限目标 targets",
    "数据来源 provenance",
    "来源 sources",
]


def _template(tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    result = runner.invoke(app, ["catalog", "template", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _columns(sheet) -> dict[str, int]:  # noqa: ANN001 - an openpyxl worksheet
    """English key (second line of the header) -> column number."""
    return {
        str(sheet.cell(1, c).value).split("\n")[-1]: c
        for c in range(1, sheet.max_column + 1)
        if sheet.cell(1, c).value
    }


def _same_process(first, second) -> bool:  # noqa: ANN001
    a, b = first.model_dump(), second.model_dump()
    a.pop("lineage"), b.pop("lineage")
    return a == b


# ---- template ------------------------------------------------------------------------------------------


def test_template_has_the_sheets_headers_drop_downs_and_a_worked_example(tmp_path):
    book = openpyxl.load_workbook(_template(tmp_path))
    assert book.sheetnames == SHEETS
    items = book["事项 items"]
    header = items.cell(1, 1).value
    assert header.split("\n") == ["事项编号 *", "id"]  # Chinese above, English key beneath
    assert items.cell(1, 1).comment is not None  # meaning, unit and range on hover
    columns = _columns(items)
    assert items.cell(2, columns["statutory_limit_days"]).value == 20
    validations = {str(v.sqref).split(":")[0]: v for v in items.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter
    department = validations[f"{letter(columns['department'])}2"]
    assert department.formula1.startswith("'部门 departments'!$B$2")  # the department names
    distribution = validations[f"{letter(columns['handling_days.distribution'])}2"]
    assert distribution.formula1 == '"固定,均匀,三角,对数正态,指数,经验"'
    kinds = {f"{letter(columns[k])}2" for k in ("online", "gates_construction", "stage")}
    assert kinds <= set(validations)
    # the fixed sets: kind (docs/kinds-and-clocks.md's five kinds) and the day unit
    assert (
        validations[f"{letter(columns['kind'])}2"].formula1
        == '"行政审批,中介服务,市政公用服务,公告公示,申请人自身工作"'
    )
    assert validations[f"{letter(columns['day_unit'])}2"].formula1 == '"工作日,自然日"'
    profiles = book["项目类型 profiles"]
    types = {str(v.sqref).split(":")[0]: v.formula1 for v in profiles.data_validations.dataValidation}
    assert (
        types[f"{letter(_columns(profiles)['investment_type'])}2"]
        == '"政府投资,企业投资（核准）,企业投资（备案）"'
    )
    for title in (
        "部门 departments",
        "阶段 stages",
        "前置条件 prerequisites",
        "项目类型 profiles",
        "来源 sources",
    ):
        assert book[title].max_row >= 2, f"{title} has no worked example"
    instructions = book["说明 instructions"]
    assert "填写说明" in instructions["A1"].value
    texts = [str(cell.value) for row in instructions.iter_rows() for cell in row if cell.value]
    assert any("项目组合权重" in text for text in texts)  # how to give the city's project mix


def test_the_untouched_template_imports_as_its_worked_example(tmp_path):
    process = import_catalog(_template(tmp_path))
    assert [i.id for i in process.items] == ["I01", "I02"]
    first = process.item("I01")
    assert first.department == "fgw"  # the template names the department by name; the import stores the id
    assert first.prerequisite_ids == ("I02",)
    assert first.handling_days.distribution == "lognormal"
    assert first.applies_when.investment_types == ("enterprise_approval",)
    assert first.provenance["statutory_limit_days"].sources == ("L673",)
    # 30,000 万元 in the sheet is 300 million yuan in the model
    assert process.profile.investment_million_yuan == 300.0
    assert process.profile.name == "核准类工业项目"


# ---- round trip ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_names())
def test_import_after_export_gives_the_same_process(tmp_path, name):
    """Every built-in, every field: a new model field that the workbook drops fails here."""
    original = load(name)
    workbook = tmp_path / f"{name}.xlsx"
    result = runner.invoke(app, ["catalog", "export", name, "--format", "xlsx", "--out", str(workbook)])
    assert result.exit_code == 0, result.output
    scenario = tmp_path / f"{name}.yaml"
    result = runner.invoke(app, ["catalog", "import", str(workbook), "--out", str(scenario)])
    assert result.exit_code == 0, result.output
    again = load_process(scenario)
    assert _same_process(original, again)
    assert again.name == original.name


def test_round_trip_keeps_a_scenarios_own_profiles_and_its_mix(tmp_path):
    scenario = tmp_path / "mixed.yaml"
    scenario.write_text(
        "name: mixed\nbase: luoyang-2017-before\n"
        "profiles:\n  备案类小项目: {investment_type: enterprise_filing, investment_million_yuan: 20}\n"
        "mix: {enterprise-filing-typical: 60, 备案类小项目: 10, government-typical: 30}\n"
        "profile: 备案类小项目\n",
        encoding="utf-8",
    )
    original = load(scenario)
    path = tmp_path / "mixed.xlsx"
    write_workbook(path, process_rows(original))
    sheet = openpyxl.load_workbook(path)["项目类型 profiles"]
    columns = _columns(sheet)
    weights = {
        sheet.cell(r, 1).value: sheet.cell(r, columns["weight"]).value for r in range(2, sheet.max_row + 1)
    }
    assert weights == {"备案类小项目": 10, "enterprise-filing-typical": 60, "government-typical": 30}
    again = import_catalog(path)
    assert _same_process(original, again)
    assert again.mix == {"备案类小项目": 10.0, "enterprise-filing-typical": 60.0, "government-typical": 30.0}
    assert list(again.profiles) == ["备案类小项目"]  # the built-in ones stay references


def test_round_trip_keeps_text_that_excel_would_read_as_a_formula(tmp_path):
    original = load("luoyang-2017-before")
    items = list(original.items)
    items[0] = items[0].model_copy(
        update={"note": "=1+1 is not a formula", "materials": ("申请表", "承诺书")}
    )
    changed = original.replace(items=tuple(items))
    path = tmp_path / "formula.xlsx"
    write_workbook(path, process_rows(changed))
    assert _same_process(import_catalog(path), changed)


# ---- a workbook built by hand ----------------------------------------------------------------------------


def _hand_built(path: Path) -> None:
    """A planner's own workbook: English-only headers, reordered columns, department by id, no extras."""
    book = openpyxl.Workbook()
    book.active.title = "process"
    book["process"].append(["setting", "value"])
    book["process"].append(["name", "hand-city"])
    book["process"].append(["每工作日新到项目数", 0.5])
    departments = book.create_sheet("departments")
    departments.append(["name", "id", "capacity"])
    departments.append(["市规划局", "gh", 3])
    departments.append(["市住建局", "zj", None])
    stages = book.create_sheet("stages")
    stages.append(["id", "name"])
    stages.append(["S1", "报建"])
    items = book.create_sheet("items")
    items.append(["id", "name", "stage", "department", "statutory_limit_days", "materials", "online"])
    items.append(["A1", "建设工程规划许可", "S1", "gh", 20, "申请表\n设计方案", "yes"])
    items.append(["A2", "施工许可", "报建", "市住建局", "15", 4, "否"])
    prerequisites = book.create_sheet("prerequisites")
    prerequisites.append(["item", "prerequisite", "可替代组"])
    prerequisites.append(["A2", "A1", None])
    for title, header in (
        ("profiles", ["name", "investment_type"]),
        ("provenance", ["item", "field", "status"]),
        ("sources", ["id", "title"]),
    ):
        book.create_sheet(title).append(header)
    book.save(path)


def test_a_hand_built_workbook_with_english_headers_imports(tmp_path):
    path = tmp_path / "hand.xlsx"
    _hand_built(path)
    process = import_catalog(path)
    assert process.name == "hand-city"
    assert process.simulation.arrivals == {"per_working_day": 0.5}
    assert process.department("gh").capacity == 3
    assert process.item("A1").materials == ("申请表", "设计方案")
    assert process.item("A1").online is True and process.item("A2").online is False
    assert process.item("A2").statutory_limit_days == 15.0  # a number typed as text
    assert (process.item("A2").department, process.item("A2").stage) == ("zj", "S1")  # by name
    assert process.item("A2").prerequisite_ids == ("A1",)


# ---- bad workbooks: every problem at once, on its cell -----------------------------------------------------


def _broken(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """The template with five known mistakes, and the columns of its items sheet."""
    path = tmp_path / "broken.xlsx"
    book = openpyxl.load_workbook(_template(tmp_path))
    del book["项目类型 profiles"]  # a missing sheet
    items = book["事项 items"]
    columns = _columns(items)
    items.cell(
        1, columns["promised_limit_days"]
    ).value = "承诺时线（工作日）"  # a retyped header, with a typo
    items.cell(2, columns["department"]).value = "市发改委"  # unknown department
    items.cell(3, columns["statutory_limit_days"]).value = -5  # negative limit
    prerequisites = book["前置条件 prerequisites"]  # row 2: I01 needs I02; row 3 closes a cycle
    prerequisites.append(["I02", "I01"])
    book.save(path)
    return path, columns


def test_a_broken_workbook_lists_every_problem_with_its_place_and_writes_nothing(tmp_path):
    path, columns = _broken(tmp_path)
    out = tmp_path / "scenario.yaml"
    result = runner.invoke(app, ["catalog", "import", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
    letter = openpyxl.utils.get_column_letter
    lines = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert len(lines) == 5, result.output
    text = "\n".join(lines)
    assert "missing sheet '项目类型 profiles'" in text
    assert (
        f"sheet '事项 items', row 1, cell {letter(columns['promised_limit_days'])}1: unknown column" in text
    )
    assert "did you mean '承诺时限（工作日）'" in text
    assert f"({letter(columns['department'])}2): unknown 审批部门 '市发改委'" in text
    assert "did you mean '市发展改革委'" in text
    assert f"({letter(columns['statutory_limit_days'])}3): 'statutory_limit_days' must be a number" in text
    assert "sheet '前置条件 prerequisites', rows 2, 3: prerequisites form a cycle" in text
    assert all("Fix: " in line for line in lines)


def test_the_problems_are_in_chinese_by_default(tmp_path, zh):
    """A planner reads Chinese first: the frame, the places, the messages and the fixes (the sheet, column and
    cell names are the workbook's own)."""
    path, _ = _broken(tmp_path)
    result = runner.invoke(app, ["catalog", "import", str(path), "--out", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2
    assert "broken.xlsx：5 个问题；未写出任何文件" in result.output
    assert "第 2 行, 列 '审批部门 department'" in result.output
    assert "未知的审批部门 '市发改委'（是否指 '市发展改革委'？）" in result.output
    assert "工作表 '前置条件 prerequisites', 第 2, 3 行：前置条件构成循环" in result.output
    assert "缺少工作表 '项目类型 profiles'" in result.output
    assert result.output.count("修改方法：") == 5 and "Fix:" not in result.output


def test_unreadable_cells_and_dangling_references_are_each_reported(tmp_path):
    path = tmp_path / "cells.xlsx"
    book = openpyxl.load_workbook(_template(tmp_path))
    items = book["事项 items"]
    columns = _columns(items)
    items.cell(2, columns["online"]).value = "也许"
    items.cell(2, columns["handling_days.distribution"]).value = "正态"
    items.cell(3, columns["materials"]).value = 2.5
    items.cell(3, columns["id"]).value = "I01"  # a duplicate id
    book["前置条件 prerequisites"].append(["I01", "I09"])  # an unknown prerequisite
    provenance = book["数据来源 provenance"]
    provenance.append(["I01", "承诺时限（工作日）", "有据"])  # documented without a source
    provenance.append(["I01", "法定时限", "假设"])  # not a column of the items sheet
    book.save(path)
    _, process, problems = read_catalog(path)
    assert process is None
    by_cell = {
        (p.place.sheet, p.place.rows, p.place.column.key if p.place.column else None): p for p in problems
    }
    assert "'也许' is not 是 or 否" in by_cell[("事项 items", (2,), "online")].message
    assert "'正态' is not one of" in by_cell[("事项 items", (2,), "handling_days.distribution")].message
    assert "whole number" in by_cell[("事项 items", (3,), "materials")].message
    assert "duplicate item id 'I01' (also row 2)" in by_cell[("事项 items", (3,), "id")].message
    # renaming I02 left the template's own prerequisite row dangling
    assert "unknown prerequisite 'I02'" in by_cell[("前置条件 prerequisites", (2,), "prerequisite")].message
    assert "unknown prerequisite 'I09'" in by_cell[("前置条件 prerequisites", (3,), "prerequisite")].message
    assert "needs at least one source" in by_cell[("数据来源 provenance", (3,), "field")].message
    assert "did you mean '法定时限（工作日）'" in by_cell[("数据来源 provenance", (4,), "field")].message
    assert len(problems) == 8


def test_kinds_units_lead_departments_and_targets_come_in_by_their_chinese_labels(tmp_path):
    path = tmp_path / "kinds.xlsx"
    book = openpyxl.load_workbook(_template(tmp_path))
    items = book["事项 items"]
    columns = _columns(items)
    items.cell(3, columns["kind"]).value = "中介服务"
    items.cell(3, columns["day_unit"]).value = "自然日"
    items.cell(3, columns["applies_when.excluded_site_conditions"]).value = "development_zone，ftz"
    stages = book["阶段 stages"]
    stages.cell(2, _columns(stages)["lead_department"]).value = "市发展改革委"
    targets = book["时限目标 targets"]
    targets.append(["立项阶段", 30, "假设"])
    targets.append(["全流程总用时", 400, "假设", None, "elapsed, calendar days"])
    book.save(path)
    process = import_catalog(path)
    second = process.item("I02")
    assert (second.kind, second.day_unit) == ("intermediary", "calendar")
    assert second.applies_when.excluded_site_conditions == ("development_zone", "ftz")
    assert process.stages[0].lead_department == "fgw"
    assert process.targets.approval_days.max_days == 120  # the worked example
    assert process.targets.stage_approval_days["P_LX"].max_days == 30
    assert process.targets.elapsed_days.note == "elapsed, calendar days"
    targets.append(["验收阶段", 10, "假设"])
    book.save(path)
    with pytest.raises(WorkbookError, match=r"rows? 5, column '目标 target' \(A5\): '验收阶段' is neither"):
        import_catalog(path)


def test_an_id_with_a_space_is_one_problem_on_its_cell_not_one_per_reference(tmp_path):
    """Both template items name the department by its name, and a second department makes 'unknown department'
    possible: one mistake, one problem."""
    path = tmp_path / "bad-id.xlsx"
    book = openpyxl.load_workbook(_template(tmp_path))
    departments = book["部门 departments"]
    departments.cell(2, _columns(departments)["id"]).value = "fg w"
    departments.append(["gh", "市规划局"])
    items = book["事项 items"]
    items.cell(3, _columns(items)["department"]).value = "fg w"  # by the broken id itself
    book.save(path)
    _, process, problems = read_catalog(path)
    assert process is None
    assert [(p.place.sheet, p.place.rows, p.place.column.key) for p in problems] == [
        ("部门 departments", (2,), "id")
    ]
    assert "'fg w' is not an id" in problems[0].message and "fgw" in problems[0].fix


def test_an_empty_required_cell_says_fill_it_in(tmp_path):
    path = tmp_path / "empty-limit.xlsx"
    book = openpyxl.load_workbook(_template(tmp_path))
    items = book["事项 items"]
    items.cell(2, _columns(items)["statutory_limit_days"]).value = None
    book.save(path)
    _, _, problems = read_catalog(path)
    assert [(p.place.sheet, p.place.rows, p.place.column.key) for p in problems] == [
        ("事项 items", (2,), "statutory_limit_days")
    ]
    assert problems[0].fix == "fill in this cell"


def test_a_missing_departments_sheet_is_one_problem_not_one_per_item(tmp_path):
    path = tmp_path / "no-departments.xlsx"
    book = openpyxl.load_workbook(_template(tmp_path))
    del book["部门 departments"]
    book.save(path)
    _, _, problems = read_catalog(path)
    assert [p.message.split(" (")[0] for p in problems] == ["missing sheet '部门 departments'"]


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        (b"not a workbook", ".xlsx", "not a readable Excel file"),
        (b"", ".xls", "old .xls workbooks are not supported"),
    ],
)
def test_a_file_that_is_no_workbook_gets_a_message(tmp_path, content, suffix, expected):
    path = tmp_path / f"catalog{suffix}"
    path.write_bytes(content)
    result = runner.invoke(app, ["catalog", "import", str(path), "--out", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_existing_files_are_not_overwritten_without_force(tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("name: mine\n", encoding="utf-8")
    result = runner.invoke(app, ["catalog", "import", str(_template(tmp_path)), "--out", str(out)])
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_text(encoding="utf-8") == "name: mine\n"
    result = runner.invoke(
        app, ["catalog", "import", str(tmp_path / "template.xlsx"), "--out", str(out), "--force"]
    )
    assert result.exit_code == 0
    assert load_process(out).name == "demo-city"


# ---- CSV ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_csv_of_items_creates_its_departments_and_stages(tmp_path, encoding):
    path = tmp_path / "清单.csv"
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["事项编号", "事项名称", "审批部门", "所属阶段", "法定时限（工作日）", "前置事项"])
        writer.writerow(["B1", "用地预审", "市国土资源局", "立项阶段", "20", ""])
        writer.writerow(["B2", "选址意见书", "市城乡规划局", "立项阶段", "20", "B1"])
        writer.writerow(["B3", "施工许可", "市住建委", "报建阶段", "15", "B1, B2"])
    process = import_catalog(path)
    assert [d.name for d in process.departments] == ["市国土资源局", "市城乡规划局", "市住建委"]
    assert [s.name for s in process.stages] == ["立项阶段", "报建阶段"]
    assert process.item("B3").prerequisite_ids == ("B1", "B2")
    assert process.item("B3").department == process.departments[2].id


def test_a_csv_with_a_cycle_names_the_rows(tmp_path):
    path = tmp_path / "cycle.csv"
    path.write_text(
        "事项编号,事项名称,审批部门,所属阶段,法定时限（工作日）,前置事项\n"
        "B1,甲,部门一,阶段一,20,B2\nB2,乙,部门一,阶段一,-3,B1\n",
        encoding="utf-8",
    )
    with pytest.raises(WorkbookError) as caught:
        import_catalog(path)
    text = str(caught.value)
    assert "row 3, column '法定时限（工作日） statutory_limit_days' (E3)" in text
    assert "prerequisites form a cycle" in text


def test_the_scenario_file_written_by_import_is_plain_yaml_that_checks(tmp_path):
    process = import_catalog(_template(tmp_path))
    path = tmp_path / "demo.yaml"
    path.write_text(scenario_yaml(process, "a header"), encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# a header\nname: demo-city\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output


def test_template_rows_match_the_layout():
    rows = template_rows()
    assert len(rows["items"]) == 2 and len(rows["departments"]) == 1
