"""`simulate`, `compare` and `bench`: Monte Carlo / discrete-event simulation from the command line.

Heavy modules (numpy, simulations, rich) are imported inside the commands so ``approval-sim --help`` stays fast.
With ``--json`` only the JSON object goes to stdout; the progress bar (if any) goes to stderr.

A little over 500 lines: three commands and their terminal rendering; ``bench`` (with ``_time_command``) is
the part to move out when the file grows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from approval_sim import sim_views
from approval_sim.errors import UserError, handle_user_errors, warn
from approval_sim.options import (
    EngineOption,
    FramingOption,
    JsonOption,
    LimitBasis,
    LimitOption,
    Mode,
    ModeOption,
    NoRobustnessOption,
    ProfileOption,
    ProjectsOption,
    ReformedArgument,
    ReplicationsOption,
    RobustnessSamplesOption,
    ScenarioArgument,
    SeedOption,
    SidesModeOption,
    TargetOption,
)
from approval_sim.output import echo, print_json
from messages import N_, Message, _

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DEFAULT_SCENARIO = "luoyang-2017-before"
BENCH_SCENARIO = "luoyang-2017-before"


class _ProgressBar:
    """A rich progress bar on stderr for runs that take more than a moment (silent otherwise)."""

    def __init__(self, label: str, show: bool) -> None:
        self.label, self.show = label, show
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _ProgressBar:
        if self.show:
            from rich.progress import Progress

            from approval_sim.output import console as safe_console

            progress = Progress(console=safe_console(stderr=True), transient=True)
            progress.__enter__()
            self._progress, self._task = progress, progress.add_task(self.label, total=None)
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(kind, error, trace)


def _worth_a_bar(projects: int, replications: int, items: int, des: bool) -> bool:
    work = projects * replications * items * (30 if des else 1)
    return work >= 5_000_000


def _load(scenario: str, profile: str | None, limit: LimitBasis | None = None) -> Any:
    from rules.loading import for_simulation, load, with_limit_basis

    return with_limit_basis(for_simulation(load(scenario), profile), limit)


def _names(*processes: Any) -> dict[str, str]:
    """Department id -> name, for tables that show names, not codes."""
    return {d.id: d.name for process in processes if process is not None for d in process.departments}


@handle_user_errors
def simulate(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    mode: ModeOption = "parallel",
    projects: ProjectsOption = 10_000,
    replications: ReplicationsOption = 10,
    seed: SeedOption = 0,
    engine: EngineOption = "auto",
    profile: ProfileOption = None,
    limit: LimitOption = None,
    event_log: Annotated[
        Path | None,
        typer.Option(
            "--event-log",
            metavar="OUT.csv",
            help=N_(
                "also write the first replication's projects as platform records (the layout 'supervise' and "
                "'calibrate' read)"
            ),
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Simulate many projects: end-to-end working days (mean, median, p90), items, departments."""
    from simulations import compile_for, resolve_engine
    from simulations import simulate as run_simulation

    if event_log is not None and event_log.suffix.lower() != ".csv":
        raise UserError(Message("--event-log {file}: the file name must end in .csv", file=str(event_log)))
    process = _load(scenario, profile, limit)
    compiled = compile_for(process)
    loads = _queues(compiled)
    chosen = resolve_engine(compiled, engine)
    show = _worth_a_bar(projects, replications, compiled.n_items, chosen == "des")
    with _ProgressBar(f"simulating {compiled.name}", show) as bar:
        run = run_simulation(
            compiled,
            mode=mode,
            projects=projects,
            replications=replications,
            seed=seed,
            engine=chosen,
            on_progress=bar,
        )
    summary = run.summary()
    summary["load"] = loads
    if event_log is not None:
        summary["event_log"] = _write_event_log(event_log, process, compiled, mode, projects, seed, chosen)
    if as_json:
        print_json(summary)
    else:
        sim_views.print_run(summary, departments=_names(process))
        sim_views.print_profiles(summary)
        if event_log is not None:
            echo(
                _("event log: {rows:,} records in {file}").format(
                    rows=summary["event_log"]["rows"], file=event_log
                )
            )


