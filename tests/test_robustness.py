"""Robustness of a verdict over the modelling assumptions: the fast re-evaluation against the engine, and
verdicts whose answer is known by hand (holds everywhere, fails everywhere, turns at a computable value)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from approval_model.assumptions import builtin_assumptions
from approval_model.limits import LimitBasis
from approval_model.models import Process
from approval_sim.cli import app
from rules.loading import for_profile, load, load_summed
from simulations.compare import compare, prepare
from simulations.robustness import _setup, assess, assess_comparison

runner = CliRunner()


def process(name: str, items: list[dict], **simulation) -> Process:
    data = {
        "name": name,
        "departments": [{"id": "d1", "name": "甲"}, {"id": "d2", "name": "乙", "capacity": None}],
        "stages": [{"id": "S1", "name": "一"}, {"id": "S2", "name": "二"}],
        "items": [{"name": i["id"], "department": "d1", "stage": "S1", **i} for i in items],
    }
    if simulation:
        data["simulation"] = simulation
    return Process.model_validate(data)


def test_every_assumption_has_a_documented_range_and_source():
    catalog = builtin_assumptions()
    assert set(catalog) >= {
        "handling_low", "handling_high", "overdue_share", "overdue_size", "promise_keeping",
        "supplement_probability", "applicant_days", "stage_coordination_days", "merged_limit",
    }  # fmt: skip
    for assumption in catalog.values():
        assert assumption.source and assumption.status in ("documented", "assumed") and assumption.stated_by
        low, high = assumption.bounds
        assert low < high


def test_nominal_reevaluation_reproduces_the_engine_on_every_side_and_mode():
    """Default handling, stated handling, a stated 补正, excluded time, stage changes and a partial baseline: at
    the nominal values the vectorised re-evaluation gives the Monte Carlo engine's means (replication 0)."""
    before = process(
        "before",
        [
            {"id": "A", "statutory_limit_days": 20, "promised_limit_days": 10, "department": "d2"},
            {"id": "B", "statutory_limit_days": 15, "supplement": {"probability": 0.4, "applicant_days": 6}},
            {"id": "C", "statutory_limit_days": 10, "prerequisites": ["A", "B"], "stage": "S2",
             "handling_days": {"distribution": "uniform", "low": 2, "high": 8}, "excluded_days": 3},
            {"id": "D", "statutory_limit_days": 30, "prerequisites": ["A"], "stage": "S2"},
        ],
        parallel_share=0.4,
        stage_coordination_days=1,
        serial_handover_days=2,
    )  # fmt: skip
    after = process(
        "after",
        [
            {"id": "A", "statutory_limit_days": 20, "promised_limit_days": 5, "department": "d2"},
            {"id": "B", "statutory_limit_days": 15},
            {"id": "C", "statutory_limit_days": 10, "prerequisites": ["A", "B"], "stage": "S2"},
        ],
        stage_coordination_days=1,
    )  # fmt: skip
    for basis in LimitBasis:
        b = before.replace(simulation=before.simulation.model_copy(update={"limit_basis": basis}))
        a = after.replace(simulation=after.simulation.model_copy(update={"limit_basis": basis}))
        result = compare(b, a, projects=3000, replications=1, seed=5)
        first, second, names, _, _ = prepare(b, a)
        setup = _setup(first, second, names, (None, None), 3000, 5)
        base, reform = (
            setup.sides["baseline"].means(setup.nominal),
            setup.sides["reform"].means(setup.nominal),
        )
        for framing in result.framings:
            assert base[framing.baseline.mode] == pytest.approx(
                framing.baseline.results[0].end_to_end_days.mean()
            )
            assert reform["parallel"] == pytest.approx(framing.reform.results[0].end_to_end_days.mean())


