"""Sensitivity by kind of work: "cut intermediary time by 30 %" is one variation (kind:intermediary:-30%) that
scales every intermediary step, each in its own unit; effects computed by hand on fixed times."""

from __future__ import annotations

from typing import Any

import pytest

from approval_model.models import Process
from simulations.sensitivity import build_variations, sensitivity


def fixed(days: float) -> dict[str, Any]:
    return {"distribution": "fixed", "value": days}


def chain() -> Process:
    # report X (10 wd) -> approval A (5 wd) -> notice N (20 calendar days) -> approval B (5 wd), from 2017-03-06;
    # a second report Y (4 wd) in parallel with X
    return Process.model_validate(
        {
            "name": "kinds",
            "departments": [{"id": "gov", "name": "政府"}, {"id": "firm", "name": "中介"}],
            "stages": [{"id": "S", "name": "阶段"}],
            "items": [
                {"id": "X", "name": "报告", "kind": "intermediary", "department": "firm", "stage": "S",
                 "statutory_limit_days": 10, "handling_days": fixed(10)},
                {"id": "Y", "name": "测绘", "kind": "intermediary", "department": "firm", "stage": "S",
                 "statutory_limit_days": 4, "handling_days": fixed(4)},
                {"id": "A", "name": "审批甲", "department": "gov", "stage": "S", "statutory_limit_days": 5,
                 "handling_days": fixed(5), "prerequisites": ["X", "Y"]},
                {"id": "N", "name": "公示", "kind": "notice", "day_unit": "calendar", "department": "gov",
                 "stage": "S", "statutory_limit_days": 20, "prerequisites": ["A"]},
                {"id": "B", "name": "审批乙", "department": "gov", "stage": "S", "statutory_limit_days": 5,
                 "handling_days": fixed(5), "prerequisites": ["N"]},
            ],
            "simulation": {"start_date": "2017-03-06"},
        }
    )  # fmt: skip


def effects(by: float) -> dict[str, float]:
    result = sensitivity(chain(), vary=["kind"], by=by, projects=20, replications=2, seed=0)
    return {e.key: e.effect_mean_days for e in result.effects}


def test_cutting_intermediary_time_by_30_percent_is_one_variation():
    found = effects(0.3)
    # unchanged: X 10 wd (to 03-20), A to 03-27 (15 wd), notice 20 days to Sunday 04-16 -> end of Friday 04-14
    # (28 wd: March gives 19, then Saturday 04-01 (调休), 04-05..07, 04-10..14), B 04-17..21 -> 33 wd.
    # X 7 wd (to 03-15), A to 03-22 (12 wd), notice to Tuesday 04-11 (25 wd; the 清明 holidays 04-03/04 inside it
    # cost nothing on the working-day axis), B to 04-18 (30 wd): 3 working days shorter
    assert found["kind:intermediary:-30%"] == pytest.approx(-3)
    # approvals -30 %: A 3.5 and B 3.5 wd: 3 working days shorter (the notice's span on the axis changes too)
    assert found["kind:approval:-30%"] < 0
    # the notice -30 % is 14 calendar days, not 14 working days
    assert found["kind:notice:-30%"] < 0


def test_kind_variations_scale_every_step_of_the_kind_in_its_own_unit():
    variations, skipped = build_variations(chain(), vary=["kind"], by=0.3)
    by_key = {v.key: v.process for v in variations}
    cut = by_key["kind:intermediary:-30%"]
    assert [cut.item(i).handling_scale for i in ("X", "Y", "A", "N")] == [0.7, 0.7, 1.0, 1.0]
    notice = by_key["kind:notice:-30%"].item("N")
    assert notice.handling_scale == 0.7 and notice.day_unit == "calendar"
    assert {s.subject for s in skipped} == {"utility", "applicant"}
    assert sorted(by_key) == sorted(
        f"kind:{k}:{s}30%" for k in ("approval", "intermediary", "notice") for s in "+-"
    )
