"""The flows' work functions, without Prefect: batch planning, coarse task groups, stored records."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from freezegun import freeze_time

from flows import nightly_plan, work
from simulations.compare import compare

SMALL = {"projects": 300, "replications": 4}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def scenario_dir(tmp_path):
    write(
        tmp_path,
        "after.yaml",
        "name: after-nightly\nbase: luoyang-2017-after\nbaseline: luoyang-2017-before\n",
    )
    write(tmp_path, "own.yaml", "name: serial-vs-parallel\nbase: luoyang-2017-before\nbaseline: null\n")
    write(
        tmp_path,
        "broken.yaml",
        "name: broken\nbase: luoyang-2017-before\nitems:\n  - {id: I05, statutory_limit_days: -1}\n",
    )
    write(tmp_path, "notes.txt", "not a scenario")
    return tmp_path


def test_plan_batch_validates_everything_first(scenario_dir):
    jobs, bad = nightly_plan.plan_batch(scenario_dir, **SMALL)
    assert [Path(j.file).name for j in jobs] == ["after.yaml", "own.yaml"]
    assert [Path(b.file).name for b in bad] == ["broken.yaml"]
    assert (
        "must be a number from 0.01 to 1,000 working days" in bad[0].message
        and "broken.yaml" in bad[0].message
    )
    after = jobs[0].spec
    assert after.baseline == "luoyang-2017-before" and after.reform.endswith("after.yaml")
    # declared 'baseline: null' falls back to the base
    assert jobs[1].spec.baseline == "luoyang-2017-before"


def test_batch_keys_change_with_the_scenario_text(scenario_dir):
    from datetime import date

    (job, *_), _ = nightly_plan.plan_batch(scenario_dir, **SMALL)
    key = job.batch_key(date(2026, 11, 25), 1)
    assert key != job.batch_key(date(2026, 11, 26), 1) and key != job.batch_key(date(2026, 11, 25), 2)
    (scenario_dir / "after.yaml").write_text(
        "name: after-nightly\nbase: luoyang-2017-after\nbaseline: luoyang-2017-before\n# edited\n"
    )
    (changed, *_), _ = nightly_plan.plan_batch(scenario_dir, **SMALL)
    assert changed.batch_key(date(2026, 11, 25), 1) != key


def test_a_scenario_without_base_is_compared_serial_vs_parallel(tmp_path):
    from approval_model.scenario_document import resolve_reference

    write(tmp_path, "plain.yaml", resolve_reference("luoyang-2017-before").read_text(encoding="utf-8"))
    (job,), bad = nightly_plan.plan_batch(tmp_path, **SMALL)
    assert not bad and job.spec.reform is None and job.spec.headline() == "serial-to-parallel"


@pytest.mark.parametrize(
    ("replications", "groups", "expected"), [(10, 2, [5, 5]), (5, 2, [2, 3]), (3, 8, [1, 1, 1]), (1, 2, [1])]
)
def test_replication_groups_cover_every_replication_once(replications, groups, expected):
    split = work.replication_groups(replications, groups)
    assert [len(g) for g in split] == expected
    assert [i for g in split for i in g] == list(range(replications))


def test_grouped_replications_equal_one_direct_comparison():
    """Splitting the work into tasks must not change a single number."""
    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", seed=7, **SMALL)
    parts = [work.run_pair_replications(spec, g) for g in work.replication_groups(spec.replications, 3)]
    grouped = work.assemble_comparison(spec, parts)
    baseline, reform = spec.processes()
    direct = compare(baseline, reform, seed=7, **SMALL)
    assert grouped.mean.estimate == direct.mean.estimate
    assert grouped.mean.ci95 == direct.mean.ci95
    np.testing.assert_array_equal(
        grouped.reform.pooled().end_to_end_days, direct.reform.pooled().end_to_end_days
    )


def test_missing_replications_are_refused():
    spec = work.PairSpec("luoyang-2017-before", None, **SMALL)
    with pytest.raises(ValueError, match="do not cover"):
        work.assemble_comparison(spec, [work.run_pair_replications(spec, (0, 1))])


def test_comparison_outcome_matches_the_comparison():
    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", seed=3, **SMALL)
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, tuple(range(4)))])
    outcome = work.comparison_outcome(comparison, *spec.processes())
    assert [s.role for s in outcome.summaries] == ["baseline", "reform"]
    assert outcome.summaries[1].mean_days == pytest.approx(
        comparison.reform.pooled().end_to_end_days.mean(), abs=1e-3
    )
    assert outcome.verdict.verdict == comparison.verdict
    assert len(outcome.replications) == 4
    assert sum(outcome.summaries[0].histogram["counts"]) == 4 * SMALL["projects"]
    reform_items = [i for i in outcome.items if i.role == "reform"]
    assert {i.item_id for i in reform_items} == set(spec.processes()[1].item_ids)
    assert outcome.payload["verdict"] == comparison.verdict
    same = dataclasses.replace(spec)
    again = work.comparison_outcome(
        work.assemble_comparison(same, [work.run_pair_replications(same, tuple(range(4)))]), *same.processes()
    )
    assert again == outcome  # reproducible, record for record


@freeze_time("2026-11-25 18:30:00")  # 02:30 on the 26th in Shanghai
def test_default_batch_date_is_today_in_shanghai():
    from datetime import date

    assert work.today_in_shanghai() == date(2026, 11, 26)
