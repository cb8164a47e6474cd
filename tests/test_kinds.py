"""Kinds of work and their units: the model, the working-day clock, scenario syntax (gates, rules_from, targets)
and the engines laying calendar-day steps on the statutory calendar. Expected dates are worked out by hand from
the 2017 holiday table (调休: Saturday 2017-04-01 and 2017-09-30 are working days; 2017-04-03/04 and
2017-10-01..08 are holidays)."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from approval_model.clock import WorkingClock
from approval_model.graph import analyse
from approval_model.models import ApprovalItem, HandlingDistribution, Process
from approval_model.problems import ScenarioError
from approval_model.scenario_document import builtin_names
from rules.loading import load
from simulations import compile_process, simulate


def item(**fields: Any) -> dict[str, Any]:
    return {"name": fields["id"], "department": "gov", "stage": "S", "statutory_limit_days": 5, **fields}


def process(items: list[dict[str, Any]], start: str = "2017-03-06") -> Process:
    return Process.model_validate(
        {
            "name": "kinds",
            "departments": [{"id": "gov", "name": "政府部门"}, {"id": "ggzy", "name": "交易中心"}],
            "stages": [{"id": "S", "name": "阶段"}],
            "items": items,
            "simulation": {"start_date": start},
        }
    )


FIXED5 = {"distribution": "fixed", "value": 5}


def approval_notice_approval(start: str = "2017-03-06", notice_days: float = 20) -> Process:
    """A (5 wd) -> N (a notice of ``notice_days`` calendar days) -> B (5 wd)."""
    return process(
        [
            item(id="A", handling_days=FIXED5),
            item(
                id="N",
                kind="notice",
                day_unit="calendar",
                department="ggzy",
                statutory_limit_days=notice_days,
                prerequisites=["A"],
            ),
            item(id="B", handling_days=FIXED5, prerequisites=["N"]),
        ],
        start,
    )


# ---------------------------------------------------------------------------------------------- model
def test_existing_catalogs_are_approval_items_in_working_days():
    for name in ("luoyang-2017-before", "luoyang-2017-after"):
        assert {(i.kind, i.day_unit) for i in load(name).items} == {("approval", "working")}


def test_an_approval_item_cannot_count_calendar_days():
    with pytest.raises(ValidationError, match="count working days"):
        ApprovalItem.model_validate(item(id="A", day_unit="calendar"))


def test_a_calendar_day_step_has_no_stopped_clock():
    with pytest.raises(ValidationError, match="stop a working-day clock"):
        ApprovalItem.model_validate(
            item(id="N", kind="notice", day_unit="calendar", supplement={"probability": 0.2})
        )
    with pytest.raises(ValidationError, match="stop a working-day clock"):
        ApprovalItem.model_validate(item(id="N", kind="intermediary", day_unit="calendar", excluded_days=3))


def test_a_notice_period_cannot_be_promised_shorter():
    with pytest.raises(ValidationError, match="statutory minimum"):
        ApprovalItem.model_validate(
            item(id="N", kind="notice", statutory_limit_days=20, promised_limit_days=10)
        )


def test_unknown_kind_is_refused_with_the_allowed_values(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        textwrap.dedent(
            """
            name: bad
            departments: [{id: gov, name: 政府}]
            stages: [{id: S, name: 阶段}]
            items:
              - {id: A, name: 甲, department: gov, stage: S, statutory_limit_days: 5, kind: consultancy}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as error:
        load(path)
    text = str(error.value)
    assert "bad.yaml:6" in text and "kind" in text and "'intermediary'" in text


# ---------------------------------------------------------------------------------------------- clock
def test_clock_lays_calendar_days_on_the_statutory_calendar():
    clock = WorkingClock(date(2017, 3, 6))  # a Monday
    # 5 working days after 03-06 is Monday 03-13: calendar day 7
    assert clock.to_calendar(5) == 7
    # 20 calendar days later is Sunday 04-02; Saturday 04-01 is a make-up working day, so the step ends with
    # the 20th working day (03-07..03-31 give 19, 04-01 the 20th)
    assert clock.add_calendar_days(5, 20) == 20
    # the next 5 working days skip the 清明 holidays 04-03 and 04-04: 04-05, 06, 07, 10, 11
    assert clock.to_calendar(25) == (date(2017, 4, 11) - date(2017, 3, 6)).days


