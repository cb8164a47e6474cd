"""Queues that cannot keep up are refused before simulating; near-full ones warn; queueing runs drop a warm-up.
Offered loads are checked against arithmetic done by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from approval_model.models import Process
from approval_sim.cli import app
from simulations.compiled import compile_process
from simulations.load import QueueError, check_queues, department_loads, load_warnings, warmup_projects
from simulations.runner import simulate

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenario-format.md"


def process(capacity: int | None, rate: float | None, items: list[dict], **simulation) -> Process:
    settings = {**({"arrivals": {"per_working_day": rate}} if rate else {}), **simulation}
    return Process.model_validate(
        {
            "name": "queue",
            "departments": [{"id": "d", "name": "窗口", "capacity": capacity}, {"id": "e", "name": "其他"}],
            "stages": [{"id": "S", "name": "一"}],
            "items": [{"department": "d", "stage": "S", "name": i["id"], **i} for i in items],
            "simulation": settings,
        }
    )


def test_offered_load_by_hand():
    """A: default handling of a 20 wd limit, mean 0.95 x (0.4 + 1.0) / 2 + 0.05 x (1.1 + 1.5) / 2 = 0.73 x 20 =
    14.6 wd; B: uniform 2..6, mean 4 wd, scaled x 1.5 = 6 wd; C (another department) does not count.
    0.25 projects/day x 20.6 wd / capacity 6 = 0.8583."""
    compiled = compile_process(
        process(
            6,
            0.25,
            [
                {"id": "A", "statutory_limit_days": 20},
                {"id": "B", "statutory_limit_days": 10, "handling_days": {"distribution": "uniform", "low": 2,
                 "high": 6}, "handling_scale": 1.5},
                {"id": "C", "statutory_limit_days": 10, "department": "e"},
            ],
        )
    )  # fmt: skip
    (load,) = department_loads(compiled)
    assert load.department == "d" and load.files_per_project == 2
    assert load.work_per_project_days == pytest.approx(20.6)
    assert load.offered_load == pytest.approx(0.25 * 20.6 / 6)
    assert check_queues(compiled) == [load] and load_warnings(compiled) == []


def test_a_load_of_one_or_more_is_refused_with_the_capacity_or_rate_that_fixes_it():
    """Exponential handling of mean 2 wd, 3 projects/day, capacity 5: load 3 x 2 / 5 = 1.2. Capacity 7 gives
    6 / 7 < 1 (6 would give exactly 1); arrivals below 5 / 2 = 2.5 per day do too."""
    compiled = compile_process(
        process(
            5,
            3.0,
            [
                {
                    "id": "A",
                    "statutory_limit_days": 5,
                    "handling_days": {"distribution": "exponential", "mean": 2},
                }
            ],
        )
    )
    with pytest.raises(QueueError) as error:
        check_queues(compiled)
    message = str(error.value)
    assert (
        "d: offered load 1.20" in message
        and "capacity 7 or more" in message
        and "arrivals below 2.5" in message
    )


def test_a_load_from_0_95_warns_and_says_what_brings_it_under():
    """Fixed 1 wd, 0.96 projects/day, capacity 1: load 0.96 (warn); capacity 2 or arrivals below 0.95."""
    compiled = compile_process(
        process(
            1,
            0.96,
            [{"id": "A", "statutory_limit_days": 5, "handling_days": {"distribution": "fixed", "value": 1}}],
        )
    )
    (line,) = load_warnings(compiled)
    assert "offered load 0.96" in line and "capacity 2" in line and "arrivals below 0.95" in line


def test_capacities_without_arrivals_need_a_declared_batch():
    items = [{"id": "A", "statutory_limit_days": 5}]
    with pytest.raises(QueueError, match=r"simulation: \{arrivals: \{per_working_day"):
        check_queues(compile_process(process(2, None, items)))
    assert check_queues(compile_process(process(2, None, items, batch_release=True)))[0].offered_load is None
    # arrivals without any capacity never queue: nothing to check
    assert check_queues(compile_process(process(None, 1.0, items))) == []


def test_queueing_runs_leave_out_a_warm_up_of_ten_percent_of_the_projects():
    queued = process(3, 0.5, [{"id": "A", "statutory_limit_days": 5}])
    compiled = compile_process(queued)
    assert warmup_projects([compiled], "des", 1000) == 100
    assert warmup_projects([compiled], "montecarlo", 1000) == 0
    run = simulate(queued, projects=1000, replications=2, seed=1)
    assert run.engine == "des" and all(r.projects == 900 for r in run.results)
    assert run.summary()["warmup_projects"] == 100
    # the projects kept are the same as those of a run without warm-up: same draws, same queue history
    assert all(r.first_project == 100 for r in run.results)
    free = simulate(
        process(None, None, [{"id": "A", "statutory_limit_days": 5}]), projects=1000, replications=1
    )
    assert free.results[0].projects == 1000 and free.summary()["warmup_projects"] == 0
    assert np.all(run.results[0].arrival_days[:1] > 0)


def docs_example() -> dict:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"## A complete example\s+```yaml\n(.*?)```", text, re.S)
    assert block, "the complete example is not where the test expects it"
    return yaml.safe_load(block.group(1))


def run_example(tmp_path: Path, data: dict, *extra: str):
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return runner.invoke(app, ["simulate", str(path), "-n", "400", "-r", "2", *extra])


def test_the_docs_complete_example_runs_and_its_unchanged_capacity_without_arrivals_is_refused(tmp_path):
    data = docs_example()
    accepted = run_example(tmp_path, data, "--json")
    assert accepted.exit_code == 0, accepted.stderr
    payload = json.loads(accepted.stdout)
    (guihua,) = payload["load"]
    assert guihua["offered_load"] == pytest.approx(0.2 * 0.73 * 20 / 4)  # 0.73, as the docs' comment says
    assert payload["warmup_projects"] == 40 and payload["mean_days"] < 60
    without = {**data, "simulation": {}}
    refused = run_example(tmp_path, without)
    assert (
        refused.exit_code == 2
        and "guihua (capacity 4)" in refused.stderr
        and "Traceback" not in refused.output
    )
    busy = {**data, "simulation": {"arrivals": {"per_working_day": 0.3}}}  # 0.3 x 14.6 / 4 = 1.095
    refused = run_example(tmp_path, busy)
    assert refused.exit_code == 2
    assert "guihua: offered load 1.09" in refused.stderr or "guihua: offered load 1.10" in refused.stderr
    assert "capacity 5 or more" in refused.stderr and "arrivals below 0.274" in refused.stderr


def test_every_example_scenario_runs_under_full_load():
    folder = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
    from rules.loading import for_profile, load

    for path in sorted(folder.glob("*.yaml")):
        compiled = compile_process(for_profile(load(path), None))
        for load_ in check_queues(compiled):
            assert load_.offered_load is not None and load_.offered_load < 0.95, (path.name, load_)
