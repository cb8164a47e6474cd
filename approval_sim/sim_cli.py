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

from approval_sim.clock_views import clock_lines, target_lines
from approval_sim.errors import UserError, handle_user_errors
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
from approval_sim.output import print_json

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
            from rich.console import Console
            from rich.progress import Progress

            progress = Progress(console=Console(stderr=True), transient=True)
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
    from rules.loading import for_profile, load, with_limit_basis

    return with_limit_basis(for_profile(load(scenario), profile), limit)


def _print_run(summary: dict, title: str | None = None, top: int = 10) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    cal = summary["calendar"]
    ci = summary["mean_days_ci95"]
    ci_text = f" (95% CI {ci[0]:.1f}-{ci[1]:.1f})" if ci[0] is not None else ""
    console.print(
        f"[bold]{title or summary['process']}[/bold] - {summary['mode']}, {summary['engine']}, "
        f"{summary['projects']:,} projects x {summary['replications']} replications, seed {summary['seed']}; "
        f"handling scaled to {summary.get('limit_basis', 'statutory')} limits"
    )
    console.print(
        f"end-to-end working days: mean {summary['mean_days']:.1f}{ci_text}, median {summary['p50_days']:.1f}, "
        f"p90 {summary['p90_days']:.1f}; counted (clock running) mean {summary['counted_mean_days']:.1f}"
    )
    estimated = " (estimated calendar)" if cal["estimated"] else ""
    console.print(
        f"calendar days from {cal['start_date']}: mean {cal['mean_days']:.1f}, median {cal['p50_days']:.0f}, "
        f"p90 {cal['p90_days']:.0f}{estimated}; projects with no overdue item: {summary['on_time_rate']:.1%}"
    )
    for line in clock_lines(summary):
        console.print(line, highlight=False)
    for line in target_lines(summary.get("target_checks", [])):
        console.print(line, highlight=False)
    table = Table(title=f"items by criticality (top {top})")
    for column in ("item", "name", "dept", "critical", "wait", "handling", "stopped", "overdue"):
        table.add_column(column, justify="left" if column in ("item", "name", "dept") else "right")
    rows = sorted(summary["items"].items(), key=lambda kv: -(kv[1]["criticality"] or 0))[:top]
    for item_id, v in rows:
        table.add_row(
            item_id,
            v["name"],
            v["department"],
            f"{v['criticality']:.0%}",
            f"{v['mean_wait_days']:.1f}",
            f"{v['mean_handling_days']:.1f}",
            f"{v['mean_stopped_days']:.1f}",
            f"{v['overdue_rate']:.1%}",
        )
    console.print(table)
    limited = {d: v for d, v in summary["departments"].items() if v["capacity"] is not None}
    if limited:
        table = Table(title="departments with a capacity")
        for column in ("department", "capacity", "utilisation", "wait/file", "queue (mean)"):
            table.add_column(column, justify="left" if column == "department" else "right")
        for d, v in sorted(limited.items(), key=lambda kv: -(kv[1]["utilisation"] or 0)):
            table.add_row(
                d,
                str(v["capacity"]),
                f"{v['utilisation']:.0%}",
                f"{v['mean_wait_days']:.2f}",
                f"{v['mean_queue_length']:.2f}",
            )
        console.print(table)


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
            help="also write the first replication's projects as platform records (the layout 'supervise' and "
            "'calibrate' read)",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Simulate many projects: end-to-end working days (mean, median, p90), items, departments."""
    from simulations import compile_process, resolve_engine
    from simulations import simulate as run_simulation

    if event_log is not None and event_log.suffix.lower() != ".csv":
        raise UserError(f"--event-log {event_log}: the file name must end in .csv")
    process = _load(scenario, profile, limit)
    compiled = compile_process(process)
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
        _print_run(summary)
        if event_log is not None:
            typer.echo(f"event log: {summary['event_log']['rows']:,} records in {event_log}")


def _write_event_log(
    path: Path, process: Any, compiled: Any, mode: str, projects: int, seed: int, engine: str
) -> dict:
    """The first replication's files as platform records (same seed: the same draws as the run)."""
    import numpy as np

    from approval_model.project_codes import type_code
    from exports.event_log import write_records
    from simulations import replication_seeds
    from simulations.records import HEADER, RecordGroup, records
    from simulations.timeline import timeline

    if path.is_dir() or not path.parent.exists():
        raise UserError(f"--event-log {path}: not a file in an existing folder")
    events = timeline(compiled, mode, projects, replication_seeds(seed, 1)[0], engine=engine)  # type: ignore[arg-type]
    investment = process.profile.investment_type if process.profile is not None else None
    group = RecordGroup(events, np.arange(1, projects + 1), type_code(investment))
    rows = write_records(path, HEADER, records([group], compiled.start_date))
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
    from simulations import compile_process, resolve_engine

    if reformed is None and mode is not None:
        raise UserError(
            "--mode applies when comparing two scenarios; with one, serial is compared with parallel"
        )
    if mode is not None and framing is not None:
        raise UserError(
            "give --framing or --mode, not both (--mode parallel = --framing parallel-to-parallel)"
        )
    first = _load(baseline, profile, limit)
    second = _load(reformed, profile, limit) if reformed is not None else None
    compiled = [compile_process(first)] + ([compile_process(second)] if second is not None else [])
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
    _print_comparison(summary)