def test_a_reduction_far_above_the_target_holds_under_every_assumption_set():
    """The only item's limit falls from 100 to 10 wd: whatever the handling fraction f, the after time is a tenth
    of the before time plus the same 补正 time S <= 0.3 x 15 wd on average: 1 - (10f + S) / (100f + S) > 0.6."""
    before = process("before", [{"id": "A", "statutory_limit_days": 100}])
    after = process("after", [{"id": "A", "statutory_limit_days": 10}])
    robust = assess_comparison(before, after, framing="parallel-to-parallel", target=0.2, samples=200, seed=1)
    assert robust["verdict"] == "holds" and robust["holds_share"] == 1.0
    assert robust["band"][0] > 0.6 and robust["samples"] >= 200
    assert robust["deciding_assumption"] is None
    unchanged = assess_comparison(
        before, before, framing="parallel-to-parallel", target=0.2, samples=50, seed=1
    )
    assert unchanged["verdict"] == "fails" and unchanged["holds_share"] == 0.0
    assert unchanged["band"] == [0.0, 0.0]


def test_a_verdict_that_depends_names_the_deciding_assumption_and_where_it_turns():
    """Promised limit 20 -> 10 wd, statutory 20 both. A share k of departments keeping promises gives the after
    side (20 - 10k) f wd against 20 f before: a reduction of k / 2 with nothing else (no 补正, the nominal):
    it reaches 20 % from k = 0.4 on."""
    before = process("before", [{"id": "A", "statutory_limit_days": 20, "promised_limit_days": 20}])
    after = process("after", [{"id": "A", "statutory_limit_days": 20, "promised_limit_days": 10}])
    robust = assess_comparison(before, after, framing="parallel-to-parallel", target=0.2, samples=300, seed=2)
    assert robust["verdict"] == "depends" and 0 < robust["holds_share"] < 1
    assert robust["deciding_assumption"] == "promise_keeping"
    assert robust["drivers"][0]["assumption"] == "promise_keeping"
    assert robust["holds_when"]["holds_when"].startswith(">=")
    assert robust["holds_when"]["value"] == pytest.approx(0.4, abs=0.03)
    assert robust["band"][1] <= 0.5 + 1e-9  # at most k / 2 with k <= 1


def test_robustness_is_reproducible_with_the_seed():
    before, after = (
        for_profile(load("luoyang-2017-before"), None),
        for_profile(load("luoyang-2017-after"), None),
    )
    first = assess_comparison(before, after, target=0.2, samples=60, projects=300, seed=3)
    again = assess_comparison(before, after, target=0.2, samples=60, projects=300, seed=3)
    other = assess_comparison(before, after, target=0.2, samples=60, projects=300, seed=4)
    assert first == again and first["band"] != other["band"]


def test_stated_inputs_are_not_varied():
    items = [
        {"id": "A", "statutory_limit_days": 10, "handling_days": {"distribution": "fixed", "value": 5},
         "supplement": {"probability": 0.1}},
        {"id": "B", "statutory_limit_days": 10, "prerequisites": ["A"], "stage": "S2",
         "handling_days": {"distribution": "fixed", "value": 5}, "supplement": {"probability": 0.0}},
    ]  # fmt: skip
    stated = process("stated", items, stage_coordination_days=0, serial_handover_days=1)
    first, _, names, headline, _ = prepare(stated, None)
    robust = assess(first, None, names, headline, target=0.2, samples=20)
    reasons = {n["assumption"]: n["reason"] for n in robust["not_varied"]}
    assert reasons["handling_low"] == "every item states its handling_days"
    assert reasons["supplement_probability"] == "every item states its supplement"
    assert reasons["stage_coordination_days"] == "stated by simulation.stage_coordination_days"
    assert reasons["serial_handover_days"] == "stated by simulation.serial_handover_days"
    assert reasons["merged_limit"].startswith("no merged item")
    # nothing left to vary: the verdict is the nominal one, exactly: serial 5 + 1 + 5 (+ 补正) vs parallel 10
    assert robust["samples"] == 0 and robust["verdict"] in ("holds", "fails")


def test_queueing_comparisons_are_not_analysed_and_say_why():
    queued = process("queued", [{"id": "A", "statutory_limit_days": 10}], arrivals={"per_working_day": 0.01})
    first, _, names, headline, _ = prepare(queued, None)
    robust = assess(first, None, names, headline, target=0.2)
    assert robust["samples"] == 0 and "queues" in robust["skipped"]


