"""`approval-sim sensitivity SCENARIO`: one-at-a-time sweeps through the Prefect flow, persisted, ranked.

Heavy modules (numpy, the models, Prefect, rich) are imported inside the command.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from approval_sim import words
from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import (
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
from messages import N_, Message, _

PARAMETER_NAMES = ("capacity", "limit", "handling", "supplement", "instant", "parallel", "kind")
DEFAULT_TOP = 15
# the parameters as a skipped variation names them
PARAMETER_WORDS = {
    "capacity": N_("capacity"),
    "limit": N_("time limit"),
    "handling": N_("handling time"),
    "supplement": N_("补正 (request for more material)"),
    "instant": N_("instant handling"),
    "parallel": N_("made parallel"),
    "kind": N_("time of one kind of work"),
}


def parse_vary(text: str) -> tuple[str, ...]:
    parts = [p.strip().lower() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARAMETER_NAMES]
    if unknown or not parts:
        raise UserError(
            Message(
                "--vary: unknown parameter(s) {unknown}; use a comma-separated list of {known}",
                unknown=", ".join(repr(u) for u in unknown) or Message("none given"),
                known=",".join(PARAMETER_NAMES),
            )
        )
    return tuple(p for p in PARAMETER_NAMES if p in parts)


@handle_user_errors
def sensitivity(
    scenario: ScenarioArgument,
    reformed: Annotated[
        str | None,
        typer.Argument(
            help=N_(
                "with two scenarios (BASELINE REFORMED, as in 'compare'): sweep REFORMED and measure its "
                "reduction against BASELINE"
            )
        ),
    ] = None,
    vary: Annotated[
        str,
        typer.Option(
            help=N_(
                "comma-separated parameters to vary: capacity,limit,handling,supplement,instant,parallel,kind"
            )
        ),
    ] = ",".join(PARAMETER_NAMES),
    by: Annotated[
        float, typer.Option(help=N_("relative change of each swept parameter (0.2 = ±20 %)"))
    ] = 0.2,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help=N_(
                "process to measure the reduction against (same mode and seeds): built-in name (see "
                "'approval-sim catalog names') or scenario file; the same as giving it first"
            ),
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
        typer.Option(min=1, help=N_("show the N largest effects (table default 15; JSON: all)")),
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
                Message(
                    "give the baseline once: either first (sensitivity BASELINE REFORMED) or as --baseline"
                )
            )
        baseline, scenario = scenario, reformed
    parameters = parse_vary(vary)
    if not 0 < by < 1:
        raise UserError(
            Message("--by must be between 0 and 1 (exclusive), e.g. 0.2 for ±20 %; got {by}", by=by)
        )
    if replications < 2:
        raise UserError(
            Message(
                "--replications must be at least 2 for a confidence interval, got {replications}",
                replications=replications,
            )
        )
    from approval_sim.progress import FlowCommand

    subject = (
        _("{baseline} vs {scenario}").format(baseline=baseline, scenario=scenario) if baseline else scenario
    )
    headline = _(
        "sensitivity: {subject}, ±{by:.0%}, {projects:,} projects x {replications} replications"
    ).format(subject=subject, by=by, projects=projects, replications=replications)
    with FlowCommand(headline) as command:
        from approval_sim.flow_cli import prepare_database
        from rules.loading import for_profile, load

        for reference in (scenario, baseline):
            if reference is not None:
                for_profile(load(reference), profile)
        prepare_database(database)
        command.status.step(_("scenarios checked, results database ready"))
        from flows.pipelines import task_runner
        from flows.sensitivity import sensitivity_analysis

        result = command.run(lambda: sensitivity_analysis.with_options(task_runner=task_runner())(
            scenario, baseline=baseline, vary=parameters, by=by, profile=profile, mode=mode, projects=projects,
            replications=replications, seed=seed, engine=engine, database_url=database,
        ))  # fmt: skip
        from approval_sim.flow_cli import verify_results

        verify_results(database, [result["run_id"]])
    report = result["sensitivity"]
    if as_json:
        shown = report["variations"] if top is None else report["variations"][:top]
        print_json({"run_id": result["run_id"], **report, "variations": shown})
        return
    _print(result["run_id"], report, top or DEFAULT_TOP)


def _print(run_id: int, report: dict[str, Any], top: int) -> None:
    from rich.markup import escape

    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console = safe_console(width=150)  # piped or redirected: no 80-column squeeze of the Chinese labels
    console.print(_("run id: {id}").format(id=run_id))
    low, high = report["mean_days_ci95"]
    console.print(
        _(
            "{process}: mean end-to-end {mean:.2f} working days (95% CI {low:.2f} .. {high:.2f}); {mode}, {engine}, "
            "{projects:,} projects x {replications} replications, seed {seed}, ±{by:.0%}"
        ).format(
            process=report["process"],
            mean=report["mean_days"],
            low=low,
            high=high,
            mode=words.mode(report["mode"]),
            engine=report["engine"],
            projects=report["projects"],
            replications=report["replications"],
            seed=report["seed"],
            by=report["by"],
        )
    )
    reduction = report.get("reduction")
    if reduction:
        r_low, r_high = reduction["ci95"]
        console.print(
            _(
                "reduction vs {baseline} ({days:.2f} days): {mean:.1%} (95% CI {low:.1%} .. {high:.1%})"
            ).format(
                baseline=report["baseline"],
                days=report["baseline_mean_days"],
                mean=reduction["mean"],
                low=r_low,
                high=r_high,
            )
        )
    rows = report["variations"][:top]
    columns = [
        Column(_("rank"), "key"),
        Column(_("variation"), "name", min_width=16),
        Column(_("mean days"), priority=3),
        Column(_("effect (days)")),
        Column(_("95% CI"), priority=2),
    ]
    if reduction:
        columns.append(Column(_("effect on reduction"), priority=1))
    cells = []
    for row in rows:
        lo, hi = row["effect_ci95"]
        line = [
            str(row["rank"]),
            escape(row["variation"]),
            f"{row['mean_days']:.2f}",
            f"{row['effect_mean_days']:+.2f}",
            f"{lo:+.2f}..{hi:+.2f}",
        ]
        if reduction:
            line.append(f"{100 * row['effect_on_reduction']:+.2f} pp")
        cells.append(line)
    title = _("top {shown} of {count} variations by |effect on mean days|").format(
        shown=len(rows), count=len(report["variations"])
    )
    console.print(fitted_table(console, columns, cells, title=title))
    if report["skipped"]:
        reasons: dict[tuple[str, str], int] = {}
        for s in report["skipped"]:
            key = (s["parameter"], s["reason"])
            reasons[key] = reasons.get(key, 0) + 1
        console.print(
            _("skipped {count} variation(s) that cannot change anything:").format(
                count=len(report["skipped"])
            )
        )
        for (parameter, reason), count in sorted(reasons.items()):
            console.print(
                _("  {count} x {parameter}: {reason}").format(
                    count=count, parameter=_(PARAMETER_WORDS.get(parameter, parameter)), reason=_(reason)
                )
            )
    console.print(_("details: approval-sim runs show {id}").format(id=run_id))


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add 'sensitivity' to the main app."""
    app.command("sensitivity")(sensitivity)
