"""`approval-sim run ...`, `nightly` and `serve`: the flows, persisted. Prefect is imported inside the commands."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from approval_sim import words
from approval_sim.errors import UserError, error_text, handle_user_errors, warn
from approval_sim.options import (
    DaskOption,
    DatabaseOption,
    EngineOption,
    FramingOption,
    JsonOption,
    LimitBasis,
    LimitOption,
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
from approval_sim.output import echo, print_json, robustness_line
from exports.vocabulary import shanghai_time
from messages import N_, Message, _, localize

DEFAULT_SCENARIO_DIR = "scenarios"
DEFAULT_EXPORTS_DIR = "nightly-exports"

# the nightly batch's options, shared by 'nightly' (one batch now) and 'serve' (on its schedule)
ScenarioDirOption = Annotated[Path, typer.Option("--scenarios", help=N_("folder of scenario files"))]
SeedsOption = Annotated[
    str, typer.Option("--seeds", help=N_("comma-separated seeds, one run per scenario and seed"))
]
ExportsOption = Annotated[
    Path, typer.Option("--exports", help=N_("folder for the dated exports (EXPORTS/<as-of>/)"))
]


def prepare_database(database: str | None) -> None:
    """Use (and migrate) the results database now: a bad URL fails before Prefect starts."""
    if database:
        os.environ["APPROVAL_SIM_DATABASE_URL"] = database
    from flows.store.database import get_engine

    get_engine(database)


def _check_scenarios(
    *references: str | None, profile: str | None = None, limit: LimitBasis | None = None
) -> None:
    """Every scenario loads, and its queues can keep up (simulations.load: exit 2 with the fix, a warning on
    stderr at 95 % load), before a run is opened."""
    from rules.loading import for_profile, load, with_limit_basis
    from simulations.compiled import compile_process
    from simulations.load import check_queues, load_warnings

    for reference in references:
        if reference is not None:
            compiled = compile_process(
                with_limit_basis(for_profile(load(reference), profile), limit.value if limit else None)
            )
            check_queues(compiled)
            for line in load_warnings(compiled):
                warn(line)


def verify_results(database: str | None, run_ids: list[int], batch: int | None = None) -> None:
    """Read the runs back through a new connection before their ids are printed: a run whose results are not
    in the database (the file deleted or replaced mid-run) is an error (exit 2), never an id of nothing."""
    from flows.store.database import database_url
    from flows.store.repository import verify_batch, verify_stored

    url = database_url(database)
    verify_stored(url, run_ids)
    if batch is not None:
        verify_batch(url, batch)


def _pair_title(baseline: str, reformed: str | None) -> str:
    if reformed is not None:
        return _("{baseline} vs {reformed}").format(baseline=baseline, reformed=reformed)
    return _("{baseline}, serial vs parallel").format(baseline=baseline)


def _emit(result: dict, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    echo(_("run id: {id}").format(id=result["run_id"]))
    if "verdict" in result:
        for framing in result.get("framings", []):
            low, high = framing["reduction"]["ci95"]
            ci = (
                _("95% CI {low:.1%} .. {high:.1%}").format(low=low, high=high)
                if low is not None
                else _("no CI")
            )
            template = (
                _(
                    "{framing} (headline): reduction of mean end-to-end time {mean:.1%} ({ci}), target {target:.0%}: {verdict}"
                )
                if framing["name"] == result.get("headline")
                else _(
                    "{framing}: reduction of mean end-to-end time {mean:.1%} ({ci}), target {target:.0%}: {verdict}"
                )
            )
            echo(
                template.format(
                    framing=framing["name"],
                    mean=framing["reduction"]["mean"],
                    ci=ci,
                    target=result["target"],
                    verdict=words.verdict(framing["verdict"]),
                )
            )
    line = robustness_line(result.get("robustness"))
    if line:
        echo(line)
    echo(_("details: approval-sim runs show {id}").format(id=result["run_id"]))


@handle_user_errors
def run_compare(
    baseline: ScenarioArgument,
    reformed: ReformedArgument = None,
    profile: ProfileOption = None,
    mode: SidesModeOption = None,
    framing: FramingOption = None,
    projects: ProjectsOption = 10_000,
    replications: ReplicationsOption = 10,
    seed: SeedOption = 0,
    engine: EngineOption = "auto",
    target: TargetOption = 0.20,
    limit: LimitOption = None,
    robustness_samples: RobustnessSamplesOption = 500,
    no_robustness: NoRobustnessOption = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
    dask_address: DaskOption = None,
) -> None:
    """Compare through the Prefect flow (every framing, robustness over the modelling assumptions), persist the
    run and print its id."""
    if mode is not None and framing is not None:
        raise UserError(
            Message("give --framing or --mode, not both (--mode parallel = --framing parallel-to-parallel)")
        )
    from approval_sim.progress import FlowCommand

    headline = _("run compare: {pair}, {projects:,} projects x {replications} replications").format(
        pair=_pair_title(baseline, reformed), projects=projects, replications=replications
    )
    with FlowCommand(headline) as command:
        _check_scenarios(baseline, reformed, profile=profile, limit=limit)
        prepare_database(database)
        command.status.step(_("scenarios checked, results database ready"))
        from flows.pipelines import compare_scenarios, task_runner

        result = command.run(lambda: compare_scenarios.with_options(task_runner=task_runner(dask_address))(
            baseline, reformed, profile=profile, mode=mode, projects=projects,
            replications=replications, seed=seed, engine=engine, target=target,
            limit_basis=limit.value if limit is not None else None,
            framing=framing.value if framing is not None else None,
            robustness_samples=None if no_robustness else robustness_samples,
        ))  # fmt: skip
        verify_results(database, [result["run_id"]])
        _emit(result, as_json)


@handle_user_errors
def run_simulate(
    scenario: ScenarioArgument,
    profile: ProfileOption = None,
    mode: ModeOption = "parallel",
    projects: ProjectsOption = 10_000,
    replications: ReplicationsOption = 10,
    seed: SeedOption = 0,
    engine: EngineOption = "auto",
    limit: LimitOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
    dask_address: DaskOption = None,
) -> None:
    """Simulate one scenario through the Prefect flow and persist the run."""
    from approval_sim.progress import FlowCommand

    headline = _(
        "run simulate: {scenario} ({mode}), {projects:,} projects x {replications} replications"
    ).format(scenario=scenario, mode=words.mode(mode), projects=projects, replications=replications)
    with FlowCommand(headline) as command:
        _check_scenarios(scenario, profile=profile, limit=limit)
        prepare_database(database)
        command.status.step(_("scenario checked, results database ready"))
        from flows.pipelines import simulate_scenario, task_runner

        result = command.run(lambda: simulate_scenario.with_options(task_runner=task_runner(dask_address))(
            scenario, profile=profile, mode=mode, projects=projects, replications=replications,
            seed=seed, engine=engine, limit_basis=limit.value if limit is not None else None,
        ))  # fmt: skip
        verify_results(database, [result["run_id"]])
        _emit(result, as_json)


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UserError(
            Message("--seeds must be a comma-separated list of integers, got '{text}'", text=text)
        ) from None
    if not seeds or min(seeds) < 0:
        raise UserError(
            Message("--seeds must list at least one non-negative integer, got '{text}'", text=text)
        )
    return seeds


@handle_user_errors
def nightly(
    scenarios: ScenarioDirOption = Path(DEFAULT_SCENARIO_DIR),
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help=N_("batch date YYYY-MM-DD (default: today in Asia/Shanghai)")),
    ] = None,
    seeds: SeedsOption = "1,2,3",
    projects: ProjectsOption = 2_000,
    replications: ReplicationsOption = 5,
    exports: ExportsOption = Path(DEFAULT_EXPORTS_DIR),
    no_exports: Annotated[bool, typer.Option("--no-exports", help=N_("write no export files"))] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
    dask_address: DaskOption = None,
) -> None:
    """Run one nightly batch now: every scenario of the folder against its baseline (idempotent per date)."""
    if not scenarios.is_dir():
        raise UserError(
            Message(
                "{folder}: no such folder; give --scenarios DIR with scenario files (*.yaml)",
                folder=str(scenarios),
            )
        )
    try:
        batch_date = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise UserError(
            Message("--as-of must be a date like 2026-11-25, got '{as_of}'", as_of=as_of)
        ) from None
    seed_list = _seeds(seeds)
    from approval_sim.progress import FlowCommand

    headline = _("nightly: {folder}, seeds {seeds}").format(
        folder=scenarios, seeds=",".join(map(str, seed_list))
    )
    with FlowCommand(headline) as command:
        prepare_database(database)
        from flows.nightly import nightly_batch
        from flows.pipelines import task_runner

        result = command.run(lambda: nightly_batch.with_options(task_runner=task_runner(dask_address))(
            str(scenarios), batch_date, seed_list, projects=projects, replications=replications,
            exports_dir=None if no_exports else str(exports),
        ))  # fmt: skip
        if result.get("busy"):
            busy = result["busy"]
            started = "?" if not busy["started_at"] else shanghai_time(busy["started_at"]) + " Asia/Shanghai"
            raise UserError(
                Message(
                    "nightly batch {as_of} with these inputs is already running (run {run_id}, pid {pid} on "
                    "{host}, started {started}); this one stops without computing anything. Run it again after "
                    "that one has finished to add anything it could not do",
                    as_of=result["as_of"],
                    run_id=busy["run_id"] if busy["run_id"] is not None else "-",
                    pid=busy["pid"] if busy["pid"] is not None else "?",
                    host=busy["host"] or "?",
                    started=started,
                )
            )
        if not result.get("skipped"):
            verify_results(database, result["run_ids"], batch=result["batch_run_id"])
        _print_nightly(result, as_json)


# what 'nightly' prints, in one place (English msgids; Chinese in the catalog, docs/i18n.md)
NIGHTLY_TEXT = {
    "skipped": N_("nightly batch {as_of}: already completed, nothing to do"),
    "done": N_("nightly batch {as_of}: run {batch}, {runs} comparisons completed"),
    "scenario": N_("  {scenario}: {verdict}, reduction {reduction}{spread} ({framing}, {basis}, {profile})"),
    "spread": N_(" (seeds {low}..{high})"),
    "robust": N_("; over the assumptions: {verdict} ({share} hold, {low}..{high})"),
    "exports": N_("exports: {folder}"),
    "summary": N_("batch summary: {files}"),
    "briefing": N_("briefing: {path}"),
    "no_pdf": N_("briefing PDF not written: {reason}"),
    "invalid": N_("  invalid, skipped: {path} (see 'approval-sim check {path}')"),
    "failed": N_("  failed: {path}"),
}
MIXED = N_("mixed")  # the seeds of a batch disagree


def _verdict_word(verdict: str) -> str:
    """A batch's verdict: holds/fails/inconclusive (a CI), depends (the assumptions) or mixed (the seeds)."""
    if verdict == "mixed":
        return _(MIXED)
    return words.robustness(verdict) if verdict == "depends" else words.verdict(verdict)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def scenario_line(row: dict) -> str:
    """One scenario of a batch: verdict over its seeds, headline reduction and what produced it, robustness."""
    low, high = row.get("reduction_range") or (None, None)
    spread = _(NIGHTLY_TEXT["spread"]).format(low=_pct(low), high=_pct(high)) if low != high else ""
    line = _(NIGHTLY_TEXT["scenario"]).format(
        scenario=row["scenario"], verdict=_verdict_word(row["verdict"]),
        reduction=_pct(row.get("reduction")), spread=spread, framing=row.get("framing") or "-",
        basis=words.basis(row.get("limit_basis")) or "-", profile=row.get("profile") or "-",
    )  # fmt: skip
    robust = row.get("robustness")
    if robust:
        band = robust.get("band") or (None, None)
        line += _(NIGHTLY_TEXT["robust"]).format(
            verdict=_verdict_word(robust["verdict"]), share=_pct(robust.get("holds_share")),
            low=_pct(band[0]), high=_pct(band[1]),
        )  # fmt: skip
    return line


