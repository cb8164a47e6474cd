"""Prefect flows: simulate a scenario and compare two; the database tasks every flow shares (the nightly batch,
:mod:`flows.nightly`, and the sensitivity sweep, :mod:`flows.sensitivity`, use them too).

Tasks are coarse (a scenario pair x a group of replications); the simulation core stays free of Prefect.
No task caches (NO_CACHE): hashing large inputs costs time, and stored results live in the app's database.
Database writes are tasks with retries (transient errors); simulations are deterministic and never retried.
Results go to the app's own database (flows.store), never to Prefect's.
"""

from __future__ import annotations

from flows.server_child import bind_if_asked
from flows.settings import configure_prefect_environment
from messages import Message

configure_prefect_environment()
bind_if_asked()  # a flow run that `serve` started in a subprocess ends with `serve`

import functools  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any, TypeVar, cast  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from flows import prefetch, progress, work  # noqa: E402
from flows.store import repository  # noqa: E402
from flows.store.database import get_engine  # noqa: E402
from flows.store.failures import describe_url, explained, is_transient  # noqa: E402
from flows.store.records import RunOutcome, RunStart  # noqa: E402
from rules.loading import load as load_scenario  # noqa: E402
from simulations.compiled import Mode  # noqa: E402
from simulations.runner import Engine  # noqa: E402

if TYPE_CHECKING:
    from approval_model.models import Process
    from simulations.runner import SimulationRun

DASK_ADDRESS_ENV = "APPROVAL_SIM_DASK_ADDRESS"


WORKERS_ENV = "APPROVAL_SIM_WORKERS"


def task_runner(dask_address: str | None = None):  # noqa: ANN201 - a Prefect TaskRunner
    """DaskTaskRunner on an existing cluster when an address is given (or in the environment), else a local
    thread pool of $APPROVAL_SIM_WORKERS threads (default 1).

    One thread by default because the simulation is CPU-bound Python + numpy: measured on 2 cores, two threads
    made a batch 23 % slower than one and six threads 75 % slower (the GIL); Prefect's process pool was slower
    still for nightly-sized batches (each worker process starts its own Prefect client). Scale out with Dask.
    """
    address = dask_address or os.environ.get(DASK_ADDRESS_ENV)
    if address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=address)
    return ThreadPoolTaskRunner(max_workers=int(os.environ.get(WORKERS_ENV, "1")))


T = TypeVar("T")


def quoted(value: T) -> T:
    """``value`` in Prefect's ``quote()``: handed to a task as it is instead of being walked for futures (large
    records cost seconds to walk). Prefect unwraps it before the task runs, so the task receives a plain ``T``;
    the cast tells the type checker what Prefect does."""
    return cast(T, quote(value))


# ------------------------------------------------------------------------------------------------- tasks


@task(name="simulate replications", retries=0, cache_policy=NO_CACHE)
def simulate_replications(spec: work.PairSpec, indices: tuple[int, ...]) -> work.ReplicationPair:
    """Both sides of a group of replications (deterministic: no retries)."""
    return prefetch.call(work.run_pair_replications, spec, indices)


@task(name="simulate single", retries=0, cache_policy=NO_CACHE)
def simulate_single(
    reference: str,
    profile: str | None,
    mode: Mode,
    projects: int,
    replications: int,
    seed: int,
    engine: Engine,
    limit_basis: str | None = None,
) -> tuple[Process, SimulationRun]:
    from rules.loading import for_profile, load, with_limit_basis
    from simulations.runner import simulate

    process = with_limit_basis(for_profile(load(reference), profile), limit_basis)
    return process, simulate(
        process, mode=mode, projects=projects, replications=replications, seed=seed, engine=engine
    )


@task(name="assess robustness", retries=0, cache_policy=NO_CACHE)
def assess_robustness(spec: work.PairSpec) -> dict:
    """The verdict over the modelling assumptions' plausible ranges (deterministic: no retries)."""
    return prefetch.call(work.PairSpec.robustness, spec)


def _worth_retrying(_task: Any, _run: Any, state: Any) -> bool:
    """Retry a database write only when the failure may pass (a lock, a dropped connection): a full disk or
    a read-only file fails at once, with its explanation, and so does a run another live batch is doing."""
    error = getattr(state, "data", None)
    if isinstance(error, repository.RunBusy):
        return False
    return not isinstance(error, BaseException) or is_transient(error)


