"""`approval-sim runs list|show`: the history of persisted runs, read from the results database only."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from approval_sim.cli import app
from flows import work
from flows.store import repository
from flows.store.database import get_engine
from flows.store.records import RunOutcome, RunStart, SensitivityFigure, SideSummary

runner = CliRunner()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('runs') / 'results.db'}"
    engine = get_engine(url)
    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", projects=200, replications=3, seed=4)
    comparison = work.assemble_comparison(spec, [work.run_pair_replications(spec, (0, 1, 2))])
    compare_id = repository.start_run(
        engine,
        RunStart(
            kind="compare",
            scenario=spec.label,
            seed=4,
            replications=3,
            projects=200,
            target=0.2,
            as_of=date(2026, 11, 25),
        ),
    )
    repository.complete_run(engine, compare_id, work.comparison_outcome(comparison, *spec.processes()))
    sensitivity_id = repository.start_run(engine, RunStart(kind="sensitivity", scenario="luoyang-2017-after"))
    figure = SensitivityFigure(rank=1, variation="I02 可研审批: 即办 (instant)", parameter="instant", subject="I02",
                               mean_days=96.0, effect_mean_days=-14.6, effect_ci_low=-14.7, effect_ci_high=-14.5)  # fmt: skip
    side = SideSummary(role="single", scenario="after", mode="parallel", projects=200, mean_days=110.0, p50_days=110.0,
                       p90_days=120.0, on_time_rate=0.3)  # fmt: skip
    repository.complete_run(engine, sensitivity_id, RunOutcome(summaries=(side,), sensitivity=(figure,)))
    failed_id = repository.start_run(engine, RunStart(kind="simulate", scenario="broken"))
    repository.fail_run(engine, failed_id, "ValueError: injected")
    return {
        "url": url,
        "compare": compare_id,
        "sensitivity": sensitivity_id,
        "failed": failed_id,
        "verdict": comparison.verdict,
    }


def test_runs_list_json_newest_first_with_contract_fields(database):
    result = runner.invoke(app, ["runs", "list", "--json", "--database", database["url"]])
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    assert [r["id"] for r in runs] == [database["failed"], database["sensitivity"], database["compare"]]
    for run in runs:
        assert {"id", "kind", "status", "scenario", "as_of"} <= set(run)
    assert runs[2]["as_of"] == "2026-11-25" and runs[2]["verdict"] == database["verdict"]
    assert runs[0]["status"] == "failed" and "injected" in runs[0]["error"]


def test_runs_list_filters_by_kind(database):
    result = runner.invoke(
        app, ["runs", "list", "--json", "--kind", "sensitivity", "--database", database["url"]]
    )
    assert [r["id"] for r in json.loads(result.stdout)] == [database["sensitivity"]]


def test_runs_show_compare_and_sensitivity(database):
    shown = runner.invoke(
        app, ["runs", "show", str(database["compare"]), "--database", database["url"]], env={"COLUMNS": "200"}
    )
    assert shown.exit_code == 0, shown.output
    assert database["verdict"] in shown.output and "bottleneck" in shown.output
    stored = json.loads(
        runner.invoke(
            app, ["runs", "show", str(database["compare"]), "--json", "--database", database["url"]]
        ).stdout
    )
    assert stored["id"] == database["compare"] and len(stored["summaries"]) == 2
    sensitivity = runner.invoke(
        app,
        ["runs", "show", str(database["sensitivity"]), "--database", database["url"]],
        env={"COLUMNS": "200"},
    )
    assert (
        sensitivity.exit_code == 0 and "I02 可研审批" in sensitivity.output and "-14.60" in sensitivity.output
    )


def test_unknown_run_is_exit_2(database):
    result = runner.invoke(app, ["runs", "show", "999", "--database", database["url"]])
    assert result.exit_code == 2 and "no run with id 999" in result.stderr


def test_unusable_database_url_is_exit_2():
    result = runner.invoke(app, ["runs", "list", "--database", "not-a-url"])
    assert (
        result.exit_code == 2 and "not a database URL" in result.stderr and "Traceback" not in result.output
    )
