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

from approval_sim import words
from approval_sim.clock_views import clock_lines, target_lines
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
from messages import N_, Message, _, localize

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


def _print_run(
    summary: dict, title: str | None = None, top: int = 10, departments: dict[str, str] | None = None
) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    cal = summary["calendar"]
    ci = summary["mean_days_ci95"]
    ci_text = _(" (95% CI {low:.1f}-{high:.1f})").format(low=ci[0], high=ci[1]) if ci[0] is not None else ""
    console.print(
        _(
            "[bold]{title}[/bold] - {mode}, {engine}, {projects:,} projects x {replications} replications, "
            "seed {seed}; handling scaled to {basis} limits"
        ).format(
            title=title or summary["process"],
            mode=words.mode(summary["mode"]),
            engine=summary["engine"],
            projects=summary["projects"],
            replications=summary["replications"],
            seed=summary["seed"],
            basis=words.basis(summary.get("limit_basis", "statutory")),
        )
    )
    console.print(
        _(
            "end-to-end working days: mean {mean:.1f}{ci}, median {p50:.1f}, p90 {p90:.1f}; counted (clock "
            "running) mean {counted:.1f}"
        ).format(
            mean=summary["mean_days"],
            ci=ci_text,
            p50=summary["p50_days"],
            p90=summary["p90_days"],
            counted=summary["counted_mean_days"],
        )
    )
    console.print(
        _(
            "calendar days from {start}: mean {mean:.1f}, median {p50:.0f}, p90 {p90:.0f}{estimated}; projects "
            "with no overdue item: {on_time:.1%}"
        ).format(
            start=cal["start_date"],
            mean=cal["mean_days"],
            p50=cal["p50_days"],
            p90=cal["p90_days"],
            estimated=_(" (estimated calendar)") if cal["estimated"] else "",
            on_time=summary["on_time_rate"],
        )
    )
    for line in clock_lines(summary):
        console.print(line, highlight=False)
    for line in target_lines(summary.get("target_checks", [])):
        console.print(line, highlight=False)
    rows = sorted(summary["items"].items(), key=lambda kv: -(kv[1]["criticality"] or 0))[:top]
    columns = [
        Column(_("item"), "key"),
        Column(_("name"), "name"),
        Column(_("department"), "name", priority=3),
        Column(_("critical")),
        Column(_("wait"), priority=4),
        Column(_("handling"), priority=2),
        Column(_("stopped"), priority=5),
        Column(_("overdue"), priority=1),
    ]
    cells = [
        [
            item_id,
            v["name"],
            (departments or {}).get(v["department"], v["department"]),
            f"{v['criticality']:.0%}",
            f"{v['mean_wait_days']:.1f}",
            f"{v['mean_handling_days']:.1f}",
            f"{v['mean_stopped_days']:.1f}",
            f"{v['overdue_rate']:.1%}",
        ]
        for item_id, v in rows
    ]
    title_text = _("items by criticality (top {top})").format(top=top)
    console.print(fitted_table(console, columns, cells, title=title_text))
    limited = {d: v for d, v in summary["departments"].items() if v["capacity"] is not None}
    if limited:
        columns = [
            Column(_("department"), "key"),
            Column(_("capacity")),
            Column(_("utilisation")),
            Column(_("wait/file"), priority=1),
            Column(_("queue (mean)"), priority=2),
        ]
        cells = [
            [
                d,
                str(v["capacity"]),
                f"{v['utilisation']:.0%}",
                f"{v['mean_wait_days']:.2f}",
                f"{v['mean_queue_length']:.2f}",
            ]
            for d, v in sorted(limited.items(), key=lambda kv: -(kv[1]["utilisation"] or 0))
        ]
        console.print(fitted_table(console, columns, cells, title=_("departments with a capacity")))


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
        _print_run(summary, departments=_names(process))
        _print_profiles(summary)
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
    _print_comparison(summary, _names(first, second))


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
        report["robustness"] = figures.bench_robustness(catalog, _load("luoyang-2017-after", "all"))
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


