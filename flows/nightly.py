"""The nightly batch as a Prefect flow: every scenario file of a folder compared for every seed, stored, exported.

Its own module because the batch is a job of its own (which files, what is already done, what a failure keeps,
the summary and the briefing); it reuses the database tasks, retry policy and task runner of
:mod:`flows.pipelines`, and the plan of :mod:`flows.nightly_plan`.
"""

from __future__ import annotations

from flows.settings import configure_prefect_environment

configure_prefect_environment()  # before Prefect is imported (flows.pipelines does the same, and binds to `serve`)

import dataclasses  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import wait  # noqa: E402

from flows import nightly_plan, pipelines, progress, work  # noqa: E402
from flows.pipelines import (  # noqa: E402
    DATABASE_TASK,
    database_work,
    mark_failed,
    open_run,
    quoted,
    save_results,
    task_runner,
)
from flows.store import repository  # noqa: E402
from flows.store.database import get_engine  # noqa: E402
from flows.store.records import RunOutcome, RunStart  # noqa: E402
from messages import Message  # noqa: E402
from simulations.runner import Engine  # noqa: E402


@task(name="compare scenario for all seeds", retries=0, cache_policy=NO_CACHE)
def batch_scenario(
    job: nightly_plan.BatchJob, seeds: tuple[int, ...]
) -> tuple[list[tuple[int, RunOutcome]], dict[int, str]]:
    """All missing seeds of one scenario: one coarse task (seconds of work). Returns the outcomes and, should
    some seeds fail, their errors: the scenario is then redone seed by seed, so the seeds that work are kept
    (the simulation is deterministic: a failing seed fails again, the others give the same results)."""
    try:
        outcomes = nightly_plan.job_outcomes(job, seeds)
    except Exception as error:
        if len(seeds) == 1:
            return [], {seeds[0]: f"{type(error).__name__}: {error}"}
        outcomes, errors = [], {}
        for seed in seeds:
            try:
                outcomes += nightly_plan.job_outcomes(job, (seed,))
            except Exception as seed_error:
                errors[seed] = f"{type(seed_error).__name__}: {seed_error}"
        return outcomes, errors
    progress.report(
        Message(
            "compared {file} for seed(s) {seeds}", file=Path(job.file).name, seeds=", ".join(map(str, seeds))
        )
    )
    return outcomes, {}


@task(name="open runs", **DATABASE_TASK)
@database_work
def open_runs(database_url: str | None, starts: list[RunStart]) -> list[int | None]:
    return repository.start_runs(get_engine(database_url), starts)


@task(name="save scenario results", **DATABASE_TASK)
@database_work
def save_many(database_url: str | None, results: list[tuple[int, RunOutcome]]) -> None:
    repository.complete_runs(get_engine(database_url), results)


@task(name="write exports", **{**DATABASE_TASK, "retries": 1})
@database_work
def write_exports(
    database_url: str | None,
    batch_id: int,
    folder: str,
    as_of: str,
    invalid: list[str],
    failed: list[str],
    run_ids: list[int],
) -> dict[str, Any]:
    """Every run of the batch (every seed; ``run_ids``, including runs an earlier batch made for the same
    inputs), each in every format but PDF, in its scenario's folder; the batch summary (CSV and Excel); one
    briefing for the date (HTML and PDF)."""
    from exports import FORMATS, export_run
    from exports.batch import group_by_scenario, write_briefing, write_summary

    engine = get_engine(database_url)
    results = group_by_scenario([repository.get_run(engine, run_id) for run_id in run_ids])
    target = Path(folder)
    written = [str(p) for p in write_summary(results, target)]
    for result in results:
        for run in result.runs:
            written += [
                str(p)
                for p in export_run(run, set(FORMATS) - {"pdf"}, target / nightly_plan.slug(result.label))
            ]
        progress.report(
            Message("exported {label} ({count} seed(s))", label=result.label, count=len(result.runs))
        )
    pages, problem = write_briefing(as_of, batch_id, results, target, invalid=invalid, failed=failed)
    written += [str(p) for p in pages]
    return {"files": written, "briefing": str(pages[-1]), "briefing_problem": problem}