def test_ten_calendar_days_across_national_day_are_two_working_days():
    clock = WorkingClock(date(2017, 9, 25))  # Monday
    # end of Friday 09-29 (4 wd) + 10 calendar days = Monday 10-09; in between only Saturday 09-30 (调休) works
    assert clock.add_calendar_days(4, 10) == 6


def test_working_and_calendar_positions_map_both_ways():
    clock = WorkingClock(date(2017, 1, 2))
    x = np.linspace(0, 700, 7001)
    assert np.allclose(clock.to_working(clock.to_calendar(x)), x, atol=1e-9)
    rng = np.random.default_rng(3)
    start, days = rng.uniform(0, 400, 200), rng.uniform(0, 90, 200)
    vector = clock.add_calendar_days(start, days)
    assert [clock.add_calendar_days_scalar(s, d) for s, d in zip(start, days, strict=True)] == list(vector)


# ---------------------------------------------------------------------------------------------- engines
@pytest.mark.parametrize("engine", ["montecarlo", "des"])
def test_a_notice_in_calendar_days_is_scheduled_from_the_date_it_starts(engine: str):
    run = simulate(approval_notice_approval(), projects=50, replications=2, seed=1, engine=engine)
    summary = run.summary()
    assert summary["mean_days"] == 25  # 5 wd + (the notice: 03-13 -> end of 04-01, 15 wd) + 5 wd
    assert summary["calendar"]["mean_days"] == 36  # 2017-03-06 -> 2017-04-11


def test_the_same_notice_costs_fewer_working_days_across_a_holiday():
    spring = analyse(approval_notice_approval("2017-03-06", notice_days=10)).parallel_days
    autumn = analyse(approval_notice_approval("2017-09-18", notice_days=10)).parallel_days
    # 03-13 + 10 days = 03-23 (8 wd); Sept: A ends Monday 09-25, + 10 days = 10-05 (holiday), so the step
    # ends with Saturday 09-30 (5 wd: 26, 27, 28, 29, 30)
    assert spring == 5 + 8 + 5
    assert autumn == 5 + 5 + 5


def test_static_analysis_and_both_engines_agree_on_a_full_catalog():
    full = load("luoyang-2017-full-before")
    fixed = full.replace(
        items=[
            i.model_copy(
                update={
                    "handling_days": HandlingDistribution(distribution="fixed", value=i.statutory_limit_days)
                }
            )
            for i in full.items
        ]
    )
    from rules.loading import for_profile

    project = for_profile(fixed, "government-typical")
    expected = analyse(project).parallel_days
    compiled = compile_process(project)
    assert compiled.calendar_rows  # the catalog has calendar-day steps
    for engine in ("montecarlo", "des"):
        run = simulate(compiled, projects=20, replications=2, seed=0, engine=engine)
        assert run.summary()["mean_days"] == pytest.approx(expected, abs=1e-6)


def test_serial_mode_lays_each_calendar_step_after_the_previous_one():
    result = analyse(approval_notice_approval())
    assert result.serial_days == result.parallel_days == 25
    run = simulate(
        approval_notice_approval(), mode="serial", projects=10, replications=2, engine="montecarlo"
    )
    assert run.summary()["mean_days"] == 25


# ---------------------------------------------------------------------------------------------- scenario syntax
def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_gates_adds_the_step_to_the_gated_items_prerequisites(tmp_path: Path):
    path = write(
        tmp_path,
        "ext.yaml",
        """
        name: ext
        base: luoyang-2017-before
        departments: [{id: zhongjie, name: 中介服务机构}]
        items:
          - id: X99
            name: 某报告编制
            kind: intermediary
            day_unit: calendar
            department: zhongjie
            stage: P_LX
            statutory_limit_days: 10
            gates: [I02, {item: I04, status: documented, sources: [NDRC11_2014]}]
        """,
    )
    extended = load(path)
    assert "X99" in extended.item("I02").prerequisite_ids
    record = next(p for p in extended.item("I04").prerequisites if p.item == "X99")
    assert record.status == "documented" and record.sources == ("NDRC11_2014",)
    # the base's own prerequisites of I02 are all still there
    assert set(load("luoyang-2017-before").item("I02").prerequisite_ids) < set(
        extended.item("I02").prerequisite_ids
    )


