"""Each invalid scenario is rejected with a message naming the file, the line, the item and the fix.

Every test starts from one valid scenario and applies one mutation (the npe2 "mutator" pattern).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from approval_model.problems import ScenarioError
from approval_model.scenario import load_process

VALID = {
    "name": "demo",
    "departments": [{"id": "fgw", "name": "市发展改革委"}, {"id": "guihua", "name": "市城乡规划局"}],
    "stages": [{"id": "S1", "name": "立项"}, {"id": "S2", "name": "报建"}],
    "items": [
        {"id": "A", "name": "立项", "department": "fgw", "stage": "S1", "statutory_limit_days": 20},
        {
            "id": "B",
            "name": "选址",
            "department": "guihua",
            "stage": "S1",
            "statutory_limit_days": 10,
            "prerequisites": ["A"],
        },
        {
            "id": "C",
            "name": "规划",
            "department": "guihua",
            "stage": "S2",
            "statutory_limit_days": 15,
            "prerequisites": ["A"],
        },
        {
            "id": "D",
            "name": "施工",
            "department": "guihua",
            "stage": "S2",
            "statutory_limit_days": 5,
            "prerequisites": ["B", "C"],
        },
    ],
}


def write(tmp_path: Path, data: dict, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def errors_of(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_process(path)
    return caught.value


def line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(needle)


def test_valid_scenario_loads(tmp_path):
    process = load_process(write(tmp_path, VALID))
    assert process.item_ids == ("A", "B", "C", "D")
    assert process.item("D").prerequisite_ids == ("B", "C")


def mutated(mutation) -> dict:
    data = copy.deepcopy(VALID)
    mutation(data)
    return data


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: demo\nitems:\n  - id: A\n    name: [unclosed\n  - id: B\n", encoding="utf-8")
    error = errors_of(path)
    (line,) = error.lines()
    assert str(path) in line and "YAML syntax error" in line
    assert error.problems[0].line is not None and 3 <= error.problems[0].line <= 5
    assert "Fix:" in line


def test_missing_required_field(tmp_path):
    path = write(tmp_path, mutated(lambda d: d["items"][1].pop("department")))
    (line,) = errors_of(path).lines()
    assert "item 'B'" in line and "missing required field 'department'" in line
    assert f"{path}:{line_of(path, 'id: B')}" in line


def test_wrong_type(tmp_path):
    path = write(tmp_path, mutated(lambda d: d["items"][2].update(statutory_limit_days="二十")))
    (line,) = errors_of(path).lines()
    assert (
        "item 'C'" in line
        and "statutory_limit_days" in line
        and "must be a number from 0.01 to 1,000 working days (got '二十')" in line
    )


def test_unknown_key_suggests_spelling(tmp_path):
    def typo(d):
        d["items"][0]["statutory_limt_days"] = d["items"][0].pop("statutory_limit_days")

    path = write(tmp_path, mutated(typo))
    lines = errors_of(path).lines()
    assert any(
        "unknown key 'statutory_limt_days'" in line and "did you mean 'statutory_limit_days'" in line
        for line in lines
    )
    assert any(f":{line_of(path, 'statutory_limt_days')}:" in line for line in lines)


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, mutated(lambda d: d.update(stagse=[])))
    (line,) = errors_of(path).lines()
    assert "unknown key 'stagse'" in line and "did you mean 'stages'" in line


@pytest.mark.parametrize("limit", [0, -5])
def test_non_positive_limit(tmp_path, limit):
    path = write(tmp_path, mutated(lambda d: d["items"][3].update(statutory_limit_days=limit)))
    (line,) = errors_of(path).lines()
    assert (
        "item 'D'" in line
        and f"must be a number from 0.01 to 1,000 working days (got {limit})" in line
        and "Fix: write a plain number in that range" in line
    )


def test_duplicate_item_id(tmp_path):
    path = write(tmp_path, mutated(lambda d: d["items"][3].update(id="B")))
    lines = errors_of(path).lines()
    assert any("duplicate item id 'B' (also items[1])" in line for line in lines)


def test_unknown_department(tmp_path):
    path = write(tmp_path, mutated(lambda d: d["items"][1].update(department="guihau")))
    (line,) = errors_of(path).lines()
    assert "unknown department 'guihau'" in line and "did you mean 'guihua'" in line and "fgw, guihua" in line


def test_unknown_prerequisite(tmp_path):
    path = write(tmp_path, mutated(lambda d: d["items"][3]["prerequisites"].append("Z")))
    (line,) = errors_of(path).lines()
    assert "item 'D'" in line and "unknown prerequisite 'Z'" in line


def test_cycle_names_the_items(tmp_path):
    path = write(tmp_path, mutated(lambda d: d["items"][0].update(prerequisites=["D"])))
    (line,) = errors_of(path).lines()
    assert "cycle" in line
    cycle = line.split("cycle: ")[1].split(".")[0]
    assert set(cycle.split(" -> ")) == {"A", "B", "D"} or set(cycle.split(" -> ")) == {"A", "C", "D"}


def test_undeclared_stage(tmp_path):
    path = write(tmp_path, mutated(lambda d: d["items"][2].update(stage="S3")))
    (line,) = errors_of(path).lines()
    assert "stage 'S3' is not declared" in line and "S1, S2" in line


def test_many_problems_reported_together_in_file_order(tmp_path):
    def several(d):
        d["items"][0]["statutory_limit_days"] = -1
        d["items"][1]["department"] = "nobody"
        d["items"][3]["prerequisites"] = ["Q"]

    path = write(tmp_path, mutated(several))
    error = errors_of(path)
    assert len(error.problems) == 3
    rendered = error.render()
    assert "3 problems" in rendered
    assert [p.line for p in error.problems] == sorted(p.line for p in error.problems)


def test_missing_file_lists_builtins(tmp_path):
    error = errors_of(tmp_path / "nope.yaml")
    assert "no such file or built-in scenario" in error.render()


def test_base_inherits_and_patches(tmp_path):
    write(tmp_path, VALID, "base.yaml")
    child = {
        "name": "child",
        "base": "base.yaml",
        "items": [
            {"id": "C", "statutory_limit_days": 8},
            {
                "id": "E",
                "name": "验收",
                "department": "fgw",
                "stage": "S2",
                "statutory_limit_days": 3,
                "prerequisites": ["D"],
            },
        ],
    }
    process = load_process(write(tmp_path, child, "child.yaml"))
    assert process.item("C").statutory_limit_days == 8
    assert process.item("C").name == "规划"
    assert process.item_ids[-1] == "E"
    assert process.lineage == ("demo",)


def test_error_in_child_of_base_points_to_child_file(tmp_path):
    write(tmp_path, VALID, "base.yaml")
    child = {"name": "child", "base": "base.yaml", "items": [{"id": "C", "statutory_limit_days": -2}]}
    path = write(tmp_path, child, "child.yaml")
    (line,) = errors_of(path).lines()
    assert line.startswith(f"{path}:") and "item 'C'" in line and "(got -2)" in line


def test_base_loop_is_reported(tmp_path):
    write(tmp_path, {"name": "a", "base": "b.yaml"}, "a.yaml")
    path = write(tmp_path, {"name": "b", "base": "a.yaml"}, "b.yaml")
    assert "loop" in errors_of(path).render()


def test_provenance_shorthand(tmp_path):
    data = mutated(
        lambda d: d["items"][0].update(
            statutory_limit_days={
                "value": 20,
                "status": "documented",
                "sources": ["XKF"],
                "note": "行政许可法",
            },
            materials={"value": 4, "status": "assumed"},
        )
    )
    item = load_process(write(tmp_path, data)).item("A")
    assert item.statutory_limit_days == 20 and item.material_count == 4
    assert item.provenance["statutory_limit_days"].sources == ("XKF",)
    assert item.provenance["materials"].status == "assumed"


def test_documented_number_needs_a_source(tmp_path):
    path = write(
        tmp_path,
        mutated(lambda d: d["items"][0].update(statutory_limit_days={"value": 20, "status": "documented"})),
    )
    (line,) = errors_of(path).lines()
    assert "needs at least one source id" in line


def test_rules_need_an_engine(tmp_path):
    path = write(tmp_path, mutated(lambda d: d.update(rules=[{"rule": "compress_time_limits"}])))
    with pytest.raises(ScenarioError, match="no rule engine"):
        load_process(path)


def test_replace_validates_changed_items_again(tmp_path):
    from pydantic import ValidationError

    process = load_process(write(tmp_path, VALID))
    broken = process.items[0].model_copy(update={"statutory_limit_days": -4})
    with pytest.raises(ValidationError, match="must be a number from 0.01 to 1,000 working days"):
        process.replace(items=(broken, *process.items[1:]))


def test_simulation_settings_accept_a_yaml_date_and_check_arrivals(tmp_path):
    import datetime

    path = tmp_path / "dated.yaml"
    path.write_text(
        yaml.safe_dump(VALID, allow_unicode=True)
        + "simulation:\n  start_date: 2018-03-01\n  arrivals: {per_working_day: 0.5}\n",
        encoding="utf-8",
    )
    assert load_process(path).simulation.start_date == datetime.date(2018, 3, 1)
    path.write_text(
        yaml.safe_dump({**VALID, "simulation": {"arrivals": {"per_day": 0.5}}}, allow_unicode=True),
        encoding="utf-8",
    )
    (line,) = errors_of(path).lines()
    assert "unknown arrivals key(s) per_day" in line and "per_working_day" in line


def test_cached_loads_notice_an_edited_base(tmp_path):
    import os

    base = write(tmp_path, VALID, "base.yaml")
    child = write(tmp_path, {"name": "child", "base": "base.yaml"}, "child.yaml")
    first = load_process(child)
    assert load_process(child) is first  # unchanged files: the cached process
    edited = mutated(lambda d: d["items"][0].update(statutory_limit_days=7))
    base.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    os.utime(base, ns=(os.stat(base).st_atime_ns, os.stat(base).st_mtime_ns + 10**9))
    assert load_process(child).item("A").statutory_limit_days == 7


def test_a_folder_is_not_a_scenario(tmp_path):
    (line,) = errors_of(tmp_path).lines()
    assert "is a folder, not a scenario file" in line


def test_a_bad_profile_file_names_each_problem(tmp_path):
    from approval_model.profiles import load_profile

    path = tmp_path / "profile.yaml"
    path.write_text("investment_type: state\ninvestment_million_yuan: -5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_profile(str(path))
    lines = caught.value.lines()
    assert len(lines) == 2
    assert any("investment_type" in line and "government" in line for line in lines)
    assert any(
        "investment_million_yuan" in line and "from 0 to 10,000,000 million yuan" in line for line in lines
    )
