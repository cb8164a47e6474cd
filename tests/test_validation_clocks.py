"""Validation rows of the national four-stage reform, on the approval clock: each checked against a value
derived without the validation code (a day-by-day count of the schedule, the items counted by kind)."""

from __future__ import annotations

import pytest

from approval_model.limits import LimitBasis
from rules.loading import for_profile, load
from tests.test_clocks import day_by_day_approval
from validation.reported import row_specs
from validation.rows import build_row


@pytest.fixture(scope="module")
def by_key():
    wanted = {
        "national2019-approval-before",
        "national2019-approval-after",
        "national2019-approval-reduction",
        "national2021-items-after",
        "worldbank2020",
    }
    return {spec.key: build_row(spec) for spec in row_specs() if spec.key in wanted}


def test_the_120_day_row_is_the_day_by_day_approval_clock_of_the_four_stage_catalog(by_key):
    row = by_key["national2019-approval-after"]
    project = for_profile(load("national-2019-after"), "government-typical")
    days, _ = day_by_day_approval(project, LimitBasis.promised)
    assert row.model == days == 69
    assert (row.reported, row.relation, row.verdict) == (120, "at_most", "consistent")
    statutory, _ = day_by_day_approval(project, LimitBasis.statutory)
    assert f"On statutory limits {statutory} wd" in row.explanation


def test_the_reduction_row_is_its_rows_arithmetic(by_key):
    before, after = by_key["national2019-approval-before"], by_key["national2019-approval-after"]
    reduction = by_key["national2019-approval-reduction"]
    assert reduction.model == pytest.approx(round(100 * (1 - after.model / before.model), 1), abs=0.11)
    assert reduction.verdict == "consistent"  # >= 50 %


def test_the_before_row_brackets_the_reported_average(by_key):
    row = by_key["national2019-approval-before"]
    assert row.relation == "range" and (row.reported, row.reported_high) == (200, 300)
    assert (
        row.verdict == "model higher"
    )  # window by window; in parallel the clock falls below 200 (explained)
    parallel = float(row.explanation.split("handled in parallel: ")[1].split(" wd")[0])
    assert parallel < row.reported < row.model


def test_items_are_counted_by_kind(by_key):
    row = by_key["national2021-items-after"]
    project = for_profile(load("national-2019-after"), "government-typical")
    assert row.model == sum(1 for item in project.items if item.kind == "approval") < len(project.items)
    assert row.verdict == "model lower"


def test_the_world_bank_row_stays_not_reproducible_but_quotes_the_elapsed_clock(by_key):
    row = by_key["worldbank2020"]
    assert row.verdict == "not reproducible" and "elapsed clock" in row.explanation
