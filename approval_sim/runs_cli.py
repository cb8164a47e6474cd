"""`approval-sim runs list|show|backup`: the history of persisted runs, and a consistent copy of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import DatabaseOption, JsonOption, RunIdArgument
from approval_sim.output import echo, print_json
from messages import N_, Message, _


@handle_user_errors
def runs_backup(
    out: Annotated[
        Path, typer.Option("--out", "-o", help=N_("the copy to write (e.g. backup-2026-11-30.db)"))
    ],
    force: Annotated[bool, typer.Option("--force", help=N_("replace --out if it exists"))] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Copy the results database (SQLite) consistently, even while a batch writes: SQLite's backup API, the
    copy checked before it takes the name --out. A copy of the .db file alone can miss runs."""
    from flows.store.backup import backup_database
    from flows.store.database import database_url, get_engine, sqlite_path

    url = database_url(database)
    if sqlite_path(url) is not None:
        get_engine(url)  # a database of an older version is upgraded first, like every other command
    copied = backup_database(url, out, force=force)
    if as_json:
        print_json(copied)
        return
    echo(
        _("backed up {runs} runs from {source} to {file} ({size:.1f} MB, integrity checked)").format(
            runs=copied["runs"], source=copied["source"], file=copied["file"], size=copied["bytes"] / 2**20
        )
    )


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
            help=N_("how many runs (the newest)"),
        ),
    ] = 50,
    kind: Annotated[
        str | None, typer.Option(help=N_("only runs of this kind (simulate, compare, nightly, sensitivity)"))
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
    from approval_sim import words
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table
    from exports.vocabulary import shanghai_time

    console = safe_console()
    # left out first at narrow widths: the highest priority number
    columns = [
        Column(_("id"), "key"),
        Column(_("kind"), "text", priority=3),
        Column(_("status"), "text", priority=2),
        Column(_("scenario"), "name", min_width=14),
        Column(_("as_of"), priority=9),
        Column(_("seed"), priority=10),
        Column(_("basis"), "text", priority=6),
        Column(_("framing"), "text", priority=8),
        Column(_("profile"), "text", priority=7),
        Column(_("verdict"), "text"),
        Column(_("reduction")),
        Column(_("robust"), "text", priority=1),
        Column(_("started (Beijing time)"), "text", priority=5, min_width=10),
    ]
    rows = [
        [
            str(run.id),
            words.run_kind(run.kind),
            words.status(run.status),
            run.scenario,
            str(run.as_of or ""),
            str(run.seed if run.seed is not None else ""),
            words.basis(run.limit_basis),
            words.framing(run.framing),
            run.profile or "",
            words.verdict(run.verdict),
            f"{run.reduction_mean:.1%}" if run.reduction_mean is not None else "",
            words.robustness(run.robustness_verdict),
            shanghai_time(run.started_at),
        ]
        for run in runs
    ]
    console.print(fitted_table(console, columns, rows, title=_("runs (newest first)")))


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
        raise UserError(
            Message("no run with id {run_id}; see 'approval-sim runs list'", run_id=run_id)
        ) from None
    if as_json:
        print_json(run)
        return
    from approval_sim import run_views

    run_views.print_run(run)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add the 'runs' group to the main app."""
    runs_app = typer.Typer(help=N_("History of persisted runs and their results."), no_args_is_help=True)
    runs_app.command("list")(runs_list)
    runs_app.command("show")(runs_show)
    runs_app.command("backup")(runs_backup)
    app.add_typer(runs_app, name="runs")
