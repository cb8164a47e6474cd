"""Catalog targets on a tiny catalog whose every figure is computed by hand (docstrings show the arithmetic)."""

from __future__ import annotations

import textwrap

import pytest

from rules.loading import load
from rules.metrics import catalog_metrics, project_materials

BEFORE = """\
name: tiny-before
departments: [{id: d1, name: 甲局}, {id: d2, name: 乙局}]
stages: [{id: S1, name: 一}]
items:
  - id: A
    name: 甲事项
    department: d1
    stage: S1
    statutory_limit_days: 20
    promised_limit_days: {value: 10, status: documented, sources: [X]}
    materials: [申请表, 营业执照, 规划图]
  - id: B
    name: 乙事项
    department: d1
    stage: S1
    statutory_limit_days: 20
    materials: [申请表, 营业执照, 设计方案]
    applies_when: {any_site_conditions: [near_cultural_relics]}
  - id: C
    name: 丙事项
    department: d2
    stage: S1
    statutory_limit_days: 10
    promised_limit_days: {value: 5, status: documented, sources: [X]}
    materials: 3
sources: {X: a source}
"""
AFTER = """\
name: tiny-after
base: tiny-before.yaml
rules:
  - rule: merge_same_department_stage
    groups: [{items: [A, B], into: A}]
  - rule: cancel_unnecessary_materials
    items: [{item: C, count: 1}]
  - {rule: compress_time_limits, factor: 0.5}
"""


@pytest.fixture
def metrics(tmp_path):
    (tmp_path / "tiny-before.yaml").write_text(BEFORE, encoding="utf-8")
    (tmp_path / "tiny-after.yaml").write_text(textwrap.dedent(AFTER), encoding="utf-8")
    before, after = load(tmp_path / "tiny-before.yaml"), load(tmp_path / "tiny-after.yaml")
    rows = catalog_metrics(before, after).targets
    return {(t.name, t.scope): t for t in rows}, before, after


def test_the_plan_targets_by_hand(metrics):
    """items 3 -> 2 (-33 %); handling limit (10 + 20 + 5) / 3 -> (A merged: max(10, 20) = 20, compressed to
    20 x 0.5 = 10; C 5) (10 + 5) / 2 = 7.5 (-35.7 %); statutory (20 + 20 + 10) / 3 -> (20 + 10) / 2 (-10 %,
    information); materials per item (3 + 3 + 3) / 3 -> (union of A and B: 4; C 3 - 1 = 2) (4 + 2) / 2 = 3."""
    rows, _, _ = metrics
    items = rows["items", "catalog"]
    assert (items.before, items.after, items.met) == (3, 2, True)
    time = rows["mean_handling_limit_days", "catalog"]
    assert time.before == pytest.approx(35 / 3) and time.after == pytest.approx(7.5)
    assert time.reduction == pytest.approx(1 - 7.5 / (35 / 3)) and time.met
    statutory = rows["mean_statutory_limit_days", "catalog"]
    assert statutory.before == pytest.approx(50 / 3) and statutory.after == pytest.approx(15)
    assert statutory.met is None and statutory.role == "information"
    materials = rows["materials", "catalog"]
    assert (materials.before, materials.after, materials.reduction, materials.met) == (3, 3, 0, False)


def test_the_time_target_rests_on_the_assumed_compression(metrics):
    """Without the rule's assumed cut, merged A keeps the longest of its members' limits before (B: 20):
    (20 + 5) / 2 = 12.5 against 35 / 3 before: a 7.1 % increase, so the target is met only through it."""
    rows, _, _ = metrics
    time = rows["mean_handling_limit_days", "catalog"]
    assert time.met_without_assumed is False
    assert time.extra["reduction_without_assumed"] == pytest.approx(1 - 12.5 / (35 / 3), abs=1e-6)
    assert "before: 1 of 3 items have no promised limit" in time.assumptions[0]
    assert "after: 1 of 2 items" in time.assumptions[1]


def test_distinct_materials_per_project_by_hand(metrics):
    """government-typical has near_cultural_relics: before A, B, C hand in {申请表, 营业执照, 规划图, 设计方案}
    + 3 counted = 7 (8 submissions, 申请表 and 营业执照 once each); after A (the union, 4) + C (2) = 6.
    government-small lacks it: before A, C = 3 + 3 = 6; after the merged A carries 设计方案 for everyone: 4 + 2."""
    rows, before, _ = metrics
    typical = rows["materials_per_project", "government-typical"]
    assert (typical.before, typical.after) == (7, 6) and typical.reduction == pytest.approx(1 / 7)
    assert typical.role == "project" and typical.met is False
    small = rows["materials_per_project", "government-small"]
    assert (small.before, small.after, small.reduction) == (6, 6, 0)
    assert (
        rows["items_per_project", "government-typical"].before,
        rows["items_per_project", "government-typical"].after,
    ) == (3, 2)
    assert (
        rows["items_per_project", "government-small"].before,
        rows["items_per_project", "government-small"].after,
    ) == (2, 2)
    assert project_materials(before) == 7


def test_an_assumed_before_promise_is_said_in_the_row(tmp_path):
    """Issue 11: where a "before" promised limit is assumed, the row says so. C's promise of 5 days becomes an
    assumption: the figures stay (35 / 3 -> 7.5, by hand above) and the before note counts 1 assumed promise
    (C) beside the 1 item without any (B); with both promises documented (the fixture) it counts 0."""
    assumed = BEFORE.replace(
        "promised_limit_days: {value: 5, status: documented, sources: [X]}",
        "promised_limit_days: {value: 5, status: assumed, note: not found in the sources}",
    )
    assert assumed != BEFORE
    (tmp_path / "tiny-before.yaml").write_text(assumed, encoding="utf-8")
    (tmp_path / "tiny-after.yaml").write_text(textwrap.dedent(AFTER), encoding="utf-8")
    rows = catalog_metrics(load(tmp_path / "tiny-before.yaml"), load(tmp_path / "tiny-after.yaml")).targets
    time = next(t for t in rows if t.name == "mean_handling_limit_days")
    assert time.before == pytest.approx(35 / 3) and time.after == pytest.approx(7.5)
    assert time.assumptions[0].endswith("1 promised limits are assumed, not documented")
    assert "before: 1 of 3 items have no promised limit" in time.assumptions[0]


def test_documented_before_promises_are_not_called_assumed(metrics):
    rows, _, _ = metrics
    time = rows["mean_handling_limit_days", "catalog"]
    assert time.assumptions[0].endswith("0 promised limits are assumed, not documented")