def test_gating_an_unknown_item_names_the_file_line_and_fix(tmp_path: Path):
    path = write(
        tmp_path,
        "ext.yaml",
        """
        name: ext
        base: luoyang-2017-before
        items:
          - {id: X99, name: 某报告, kind: intermediary, department: fgw, stage: P_LX, statutory_limit_days: 10,
             gates: [I99]}
        """,
    )
    with pytest.raises(ScenarioError) as error:
        load(path)
    assert "ext.yaml:6" in str(error.value) and "gates unknown item 'I99'" in str(error.value)


def test_rules_from_applies_another_scenarios_rules_to_this_catalog(tmp_path: Path):
    path = write(
        tmp_path,
        "again.yaml",
        """
        name: again
        base: luoyang-2017-before
        rules_from: luoyang-2017-after
        """,
    )
    again, plain = load(path), load("luoyang-2017-after")
    assert again.item_ids == plain.item_ids
    for mine, theirs in zip(again.items, plain.items, strict=True):
        assert mine.model_dump() == theirs.model_dump()


def test_rules_from_a_scenario_without_rules_is_refused(tmp_path: Path):
    path = write(tmp_path, "x.yaml", "name: x\nbase: luoyang-2017-before\nrules_from: luoyang-2017-before\n")
    with pytest.raises(ScenarioError, match="has no 'rules:' list of its own"):
        load(path)


def test_a_target_for_an_undeclared_stage_is_refused_after_the_rules(tmp_path: Path):
    path = write(
        tmp_path,
        "t.yaml",
        """
        name: t
        base: luoyang-2017-before
        targets:
          approval_days: {max_days: 120, status: assumed}
          stage_approval_days: {S9: {max_days: 30, status: assumed}}
        """,
    )
    with pytest.raises(ScenarioError, match="stage 'S9' is not declared"):
        load(path)
    bad = write(
        tmp_path,
        "u.yaml",
        "name: u\nbase: luoyang-2017-before\ntargets: {approval_days: {max_days: 120, status: documented}}\n",
    )
    with pytest.raises(ScenarioError, match="needs at least one source"):
        load(bad)


def test_every_builtin_loads_and_the_new_pairs_are_listed():
    names = builtin_names()
    for name in (
        "luoyang-2017-full-before",
        "luoyang-2017-full-after",
        "national-2019-before",
        "national-2019-after",
    ):
        assert name in names
    for name in names:
        assert load(name).items


def test_start_times_of_calendar_steps_come_from_the_schedule_not_their_length():
    from simulations.montecarlo import schedule, start_times

    compiled = compile_process(approval_notice_approval())
    elapsed = np.array([[5.0], [20.0], [5.0]])  # A, N (20 calendar days), B in topological order
    plan = schedule(compiled, elapsed, "parallel")
    assert plan.finish[:, 0].tolist() == [5, 20, 25]
    assert start_times(compiled, plan, "parallel")[:, 0].tolist() == [0, 5, 20]
    assert start_times(compiled, schedule(compiled, elapsed, "serial"), "serial")[:, 0].tolist() == [0, 5, 20]


def test_supervision_refuses_a_calendar_day_step_with_a_clear_message():
    from approval_model.supervision import calendar_day_items, item_limits
    from approval_model.supervision_records import parse_records

    full = load("luoyang-2017-full-before")
    limits, calendar = item_limits(full), calendar_day_items(full)
    assert (
        "N01" not in limits and calendar["N01"] == "notice" and "U03" in limits
    )  # utilities count working days
    records = [(2, {"project_code": "2017-410300-04-01-000123", "item_id": "N01", "accepted": "2017-10-09"})]
    rows, problems = parse_records(records, limits.keys(), date(2017, 10, 20), calendar)
    assert not rows and any("counts calendar days" in p.render() for p in problems)