def database_work(function: Callable[..., T]) -> Callable[..., T]:
    """A task body that uses the results database (its first argument is the URL): a database failure is
    raised as a DatabaseFailure saying what happened and what to do, without the SQL SQLAlchemy quotes (the
    task's failure, and Prefect's log of it, then hold no statement or parameters)."""

    @functools.wraps(function)
    def wrapper(database_url: str | None, *args: Any, **kwargs: Any) -> T:
        try:
            return function(database_url, *args, **kwargs)
        except Exception as error:
            failure = explained(error, _url(database_url))
            if failure is not None and failure.transient:
                _tell_retry(function.__name__, database_url)
            if failure is None or failure is error:
                raise
            raise failure from None

    return wrapper


def _tell_retry(work_name: str, database_url: str | None) -> None:
    """Say on the status line that a database write is waiting to be tried again (a lock held by another
    process can keep a command silent for minutes otherwise: 30 s of busy timeout per attempt)."""
    from prefect.context import TaskRunContext

    context = TaskRunContext.get()
    attempt = context.task_run.run_count if context is not None else 0
    attempts = int(DATABASE_TASK["retries"]) + 1
    url = _url(database_url)
    if 0 < attempt < attempts:
        progress.report(
            Message(
                "the results database {database} is locked by another process or out of reach ({work}); "
                "trying again (attempt {next} of {attempts})",
                database=describe_url(url) if url else "",
                work=work_name.replace("_", " "),
                next=attempt + 1,
                attempts=attempts,
            )
        )


def _url(database_url: str | None) -> str | None:
    from flows.store.database import database_url as resolved

    try:
        return resolved(database_url)
    except Exception:  # noqa: BLE001 - naming the database is a courtesy
        return None


DATABASE_TASK: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": 2,
    "retry_condition_fn": _worth_retrying,
    "cache_policy": NO_CACHE,
}


@task(name="save scenario", **DATABASE_TASK)
@database_work
def save_scenario(database_url: str | None, reference: str, name: str) -> int:
    source, text = work.scenario_text(reference)
    return repository.save_scenario(get_engine(database_url), name, source, text)


@task(name="open run", **DATABASE_TASK)
@database_work
def open_run(database_url: str | None, start: RunStart) -> int | None:
    """The new run's id; None when its batch key already completed (nothing to do)."""
    engine = get_engine(database_url)
    repository.mark_interrupted(engine)
    return repository.start_run(engine, start)


def open_new_run(database_url: str | None, start: RunStart) -> int:
    """:func:`open_run` for a run without a batch key, which always opens."""
    run_id = open_run(database_url, start)
    if run_id is None:
        raise RuntimeError(f"run {start.scenario} was not opened (batch key {start.batch_key})")
    return run_id


@task(name="save results", **DATABASE_TASK)
@database_work
def save_results(database_url: str | None, run_id: int, outcome: RunOutcome) -> int:
    repository.complete_run(get_engine(database_url), run_id, outcome)
    return run_id


@task(name="mark run failed", **DATABASE_TASK)
@database_work
def mark_failed(
    database_url: str | None, run_id: int, error: str, status: str = "failed", payload: dict | None = None
) -> None:
    repository.fail_run(get_engine(database_url), run_id, error, status, payload)


# ------------------------------------------------------------------------------------------------- flows


def _pair_start(spec: work.PairSpec, **extra: Any) -> RunStart:
    from simulations.compare import framing_modes

    headline = spec.headline()
    return RunStart(
        kind="compare", scenario=spec.label, mode=framing_modes(headline)[1], engine=spec.engine,
        profile=spec.profile_name(), limit_basis=spec.basis(), framing=headline, projects=spec.projects,
        seed=spec.seed, replications=spec.replications, target=spec.target, **extra,
    )  # fmt: skip


def pair_spec(
    baseline: str,
    reform: str | None = None,
    *,
    profile: str | None = None,
    mode: Mode | None = None,
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    target: float = 0.20,
    limit_basis: str | None = None,
    framing: str | None = None,
    robustness_samples: int | None = work.DEFAULT_SAMPLES,
) -> work.PairSpec:
    """What ``compare_scenarios`` compares, from its parameters."""
    side_mode = None if reform is None else mode
    return work.PairSpec(baseline, reform, profile, side_mode, side_mode, projects, replications, seed, engine, target,
                         limit_basis, framing, robustness_samples)  # fmt: skip


def prefetch_comparison(
    baseline: str, reform: str | None = None, *, task_groups: int = 2, **options: Any
) -> None:
    """Start the work of ``compare_scenarios(baseline, reform, **options)`` now, in the background (see
    :mod:`flows.prefetch`): its tasks will take the results. For local task runners only."""
    spec = pair_spec(baseline, reform, **options)
    for indices in work.replication_groups(spec.replications, task_groups):
        prefetch.start(work.run_pair_replications, spec, indices)
    prefetch.start(work.PairSpec.robustness, spec)