def _print_robustness(robust: dict) -> None:
    from approval_sim.output import console as safe_console

    console = safe_console()
    if robust.get("skipped"):
        console.print(
            _("robustness over the modelling assumptions: not analysed ({reason})").format(
                reason=localize(robust["skipped"])
            )
        )
        return
    low, high = robust["band"]
    colour = {"holds": "green", "fails": "red", "depends": "yellow"}[robust["verdict"]]
    console.print(
        _(
            "robustness over the modelling assumptions ({samples} assumption sets x {projects:,} projects, "
            "{framing}): the reduction lies in {low:.1%}-{high:.1%} (5th-95th percentile) and reaches {target:.0%} "
            "in {share:.0%} of them: {verdict}"
        ).format(
            samples=robust["samples"],
            projects=robust["projects"],
            framing=robust["framing"],
            low=low,
            high=high,
            target=robust["target"],
            share=robust["holds_share"],
            verdict=f"[{colour}]{words.robustness(robust['verdict'])}[/{colour}]",
        )
    )
    if robust.get("deciding_assumption"):
        when = robust.get("holds_when")
        turn = (
            _("; with the others nominal it holds when {assumption} {condition}").format(
                assumption=when["assumption"], condition=when["holds_when"]
            )
            if when
            else ""
        )
        console.print(
            _("  decided by {assumption}{turn}").format(assumption=robust["deciding_assumption"], turn=turn)
        )
    drivers = ", ".join(f"{d['assumption']} {d['total_index']:.2f}" for d in robust["drivers"][:4])
    if drivers:
        console.print(_("  main drivers (Sobol' total index): {drivers}").format(drivers=drivers))
    for framing in robust.get("framings", []):
        if framing["name"] != robust["framing"]:
            flow, fhigh = framing["band"]
            console.print(
                _("  {framing}: {low:.1%}-{high:.1%}, reaches the target in {share:.0%}: {verdict}").format(
                    framing=framing["name"],
                    low=flow,
                    high=fhigh,
                    share=framing["holds_share"],
                    verdict=words.robustness(framing["verdict"]),
                )
            )
    if robust.get("not_varied"):
        console.print(
            _("  not varied: {assumptions}").format(
                assumptions="; ".join(
                    f"{n['assumption']} ({localize(n['reason'])})" for n in robust["not_varied"]
                )
            ),
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


def _ci(low: float | None, high: float | None) -> str:
    return (
        _("95% CI {low:.1%} to {high:.1%}").format(low=low, high=high)
        if low is not None
        else _("no CI (one replication)")
    )


def _framing_line(framing: dict, target: float, headline: bool) -> str:
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}[framing["verdict"]]
    mark, end = ("[bold]", "[/bold]") if headline else ("", "")
    return _(
        "  {framing}: {before:.1f} -> {after:.1f} wd, reduction {mean:.1%} ({ci}), {verdict} on {target:.0%}{meaning}"
    ).format(
        framing=f"{mark}{words.framing(framing['name'])}{end}",
        before=framing["baseline_mean_days"],
        after=framing["reform_mean_days"],
        mean=framing["reduction"]["mean"],
        ci=_ci(*framing["reduction"]["ci95"]),
        verdict=f"[{colour}]{words.verdict(framing['verdict'])}[/{colour}]",
        target=target,
        # the Chinese framing names say what they mean; the English ones are the JSON words
        meaning="" if words.framing(framing["name"]) != framing["name"] else f" - {framing['meaning']}",
    )


_REDUCTION_OF = {
    "mean": N_("reduction of the mean: {share:.1%} ({ci})"),
    "median": N_("reduction of the median: {share:.1%} ({ci})"),
    "p90": N_("reduction of the p90: {share:.1%} ({ci})"),
}
_CLOCK_SHORTER = {
    "approval_days": N_("approval days: {share:.1%} shorter"),
    "elapsed_days": N_("elapsed days: {share:.1%} shorter"),
}


def _mix_text(mix: dict[str, float]) -> str:
    return ", ".join(f"{name} {share:.0%}" for name, share in mix.items())


def _print_profiles(summary: dict) -> None:
    """A mix: one line per profile (its share, the projects it drew, its times)."""
    if not summary.get("profiles"):
        return
    from rich.console import Console

    console = Console()
    console.print(
        _("project mix ({mix}): the figures above are over all projects; per profile:").format(
            mix=_mix_text(summary["mix"])
        )
    )
    for name, row in summary["profiles"].items():
        if row.get("mean_days") is None:
            console.print(_("  {profile}: no project drawn").format(profile=name))
            continue
        console.print(
            _(
                "  {profile}: {projects:,} projects ({share:.1%}), mean {mean:.1f} wd, median {median:.1f}, "
                "p90 {p90:.1f}; calendar mean {calendar:.1f} days"
            ).format(
                profile=name,
                projects=row["projects_drawn"],
                share=row["share_drawn"],
                mean=row["mean_days"],
                median=row["p50_days"],
                p90=row["p90_days"],
                calendar=row["calendar"]["mean_days"],
            )
        )


