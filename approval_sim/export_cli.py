"""`approval-sim export RUN_ID --format xlsx|csv|png|html|pdf|all`: a stored run as files planners hand on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from approval_sim.errors import UserError, error_text, handle_user_errors
from approval_sim.options import DatabaseOption, RunIdArgument
from approval_sim.output import echo
from messages import N_, Message, _, localize


@handle_user_errors
def export(
    run_id: RunIdArgument,
    formats: Annotated[
        list[str],
        typer.Option(
            "--format",
            "-f",
            help=N_(
                "xlsx, csv, png (the plots as PNG and SVG), html, pdf (the briefing report, printed by headless "
                "Chromium) or all; repeat or separate with commas"
            ),
        ),
    ] = ["all"],  # noqa: B006
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help=N_("output folder (default: ./approval-sim-run-<id>)"))
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Export a stored run: Excel (概览/事项/部门/敏感性), CSV, plots (PNG+SVG), the briefing report (汇报版) as
    HTML and PDF."""
    from exports import RendererMissing, expand_formats, export_run, missing

    chosen = expand_formats(formats)  # before touching the database: a bad format is a usage error

    from flows.store import repository
    from flows.store.database import get_engine

    try:
        run = repository.get_run(get_engine(database), run_id)
    except repository.RunNotFound:
        raise UserError(
            Message("no run with id {run_id}; see 'approval-sim runs list'", run_id=run_id)
        ) from None
    folder = out if out is not None else Path(f"approval-sim-run-{run_id}")
    try:
        written = export_run(run, chosen, folder)
    except RendererMissing as error:  # the other formats are written: list them, then say how to get the PDF
        for path in error.written:
            echo(str(path))
        raise UserError(error_text(error)) from None
    for path in written:
        echo(str(path))
    for note in missing(run):
        echo(_("note: {note}").format(note=localize(note)), err=True)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add 'export' to the main app."""
    app.command("export")(export)
