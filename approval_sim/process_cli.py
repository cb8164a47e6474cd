"""``catalog list``, ``catalog names``, ``check`` and ``analyze``: a process as it stands, without simulation.

Heavy modules (pydantic models, networkx, rich) are imported inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import typer

from approval_sim.errors import handle_user_errors
from approval_sim.options import (
    JsonOption,
    LimitOption,
    ProfileOption,
    ReformedArgument,
    ScenarioArgument,
)
from approval_sim.output import echo, print_json
from messages import _

DEFAULT_SCENARIO = "luoyang-2017-before"


@handle_user_errors
def catalog_list(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the items of a catalog with department, stage, limit, materials and provenance."""
    from approval_sim import views
    from rules.loading import for_profile, load

    process = load(scenario)
    if profile is not None:
        process = for_profile(process, profile)
    if as_json:
        print_json(views.items_as_json(process))
    else:
        views.print_catalog(process)


@handle_user_errors
def catalog_names(as_json: JsonOption = False) -> None:
    """List the built-in scenarios and profiles."""
    from approval_model.profiles import builtin_profiles
    from approval_model.scenario_document import builtin_names

    if as_json:
        print_json({"scenarios": builtin_names(), "profiles": [*builtin_profiles(), "all"]})
        return
    from approval_sim.output import console as safe_console

    console = safe_console()  # wraps at the terminal's width, between names
    console.print(_("scenarios: {names}").format(names=", ".join(builtin_names())), highlight=False)
    console.print(
        _("profiles:  {names}").format(names=", ".join([*builtin_profiles(), "all"])), highlight=False
    )


@handle_user_errors
def check(scenario: ScenarioArgument) -> None:
    """Check a scenario file: exit 0 with a one-line summary, or exit 2 with every problem found."""
    from rules.loading import load

    process = load(scenario)
    departments = len({item.department for item in process.items})
    echo(
        _(
            "OK {scenario}: '{name}' - {items} items, {stages} stages, {handling} of {departments} departments "
            "handle items"
        ).format(
            scenario=scenario,
            name=process.name,
            items=len(process.items),
            stages=len(process.stages),
            handling=departments,
            departments=len(process.departments),
        )
    )


@handle_user_errors
def analyze(
    baseline: ScenarioArgument = DEFAULT_SCENARIO,
    reformed: ReformedArgument = None,
    profile: ProfileOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Serial total, parallel total (critical path) and the reduction, in working days."""
    from approval_model.analysis import analysis_comparison, analysis_json
    from approval_sim import views
    from rules.loading import for_profile, load

    def measured(reference: str) -> dict:
        process = for_profile(load(reference), profile)
        return analysis_json(process, limit or process.simulation.limit_basis)

    payload = measured(baseline)
    if reformed is not None:
        payload = analysis_comparison(payload, measured(reformed))
    if as_json:
        print_json(payload)
    else:
        views.print_analysis(payload)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add this module's commands to the main app and the 'catalog' group."""
    catalog_app.command("list")(catalog_list)
    catalog_app.command("names")(catalog_names)
    app.command("check")(check)
    app.command("analyze")(analyze)
