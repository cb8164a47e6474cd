"""A project mix: each project draws its profile, the same one on both sides and in every framing; the result per
profile is that profile's own simulation of its projects; with capacities, all profiles queue together.

Independent expectations: each profile simulated alone on the same seed (common random numbers make the
projects identical), the mixed mean as the projects' mean, and the M/D/1 queue's mean wait (Pollaczek-Khinchine)
for a department shared by two profiles.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from approval_model.problems import ScenarioError
from approval_model.scenario import load_process
from approval_sim.cli import app
from rules.loading import for_simulation, load
from simulations import simulate
from simulations.mix import assign, compile_mix, run_replication_mix
from simulations.runner import run_replication_modes
from simulations.sampling import replication_seeds

runner = CliRunner()

MIXED = """\
name: luoyang-mix
base: luoyang-2017-before
profiles:
  备案类小项目: {investment_type: enterprise_filing, investment_million_yuan: 20, site_conditions: [lightning_protection]}
mix: {enterprise-filing-typical: 60, 备案类小项目: 10, enterprise-approval-typical: 20, government-typical: 10}
"""

# two profiles, one item each, both at department d (capacity 1, a fixed day per file): an M/D/1 queue
SHARED = """\
name: shared-desk
departments: [{id: d, name: 窗口, capacity: 1}]
stages: [{id: s, name: 阶段}]
items:
  - {id: G, name: 政府事项, department: d, stage: s, statutory_limit_days: 5,
     handling_days: {distribution: fixed, value: 1}, applies_when: {investment_types: [government]}}
  - {id: F, name: 备案事项, department: d, stage: s, statutory_limit_days: 5,
     handling_days: {distribution: fixed, value: 1}, applies_when: {investment_types: [enterprise_filing]}}
simulation: {arrivals: {per_working_day: 0.8}}
mix: {government-typical: 1, enterprise-filing-typical: 1}
"""


@pytest.fixture
def mixed(tmp_path):
    path = tmp_path / "mixed.yaml"
    path.write_text(MIXED, encoding="utf-8")
    return path


def test_each_profile_is_its_own_simulation_of_its_projects(mixed):
    mix = compile_mix(load(mixed))
    seed = replication_seeds(5, 2)[1]
    result = run_replication_mix(mix, ["serial", "parallel"], 3000, seed, chunk=700)
    who = assign(mix, seed, 0, 3000)
    assert np.bincount(who, minlength=4).sum() == 3000
    for mode, mixed_result in result.items():
        for g, name in enumerate(mix.profiles):
            alone = run_replication_modes(mix.parts[g], [mode], 3000, seed)[mode]
            own = mixed_result.profiles[name]
            assert np.array_equal(alone.end_to_end_days[who == g], own.end_to_end_days)
        # the mix is its projects, side by side
        everything = np.concatenate([mixed_result.profiles[n].end_to_end_days for n in mix.profiles])
        assert mixed_result.end_to_end_days.mean() == pytest.approx(everything.mean())
        assert mixed_result.projects == 3000


def test_the_order_a_mix_is_written_in_changes_nothing(mixed, tmp_path):
    reordered = tmp_path / "reordered.yaml"
    reordered.write_text(
        MIXED.replace(
            "mix: {enterprise-filing-typical: 60, 备案类小项目: 10, enterprise-approval-typical: 20, government-typical: 10}",
            "mix: {government-typical: 10, enterprise-approval-typical: 20, 备案类小项目: 10, enterprise-filing-typical: 60}",
        ),
        encoding="utf-8",
    )
    first = simulate(for_simulation(load(mixed), None), projects=800, replications=2, seed=4).summary()
    second = simulate(for_simulation(load(reordered), None), projects=800, replications=2, seed=4).summary()
    assert first["mean_days"] == second["mean_days"]
    assert (
        first["profiles"]["government-typical"]["projects_drawn"]
        == second["profiles"]["government-typical"]["projects_drawn"]
    )


def test_the_draws_follow_the_declared_shares(mixed):
    run = simulate(for_simulation(load(mixed), None), projects=5000, replications=2, seed=1)
    summary = run.summary()
    assert summary["mix"] == {
        "enterprise-filing-typical": 0.6,
        "备案类小项目": 0.1,
        "enterprise-approval-typical": 0.2,
        "government-typical": 0.1,
    }
    for name, row in summary["profiles"].items():
        assert row["share_drawn"] == pytest.approx(summary["mix"][name], abs=0.015)  # 3 sd of 10,000 draws
        assert row["items"]  # each profile's own summary
    # the small filed project needs fewer items than the typical one: shorter
    assert (
        summary["profiles"]["备案类小项目"]["mean_days"]
        < summary["profiles"]["enterprise-filing-typical"]["mean_days"]
    )


def test_the_event_engine_runs_each_project_with_its_own_items():
    """Without capacities projects do not interact: the joint event run equals each profile's own run."""
    process = load_process_text(SHARED.replace(", capacity: 1", ""))
    mix = compile_mix(process)
    seed = replication_seeds(0, 1)[0]
    joint = run_replication_mix(mix, ["parallel"], 400, seed, engine="des", chunk=400)["parallel"]
    who = assign(mix, seed, 0, 400)
    for g, name in enumerate(mix.profiles):
        alone = run_replication_modes(mix.parts[g], ["parallel"], 400, seed, engine="des")["parallel"]
        assert np.allclose(alone.end_to_end_days[who == g], joint.profiles[name].end_to_end_days)


