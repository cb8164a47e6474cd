"""`approval-sim validate`: the model beside documented reform figures (the validation package, docs/validation.md).

Vocabulary: ``check`` asks whether an input is well-formed; ``validate`` puts the model beside the world.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import JsonOption
from approval_sim.output import print_json
from messages import N_, Message, _

CHECK_FAILED = 1


@handle_user_errors
def validate(
    write: Annotated[
        Path | None,
        typer.Option("--write", help=N_("regenerate this markdown file (e.g. docs/validation.md)")),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check", help=N_("exit 1 with a diff summary when this file differs from the regenerated one")
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Model vs reported reform figures (Henan 2017, Xinyang, 2018 pilots, Kaifeng FTZ, ...), gap and why."""
    from validation import diff_summary, render_markdown, validation_rows

    rows = validation_rows()
    text = render_markdown(rows)
    if write is not None:
        write.parent.mkdir(parents=True, exist_ok=True)
        write.write_text(text, encoding="utf-8")
        sys.stderr.write(_("wrote {file} ({rows} rows)").format(file=write, rows=len(rows)) + "\n")
    if check is not None:
        if not check.exists():
            raise UserError(Message("{file} does not exist; create it with --write {file}", file=str(check)))
        committed = check.read_text(encoding="utf-8")
        if committed != text:
            sys.stderr.write(
                _("{file} is out of date; regenerate it with: approval-sim validate --write {file}").format(
                    file=check
                )
                + "\n"
                + diff_summary(text, committed)
                + "\n"
            )
            raise typer.Exit(CHECK_FAILED)
        sys.stderr.write(_("{file} is up to date ({rows} rows)").format(file=check, rows=len(rows)) + "\n")
    if as_json:
        print_json([row.as_json() for row in rows])
    elif write is None and check is None:
        sys.stdout.write(text)


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add 'validate' to the main app."""
    app.command("validate")(validate)