def _print_nightly(result: dict, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    if result.get("skipped"):
        echo(_(NIGHTLY_TEXT["skipped"]).format(as_of=result["as_of"]))
        return
    echo(
        _(NIGHTLY_TEXT["done"]).format(
            as_of=result["as_of"], batch=result["batch_run_id"], runs=result["runs"]
        )
    )
    for row in result.get("scenarios", []):
        echo(scenario_line(row))
    if result["exports"]:
        echo(_(NIGHTLY_TEXT["exports"]).format(folder=Path(result["exports"][0]).parent))
        summary = [p for p in result["exports"] if Path(p).stem == "batch-summary"]
        if summary:
            echo(_(NIGHTLY_TEXT["summary"]).format(files=", ".join(summary)))
    if result.get("briefing"):
        echo(_(NIGHTLY_TEXT["briefing"]).format(path=result["briefing"]))
    if result.get("briefing_problem"):
        echo(_(NIGHTLY_TEXT["no_pdf"]).format(reason=result["briefing_problem"]), err=True)
    for path in result["invalid"]:
        echo(_(NIGHTLY_TEXT["invalid"]).format(path=path), err=True)
    for path in result["failed"]:
        echo(_(NIGHTLY_TEXT["failed"]).format(path=path), err=True)
    if result["invalid"] or result["failed"]:
        raise typer.Exit(1)


@handle_user_errors
def serve(
    scenarios: ScenarioDirOption = Path(DEFAULT_SCENARIO_DIR),
    cron: Annotated[str, typer.Option(help=N_("schedule (cron, Asia/Shanghai)"))] = "0 2 * * *",
    seeds: SeedsOption = "1,2,3",
    projects: ProjectsOption = 2_000,
    replications: ReplicationsOption = 5,
    port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help=N_(
                "port of the Prefect server with its UI (http://127.0.0.1:PORT); one is started there when none "
                "answers, and it stops with this command (default: $APPROVAL_SIM_SERVER_PORT, else 4200)"
            ),
        ),
    ] = None,
    exports: ExportsOption = Path(DEFAULT_EXPORTS_DIR),
    database: DatabaseOption = None,
) -> None:
    """Serve the nightly batch on its schedule; uses a running Prefect server (or starts one) with its UI."""
    if not scenarios.is_dir():
        raise UserError(
            Message(
                "{folder}: no such folder; give --scenarios DIR with scenario files (*.yaml)",
                folder=str(scenarios),
            )
        )
    seed_list = _seeds(seeds)
    from approval_sim.progress import Status

    status = Status(
        _("serve: nightly batch of {folder}, '{cron}' Asia/Shanghai").format(folder=scenarios, cron=cron)
    )
    prepare_database(database)
    from flows.server import ServerError, TemporaryServer, default_port
    from flows.server_child import BOUND_TO_ENV
    from flows.session import find_running_server, seed_prefect_database, server_environment

    server = None
    try:
        found = find_running_server(status.step, port=port)
        if found is None:
            seed_prefect_database()
            server = TemporaryServer(port or default_port(), ui=True, environment=server_environment())
            server.start()
            status.step(
                _("starting a Prefect server with its UI on port {port} (it stops with this command)").format(
                    port=server.port
                )
            )
            api_url = server.wait()
        else:
            api_url = found.url
            status.step(_("using {server}").format(server=localize(found.source)))
        os.environ["PREFECT_API_URL"] = api_url  # the flow runs are subprocesses: they read it from here
        os.environ[BOUND_TO_ENV] = str(os.getpid())  # ... and end when this command ends, even by kill -9
        status.step(_("Prefect UI: {url}  (Ctrl-C to stop)").format(url=api_url.removesuffix("/api")))
        from prefect import serve as prefect_serve
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from flows.deployment import nightly_deployment

        with temporary_settings({PREFECT_API_URL: api_url}):  # Prefect's settings were read before
            prefect_serve(nightly_deployment(str(scenarios), cron=cron, seeds=seed_list, projects=projects,
                                             replications=replications, exports_dir=str(exports)))  # fmt: skip
    except ServerError as error:
        raise UserError(error_text(error)) from None
    finally:
        if server is not None:
            server.stop()


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add the 'run' group, nightly and serve to the main app."""
    run_app = typer.Typer(
        help=N_("Run simulations through Prefect flows and persist the results."), no_args_is_help=True
    )
    run_app.command("compare")(run_compare)
    run_app.command("simulate")(run_simulate)
    app.add_typer(run_app, name="run")
    app.command("nightly")(nightly)
    app.command("serve")(serve)