def _compare_and_save(spec: work.PairSpec, run_id: int, database_url: str | None, groups: int) -> RunOutcome:
    futures = [
        simulate_replications.submit(spec, indices)
        for indices in work.replication_groups(spec.replications, groups)
    ]
    robust = assess_robustness.submit(spec)
    parts = []
    for future in futures:
        parts.append(future.result())
        done = sum(len(part.indices) for part in parts)
        progress.report(
            Message(
                "simulated {done}/{replications} replications of {projects:,} projects",
                done=done,
                replications=spec.replications,
                projects=spec.projects,
            )
        )
    comparison = work.assemble_comparison(spec, parts)
    baseline, reform = spec.processes()
    robustness = robust.result()
    if robustness.get("samples"):
        progress.report(
            Message("robustness over {samples} assumption sets done", samples=robustness["samples"])
        )
    outcome = work.comparison_outcome(comparison, baseline, reform, spec.catalogs(), robustness=robustness)
    save_results(database_url, run_id, quoted(outcome))
    progress.report(Message("run {run_id} saved", run_id=run_id))
    return outcome


@flow(
    name="compare-scenarios",
    flow_run_name="compare {baseline} vs {reform} seed {seed}",
    task_runner=task_runner(),
)
def compare_scenarios(
    baseline: str,
    reform: str | None = None,
    *,
    profile: str | None = None,
    mode: Mode | None = None,
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    target: float = 0.20,
    limit_basis: str | None = None,
    framing: str | None = None,
    robustness_samples: int | None = work.DEFAULT_SAMPLES,
    database_url: str | None = None,
    task_groups: int = 2,
) -> dict[str, Any]:
    """Compare two scenarios (or serial vs parallel of one) under every framing that applies, persist the run,
    publish a summary artifact."""
    spec = pair_spec(baseline, reform, profile=profile, mode=mode, projects=projects, replications=replications,
                     seed=seed, engine=engine, target=target, limit_basis=limit_basis, framing=framing,
                     robustness_samples=robustness_samples)  # fmt: skip
    baseline_id = save_scenario(database_url, baseline, Path(baseline).stem)
    reform_id = save_scenario(database_url, reform, Path(reform).stem) if reform is not None else baseline_id
    run_id = open_new_run(
        database_url, _pair_start(spec, baseline_scenario_id=baseline_id, reform_scenario_id=reform_id)
    )
    try:
        outcome = _compare_and_save(spec, run_id, database_url, task_groups)
    except BaseException as error:
        mark_failed(database_url, run_id, f"{type(error).__name__}: {error}")
        raise
    stored = repository.get_run(get_engine(database_url), run_id)
    publish_summary([(spec.label, run_id, stored)], key=f"compare-{run_id}", title=f"Comparison run {run_id}")
    return {"run_id": run_id, **(outcome.payload or {})}


@flow(
    name="simulate-scenario",
    flow_run_name="simulate {scenario} {mode} seed {seed}",
    task_runner=task_runner(),
)
def simulate_scenario(
    scenario: str,
    *,
    profile: str | None = None,
    mode: Mode = "parallel",
    projects: int = 10_000,
    replications: int = 10,
    seed: int = 0,
    engine: Engine = "auto",
    limit_basis: str | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Simulate one scenario and persist the run (``limit_basis`` None: the scenario's own)."""
    scenario_id = save_scenario(database_url, scenario, Path(scenario).stem)
    loaded = load_scenario(scenario)
    basis = limit_basis or loaded.simulation.limit_basis
    start = RunStart(kind="simulate", scenario=Path(scenario).stem, reform_scenario_id=scenario_id, mode=mode,
                     engine=engine, profile=work.profile_label(loaded, profile), limit_basis=basis, projects=projects,
                     seed=seed, replications=replications)  # fmt: skip
    run_id = open_new_run(database_url, start)
    try:
        process, run = simulate_single(
            scenario, profile, mode, projects, replications, seed, engine, limit_basis
        )
        outcome = work.simulation_outcome(run, process)
        save_results(database_url, run_id, quoted(outcome))
    except BaseException as error:
        mark_failed(database_url, run_id, f"{type(error).__name__}: {error}")
        raise
    return {"run_id": run_id, **(outcome.payload or {})}


def publish_summary(
    rows: list[tuple[str, int, dict[str, Any]]], *, key: str, title: str, bad: list | None = None
) -> None:
    """A markdown artifact (shown in the Prefect UI): verdicts, then the top bottlenecks."""
    from flows.report import basis_line, markdown_summary

    create_markdown_artifact(
        markdown=markdown_summary(rows, title=title, bad=bad or []),
        key=key.lower().replace("_", "-"),
        description=f"{title}: {basis_line([run for _, _, run in rows])}",
    )
