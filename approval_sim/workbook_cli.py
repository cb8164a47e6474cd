"""``catalog template``, ``catalog import`` and ``catalog export``: a city's catalog in Excel, in and out.

Thin: the layout, reading and writing live in :mod:`workbooks` (an I/O edge); the domain knows no file format.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import JsonOption, ScenarioArgument
from approval_sim.output import echo, print_json
from messages import N_, Message, _


class WorkbookFormat(StrEnum):
    xlsx = "xlsx"


ForceOption = Annotated[bool, typer.Option("--force", help=N_("overwrite the output file if it exists"))]


def writable(path: Path, force: bool, suffixes: tuple[str, ...]) -> None:
    """Refuse to overwrite without --force (a planner's edited file is data), a wrong suffix or a folder."""
    if path.suffix.lower() not in suffixes:
        raise UserError(
            Message(
                "--out {file}: the file name must end in {suffixes}",
                file=str(path),
                suffixes=" / ".join(suffixes),
            )
        )
    if path.is_dir():
        raise UserError(Message("--out {file}: is a folder; give a file name", file=str(path)))
    if not path.parent.exists():
        raise UserError(
            Message(
                "--out {file}: the folder {folder} does not exist; create it first",
                file=str(path),
                folder=str(path.parent),
            )
        )
    if path.exists() and not force:
        raise UserError(
            Message(
                "--out {file}: the file exists; choose another name or add --force to overwrite it",
                file=str(path),
            )
        )


@handle_user_errors
def template(
    out: Annotated[Path, typer.Option("--out", "-o", help=N_("the workbook to write (.xlsx)"))],
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write an empty catalog workbook: Chinese headers (English keys beneath), drop-down lists, one worked
    example per sheet and instructions. Fill it in, then 'approval-sim catalog import'."""
    from workbooks.layout import catalog_layout
    from workbooks.writer import template_rows, write_workbook

    writable(out, force, (".xlsx",))
    layout = catalog_layout()
    write_workbook(out, template_rows(layout), layout)
    sheets = ["说明 instructions", *(s.title for s in layout.sheets)]
    if as_json:
        print_json({"file": str(out), "sheets": sheets})
    else:
        echo(_("wrote {file}: sheets {sheets}").format(file=out, sheets=", ".join(sheets)))


@handle_user_errors
def import_(
    file: Annotated[Path, typer.Argument(help=N_("a filled catalog workbook (.xlsx) or a CSV of items"))],
    out: Annotated[Path, typer.Option("--out", "-o", help=N_("the scenario file to write (.yaml)"))],
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Turn a filled workbook into a scenario file. Every problem is listed at once (sheet, row, column, fix),
    with exit status 2, and nothing is written while there is one."""
    from exports.vocabulary import today_in_shanghai
    from workbooks.importer import import_catalog
    from workbooks.scenario_file import scenario_yaml, write_atomically

    writable(out, force, (".yaml", ".yml"))
    process = import_catalog(file)
    header = (
        f"Imported by 'approval-sim catalog import' from {file.name} on {today_in_shanghai().isoformat()}.\n"
        "Edit the workbook and import it again, or edit this file; check it with 'approval-sim check'."
    )
    write_atomically(out, scenario_yaml(process, header))
    summary = {
        "file": str(file),
        "scenario": str(out),
        "name": process.name,
        "departments": len(process.departments),
        "stages": len(process.stages),
        "items": len(process.items),
        "prerequisites": sum(len(i.prerequisites) for i in process.items),
        "profiles": [*process.profiles],
    }
    if as_json:
        print_json(summary)
    else:
        echo(
            _(
                "wrote {file}: '{name}' - {items} items, {departments} departments, {stages} stages, "
                "{prerequisites} prerequisites"
            ).format(
                file=out,
                name=process.name,
                items=summary["items"],
                departments=summary["departments"],
                stages=summary["stages"],
                prerequisites=summary["prerequisites"],
            )
        )


@handle_user_errors
def export_catalog(
    scenario: ScenarioArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help=N_("the workbook to write"))],
    file_format: Annotated[
        WorkbookFormat,
        typer.Option("--format", help=N_("xlsx: the catalog workbook (the template's layout)")),
    ] = WorkbookFormat.xlsx,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write a scenario (built-in or file, rules applied) as a catalog workbook in the template's layout;
    'catalog import' gives the same process back."""
    from rules.loading import load
    from workbooks.layout import catalog_layout
    from workbooks.writer import process_rows, write_workbook

    writable(out, force, (f".{file_format.value}",))
    process = load(scenario)
    rows = process_rows(process)
    write_workbook(out, rows)
    counts = {key: len(value) for key, value in rows.items() if key != "process"}
    if as_json:
        print_json({"file": str(out), "scenario": scenario, "name": process.name, "rows": counts})
    else:
        titles = {
            sheet.key: sheet.title for sheet in catalog_layout().sheets
        }  # 部门 departments: both languages
        echo(
            _("wrote {file}: '{name}' - {rows}").format(
                file=out,
                name=process.name,
                rows=", ".join(f"{titles.get(key, key)} {count}" for key, count in counts.items()),
            )
        )


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add template, import and export to the 'catalog' group."""
    catalog_app.command("template")(template)
    catalog_app.command("import")(import_)
    catalog_app.command("export")(export_catalog)
