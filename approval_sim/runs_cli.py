"""`approval-sim runs list|show`: the history of persisted runs (reads the results database only)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import DatabaseOption

runs_app = typer.Typer(help="History of persisted runs and their results.", no_args_is_help=True)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")


def _engine(url: str | None):  # noqa: ANN202
    from flows.store import repository
    from flows.store.database import get_engine

    engine = get_engine(url)
    repository.mark_interrupted(engine)  # runs whose process was killed show as interrupted, not running
    return engine


@runs_app.command("list")
@handle_user_errors
def runs_list(
    limit: Annotated[int, typer.Option(min=1, help="how many runs")] = 50,
    kind: Annotated[
        str | None, typer.Option(help="only runs of this kind (simulate, compare, nightly, sensitivity)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON only")] = False,
    database: DatabaseOption = None,
) -> None:
    """Runs, newest first."""
    from flows.store import repository

    runs = repository.list_runs(_engine(database), limit=limit, kind=kind)
    if as_json:
        sys.stdout.write(
            json.dumps([r.model_dump(mode="json") for r in runs], ensure_ascii=False, indent=2) + "\n"
        )
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
        "verdict",
        "reduction",
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
            run.verdict or "",
            f"{run.reduction_mean:.1%}" if run.reduction_mean is not None else "",
            run.started_at.strftime("%Y-%m-%d %H:%M"),
        )
    Console().print(table)


@runs_app.command("show")
@handle_user_errors
def runs_show(
    run_id: Annotated[int, typer.Argument(help="a run id from 'approval-sim runs list'")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON only")] = False,
    database: DatabaseOption = None,
) -> None:
    """One run's stored results."""
    from flows.store import repository

    try:
        run = repository.get_run(_engine(database), run_id)
    except repository.RunNotFound:
        raise UserError(f"no run with id {run_id}; see 'approval-sim runs list'") from None
    if as_json:
        sys.stdout.write(json.dumps(run, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    from approval_sim import run_views

    run_views.print_run(run)
