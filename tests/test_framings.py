"""Framings of a comparison (serial-to-parallel, parallel-to-parallel, partial-to-parallel), with reductions
computed by hand on a process whose handling times are fixed."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from approval_model.models import Process
from approval_sim.cli import app
from simulations.compare import compare, plan_framings

runner = CliRunner()


def tiny(c_days: float, share: float | None = None, name: str = "tiny") -> Process:
    """A (10 wd) and B (20 wd) start together; C follows A. Serial: 10 + 20 + C; parallel: max(10 + C, 20)."""
    data = {
        "name": name,
        "departments": [{"id": "d", "name": "部门"}],
        "stages": [{"id": "S", "name": "阶段"}],
        "items": [
            {
                "id": "A",
                "name": "甲",
                "department": "d",
                "stage": "S",
                "statutory_limit_days": 10,
                "handling_days": {"distribution": "fixed", "value": 10},
            },
            {
                "id": "B",
                "name": "乙",
                "department": "d",
                "stage": "S",
                "statutory_limit_days": 20,
                "handling_days": {"distribution": "fixed", "value": 20},
            },
            {
                "id": "C",
                "name": "丙",
                "department": "d",
                "stage": "S",
                "statutory_limit_days": 30,
                "prerequisites": ["A"],
                "handling_days": {"distribution": "fixed", "value": c_days},
            },
        ],  # fmt: skip
    }
    if share is not None:
        data["simulation"] = {"parallel_share": share}
    return Process.model_validate(data)


def by_name(comparison) -> dict:
    return {f["name"]: f for f in comparison.summary()["framings"]}


def test_framing_reductions_by_hand():
    """Before C = 30: serial 60, parallel max(40, 20) = 40. After C = 15: parallel max(25, 20) = 25.
    serial-to-parallel 1 - 25/60 = 58.3 %; parallel-to-parallel 1 - 25/40 = 37.5 %."""
    result = compare(tiny(30), tiny(15, name="tiny-after"), projects=500, replications=3, seed=4)
    framings = by_name(result)
    assert list(framings) == ["serial-to-parallel", "parallel-to-parallel"]
    assert result.headline == "serial-to-parallel"
    assert framings["serial-to-parallel"]["reduction"]["mean"] == pytest.approx(1 - 25 / 60)
    assert framings["parallel-to-parallel"]["reduction"]["mean"] == pytest.approx(1 - 25 / 40)
    assert (
        framings["parallel-to-parallel"]["baseline_mode"],
        framings["parallel-to-parallel"]["reform_mode"],
    ) == (
        "parallel",
        "parallel",
    )
    summary = result.summary()
    # the top-level figures are the headline framing's
    assert summary["reduction"]["mean"] == framings["serial-to-parallel"]["reduction"]["mean"]
    assert summary["baseline"]["mode"] == "serial" and summary["reform"]["mode"] == "parallel"
    assert summary["baseline"]["mean_days"] == pytest.approx(60) and summary["verdict"] == "holds"


@pytest.mark.parametrize("engine", ["montecarlo", "des"])
def test_partial_framing_mixes_serial_and_parallel_projects_by_one_uniform_each(engine):
    """With 30 % of files in parallel before, a project takes 40 (parallel) or 60 (serial) days; the
    reduction of each replication is 1 - 25 / (60 - 20 x the share of its projects handled in parallel)."""
    result = compare(
        tiny(30, share=0.3), tiny(15, name="tiny-after"), projects=4000, replications=3, seed=9, engine=engine
    )
    assert result.headline == "partial-to-parallel"
    framings = by_name(result)
    assert list(framings) == ["partial-to-parallel", "serial-to-parallel", "parallel-to-parallel"]
    reductions = []
    for base in result.baseline.results:
        days = base.end_to_end_days
        assert set(np.round(days, 9)) == {40.0, 60.0}
        parallel = float(np.mean(days == 40.0))
        assert parallel == pytest.approx(0.3, abs=4 * np.sqrt(0.3 * 0.7 / 4000))
        reductions.append(1 - 25 / (60 - 20 * parallel))
    assert framings["partial-to-parallel"]["reduction"]["mean"] == pytest.approx(
        np.mean(reductions), abs=1e-6
    )
    assert result.summary()["baseline"]["parallel_share"] == 0.3
    # the serial and parallel baselines come from the same draws as the partial one
    assert framings["serial-to-parallel"]["reduction"]["mean"] == pytest.approx(1 - 25 / 60)


def test_partial_projects_are_the_same_in_both_engines_and_every_seed_repeats():
    first = compare(tiny(30, share=0.5), tiny(15, name="after"), projects=300, replications=2, seed=2)
    second = compare(
        tiny(30, share=0.5), tiny(15, name="after"), projects=300, replications=2, seed=2, engine="des"
    )
    for a, b in zip(first.baseline.results, second.baseline.results, strict=True):
        assert np.allclose(a.end_to_end_days, b.end_to_end_days)


def test_the_share_may_be_stated_by_the_reformed_scenario():
    """A built-in baseline cannot be edited: the reformed scenario may state the practice it replaces."""
    result = compare(tiny(30), tiny(15, share=0.25, name="after"), projects=200, replications=2)
    assert result.headline == "partial-to-parallel"


def test_plan_framings_headline_rules():
    assert plan_framings(single=False, parallel_share=None) == (
        ["serial-to-parallel", "parallel-to-parallel"],
        "serial-to-parallel",
    )
    assert plan_framings(single=False, parallel_share=0.2, headline="parallel-to-parallel")[1] == (
        "parallel-to-parallel"
    )
    assert plan_framings(single=True, parallel_share=None) == (["serial-to-parallel"], "serial-to-parallel")
    # the legacy --mode: both sides in one mode, as the headline
    names, headline = plan_framings(single=False, parallel_share=None, modes=("serial", "serial"))
    assert headline == "serial-to-serial" and names[0] == "serial-to-serial"
    with pytest.raises(ValueError, match="declare simulation.parallel_share"):
        plan_framings(single=False, parallel_share=None, headline="partial-to-parallel")


def write(tmp_path, name: str, process: Process) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump(process.model_dump(mode="json", exclude_defaults=True), allow_unicode=True)
    )
    return str(path)


def test_cli_compare_reports_every_framing_and_takes_a_headline(tmp_path):
    before, after = write(tmp_path, "before", tiny(30)), write(tmp_path, "after", tiny(15, name="after"))
    common = ["-p", "all", "-n", "200", "-r", "2", "--json"]
    result = runner.invoke(app, ["compare", before, after, *common])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["headline"] == "serial-to-parallel"
    assert [f["name"] for f in payload["framings"]] == ["serial-to-parallel", "parallel-to-parallel"]
    for framing in payload["framings"]:
        assert set(framing) >= {"name", "baseline_mode", "reform_mode", "reduction", "verdict"}
        assert set(framing["reduction"]) == {"mean", "ci95"}
    chosen = runner.invoke(app, ["compare", before, after, *common, "--framing", "parallel-to-parallel"])
    payload = json.loads(chosen.stdout)
    assert payload["headline"] == "parallel-to-parallel" and payload["reduction"]["mean"] == pytest.approx(
        0.375
    )
    assert [f["name"] for f in payload["framings"]][0] == "parallel-to-parallel"
    assert payload["baseline"]["mode"] == "parallel"
    # the legacy --mode keeps working
    legacy = json.loads(runner.invoke(app, ["compare", before, after, *common, "--mode", "parallel"]).stdout)
    assert legacy["headline"] == "parallel-to-parallel" and legacy["reduction"] == payload["reduction"]
    refused = runner.invoke(app, ["compare", before, after, *common, "--framing", "partial-to-parallel"])
    assert refused.exit_code == 2 and "simulation.parallel_share" in refused.stderr
    assert "Traceback" not in refused.output


def test_cli_compare_of_one_scenario_is_serial_vs_parallel(tmp_path):
    single = write(tmp_path, "one", tiny(30))
    result = runner.invoke(app, ["compare", single, "-p", "all", "-n", "100", "-r", "2", "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [f["name"] for f in payload["framings"]] == ["serial-to-parallel"]
    assert payload["reduction"]["mean"] == pytest.approx(1 - 40 / 60, abs=1e-6)
    text = runner.invoke(app, ["compare", single, "-p", "all", "-n", "100", "-r", "2"])
    assert text.exit_code == 0 and "serial-to-parallel" in text.stdout
