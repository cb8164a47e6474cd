"""`approval-sim sensitivity SCENARIO`: one-at-a-time sweeps through the Prefect flow, persisted, ranked.

Heavy modules (numpy, the models, Prefect, rich) are imported inside the command.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import (
    SCENARIO_HELP,
    DatabaseOption,
    EngineOption,
    JsonOption,
    ModeOption,
    ProfileOption,
    ProjectsOption,
    ReplicationsOption,
    ScenarioArgument,
    SeedOption,
)
from approval_sim.output import print_json

PARAMETER_NAMES = ("capacity", "limit", "handling", "supplement", "instant", "parallel", "kind")
DEFAULT_TOP = 15


def parse_vary(text: str) -> tuple[str, ...]:
    parts = [p.strip().lower() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARAMETER_NAMES]
    if unknown or not parts:
        raise UserError(
            f"--vary: unknown parameter(s) {', '.join(repr(u) for u in unknown) or 'none given'}; "
            f"use a comma-separated list of {','.join(PARAMETER_NAMES)}"
        )
    return tuple(p for p in PARAMETER_NAMES if p in parts)


@handle_user_errors
def sensitivity(
    scenario: ScenarioArgument,
    reformed: Annotated[
        str | None,
        typer.Argument(
            help="with two scenarios (BASELINE REFORMED, as in 'compare'): sweep REFORMED and measure its "
            "reduction against BASELINE"
        ),
    ] = None,
    vary: Annotated[
        str, typer.Option(help=f"comma-separated parameters to vary: {','.join(PARAMETER_NAMES)}")
    ] = ",".join(PARAMETER_NAMES),
    by: Annotated[float, typer.Option(help="relative change of each swept parameter (0.2 = ±20 %)")] = 0.2,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help=f"process to measure the reduction against (same mode and seeds): {SCENARIO_HELP}; "
            "the same as giving it first",
        ),
    ] = None,
    profile: ProfileOption = None,
    mode: ModeOption = "parallel",
    projects: ProjectsOption = 10_000,
    replications: ReplicationsOption = 10,
    seed: SeedOption = 0,
    engine: EngineOption = "auto",
    top: Annotated[
        int | None,
        typer.Option(min=1, help=f"show the N largest effects (table default {DEFAULT_TOP}; JSON: all)"),
    ] = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Which parameter moves the end-to-end time most? One-at-a-time sweeps and what-if experiments (CRN).

    Each department's capacity, each item's limit / handling time and 补正 probability is changed by ±BY, and
    each item is made instant (takes no time) or parallel (nothing waits for it), one at a time, with the same
    random numbers as the unchanged process. Prints the run id and the variations ranked by |effect|.
    """
    if reformed is not None:
        if baseline is not None:
            raise UserError(
                "give the baseline once: either first (sensitivity BASELINE REFORMED) or as --baseline"
            )
        baseline, scenario = scenario, reformed
    parameters = parse_vary(vary)
    if not 0 < by < 1:
        raise UserError(f"--by must be between 0 and 1 (exclusive), e.g. 0.2 for ±20 %; got {by}")
    if replications < 2:
        raise UserError(f"--replications must be at least 2 for a confidence interval, got {replications}")
    from approval_sim.progress import FlowCommand

    with FlowCommand(f"sensitivity: {scenario}{f' vs {baseline}' if baseline else ''}, ±{by:.0%}, "
                     f"{projects:,} projects x {replications} replications") as command:  # fmt: skip
        from approval_sim.flow_cli import prepare_database
        from rules.loading import for_profile, load

        for reference in (scenario, baseline):
            if reference is not None:
                for_profile(load(reference), profile)
        prepare_database(database)
        command.status.step("scenarios checked, results database ready")
        from flows.pipelines import task_runner
        from flows.sensitivity import sensitivity_analysis

        result = command.run(lambda: sensitivity_analysis.with_options(task_runner=task_runner())(
            scenario, baseline=baseline, vary=parameters, by=by, profile=profile, mode=mode, projects=projects,
            replications=replications, seed=seed, engine=engine, database_url=database,
        ))  # fmt: skip
    report = result["sensitivity"]
    if as_json:
        shown = report["variations"] if top is None else report["variations"][:top]
        print_json({"run_id": result["run_id"], **report, "variations": shown})
        return
    _print(result["run_id"], report, top or DEFAULT_TOP)


def _print(run_id: int, report: dict[str, Any], top: int) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # piped or redirected: no 80-column squeeze of the Chinese labels
        console = Console(width=150)
    console.print(f"run id: {run_id}")
    low, high = report["mean_days_ci95"]
    console.print(
        f"{report['process']}: mean end-to-end {report['mean_days']:.2f} working days (95% CI {low:.2f} .. {high:.2f}); "
        f"{report['mode']}, {report['engine']}, {report['projects']} projects x {report['replications']} replications, "
        f"seed {report['seed']}, ±{report['by']:.0%}"
    )
    reduction = report.get("reduction")
    if reduction:
        r_low, r_high = reduction["ci95"]
        console.print(
            f"reduction vs {report['baseline']} ({report['baseline_mean_days']:.2f} days): {reduction['mean']:.1%} "
            f"(95% CI {r_low:.1%} .. {r_high:.1%})"
        )
    rows = report["variations"][:top]
    table = Table(title=f"top {len(rows)} of {len(report['variations'])} variations by |effect on mean days|")
    columns = ["rank", "variation", "mean days", "effect (days)", "95% CI"]
    if reduction:
        columns.append("effect on reduction")
    for column in columns:
        if column == "variation":
            table.add_column(column, ratio=1, overflow="fold")
        else:
            table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        lo, hi = row["effect_ci95"]
        cells = [
            str(row["rank"]),
            escape(row["variation"]),
            f"{row['mean_days']:.2f}",
            f"{row['effect_mean_days']:+.2f}",
            f"{lo:+.2f}..{hi:+.2f}",
        ]
        if reduction:
            cells.append(f"{100 * row['effect_on_reduction']:+.2f} pp")
        table.add_row(*cells)
    console.print(table)
    if report["skipped"]:
        reasons: dict[str, int] = {}
        for s in report["skipped"]:
            reasons[f"{s['parameter']}: {s['reason']}"] = (
                reasons.get(f"{s['parameter']}: {s['reason']}", 0) + 1
            )
        console.print(f"skipped {len(report['skipped'])} variation(s) that cannot change anything:")
        for reason, count in sorted(reasons.items()):
            console.print(f"  {count} x {reason}")
    console.print(f"details: approval-sim runs show {run_id}")


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add 'sensitivity' to the main app."""
    app.command("sensitivity")(sensitivity)