def _print_comparison_profiles(console: Any, summary: dict) -> None:
    """A mix: the headline framing per profile."""
    if not summary.get("profiles"):
        return
    console.print(_("project mix ({mix}), headline per profile:").format(mix=_mix_text(summary["mix"])))
    for name, row in summary["profiles"].items():
        if row.get("verdict") is None:
            console.print(_("  {profile}: a replication drew no project").format(profile=name))
            continue
        console.print(
            _(
                "  {profile} ({projects:,} projects): {before:.1f} -> {after:.1f} wd, reduction {mean:.1%} ({ci}), {verdict}"
            ).format(
                profile=name,
                projects=row["projects_drawn"],
                before=row["baseline_mean_days"],
                after=row["reform_mean_days"],
                mean=row["reduction"]["mean"],
                ci=_ci(*row["reduction"]["ci95"]),
                verdict=words.verdict(row["verdict"]),
            )
        )


def _print_comparison(summary: dict, departments: dict[str, str] | None = None) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    base, reform = summary["baseline"], summary["reform"]
    reduction = summary["reduction"]
    console.print(
        _(
            "[bold]{baseline}[/bold] -> [bold]{reform}[/bold], {engine}, {projects:,} projects x {replications} "
            "replications, seed {seed}; handling times scale with {basis} limits"
        ).format(
            baseline=base["process"],
            reform=reform["process"],
            engine=base["engine"],
            projects=base["projects"],
            replications=base["replications"],
            seed=base["seed"],
            basis=words.basis(base.get("limit_basis")),
        )
    )
    console.print(_("framings (headline first, 'framing' {headline}):").format(headline=summary["headline"]))
    for framing in summary["framings"]:
        console.print(_framing_line(framing, summary["target"], framing["name"] == summary["headline"]))
    console.print(
        _(
            "headline {headline} ({before_mode} -> {after_mode}): mean end-to-end {before:.1f} -> {after:.1f} "
            "working days"
        ).format(
            headline=summary["headline"],
            before_mode=words.mode(base["mode"]),
            after_mode=words.mode(reform["mode"]),
            before=base["mean_days"],
            after=reform["mean_days"],
        )
    )
    for label, r in (("mean", reduction), ("median", reduction["median"]), ("p90", reduction["p90"])):
        console.print(_(_REDUCTION_OF[label]).format(share=r["mean"], ci=_ci(*r["ci95"])))
    colour = {"holds": "green", "fails": "red", "inconclusive": "yellow"}[summary["verdict"]]
    settle = ""
    if summary["verdict"] == "inconclusive":
        needed = reduction["replications_needed"]
        settle = (
            _(" - about {needed} replications would settle it").format(needed=needed)
            if needed
            else _(" - the estimate sits on the target")
        )
    console.print(
        _("verdict on {target:.0%} ({headline}): {verdict}{settle}").format(
            target=summary["target"],
            headline=summary["headline"],
            verdict=f"[{colour}]{words.verdict(summary['verdict'])}[/{colour}]",
            settle=settle,
        )
    )
    _print_comparison_profiles(console, summary)
    console.print(_("the 95% CI covers Monte Carlo noise only, not the modelling assumptions:"))
    if "robustness" in summary:
        _print_robustness(summary["robustness"])
    for side, data in ((_("before"), base), (_("after"), reform)):
        console.print(
            _("[bold]{side}[/bold] ({process}, {mode}):").format(
                side=side, process=data["process"], mode=words.mode(data["mode"])
            )
        )
        for text in clock_lines(data):
            console.print(f"  {text}", highlight=False)
    for measure, template in _CLOCK_SHORTER.items():
        cut = (summary.get(measure) or {}).get("reduction")
        if cut and cut.get("mean") is not None:
            console.print(_(template).format(share=cut["mean"]), highlight=False)
    for text in target_lines(summary.get("target_checks", [])):
        console.print(text, highlight=False)
    columns = [
        Column(_("item"), "key"),
        Column(_("name"), "name"),
        Column(_("department"), "name", priority=4),
        Column(_("critical")),
        Column(_("gain if instant"), priority=1),
        Column(_("wait"), priority=5),
        Column(_("handling"), priority=3),
        Column(_("overdue"), priority=2),
    ]
    rows = []
    for row in summary["bottlenecks"][:10]:
        gain = row.get("gain_if_instant_days")
        rows.append(
            [
                row["item"],
                row["name"],
                (departments or {}).get(row["department"], row["department"]),
                f"{row['criticality']:.0%}",
                f"{gain:.1f}" if gain is not None else "-",
                f"{row['mean_wait_days']:.1f}",
                f"{row['mean_handling_days']:.1f}",
                f"{row['overdue_rate']:.1%}",
            ]
        )
    console.print(fitted_table(console, columns, rows, title=_("bottlenecks in the reform (by criticality)")))


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add simulate, compare and bench to the main app."""
    app.command("simulate")(simulate)
    app.command("compare")(compare)
    app.command("bench")(bench)
