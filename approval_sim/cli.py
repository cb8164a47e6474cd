"""The `approval-sim` command line. Thin: it parses options, calls the domain and prints.

Heavy modules (pydantic models, networkx, numpy, Prefect, matplotlib) are imported inside the commands so
that ``approval-sim --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from approval_sim import (
    calendar_cli,
    export_cli,
    flow_cli,
    plan_cli,
    rules_cli,
    runs_cli,
    sensitivity_cli,
    sim_cli,
    validation_cli,
)
from approval_sim.errors import handle_user_errors
from approval_sim.options import JsonOption, LimitKind, ProfileOption

app = typer.Typer(
    name="approval-sim",
    help="Model and simulate Chinese investment-project approval (Luoyang 2017 放管服 reform).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Browse approval catalogs (built-in or scenario files).", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(
    calendar_cli.app, name="calendar", help="Chinese statutory working-day calendar (工作日, 调休)."
)

DEFAULT_SCENARIO = "luoyang-2017-before"


def _print_json(payload: object) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


@catalog_app.command("list")
@handle_user_errors
def catalog_list(
    scenario: Annotated[str, typer.Argument(help="built-in name or scenario file")] = DEFAULT_SCENARIO,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the items of a catalog with department, stage, limit, materials and provenance."""
    from approval_sim import loading, views

    process = loading.load(scenario)
    if profile is not None:
        process = loading.for_profile(process, profile)
    if as_json:
        _print_json(views.items_as_json(process))
    else:
        views.print_catalog(process)


@catalog_app.command("names")
@handle_user_errors
def catalog_names(as_json: JsonOption = False) -> None:
    """List the built-in scenarios and profiles."""
    from approval_model.profiles import builtin_profiles
    from approval_model.scenario import builtin_names

    if as_json:
        _print_json({"scenarios": builtin_names(), "profiles": [*builtin_profiles(), "all"]})
        return
    typer.echo("scenarios: " + ", ".join(builtin_names()))
    typer.echo("profiles:  " + ", ".join([*builtin_profiles(), "all"]))


@app.command()
@handle_user_errors
def check(
    scenario: Annotated[str, typer.Argument(help="scenario file (or built-in name) to validate")],
) -> None:
    """Validate a scenario file: exit 0 with a one-line summary, or exit 2 with every problem found."""
    from approval_sim import loading

    process = loading.load(scenario)
    departments = len({item.department for item in process.items})
    typer.echo(
        f"OK {scenario}: '{process.name}' - {len(process.items)} items, {len(process.stages)} stages, "
        f"{departments} of {len(process.departments)} departments handle items"
    )


@app.command()
@handle_user_errors
def analyze(
    baseline: Annotated[str, typer.Argument(help="built-in name or scenario file")] = DEFAULT_SCENARIO,
    reformed: Annotated[str | None, typer.Argument(help="a second process to compare with the first")] = None,
    profile: ProfileOption = None,
    limit: Annotated[
        LimitKind, typer.Option(help="count statutory (法定) or promised (承诺) limits")
    ] = LimitKind.statutory,
    as_json: JsonOption = False,
) -> None:
    """Serial total, parallel total (critical path) and the reduction, in working days."""
    from approval_model.graph import analysis_comparison, analysis_json
    from approval_sim import loading, views

    first = analysis_json(loading.for_profile(loading.load(baseline), profile), limit.value)
    payload = first
    if reformed is not None:
        second = analysis_json(loading.for_profile(loading.load(reformed), profile), limit.value)
        payload = analysis_comparison(first, second)
    if as_json:
        _print_json(payload)
    else:
        views.print_analysis(payload)


for _module in (
    rules_cli,
    sim_cli,
    plan_cli,
    flow_cli,
    sensitivity_cli,
    runs_cli,
    export_cli,
    validation_cli,
):
    _module.register(app, catalog_app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