@handle_user_errors
def bench(
    projects: Annotated[int, typer.Option("--projects", min=1, help="Monte Carlo projects")] = 100_000,
    des_projects: Annotated[int, typer.Option("--des-projects", min=1, help="DES projects")] = 10_000,
    million: Annotated[bool, typer.Option(help="also run a million projects in chunks")] = True,
    large: Annotated[
        bool, typer.Option(help="also compile 50,000 items and run 5,000 items (peak memory)")
    ] = True,
    command: Annotated[
        bool, typer.Option(help="also time the whole 'simulate' command for the DES case")
    ] = True,
    robustness: Annotated[
        bool,
        typer.Option(
            help="also time the robustness analysis: 1,000 assumption sets x 10,000 projects of the full "
            "Luoyang pair (profile all)"
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
        report["robustness"] = figures.bench_robustness(catalog, _load("luoyang-2017-after", "all"))
        report["robustness"]["scenario"] = "luoyang-2017-before -> luoyang-2017-after (profile all)"
    if large:
        report["large"] = figures.bench_large()
    report["machine"] = figures.machine_conditions()
    if as_json:
        print_json(report)
        return
    mc, des = report["montecarlo"], report["des"]
    typer.echo(
        f"Monte Carlo, {mc['scenario']}, {mc['items']} items, {mc['projects']:,} projects: "
        f"serial {mc['serial_seconds']:.3f} s + parallel {mc['parallel_seconds']:.3f} s = "
        f"{mc['both_seconds']:.3f} s ({mc['projects_per_second']:,.0f} projects/s)"
    )
    typer.echo(
        f"DES, 8-item process (shared pool, capacities 4-14, Poisson arrivals), {des['projects']:,} projects: "
        f"{des['seconds']:.3f} s, {des['events']:,} events ({des['events_per_second']:,.0f} events/s)"
    )
    if command:
        typer.echo(
            f"  whole command 'approval-sim simulate <8-item scenario> -n {des_projects} -r 1 --json': "
            f"{report['des_command']['seconds']:.3f} s (first, cold run {report['des_command']['cold_seconds']:.2f} s)"
        )
    if million:
        mil = report["million"]
        typer.echo(
            f"Monte Carlo, {mil['projects']:,} projects (parallel, chunks): {mil['seconds']:.2f} s, "
            f"peak memory {mil['peak_rss_mb']:.0f} MB"
        )
    if robustness:
        rob = report["robustness"]
        typer.echo(
            f"robustness, {rob['scenario']}, {rob['samples']:,} assumption sets x {rob['projects']:,} projects "
            f"({', '.join(rob['framings'])}): {rob['seconds']:.1f} s wall, {rob['cpu_seconds']:.1f} s CPU "
            f"({rob['ms_per_sample']:.1f} ms per set)"
        )
    if large:
        big = report["large"]
        typer.echo(
            f"Large catalogs: {big['compile_items']:,} items validated in {big['validate_seconds']:.2f} s, "
            f"compiled in {big['compile_seconds']:.2f} s; {big['run_items']:,} items x {big['projects']:,} "
            f"projects (parallel, gains, chunks of {big['chunk_projects']:,}): {big['run_seconds']:.1f} s, "
            f"peak memory {big['run_peak_rss_mb']:.0f} MB (budget {big['memory_budget_mb']:.0f} MB + Python)"
        )
    machine = report["machine"]
    typer.echo(
        f"machine: {machine['cpus']} CPUs, load average {machine['load_average_1min']} (others' work inflates "
        "these timings)"
    )


def _queues(compiled: Any) -> list[dict]:
    """Refuse queues that cannot keep up (exit 2 with the fix), warn on stderr at 95 % load; the loads as JSON."""
    from simulations.load import check_queues, load_warnings

    loads = check_queues(compiled)
    for line in load_warnings(compiled):
        sys.stderr.write(f"warning: {line}\n")
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


def _print_robustness(robust: dict) -> None:
    from rich.console import Console

    console = Console()
    if robust.get("skipped"):
        console.print(f"robustness over the modelling assumptions: not analysed ({robust['skipped']})")
        return
    low, high = robust["band"]
    colour = {"holds": "green", "fails": "red", "depends": "yellow"}[robust["verdict"]]
    console.print(
        f"robustness over the modelling assumptions ({robust['samples']} assumption sets x "
        f"{robust['projects']:,} projects, {robust['framing']}): the reduction lies in {low:.1%}-{high:.1%} "
        f"(5th-95th percentile) and reaches {robust['target']:.0%} in {robust['holds_share']:.0%} of them: "
        f"[{colour}]{robust['verdict']}[/{colour}]"
    )
    if robust.get("deciding_assumption"):
        when = robust.get("holds_when")
        turn = (
            f"; with the others nominal it holds when {when['assumption']} {when['holds_when']}"
            if when
            else ""
        )
        console.print(f"  decided by {robust['deciding_assumption']}{turn}")
    drivers = ", ".join(f"{d['assumption']} {d['total_index']:.2f}" for d in robust["drivers"][:4])
    if drivers:
        console.print(f"  main drivers (Sobol' total index): {drivers}")
    for framing in robust.get("framings", []):
        if framing["name"] != robust["framing"]:
            flow, fhigh = framing["band"]
            console.print(
                f"  {framing['name']}: {flow:.1%}-{fhigh:.1%}, reaches the target in {framing['holds_share']:.0%}: "
                f"{framing['verdict']}"
            )
    if robust.get("not_varied"):
        console.print(
            "  not varied: " + "; ".join(f"{n['assumption']} ({n['reason']})" for n in robust["not_varied"]),
            highlight=False,
        )


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


def _framing_line(framing: dict, target: float, headline: bool) -> str:
    low, high = framing["reduction"]["ci95"]
    ci = f"95% CI {low:.1%} to {high:.1%}" if low is not None else "no CI (one replication)"
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}[framing["verdict"]]
    mark = "[bold]" if headline else ""
    end = "[/bold]" if headline else ""
    return (
        f"  {mark}{framing['name']}{end}: {framing['baseline_mean_days']:.1f} -> {framing['reform_mean_days']:.1f} "
        f"wd, reduction {framing['reduction']['mean']:.1%} ({ci}), [{colour}]{framing['verdict']}[/{colour}] "
        f"on {target:.0%} - {framing['meaning']}"
    )


def _print_comparison(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    base, reform = summary["baseline"], summary["reform"]
    reduction = summary["reduction"]
    basis = {"statutory": "statutory (法定) limits", "promised": "promised (承诺) limits"}.get(
        base.get("limit_basis"), base.get("limit_basis")
    )
    console.print(
        f"[bold]{base['process']}[/bold] -> [bold]{reform['process']}[/bold], {base['engine']}, "
        f"{base['projects']:,} projects x {base['replications']} replications, seed {base['seed']}; "
        f"handling times scale with {basis}"
    )
    console.print(f"framings (headline first, 'framing' {summary['headline']}):")
    for framing in summary["framings"]:
        console.print(_framing_line(framing, summary["target"], framing["name"] == summary["headline"]))
    console.print(
        f"headline {summary['headline']} ({base['mode']} -> {reform['mode']}): mean end-to-end "
        f"{base['mean_days']:.1f} -> {reform['mean_days']:.1f} working days"
    )
    for label, r in (("mean", reduction), ("median", reduction["median"]), ("p90", reduction["p90"])):
        lo, hi = r["ci95"]
        ci = f"95% CI {lo:.1%} to {hi:.1%}" if lo is not None else "no CI (one replication)"
        console.print(f"reduction of the {label}: {r['mean']:.1%} ({ci})")
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}[summary["verdict"]]
    line = f"verdict on {summary['target']:.0%} ({summary['headline']}): [{colour}]{summary['verdict']}[/{colour}]"
    if summary["verdict"] == "inconclusive":
        needed = reduction["replications_needed"]
        line += (
            f" - about {needed} replications would settle it"
            if needed
            else " - the estimate sits on the target"
        )
    console.print(line)
    console.print("the 95% CI covers Monte Carlo noise only, not the modelling assumptions:")
    if "robustness" in summary:
        _print_robustness(summary["robustness"])
    for side, data in (("before", base), ("after", reform)):
        console.print(f"[bold]{side}[/bold] ({data['process']}, {data['mode']}):")
        for text in clock_lines(data):
            console.print(f"  {text}", highlight=False)
    for measure in ("approval_days", "elapsed_days"):
        cut = (summary.get(measure) or {}).get("reduction")
        if cut and cut.get("mean") is not None:
            console.print(f"{measure.replace('_', ' ')}: {cut['mean']:.1%} shorter", highlight=False)
    for text in target_lines(summary.get("target_checks", [])):
        console.print(text, highlight=False)
    table = Table(title="bottlenecks in the reform (by criticality)")
    for column in ("item", "name", "dept", "critical", "gain if instant", "wait", "handling", "overdue"):
        table.add_column(column, justify="left" if column in ("item", "name", "dept") else "right")
    for row in summary["bottlenecks"][:10]:
        gain = row.get("gain_if_instant_days")
        table.add_row(
            row["item"],
            row["name"],
            row["department"],
            f"{row['criticality']:.0%}",
            f"{gain:.1f}" if gain is not None else "-",
            f"{row['mean_wait_days']:.1f}",
            f"{row['mean_handling_days']:.1f}",
            f"{row['overdue_rate']:.1%}",
        )
    console.print(table)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add simulate, compare and bench to the main app."""
    app.command("simulate")(simulate)
    app.command("compare")(compare)
    app.command("bench")(bench)