def _write_event_log(
    path: Path, process: Any, compiled: Any, mode: str, projects: int, seed: int, engine: str
) -> dict:
    """The first replication's files as platform records (same seed: the same draws as the run)."""
    import numpy as np

    from approval_model.profiles import mix_profiles
    from approval_model.project_codes import type_code
    from exports.event_log import write_records
    from simulations import replication_seeds
    from simulations.mix import Mix, mix_timelines
    from simulations.records import HEADER, RecordGroup, records
    from simulations.timeline import timeline

    if path.is_dir() or not path.parent.exists():
        raise UserError(Message("--event-log {file}: not a file in an existing folder", file=str(path)))
    seed_sequence = replication_seeds(seed, 1)[0]
    if isinstance(compiled, Mix):
        profiles = mix_profiles(process)
        groups = [
            RecordGroup(events, columns + 1, type_code(profiles[name].investment_type))
            for name, columns, events in mix_timelines(compiled, mode, projects, seed_sequence, engine=engine)  # type: ignore[arg-type]
        ]
    else:
        events = timeline(compiled, mode, projects, seed_sequence, engine=engine)  # type: ignore[arg-type]
        investment = process.profile.investment_type if process.profile is not None else None
        groups = [RecordGroup(events, np.arange(1, projects + 1), type_code(investment))]
    rows = write_records(path, HEADER, records(groups, compiled.start_date))
    return {"file": str(path), "rows": rows, "projects": projects, "replication": 1}


@handle_user_errors
def compare(
    baseline: ScenarioArgument = DEFAULT_SCENARIO,
    reformed: ReformedArgument = None,
    target: TargetOption = 0.2,
    mode: SidesModeOption = None,
    framing: FramingOption = None,
    projects: ProjectsOption = 10_000,
    replications: ReplicationsOption = 10,
    seed: SeedOption = 0,
    engine: EngineOption = "auto",
    profile: ProfileOption = None,
    limit: LimitOption = None,
    robustness_samples: RobustnessSamplesOption = 500,
    no_robustness: NoRobustnessOption = False,
    as_json: JsonOption = False,
) -> None:
    """Does the reduction reach the target? Every framing (serial-to-parallel, parallel-to-parallel,
    partial-to-parallel) with its reduction and 95 % CI, the headline's verdict, how robust it is to the
    modelling assumptions, and the bottlenecks."""
    from simulations import compare as run_compare
    from simulations import resolve_engine
    from simulations.compare import prepare

    if reformed is None and mode is not None:
        raise UserError(
            Message("--mode applies when comparing two scenarios; with one, serial is compared with parallel")
        )
    if mode is not None and framing is not None:
        raise UserError(
            Message("give --framing or --mode, not both (--mode parallel = --framing parallel-to-parallel)")
        )
    first = _load(baseline, profile, limit)
    second = _load(reformed, profile, limit) if reformed is not None else None
    sides = prepare(first, second)[:2]  # compiled as the comparison runs them (a project mix on both sides)
    compiled = [c for c in sides if c is not None]
    loads = {side: _queues(c) for side, c in zip(("baseline", "reform"), compiled, strict=False)}
    chosen = resolve_engine(compiled, engine)
    items = max(c.n_items for c in compiled)
    show = _worth_a_bar(2 * projects, replications, items, chosen == "des")
    with _ProgressBar("comparing", show) as bar:
        result = run_compare(
            first,
            second,
            projects=projects,
            replications=replications,
            seed=seed,
            engine=chosen,
            target=target,
            framing=framing.value if framing is not None else None,
            on_progress=bar,
            baseline_mode=mode,
            reform_mode=mode,
        )
    summary = result.summary()
    summary["load"] = loads
    summary["robustness"] = robustness(
        first, second, baseline, reformed, profile=profile, limit=limit, framing=framing, mode=mode,
        target=target, samples=None if no_robustness else robustness_samples, projects=projects, seed=seed,
    )  # fmt: skip
    if as_json:
        print_json(summary)
        return
    sim_views.print_comparison(summary, _names(first, second))


