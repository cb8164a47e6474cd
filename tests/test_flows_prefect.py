"""The Prefect flows on one shared test server, against SQLite and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from flows import nightly_plan, work
from flows.store import repository
from flows.store.database import get_engine

pytestmark = pytest.mark.usefixtures("prefect_server")

AS_OF = date(2026, 11, 25)
BATCH = {"projects": 200, "replications": 3}


@pytest.fixture
def scenario_dir(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "after.yaml").write_text(
        "name: after-nightly\nbase: luoyang-2017-after\nbaseline: luoyang-2017-before\n", encoding="utf-8"
    )
    (folder / "parallel.yaml").write_text(
        "name: parallel-nightly\nbase: luoyang-2017-parallel-only\nbaseline: luoyang-2017-before\n",
        encoding="utf-8",
    )
    (folder / "broken.yaml").write_text(
        "name: broken\nbase: luoyang-2017-before\nitems:\n  - {id: I05, statutory_limit_days: -1}\n",
        encoding="utf-8",
    )
    return folder


def results(url: str) -> dict[str, tuple]:
    """The stored comparison results by batch key, as comparable values."""
    engine = get_engine(url)
    found = {}
    for info in repository.list_runs(engine, limit=1000):
        run = repository.get_run(engine, info.id)
        if info.kind == "compare" and run["batch_key"]:
            found[run["batch_key"]] = (
                run["status"], run["reduction_mean"], run["verdict"],
                tuple((s["role"], s["mean_days"]) for s in run["summaries"]),
                tuple((i["role"], i["item_id"], i["criticality"]) for i in run["items"]),
            )  # fmt: skip
    return found


def test_compare_flow_persists_the_direct_result(database_url):
    from flows.pipelines import compare_scenarios
    from simulations.compare import compare

    result = compare_scenarios(
        "luoyang-2017-before",
        "luoyang-2017-after",
        projects=300,
        replications=4,
        seed=5,
        database_url=database_url,
    )
    stored = repository.get_run(get_engine(database_url), result["run_id"])
    spec = work.PairSpec("luoyang-2017-before", "luoyang-2017-after", projects=300, replications=4, seed=5)
    direct = compare(*spec.processes(), projects=300, replications=4, seed=5)
    assert stored["status"] == "completed"
    assert stored["reduction_mean"] == pytest.approx(direct.mean.estimate, abs=1e-12)
    assert stored["verdict"] == direct.verdict == result["verdict"]
    assert [s["role"] for s in stored["summaries"]] == ["baseline", "reform"]
    assert len(stored["replications_detail"]) == 4
    assert stored["baseline_scenario_id"] != stored["reform_scenario_id"]
    # every framing and the robustness analysis are stored with the run, equal to the direct computation
    assert [f["name"] for f in stored["payload"]["framings"]] == [
        "serial-to-parallel",
        "parallel-to-parallel",
    ]
    assert stored["payload"]["robustness"] == result["robustness"] == spec.robustness()
    assert result["robustness"]["samples"] >= 500


def test_failed_compare_is_marked_failed(database_url, monkeypatch):
    from flows.pipelines import compare_scenarios

    def broken(spec, indices):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(work, "run_pair_replications", broken)
    with pytest.raises(Exception, match="injected failure"):
        compare_scenarios(
            "luoyang-2017-before", None, projects=100, replications=2, database_url=database_url
        )
    (run,) = repository.list_runs(get_engine(database_url))
    assert run.status == "failed" and "injected failure" in run.error
    assert repository.get_run(get_engine(database_url), run.id)["summaries"] == []


def test_nightly_batch_is_idempotent_and_resumes_after_a_failure(
    database_url, scenario_dir, tmp_path, monkeypatch
):
    from flows.nightly import nightly_batch

    # a reference: one uninterrupted batch in its own database
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    first = nightly_batch(str(scenario_dir), AS_OF, [1, 2], database_url=reference_url, **BATCH)
    assert first["runs"] == 4 and [Path(p).name for p in first["invalid"]] == ["broken.yaml"]
    reference_counts, reference_results = (
        repository.row_counts(get_engine(reference_url)),
        results(reference_url),
    )
    assert len(reference_results) == 5  # 2 scenarios x 2 seeds, plus the invalid file's failed run

    # the batch under test is "killed" part-way: the parallel-only scenario's task fails
    real = nightly_plan.job_outcomes

    def flaky(job, seeds):
        if "parallel" in job.file:
            raise RuntimeError("worker killed")
        return real(job, seeds)

    monkeypatch.setattr(nightly_plan, "job_outcomes", flaky)
    interrupted = nightly_batch(str(scenario_dir), AS_OF, [1, 2], database_url=database_url, **BATCH)
    assert [Path(p).name for p in interrupted["failed"]] == ["parallel.yaml"]
    partial = results(database_url)
    assert sum(1 for v in partial.values() if v[0] == "completed") == 2
    # the failed batch keeps what it did produce: the scenario that ran, both seeds, with its verdict
    batch = repository.get_run(get_engine(database_url), interrupted["batch_run_id"])
    assert batch["status"] == "failed" and "parallel.yaml" in batch["error"]
    assert [s["scenario"] for s in batch["payload"]["scenarios"]] == [
        s["scenario"] for s in interrupted["scenarios"]
    ]
    kept = {s["scenario"]: s for s in batch["payload"]["scenarios"]}
    assert len(kept) == 1 and [r["seed"] for r in next(iter(kept.values()))["runs"]] == [1, 2]
    assert [Path(p).name for p in batch["payload"]["failed"]] == ["parallel.yaml"]
    monkeypatch.setattr(nightly_plan, "job_outcomes", real)

    rerun = nightly_batch(str(scenario_dir), AS_OF, [1, 2], database_url=database_url, **BATCH)
    assert rerun["failed"] == []
    assert repository.row_counts(get_engine(database_url)) == reference_counts
    assert results(database_url) == reference_results

    again = nightly_batch(str(scenario_dir), AS_OF, [1, 2], database_url=database_url, **BATCH)
    assert repository.row_counts(get_engine(database_url)) == reference_counts
    # the invalid file keeps the batch from counting as complete: it is reported again, nothing is recomputed
    assert (
        again["runs"] == 4
        and again["failed"] == []
        and [Path(p).name for p in again["invalid"]] == ["broken.yaml"]
    )


def test_a_failing_seed_keeps_the_scenarios_other_seeds(database_url, scenario_dir, tmp_path, monkeypatch):
    from flows.nightly import nightly_batch

    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    nightly_batch(str(scenario_dir), AS_OF, [1, 2], database_url=reference_url, **BATCH)
    reference = results(reference_url)
    real = nightly_plan.job_outcomes

    def seed_two_fails(job, seeds):
        if "after" in job.file and 2 in seeds:
            raise RuntimeError("seed 2 crashed")
        return real(job, seeds)

    monkeypatch.setattr(nightly_plan, "job_outcomes", seed_two_fails)
    partial = nightly_batch(str(scenario_dir), AS_OF, [1, 2], database_url=database_url, **BATCH)
    assert [Path(p).name for p in partial["failed"]] == ["after.yaml"]
    stored = results(database_url)
    # after.yaml's seed 1 and both seeds of parallel.yaml are kept, equal to an uninterrupted batch's
    kept = {key: value for key, value in stored.items() if value[0] == "completed"}
    assert len(kept) == 3 and all(reference[key] == value for key, value in kept.items())
    failed = [run for run in stored.values() if run[0] == "failed" and run[2] is None]
    assert len(failed) == 2  # after.yaml seed 2, and the invalid file
    monkeypatch.setattr(nightly_plan, "job_outcomes", real)
    rerun = nightly_batch(str(scenario_dir), AS_OF, [1, 2], database_url=database_url, **BATCH)
    assert rerun["failed"] == [] and results(database_url) == reference


def test_nightly_publishes_an_artifact_and_dated_exports(scenario_dir, tmp_path):
    import csv

    from openpyxl import load_workbook
    from prefect.artifacts import Artifact

    from flows.nightly import nightly_batch

    result = nightly_batch(str(scenario_dir), date(2026, 11, 24), [1, 2], database_url=f"sqlite:///{tmp_path / 'a.db'}",
                           exports_dir=str(tmp_path / "exports"), **BATCH)  # fmt: skip
    artifact = Artifact.get("nightly-2026-11-24")
    assert artifact is not None
    assert "| run | scenario | limit basis | framing | profile | verdict" in artifact.data
    assert "Top bottlenecks" in artifact.data
    # what produced the figures is said in the description (shown in the UI's list) and under the title
    basis = "limit basis statutory 法定; framing serial-to-parallel; profile government-typical"
    assert basis in artifact.description and basis in artifact.data
    assert "broken.yaml" in artifact.data
    dated = tmp_path / "exports" / "2026-11-24"
    engine = get_engine(f"sqlite:///{tmp_path / 'a.db'}")
    children = {
        r.id: repository.get_run(engine, r.id) for r in repository.child_runs(engine, result["batch_run_id"])
    }
    assert len(children) == 4  # 2 scenarios x 2 seeds
    # the batch summary: one row per run, rounded, units in the headers
    with (dated / "batch-summary.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    for row in rows:
        run = children[int(row["运行编号 run"])]
        assert float(row["平均压缩率 reduction（%）"]) == round(run["reduction_mean"] * 100, 1)
        baseline = next(s for s in run["summaries"] if s["role"] == "baseline")
        assert float(row["改革前平均 before（工作日 wd）"]) == round(baseline["mean_days"], 1)
        assert row["时限口径 limit basis"] == "法定时限 statutory" and row["结论 verdict"].endswith(
            run["verdict"]
        )
        numbers = [v for k, v in row.items() if "（" in k and v]
        assert all(re.fullmatch(r"-?\d+(\.\d)?", v) for v in numbers), numbers  # one decimal at most
    book = load_workbook(dated / "batch-summary.xlsx")
    assert book.sheetnames == ["情景汇总", "运行明细"]
    reduction = book["运行明细"].cell(row=2, column=8)
    assert reduction.number_format == "0.0%" and reduction.value == round(reduction.value, 4)
    # every seed's run exported, in every format but PDF, in its scenario's folder
    folders = sorted(p.name for p in dated.iterdir() if p.is_dir())
    assert folders == ["luoyang-2017-before__after", "luoyang-2017-before__parallel"]
    for folder in folders:
        names = {p.name for p in (dated / folder).iterdir()}
        ids = [run_id for run_id, run in children.items() if nightly_plan.slug(run["scenario"]) == folder]
        assert len(ids) == 2
        for run_id in ids:
            assert {f"run-{run_id}.xlsx", f"run-{run_id}-items.csv", f"run-{run_id}-distribution.png",
                    f"run-{run_id}-gantt.svg", f"run-{run_id}-report.html"} <= names  # fmt: skip
    # one briefing for the date
    assert result["briefing"] == str(dated / "briefing-2026-11-24.pdf") or result["briefing_problem"]
    page = (dated / "briefing-2026-11-24.html").read_text(encoding="utf-8")
    assert "夜间批次简报 2026-11-24" in page and "broken.yaml" in page
    for scenario in result["scenarios"]:
        assert html.escape(scenario["scenario"]) in page
    assert len(result["exports"]) == 2 + sum(len(list((dated / f).iterdir())) for f in folders) + (
        2 if result["briefing"].endswith(".pdf") else 1
    )
    # per scenario: verdict, headline reduction with what produced it, robustness
    assert [s["scenario"] for s in result["scenarios"]] == sorted({r["scenario"] for r in children.values()})
    for scenario in result["scenarios"]:
        runs = [r for r in children.values() if r["scenario"] == scenario["scenario"]]
        assert scenario["verdict"] in {r["verdict"] for r in runs}
        assert scenario["reduction"] == pytest.approx(sum(r["reduction_mean"] for r in runs) / 2, abs=1e-4)
        assert scenario["framing"] == "serial-to-parallel" and scenario["limit_basis"] == "statutory"
        assert 0 <= scenario["robustness"]["holds_share"] <= 1 and len(scenario["runs"]) == 2
    stored = repository.get_run(engine, result["batch_run_id"])
    assert stored["status"] == "failed"  # broken.yaml; the children's results are saved all the same


@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless Chromium not installed")
def test_nightly_briefing_pdf(scenario_dir, tmp_path):
    import pdfplumber

    from flows.nightly import nightly_batch

    (scenario_dir / "broken.yaml").unlink()
    result = nightly_batch(str(scenario_dir), date(2026, 11, 22), [1], database_url=f"sqlite:///{tmp_path / 'b.db'}",
                           exports_dir=str(tmp_path / "exports"), **BATCH)  # fmt: skip
    assert result["briefing_problem"] is None
    with pdfplumber.open(result["briefing"]) as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
    assert "夜间批次简报 2026-11-22" in text and "\ufffd" not in text
    for scenario in result["scenarios"]:
        assert f"{scenario['reduction']:.1%}" in text
    stored = repository.get_run(get_engine(f"sqlite:///{tmp_path / 'b.db'}"), result["batch_run_id"])
    assert stored["payload"]["scenarios"] == result["scenarios"]  # stored with the batch run


def test_batch_on_a_dask_cluster_equals_the_local_run(scenario_dir, tmp_path):
    from distributed import LocalCluster
    from prefect_dask import DaskTaskRunner

    from flows.nightly import nightly_batch

    local_url, dask_url = f"sqlite:///{tmp_path / 'local.db'}", f"sqlite:///{tmp_path / 'dask.db'}"
    nightly_batch(str(scenario_dir), AS_OF, [3], database_url=local_url, **BATCH)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        on_dask = nightly_batch.with_options(task_runner=DaskTaskRunner(address=cluster.scheduler_address))
        on_dask(str(scenario_dir), AS_OF, [3], database_url=dask_url, **BATCH)
    assert results(dask_url) == results(local_url)


def test_nightly_deployment_runs_at_two_in_shanghai(scenario_dir):
    from prefect.server.schemas.schedules import CronSchedule

    from flows.deployment import nightly_deployment

    deployment = nightly_deployment(str(scenario_dir), seeds=[1, 2])
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 2 * * *" and schedule.schedule.timezone == "Asia/Shanghai"
    assert deployment.parameters["scenario_dir"] == str(scenario_dir.resolve())
    assert deployment.parameters["seeds"] == [1, 2]
    dates = asyncio.run(CronSchedule(cron=schedule.schedule.cron, timezone=schedule.schedule.timezone)
                        .get_dates(2, start=datetime(2026, 11, 25, tzinfo=UTC)))  # fmt: skip
    assert [d.isoformat() for d in dates] == ["2026-11-26T02:00:00+08:00", "2026-11-27T02:00:00+08:00"]


def test_cli_run_compare_prints_the_run_id_and_persists(tmp_path):
    import json

    from typer.testing import CliRunner

    from approval_sim.cli import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        app,
        [
            "run",
            "compare",
            "luoyang-2017-before",
            "luoyang-2017-after",
            "-n",
            "200",
            "-r",
            "3",
            "--json",
            "--database",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    (run,) = repository.list_runs(get_engine(url))
    assert payload["run_id"] == run.id and run.status == "completed" and run.verdict == payload["verdict"]
    assert {"reduction", "target", "verdict", "baseline", "reform", "bottlenecks"} <= set(payload)


def test_cli_run_simulate_takes_the_limit_basis(tmp_path):
    import json

    from typer.testing import CliRunner

    from approval_sim.cli import app

    url = f"sqlite:///{tmp_path / 'simulate.db'}"
    args = ["run", "simulate", "luoyang-2017-after", "-n", "200", "-r", "2", "--json", "--database", url]
    statutory = json.loads(CliRunner().invoke(app, args).stdout)
    result = CliRunner().invoke(app, [*args, "--limit", "promised"])
    assert result.exit_code == 0, result.output
    promised = json.loads(result.stdout)
    assert statutory["limit_basis"] == "statutory" and promised["limit_basis"] == "promised"
    # the reformed catalog promises shorter limits than the law sets: working to them is faster
    assert promised["mean_days"] < statutory["mean_days"]
    assert [run.kind for run in repository.list_runs(get_engine(url))] == ["simulate", "simulate"]


def test_cli_nightly_reports_invalid_files_and_exits_1(scenario_dir, tmp_path):
    from typer.testing import CliRunner

    from approval_sim.cli import app

    url = f"sqlite:///{tmp_path / 'nightly.db'}"
    args = [
        "nightly",
        "--scenarios",
        str(scenario_dir),
        "--as-of",
        "2026-11-23",
        "--seeds",
        "1",
        "-n",
        "100",
        "-r",
        "2",
    ]
    result = CliRunner().invoke(app, [*args, "--no-exports", "--database", url])
    assert result.exit_code == 1
    assert "2 comparisons completed" in result.stdout and "broken.yaml" in result.stderr
    # per scenario: verdict, headline reduction with framing, basis and profile, and the robustness
    lines = result.stdout.splitlines()
    # (the suite runs in English; tests/test_messages.py renders the same lines in Chinese)
    scenario_lines = [line for line in lines if ", reduction " in line]
    assert len(scenario_lines) == 2
    for line in scenario_lines:
        assert re.search(r"(holds|fails), reduction -?\d+\.\d%", line)
        assert "serial-to-parallel, statutory, government-typical" in line
        assert "; over the assumptions: " in line
    # the command's own output and Prefect's log lines never mix: Prefect and status lines go to stderr only
    assert not any("Prefect" in line or re.match(r"\s+\d+\.\d s ", line) for line in lines)


def test_cli_nightly_rerun_says_so_on_stdout_and_prefect_on_stderr(scenario_dir, tmp_path):
    from typer.testing import CliRunner

    from approval_sim.cli import app

    (scenario_dir / "broken.yaml").unlink()
    url = f"sqlite:///{tmp_path / 'rerun.db'}"
    args = ["nightly", "--scenarios", str(scenario_dir), "--as-of", "2026-11-21", "--seeds", "1", "-n", "100",
            "-r", "2", "--no-exports", "--database", url]  # fmt: skip
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    rerun = CliRunner().invoke(app, args)
    assert rerun.exit_code == 0, rerun.output
    assert rerun.stdout == "nightly batch 2026-11-21: already completed, nothing to do\n"
    warning = [line for line in rerun.stderr.splitlines() if "already completed" in line]
    assert warning and all(re.match(r"\s+\d+\.\d s  Prefect warning: ", line) for line in warning)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nightly", "--scenarios", "no-such-folder"], "no such folder"),
        (["nightly", "--as-of", "25/11/2026"], "--as-of must be a date"),
        (["nightly", "--seeds", "1,x"], "--seeds must be a comma-separated list"),
        (["run", "compare", "no-such-scenario"], "no such file or built-in scenario"),
    ],
)
def test_cli_flow_commands_reject_bad_input_with_exit_2(args, message, scenario_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from approval_sim.cli import app

    monkeypatch.chdir(scenario_dir.parent)
    if args[0] == "nightly" and "--scenarios" not in args:
        args = [*args, "--scenarios", str(scenario_dir)]
    result = CliRunner().invoke(app, [*args, "--database", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output + result.stderr


def test_a_complete_batch_is_skipped_on_rerun(scenario_dir, tmp_path):
    from flows.nightly import nightly_batch

    (scenario_dir / "broken.yaml").unlink()
    url = f"sqlite:///{tmp_path / 'complete.db'}"
    first = nightly_batch(str(scenario_dir), AS_OF, [1], database_url=url, **BATCH)
    assert first["runs"] == 2 and first["invalid"] == [] and first["failed"] == []
    counts = repository.row_counts(get_engine(url))
    assert nightly_batch(str(scenario_dir), AS_OF, [1], database_url=url, **BATCH) == {
        "as_of": AS_OF.isoformat(),
        "skipped": True,
    }
    assert repository.row_counts(get_engine(url)) == counts
