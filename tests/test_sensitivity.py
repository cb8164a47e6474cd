"""Sensitivity analysis: variations, common random numbers, analytic effects, ranking, the flow and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from approval_model.models import ApprovalItem, Process
from simulations import compile_process, replication_seeds, simulate
from simulations.sampling import draw
from simulations.sensitivity import (
    PARAMETERS,
    assemble,
    build_variations,
    parse_vary,
    replication_means,
    sensitivity,
)

SMALL = {"projects": 300, "replications": 4, "seed": 3}


def fixed(value: float) -> dict:
    return {"distribution": "fixed", "value": value}


def process_of(items: list[dict], departments: list[dict] | None = None, **simulation) -> Process:
    """A one-stage process; items default to department d, 10 working days, the default handling time."""
    return Process.model_validate(
        {
            "name": "toy",
            "departments": departments or [{"id": "d", "name": "窗口"}],
            "stages": [{"id": "S", "name": "审批"}],
            "items": [
                {"department": "d", "stage": "S", "statutory_limit_days": 10, "name": f"事项{i['id']}", **i}
                for i in items
            ],
            "simulation": simulation,
        }
    )


@pytest.fixture(scope="module")
def slack() -> Process:
    """A (random) and B (fixed 40 days) in parallel, then C (random): A never holds anything up."""
    return process_of(
        [
            {"id": "A"},
            {"id": "B", "handling_days": fixed(40)},
            {"id": "C", "prerequisites": ["A", "B"]},
        ]
    )


@pytest.fixture(scope="module")
def chain() -> Process:
    """Zero variance: X (10) -> Y (20) -> Z (5), and W (8) in parallel with nothing after it."""
    return process_of(
        [
            {"id": "X", "handling_days": fixed(10)},
            {"id": "Y", "handling_days": fixed(20), "prerequisites": ["X"]},
            {"id": "Z", "handling_days": fixed(5), "prerequisites": ["Y"]},
            {"id": "W", "handling_days": fixed(8)},
        ]
    )


def effects_by_key(result) -> dict:
    return {e.key: e for e in result.effects}


# -------------------------------------------------------------------------------------------- the model


def test_handling_scale_multiplies_the_default_and_explicit_handling_times():
    base = process_of(
        [{"id": "A"}, {"id": "B", "handling_days": {"distribution": "uniform", "low": 2, "high": 6}}]
    )
    scaled = base.replace(items=tuple(i.model_copy(update={"handling_scale": 1.5}) for i in base.items))
    seed = replication_seeds(1, 1)[0]
    plain, more = draw(compile_process(base), seed, 0, 500), draw(compile_process(scaled), seed, 0, 500)
    np.testing.assert_allclose(more.handling, 1.5 * plain.handling, rtol=1e-12)
    assert compile_process(scaled).limits.tolist() == [10, 10]  # the limit stays: overdue rises instead
    with pytest.raises(ValueError, match="from 0.01 to 100"):
        ApprovalItem(id="A", name="甲", department="d", stage="S", statutory_limit_days=5, handling_scale=0)


# ---------------------------------------------------------------------------------------- the variations


def test_capacity_variations_only_for_departments_with_a_capacity():
    process = process_of(
        [
            {"id": "A", "department": "big"},
            {"id": "B", "department": "one"},
            {"id": "C", "department": "free"},
        ],
        departments=[
            {"id": "big", "name": "大厅", "capacity": 3},
            {"id": "one", "name": "单窗口", "capacity": 1},
            {"id": "free", "name": "无限"},
            {"id": "idle", "name": "闲置", "capacity": 4},
        ],
    )
    variations, skipped = build_variations(process, vary=("capacity",))
    assert [(v.subject, v.factor) for v in variations] == [("big", 2 / 3), ("big", 4 / 3), ("one", 2.0)]
    assert [v.process.department(v.subject).capacity for v in variations] == [2, 4, 2]
    assert variations[0].label == "big 大厅: 容量 3→2 (capacity)"
    reasons = {(s.subject, s.reason) for s in skipped}
    assert reasons == {
        ("one", "the capacity is too small to go lower by this step"),
        ("free", "no capacity: files never queue there"),
        ("idle", "handles no item"),
    }


def test_variations_are_labelled_and_skip_what_cannot_change_anything(chain, slack):
    variations, skipped = build_variations(chain, by=0.2)
    keys = [v.key for v in variations]
    # fixed handling: a limit changes the overdue count, never the days
    assert not any(k.startswith("limit:") for k in keys)
    assert {s.subject for s in skipped if s.parameter == "limit"} == {"W", "X", "Y", "Z"}
    assert {s.subject for s in skipped if s.parameter == "supplement"} == {"W", "X", "Y", "Z"}
    # nothing waits for Z or W: making them parallel changes nothing
    assert [k for k in keys if k.startswith("parallel:")] == ["parallel:X", "parallel:Y"]
    (y_up,) = [v for v in variations if v.key == "handling:Y:+20%"]
    assert y_up.label == "Y 事项Y: 办理用时 +20% (handling)" and y_up.factor == pytest.approx(1.2)
    assert y_up.process.item("Y").handling_scale == pytest.approx(1.2)
    (limit_a,) = [v for v in build_variations(slack, vary=("limit",))[0] if v.key == "limit:A:-20%"]
    assert limit_a.process.item("A").statutory_limit_days == pytest.approx(8)
    serial, serial_skipped = build_variations(chain, vary=("parallel",), mode="serial")
    assert serial == [] and len(serial_skipped) == 4
    with pytest.raises(ValueError, match="between 0 and 1"):
        build_variations(chain, by=1.0)
    assert parse_vary("parallel, LIMIT") == ("limit", "parallel")
    with pytest.raises(ValueError, match="unknown parameter"):
        parse_vary("limit,speed")


def test_made_parallel_keeps_the_orderings_through_the_item(chain):
    (variation,) = build_variations(chain, vary=("parallel",), only=["parallel:Y"])[0]
    assert variation.process.item("Z").prerequisite_ids == ("X",)
    assert variation.process.item("Y").prerequisite_ids == ("X",)


# ------------------------------------------------------------------------------------------ the effects


def test_a_variation_that_changes_nothing_has_an_effect_of_exactly_zero(slack):
    """A never holds anything up, but C is random: only common random numbers give exactly 0."""
    result = sensitivity(slack, vary=("limit", "handling"), **SMALL)
    found = effects_by_key(result)
    assert np.ptp(result.base_means) > 0  # the process is random
    for key in ("limit:A:+20%", "limit:A:-20%", "handling:A:+20%", "handling:A:-20%"):
        assert found[key].effect_mean_days == 0.0
        assert found[key].effect_ci95 == (0.0, 0.0)
    # an identical copy simulated with the same seed reproduces the unchanged process bit for bit
    settings = {"mode": "parallel", "engine": "montecarlo", **SMALL}
    copy = slack.replace(items=slack.items)
    np.testing.assert_array_equal(replication_means(copy, **settings), result.base_means)


def test_zero_variance_gives_the_analytic_effects(chain):
    result = sensitivity(chain, **SMALL)
    found = effects_by_key(result)
    assert result.as_json()["mean_days"] == 35.0
    expected = {
        "handling:Y:+20%": 4.0,  # critical: +20 % of 20 days
        "handling:Y:-20%": -4.0,
        "handling:X:+20%": 2.0,
        "handling:Z:-20%": -1.0,
        "handling:W:+20%": 0.0,  # 9.6 days beside a 35-day path: slack
        "handling:W:-20%": 0.0,
        "instant:Y": -20.0,
        "instant:W": 0.0,
        "parallel:Y": -5.0,  # Z waits for X only: max(10 + 5, 10 + 20) = 30
        "parallel:X": -10.0,  # Y no longer waits for X: max(10, 20 + 5, 8) = 25
    }
    for key, effect in expected.items():
        assert found[key].effect_mean_days == pytest.approx(effect, abs=1e-9), key
        low, high = found[key].effect_ci95
        assert low == pytest.approx(effect, abs=1e-9) and high == pytest.approx(effect, abs=1e-9)
        assert found[key].mean_days == pytest.approx(35.0 + effect, abs=1e-9)


def test_a_limit_change_on_a_critical_item_scales_its_default_handling_time(slack):
    """C always lies on the critical path and its default handling is proportional to its limit."""
    result = sensitivity(slack, vary=("limit",), **SMALL)
    base = simulate(slack, engine="montecarlo", **SMALL)
    per_replication = [r.item_means()["mean_handling_days"][r.item_ids.index("C")] for r in base.results]
    found = effects_by_key(result)
    assert found["limit:C:+20%"].effect_mean_days == pytest.approx(0.2 * np.mean(per_replication), rel=1e-9)
    assert found["limit:C:-20%"].effect_mean_days == pytest.approx(-0.2 * np.mean(per_replication), rel=1e-9)


def test_ranked_by_absolute_effect_and_every_ci_contains_its_effect(chain, slack):
    result = sensitivity(chain, **SMALL)
    sizes = [abs(e.effect_mean_days) for e in result.effects]
    assert sizes == sorted(sizes, reverse=True)
    assert [e.rank for e in result.effects] == list(range(1, len(result.effects) + 1))
    assert [e.key for e in result.effects[:3]] == ["instant:Y", "instant:X", "parallel:X"]
    random = sensitivity(slack, **SMALL)
    for e in random.effects:
        low, high = e.effect_ci95
        assert low <= e.effect_mean_days <= high, e.key
    assert any(e.effect_ci95[1] > e.effect_ci95[0] for e in random.effects)  # real intervals, not points


def test_effect_on_the_reduction_against_a_baseline(chain):
    slower = chain.replace(
        items=tuple(i.model_copy(update={"handling_scale": 2.0}) for i in chain.items)
    )  # 70 days
    result = sensitivity(chain, baseline=slower, vary=("handling",), **SMALL)
    assert result.reduction.estimate == pytest.approx(0.5)
    found = effects_by_key(result)
    assert found["handling:Y:+20%"].effect_on_reduction == pytest.approx(-4 / 70)
    assert found["handling:W:+20%"].effect_on_reduction == 0.0
    assert result.as_json()["baseline_mean_days"] == pytest.approx(70.0)


def test_capacity_effects_run_on_the_event_engine():
    process = process_of(
        [{"id": "A", "handling_days": {"distribution": "exponential", "mean": 2}}],
        departments=[{"id": "d", "name": "窗口", "capacity": 2}],
        arrivals={"per_working_day": 0.8},
    )
    result = sensitivity(process, vary=("capacity", "instant"), projects=200, replications=3, seed=1)
    found = effects_by_key(result)
    assert result.engine == "des"
    assert found["capacity:d:-20%"].effect_mean_days > 0 > found["capacity:d:+20%"].effect_mean_days
    instant = build_variations(process, vary=("instant",))[0][0].process
    assert instant.department(instant.item("A").department).capacity is None  # no queue either
    assert found["instant:A"].mean_days == 0.0


def test_same_seed_same_numbers(slack):
    first, second = sensitivity(slack, **SMALL), sensitivity(slack, **SMALL)
    assert first.as_json() == second.as_json()
    other = sensitivity(slack, **{**SMALL, "seed": 4})
    assert other.as_json()["mean_days"] != first.as_json()["mean_days"]
    with pytest.raises(ValueError, match="at least 2 replications"):
        sensitivity(slack, projects=10, replications=1)


def test_assemble_ranks_ties_by_key(chain):
    variations, skipped = build_variations(chain, vary=("handling",))
    means = {v.key: np.array([35.0, 35.0]) for v in variations}
    result = assemble(chain, variations, skipped, np.array([35.0, 35.0]), means, mode="parallel", engine="montecarlo",
                      projects=1, seed=0, by=0.2, vary=("handling",))  # fmt: skip
    assert [e.key for e in result.effects] == sorted(v.key for v in variations)
    assert all(e.effect_mean_days == 0.0 for e in result.effects)


# ------------------------------------------------------------------------------------------- flow and CLI


FLOW = {"vary": ("instant", "parallel"), "projects": 150, "replications": 3, "seed": 2}


@pytest.mark.usefixtures("prefect_server")
def test_the_flow_persists_the_pure_ranking(database_url, monkeypatch):
    import flows.sensitivity as module
    from flows.sensitivity import SensitivitySpec, figures, sensitivity_analysis
    from flows.store import repository
    from flows.store.database import get_engine

    monkeypatch.setattr(module, "TASK_SECONDS", 1e-6)  # tiny test runs: still split into several tasks
    result = sensitivity_analysis(
        "luoyang-2017-after", baseline="luoyang-2017-before", task_groups=3, database_url=database_url, **FLOW
    )
    stored = repository.get_run(get_engine(database_url), result["run_id"])
    process, baseline = SensitivitySpec("luoyang-2017-after", "luoyang-2017-before").processes()
    direct = sensitivity(process, baseline=baseline, **FLOW)
    assert stored["status"] == "completed" and stored["kind"] == "sensitivity"
    assert [s["role"] for s in stored["summaries"]] == ["single"]
    assert stored["summaries"][0]["mean_days"] == pytest.approx(direct.as_json()["mean_days"], abs=1e-4)
    assert stored["sensitivity"] == [f.model_dump() for f in figures(direct)]
    assert stored["payload"]["sensitivity"]["skipped"] == [s.as_dict() for s in direct.skipped]
    assert stored["verdict"] == direct.reduction.verdict and stored["target"] == 0.2
    assert result["task_groups"] == 3


def test_variation_groups_are_coarse():
    from flows.sensitivity import plan_groups

    keys = [f"k{i}" for i in range(100)]
    assert plan_groups(keys, 0.001, 16) == [tuple(keys)]  # 0.1 s of work in all: one task
    groups = plan_groups(keys, 0.5, 16)  # 50 s: the most tasks allowed
    assert len(groups) == 16 and [k for g in groups for k in g] == keys
    assert len(plan_groups(keys, 0.05, 16)) == 5  # about a second each
    assert plan_groups([], 1.0, 4) == []


@pytest.mark.usefixtures("prefect_server")
def test_a_failed_sensitivity_run_is_marked_failed(tmp_path, monkeypatch):
    import flows.sensitivity as module
    from flows.store import repository
    from flows.store.database import get_engine

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure")

    url = f"sqlite:///{tmp_path / 'results.db'}"
    monkeypatch.setattr(module, "replication_means", broken)
    with pytest.raises(Exception, match="injected failure"):
        module.sensitivity_analysis("luoyang-2017-after", database_url=url, **FLOW)
    (run,) = repository.list_runs(get_engine(url))
    assert run.kind == "sensitivity" and run.status == "failed" and "injected failure" in run.error
    assert repository.get_run(get_engine(url), run.id)["sensitivity"] == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--vary", "limit,speed"], "unknown parameter"),
        (["--vary", ","], "--vary"),
        (["--by", "0"], "--by must be between 0 and 1"),
        (["--by", "1.5"], "--by must be between 0 and 1"),
        (["--by", "-0.2"], "--by must be between 0 and 1"),
    ],
)
def test_cli_rejects_bad_options_with_exit_2(options, message):
    from approval_sim.cli import app

    result = CliRunner().invoke(app, ["sensitivity", "luoyang-2017-after", *options])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_rejects_an_unknown_scenario_with_exit_2():
    from approval_sim.cli import app

    result = CliRunner().invoke(app, ["sensitivity", "no-such-scenario"])
    assert result.exit_code == 2


@pytest.mark.usefixtures("prefect_server")
def test_cli_runs_the_flow_and_prints_json(tmp_path):
    from approval_sim.cli import app

    url = f"sqlite:///{tmp_path / 'results.db'}"
    args = ["sensitivity", "luoyang-2017-after", "--baseline", "luoyang-2017-before", "--vary", "instant",
            "--projects", "100", "--replications", "2", "--database", url]  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--top", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["run_id"] >= 1 and len(data["variations"]) == 3 and data["vary"] == ["instant"]
    assert data["variations"][0]["rank"] == 1 and data["reduction"]["verdict"] in (
        "holds",
        "fails",
        "inconclusive",
    )
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "run id:" in table.output and "(instant)" in table.output
    shown = CliRunner().invoke(app, ["runs", "show", str(data["run_id"]), "--database", url])
    assert shown.exit_code == 0, shown.output


def test_parameters_are_the_record_literals():
    from typing import get_args

    from approval_sim.sensitivity_cli import PARAMETER_NAMES
    from flows.store.records import SensitivityFigure

    assert PARAMETERS == PARAMETER_NAMES
    assert set(get_args(SensitivityFigure.model_fields["parameter"].annotation)) == set(PARAMETERS)