def test_profiles_queue_together_at_a_shared_department():
    """0.8 projects a day, half of each profile, one file of 1 day each at a desk of capacity 1: together an
    M/D/1 queue at load 0.8, mean wait 0.8 / (2 x 0.2) = 2.0 days (apart: load 0.4, 0.33 days)."""
    process = load_process_text(SHARED)
    run = simulate(for_simulation(process, None), projects=20_000, replications=3, seed=2)
    assert run.engine == "des"
    summary = run.summary()
    for name in ("government-typical", "enterprise-filing-typical"):
        items = summary["profiles"][name]["items"]
        (wait,) = [v["mean_wait_days"] for v in items.values()]
        assert wait == pytest.approx(2.0, rel=0.15)
    assert summary["departments"]["d"]["utilisation"] == pytest.approx(0.8, abs=0.03)


def load_process_text(text: str):  # noqa: ANN201 - a Process
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="mix-"))
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def test_compare_pairs_the_same_projects_and_reports_each_profile(mixed):
    result = runner.invoke(
        app,
        [
            "compare",
            str(mixed),
            "luoyang-2017-after",
            "-n",
            "2000",
            "-r",
            "3",
            "--robustness-samples",
            "60",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["mix"]["enterprise-filing-typical"] == 0.6
    # both sides drew the same profiles for the same projects, in every framing
    base, reform = summary["baseline"]["profiles"], summary["reform"]["profiles"]
    assert {n: v["projects_drawn"] for n, v in base.items()} == {
        n: v["projects_drawn"] for n, v in reform.items()
    }
    for framing in summary["framings"]:
        drawn = {n: v["projects_drawn"] for n, v in framing["profiles"].items()}
        assert drawn == {n: v["projects_drawn"] for n, v in base.items()}
    headline = summary["profiles"]
    assert set(headline) == set(summary["mix"])
    for row in headline.values():
        assert row["reduction"]["mean"] == pytest.approx(
            1 - row["reform_mean_days"] / row["baseline_mean_days"], abs=0.01
        )
    # the mixed reduction lies between the profiles' ones, and the verdict's robustness is analysed on the mix
    reductions = [row["reduction"]["mean"] for row in headline.values()]
    assert min(reductions) <= summary["reduction"]["mean"] <= max(reductions)
    robustness = summary["robustness"]
    assert "skipped" not in robustness
    assert robustness["nominal_reduction"] == pytest.approx(summary["reduction"]["mean"], abs=0.03)


def test_a_change_to_one_profiles_item_leaves_the_other_profiles_projects_exactly_alone(mixed, tmp_path):
    """Common random numbers per project: I01 applies to government projects only, so when the reform makes it
    200 days long, every other profile's projects are the same projects with the same draws on both sides
    (reduction exactly 0, no spread), and only the government projects get longer."""
    slower = tmp_path / "slow-government.yaml"
    slower.write_text(
        f"name: slow-government\nbase: {mixed}\n"
        "items:\n  - {id: I01, handling_days: {distribution: fixed, value: 200}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["compare", str(mixed), str(slower), "-n", "1500", "-r", "2", "--framing", "parallel-to-parallel",
         "--no-robustness", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    profiles = json.loads(result.stdout)["profiles"]
    assert set(profiles) == {
        "enterprise-filing-typical",
        "备案类小项目",
        "enterprise-approval-typical",
        "government-typical",
    }
    for name, row in profiles.items():
        if name == "government-typical":
            assert row["reduction"]["mean"] < -0.5  # 200 days instead of about 15 on its path
        else:
            assert row["reduction"] == {"mean": 0.0, "ci95": [0.0, 0.0]}, name
            assert row["baseline_mean_days"] == row["reform_mean_days"]


def test_profile_option_selects_one_profile_over_the_mix(mixed):
    result = runner.invoke(
        app, ["simulate", str(mixed), "-p", "government-typical", "-n", "500", "-r", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert "profiles" not in summary
    plain = runner.invoke(
        app, ["simulate", "luoyang-2017-before", "-p", "government-typical", "-n", "500", "-r", "2", "--json"]
    )
    assert json.loads(plain.stdout)["mean_days"] == summary["mean_days"]


def test_two_scenarios_with_different_mixes_cannot_be_compared(mixed, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(
        "name: other\nbase: luoyang-2017-after\nmix: {government-typical: 1}\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["compare", str(mixed), str(other), "-n", "100", "-r", "2", "--no-robustness"]
    )
    assert result.exit_code == 2
    assert "different project mixes" in result.output


@pytest.mark.parametrize(
    ("mix", "message"),
    [
        (
            "{governmnt-typical: 1}",
            "unknown profile 'governmnt-typical' (did you mean 'government-typical'?)",
        ),
        ("{government-typical: -1}", "must be a number from 0 to 1,000,000"),
        ("{government-typical: 0}", "at least one profile with a positive weight"),
    ],
)
def test_a_bad_mix_is_a_scenario_error(tmp_path, mix, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: bad\nbase: luoyang-2017-before\nmix: {mix}\n", encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        load_process(path)


def test_an_event_log_of_a_mix_carries_each_projects_type(mixed, tmp_path):
    log = tmp_path / "mix.csv"
    result = runner.invoke(
        app, ["simulate", str(mixed), "-n", "4000", "-r", "1", "--event-log", str(log), "--json"]
    )
    assert result.exit_code == 0, result.output
    codes = {line.split(",")[0] for line in log.read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert len(codes) == 4000
    kinds = [code.split("-")[3] for code in codes]
    # 03 filing (60 % + 10 %), 02 approval (20 %), 01 government (10 %)
    assert kinds.count("03") / 4000 == pytest.approx(0.7, abs=0.025)
    assert kinds.count("02") / 4000 == pytest.approx(0.2, abs=0.025)
    assert kinds.count("01") / 4000 == pytest.approx(0.1, abs=0.02)