def test_merged_limit_variant_sums_the_members_limits(tmp_path):
    (tmp_path / "base.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "base",
                "departments": [{"id": "d", "name": "甲"}],
                "stages": [{"id": "S", "name": "一"}],
                "items": [
                    {"id": "A", "name": "甲", "department": "d", "stage": "S", "statutory_limit_days": 20},
                    {"id": "B", "name": "乙", "department": "d", "stage": "S", "statutory_limit_days": 15},
                    {"id": "C", "name": "丙", "department": "d", "stage": "S", "statutory_limit_days": 5},
                    {"id": "E", "name": "戊", "department": "d", "stage": "S", "statutory_limit_days": 7},
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    (tmp_path / "merged.yaml").write_text(
        "name: merged\nbase: base.yaml\nrules:\n  - rule: merge_same_department_stage\n    groups:\n"
        "      - {items: [A, B]}\n      - {items: [C, E], limit: max}\n",
        encoding="utf-8",
    )
    nominal, summed = load(tmp_path / "merged.yaml"), load_summed(tmp_path / "merged.yaml")
    assert nominal.item("A").statutory_limit_days == 20 and summed.item("A").statutory_limit_days == 35
    # a merge that states its limit rule keeps it
    assert nominal.item("C").statutory_limit_days == summed.item("C").statutory_limit_days == 7


def test_cli_compare_reports_robustness_by_default(tmp_path):
    before = process("before", [{"id": "A", "statutory_limit_days": 100}])
    after = process("after", [{"id": "A", "statutory_limit_days": 10}])
    paths = []
    for p in (before, after):
        path = tmp_path / f"{p.name}.yaml"
        path.write_text(
            yaml.safe_dump(
                p.model_dump(mode="json", exclude_none=True, exclude={"lineage"}), allow_unicode=True
            )
        )
        paths.append(str(path))
    common = ["compare", *paths, "-p", "all", "-n", "300", "-r", "2", "--json"]
    payload = json.loads(runner.invoke(app, [*common, "--robustness-samples", "40"]).stdout)
    robust = payload["robustness"]
    assert set(robust) >= {"samples", "holds_share", "band", "drivers", "verdict"}
    assert (
        robust["samples"] >= 40 and robust["verdict"] == "holds" and robust["framing"] == payload["headline"]
    )
    for driver in robust["drivers"]:
        assert set(driver) >= {"assumption", "total_index"}
    assert [f["name"] for f in robust["framings"]] == [f["name"] for f in payload["framings"]]
    skipped = json.loads(runner.invoke(app, [*common, "--no-robustness"]).stdout)["robustness"]
    assert skipped == {"samples": 0, "skipped": "--no-robustness"}
    text = runner.invoke(app, common[:-1] + ["--robustness-samples", "40"])
    assert text.exit_code == 0 and "robustness over the modelling assumptions" in text.stdout
    assert np.isfinite(robust["band"]).all()


def test_bench_times_the_robustness_analysis_that_compare_runs():
    """`approval-sim bench` times the robustness analysis (issue 11: 1,000 sets x 10,000 projects of the full
    Luoyang catalog) with the design `compare` uses. Saltelli's design without second-order terms has N x (D + 2)
    sets: D = 10 varied assumptions (docs/simulation.md's table, the merged-limit rule included), N = ceil(30 /
    12) = 3: 36 sets; without the summed variants the merged-limit rule is not varied: 3 x 11 = 33."""
    from rules.loading import summed_variant
    from simulations.bench import bench_robustness

    before, after = (
        for_profile(load("luoyang-2017-before"), "all"),
        for_profile(load("luoyang-2017-after"), "all"),
    )
    summed = (
        summed_variant("luoyang-2017-before", "all", None),
        summed_variant("luoyang-2017-after", "all", None),
    )
    report = bench_robustness(before, after, samples=30, projects=200, summed=summed)
    assert report["samples"] == 36 and report["projects"] == 200 and report["items"] == [42, 36]
    assert "merged_limit" in report["varied"] and len(report["varied"]) == 10
    assert report["framings"] == ["serial-to-parallel", "parallel-to-parallel"]
    assert report["seconds"] > 0 and report["cpu_seconds"] > 0 and 0 <= report["holds_share"] <= 1
    assert bench_robustness(before, after, samples=30, projects=200)["samples"] == 33
