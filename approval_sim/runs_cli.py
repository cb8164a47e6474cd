"""`approval-sim runs list|show`: the history of persisted runs (reads the results database only)."""

from __future__ import annotations

from typing import Annotated

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import DatabaseOption, JsonOption, RunIdArgument
from approval_sim.output import print_json


def _engine(url: str | None):  # noqa: ANN202
    from flows.store import repository
    from flows.store.database import get_engine

    engine = get_engine(url)
    repository.mark_interrupted(engine)  # runs whose process was killed show as interrupted, not running
    return engine


@handle_user_errors
def runs_list(
    last: Annotated[
        int,
        typer.Option(
            "--last",
            "--limit",  # the older spelling; elsewhere --limit is the limit basis (docs/cli.md)
            min=1,
            help="how many runs (the newest)",
        ),
    ] = 50,
    kind: Annotated[
        str | None, typer.Option(help="only runs of this kind (simulate, compare, nightly, sensitivity)")
    ] = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Runs, newest first."""
    from flows.store import repository

    runs = repository.list_runs(_engine(database), limit=last, kind=kind)
    if as_json:
        print_json([r.model_dump(mode="json") for r in runs])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="runs (newest first)")
    for column in (
        "id",
        "kind",
        "status",
        "scenario",
        "as_of",
        "seed",
        "basis",
        "framing",
        "profile",
        "verdict",
        "reduction",
        "robust",
        "started (UTC)",
    ):
        table.add_column(column)
    for run in runs:
        table.add_row(
            str(run.id),
            run.kind,
            run.status,
            run.scenario,
            str(run.as_of or ""),
            str(run.seed if run.seed is not None else ""),
            run.limit_basis or "",
            run.framing or "",
            run.profile or "",
            run.verdict or "",
            f"{run.reduction_mean:.1%}" if run.reduction_mean is not None else "",
            run.robustness_verdict or "",
            run.started_at.strftime("%Y-%m-%d %H:%M"),
        )
    Console().print(table)


@handle_user_errors
def runs_show(
    run_id: RunIdArgument,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """One run's stored results."""
    from flows.store import repository

    try:
        run = repository.get_run(_engine(database), run_id)
    except repository.RunNotFound:
        raise UserError(f"no run with id {run_id}; see 'approval-sim runs list'") from None
    if as_json:
        print_json(run)
        return
    from approval_sim import run_views

    run_views.print_run(run)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add the 'runs' group to the main app."""
    runs_app = typer.Typer(help="History of persisted runs and their results.", no_args_is_help=True)
    runs_app.command("list")(runs_list)
    runs_app.command("show")(runs_show)
    app.add_typer(runs_app, name="runs")