def _nightly_run_name() -> str:
    """'nightly batch 2026-11-26' also when the date is left to default (scheduled runs)."""
    from prefect.runtime import flow_run

    as_of = flow_run.parameters.get("as_of")
    return f"nightly batch {as_of or work.today_in_shanghai()}"


@flow(name="nightly-batch", flow_run_name=_nightly_run_name, task_runner=task_runner())
def nightly_batch(
    scenario_dir: str,
    as_of: date | None = None,
    seeds: list[int] | None = None,
    *,
    projects: int = 2_000,
    replications: int = 5,
    engine: Engine = "auto",
    target: float = 0.20,
    database_url: str | None = None,
    exports_dir: str | None = None,
) -> dict[str, Any]:
    """Every scenario of a folder against its declared baseline, for fixed seeds; idempotent per ``as_of`` and
    inputs (the files' contents with the bases they build on, seeds, projects, replications: a changed input
    makes a new batch, whose unchanged runs are reused; an unchanged batch is skipped).

    With ``exports_dir``, the exports are written to ``exports_dir/<as_of>/`` as well.

    Runs already completed for this date are kept and skipped; runs left 'running' by a killed batch are
    marked interrupted and redone; a batch with the same inputs running in a live process is left alone (the
    result says ``busy``); bad files are reported (as failed runs) without stopping the good ones.
    """
    logger = get_run_logger()
    as_of = as_of or work.today_in_shanghai()
    seeds = list(seeds) if seeds is not None else list(range(1, 4))
    engine_db = get_engine(database_url)
    jobs, bad = nightly_plan.plan_batch(
        Path(scenario_dir), projects=projects, replications=replications, engine=engine, target=target
    )
    inputs = nightly_plan.batch_digest(jobs, bad, seeds, projects=projects, replications=replications)
    try:
        batch_id = open_run(database_url, RunStart(kind="nightly", scenario=str(scenario_dir), as_of=as_of,
                                                   batch_key=nightly_plan.nightly_key(as_of, Path(scenario_dir), inputs)))  # fmt: skip
    except repository.RunBusy as busy:  # the same inputs are being computed by a live batch: never twice
        logger.warning("%s", busy)
        return {"as_of": as_of.isoformat(), "busy": busy.as_json()}
    if batch_id is None:  # a batch with exactly these inputs already completed for this date
        logger.warning("nightly batch for %s with these inputs already completed; nothing to do", as_of)
        return {"as_of": as_of.isoformat(), "skipped": True}
    for item in bad:
        logger.error("invalid scenario, skipped: %s", item.message)
        failed = open_run(database_url, RunStart(kind="compare", scenario=Path(item.file).name, as_of=as_of, parent_run_id=batch_id,
                                                 batch_key=item.batch_key(as_of)))  # fmt: skip
        if failed is not None:
            mark_failed(database_url, failed, item.message)
    every_key: list[str] = []  # every run the batch stands for, whichever batch computes it
    wanted: list[tuple[int, int, RunStart]] = []  # (job index, seed, run to open)
    for index, job in enumerate(jobs):
        keys = {seed: job.batch_key(as_of, seed) for seed in seeds}
        every_key += keys.values()
        done = repository.completed_batch_keys(engine_db, keys.values())
        for seed, key in keys.items():
            if key not in done:
                spec = dataclasses.replace(job.spec, seed=seed)
                wanted.append(
                    (
                        index,
                        seed,
                        pipelines._pair_start(spec, as_of=as_of, parent_run_id=batch_id, batch_key=key),
                    )
                )
    opened = open_runs(database_url, [start for _, _, start in wanted]) if wanted else []
    pending: dict[int, list[tuple[int, int]]] = {}  # job index -> [(seed, run id)]
    elsewhere = 0  # runs another live batch is computing right now (different inputs, same scenario)
    for (index, seed, _), run_id in zip(wanted, opened, strict=True):
        if run_id is not None:
            pending.setdefault(index, []).append((seed, run_id))
        else:
            elsewhere += 1
    progress.report(
        Message(
            "{files} scenario file(s), {comparisons} comparison(s) to run, {invalid} invalid file(s)",
            files=len(jobs),
            comparisons=len(wanted) - elsewhere,
            invalid=len(bad),
        )
    )
    if elsewhere:
        logger.warning("%d comparison(s) are being computed by another live batch; left to it", elsewhere)
    futures = {
        index: batch_scenario.submit(jobs[index], tuple(seed for seed, _ in runs))
        for index, runs in pending.items()
    }
    wait(list(futures.values()))
    failures = []
    for index, future in futures.items():
        run_ids = dict(pending[index])
        try:
            outcomes, seed_errors = future.result()
        except Exception as error:  # one scenario failing must not lose the others' results
            outcomes, seed_errors = [], {seed: f"{type(error).__name__}: {error}" for seed in run_ids}
        if seed_errors:  # and a seed failing must not lose the scenario's other seeds
            failures.append(jobs[index].file)
            for seed, message in seed_errors.items():
                mark_failed(database_url, run_ids[seed], message)
        if outcomes:
            # quote(): results are large nested records; Prefect would otherwise walk every one for futures
            save_many(database_url, quoted([(run_ids[seed], outcome) for seed, outcome in outcomes]))
    run_ids_done = [run.id for run in repository.runs_with_keys(engine_db, every_key)]
    exported: dict[str, Any] = {"files": [], "briefing": None, "briefing_problem": None}
    if exports_dir:
        exported = write_exports(database_url, batch_id, str(Path(exports_dir) / as_of.isoformat()), as_of.isoformat(),
                                 [b.file for b in bad], failures, run_ids_done)  # fmt: skip
        if exported["briefing_problem"]:
            logger.warning("briefing PDF not written: %s", exported["briefing_problem"])
    summary, scenarios = _batch_summary(engine_db, run_ids_done)
    pipelines.publish_summary(
        summary, key=f"nightly-{as_of.isoformat()}", title=f"Nightly batch {as_of.isoformat()}", bad=bad
    )
    payload = {"runs": [run_id for _, run_id, _ in summary], "scenarios": scenarios, "inputs": inputs}
    if failures or bad or elsewhere:
        problems = [f"{len(bad)} invalid scenario file(s)"] if bad else []
        problems += [f"failed: {', '.join(failures)}"] if failures else []
        problems += [f"{elsewhere} comparison(s) left to another live batch"] if elsewhere else []
        # what the batch did produce stays with it, with what it could not do
        payload |= {"invalid": [b.file for b in bad], "failed": failures, "left_to_another_batch": elsewhere}
        mark_failed(database_url, batch_id, "; ".join(problems), payload=quoted(payload))
    else:
        save_results(database_url, batch_id, RunOutcome(summaries=(), payload=payload))
    return {
        "as_of": as_of.isoformat(), "batch_run_id": batch_id, "runs": len(summary), "invalid": [b.file for b in bad],
        "failed": failures, "scenarios": scenarios, "exports": exported["files"], "briefing": exported["briefing"],
        "briefing_problem": exported["briefing_problem"], "inputs": inputs, "run_ids": run_ids_done,
    }  # fmt: skip


def _batch_summary(
    engine_db: Any, run_ids: list[int]
) -> tuple[list[tuple[str, int, dict[str, Any]]], list[dict[str, Any]]]:
    """The batch's completed runs (label, id, run) for the artifact, and per scenario its verdict over the seeds,
    headline reduction with framing, basis and profile, and robustness (what the command prints and the batch
    run stores)."""
    from exports.batch import group_by_scenario

    runs = [repository.get_run(engine_db, run_id) for run_id in run_ids]
    rows = [(f"{run['scenario']} seed {run['seed']}", run["id"], run) for run in runs]
    return rows, [result.as_json() for result in group_by_scenario(runs)]