@handle_user_errors
def bench(
    projects: Annotated[int, typer.Option("--projects", min=1, help=N_("Monte Carlo projects"))] = 100_000,
    des_projects: Annotated[int, typer.Option("--des-projects", min=1, help=N_("DES projects"))] = 10_000,
    million: Annotated[bool, typer.Option(help=N_("also run a million projects in chunks"))] = True,
    large: Annotated[
        bool, typer.Option(help=N_("also compile 50,000 items and run 5,000 items (peak memory)"))
    ] = True,
    command: Annotated[
        bool, typer.Option(help=N_("also time the whole 'simulate' command for the DES case"))
    ] = True,
    robustness: Annotated[
        bool,
        typer.Option(
            help=N_(
                "also time the robustness analysis: 1,000 assumption sets x 10,000 projects of the full "
                "Luoyang pair (profile all)"
            )
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Measure and print: Monte Carlo projects/s, a million projects (time, peak memory), DES events/s, the
    robustness analysis, large catalogs (compile time of 50,000 items, time and peak memory of 5,000 items)."""
    from simulations import bench as figures

    catalog = _load(BENCH_SCENARIO, "all")
    report: dict[str, Any] = {"montecarlo": figures.bench_montecarlo(catalog, projects)}
    report["montecarlo"]["scenario"] = f"{BENCH_SCENARIO} (profile all)"
    report["des"] = figures.bench_des(des_projects)
    if command:
        report["des_command"] = _time_command(des_projects)
    if million:
        report["million"] = figures.bench_million(catalog)
    if robustness:
        from rules.loading import summed_variant

        summed = (
            summed_variant(BENCH_SCENARIO, "all", None),
            summed_variant("luoyang-2017-after", "all", None),
        )
        report["robustness"] = figures.bench_robustness(
            catalog, _load("luoyang-2017-after", "all"), summed=summed
        )
        report["robustness"]["scenario"] = "luoyang-2017-before -> luoyang-2017-after (profile all)"
    if large:
        report["large"] = figures.bench_large()
    report["machine"] = figures.machine_conditions()
    if as_json:
        print_json(report)
        return
    mc, des = report["montecarlo"], report["des"]
    echo(
        _(
            "Monte Carlo, {scenario}, {items} items, {projects:,} projects: serial {serial:.3f} s + parallel "
            "{parallel:.3f} s = {both:.3f} s ({rate:,.0f} projects/s), CPU {cpu:.3f} s"
        ).format(
            scenario=mc["scenario"],
            items=mc["items"],
            projects=mc["projects"],
            serial=mc["serial_seconds"],
            parallel=mc["parallel_seconds"],
            both=mc["both_seconds"],
            rate=mc["projects_per_second"],
            cpu=mc["both_cpu_seconds"],
        )
    )
    echo(
        _(
            "DES, 8-item process (shared pool, capacities 4-14, Poisson arrivals), {projects:,} projects: "
            "{seconds:.3f} s, {events:,} events ({rate:,.0f} events/s)"
        ).format(
            projects=des["projects"],
            seconds=des["seconds"],
            events=des["events"],
            rate=des["events_per_second"],
        )
    )
    if command:
        echo(
            _(
                "  whole command 'approval-sim simulate <8-item scenario> -n {projects} -r 1 --json': {seconds:.3f} s "
                "(first, cold run {cold:.2f} s)"
            ).format(
                projects=des_projects,
                seconds=report["des_command"]["seconds"],
                cold=report["des_command"]["cold_seconds"],
            )
        )
    if million:
        mil = report["million"]
        echo(
            _(
                "Monte Carlo, {projects:,} projects (parallel, chunks): {seconds:.2f} s, peak memory {memory:.0f} MB"
            ).format(projects=mil["projects"], seconds=mil["seconds"], memory=mil["peak_rss_mb"])
        )
    if robustness:
        rob = report["robustness"]
        echo(
            _(
                "robustness, {scenario}, {samples:,} assumption sets x {projects:,} projects ({framings}): "
                "{seconds:.1f} s wall, {cpu:.1f} s CPU ({per_set:.1f} ms per set)"
            ).format(
                scenario=rob["scenario"],
                samples=rob["samples"],
                projects=rob["projects"],
                framings=", ".join(rob["framings"]),
                seconds=rob["seconds"],
                cpu=rob["cpu_seconds"],
                per_set=rob["ms_per_sample"],
            )
        )
    if large:
        big = report["large"]
        echo(
            _(
                "Large catalogs: {compile_items:,} items validated in {validate:.2f} s, compiled in {compile:.2f} s; "
                "{run_items:,} items x {projects:,} projects (parallel, gains, chunks of {chunk:,}): {run:.1f} s, "
                "peak memory {peak:.0f} MB (budget {budget:.0f} MB + Python)"
            ).format(
                compile_items=big["compile_items"],
                validate=big["validate_seconds"],
                compile=big["compile_seconds"],
                run_items=big["run_items"],
                projects=big["projects"],
                chunk=big["chunk_projects"],
                run=big["run_seconds"],
                peak=big["run_peak_rss_mb"],
                budget=big["memory_budget_mb"],
            )
        )
    machine = report["machine"]
    echo(
        _("machine: {cpus} CPUs, load average {load} (others' work inflates these timings)").format(
            cpus=machine["cpus"], load=machine["load_average_1min"]
        )
    )


def _queues(compiled: Any) -> list[dict]:
    """Refuse queues that cannot keep up (exit 2 with the fix), warn on stderr at 95 % load; the loads as JSON."""
    from simulations.load import check_queues, load_warnings

    loads = check_queues(compiled)
    for line in load_warnings(compiled):
        warn(line)
    return [load.as_json() for load in loads]


def robustness(
    first: Any,
    second: Any,
    baseline: str,
    reformed: str | None,
    *,
    profile: str | None,
    limit: LimitBasis | None,
    framing: Any,
    mode: Mode | None,
    target: float,
    samples: int | None,
    projects: int,
    seed: int,
) -> dict:
    """The ``robustness`` object of a comparison (``samples`` None: skipped on request)."""
    from simulations.robustness import assess_comparison, skipped

    if samples is None:
        return skipped("--no-robustness")
    from rules.loading import summed_variant

    basis = limit.value if limit is not None else None
    summed = (
        summed_variant(baseline, profile, basis),
        summed_variant(reformed, profile, basis) if reformed is not None else None,
    )
    modes: dict[str, Any] = {"baseline_mode": mode, "reform_mode": mode} if mode is not None else {}
    return assess_comparison(
        first, second, summed=summed, framing=framing.value if framing is not None else None,
        target=target, samples=samples, projects=projects, seed=seed, **modes,
    )  # fmt: skip


def _time_command(projects: int) -> dict[str, float]:
    """Wall time of a fresh ``approval-sim simulate`` process on the DES benchmark scenario.

    Best of three runs with Python's bytecode cache on (kept in a temporary folder, not in the tree), as an
    installed command would run; the first, cold run is reported too.
    """
    import os
    import subprocess
    import tempfile
    import time
    from pathlib import Path

    import yaml

    from simulations.bench import DES_BENCH_PROCESS

    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        path = Path(folder) / "bench-des-8.yaml"
        path.write_text(yaml.safe_dump(DES_BENCH_PROCESS, allow_unicode=True), encoding="utf-8")
        argv = [
            sys.executable,
            "-m",
            "approval_sim.cli",
            "simulate",
            str(path),
            "-p",
            "all",
            "-n",
            str(projects),
            "-r",
            "1",
            "--json",
        ]
        times = []
        for _ in range(4):
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - t0)
    return {"projects": projects, "seconds": min(times[1:]), "cold_seconds": times[0]}


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add simulate, compare and bench to the main app."""
    app.command("simulate")(simulate)
    app.command("compare")(compare)
    app.command("bench")(bench)
