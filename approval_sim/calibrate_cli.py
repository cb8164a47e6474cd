"""``approval-sim calibrate``: a scenario overlay calibrated from the approval platform's records.

Thin: the records are read and checked by the same reader as ``supervise`` (one layout, one set of messages);
:mod:`calibration` measures and fits; this module prints the fit report and writes the overlay.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from approval_sim import words
from approval_sim.errors import USAGE_ERROR, UserError, handle_user_errors, warn
from approval_sim.options import JsonOption, LimitOption
from approval_sim.output import print_json, printable
from approval_sim.workbook_cli import ForceOption, writable
from messages import N_, Message, _, localize

FAR_FUTURE_YEAR = 2100  # parse with an as-of date after every record, then use the latest date found


def _as_of(text: str | None) -> Any:
    if text is None:
        return None
    from approval_model.supervision_records import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise UserError(
            Message("--as-of: {error}. Fix: write it as YYYY-MM-DD, e.g. 2017-12-31", error=str(error))
        ) from None


def _latest(rows: list[Any]) -> Any:
    dates = [r.accepted for r in rows] + [r.completed for r in rows if r.completed]
    dates += [d for r in rows for s in r.clock_stops for d in (s.start, s.end) if d is not None]
    return max(dates)


def _base_reference(scenario: str, out: Path) -> str:
    """How the overlay names its base: the built-in name, or the file's path relative to the overlay."""
    import os

    from approval_model.scenario_document import BUILTIN_DIR, resolve_reference

    path = resolve_reference(scenario)
    if path.resolve().parent == BUILTIN_DIR.resolve():
        return path.stem
    return os.path.relpath(path.resolve(), out.resolve().parent)


@handle_user_errors
def calibrate(
    records: Annotated[
        Path, typer.Argument(help=N_("platform records (CSV or .xlsx) in the layout 'supervise' reads"))
    ],
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            help=N_(
                "the process the records are of: built-in name (see 'approval-sim catalog names') or scenario file"
            ),
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help=N_("the scenario overlay to write (.yaml)"))],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help=N_(
                "the date the records were exported (rows open then are in progress); default: the latest date "
                "in the records"
            ),
        ),
    ] = None,
    limit: LimitOption = None,
    min_records: Annotated[
        int,
        typer.Option(
            "--min-records", min=2, help=N_("an item with fewer usable records keeps its assumption")
        ),
    ] = 30,
    strict: Annotated[
        bool, typer.Option("--strict", help=N_("a row that cannot be used is an error (exit 2), not skipped"))
    ] = False,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Calibrate handling times, 补正, overdue rates and arrivals from the platform's records; write a scenario
    overlay (base: the given scenario, every value with its provenance) and print the fit report."""
    from datetime import date

    from approval_model.calendar import default_calendar
    from approval_model.supervision_records import COLUMN_ALIASES, REQUIRED_COLUMNS, parse_records
    from calibration.calibrate import calibrate as run_calibration
    from calibration.calibrate import overlay
    from calibration.observations import observe
    from exports.vocabulary import today_in_shanghai
    from readers.tables import read_table
    from rules.loading import load
    from workbooks.scenario_file import dump_yaml, write_atomically

    writable(out, force, (".yaml", ".yml"))
    process = load(scenario)
    basis = limit or process.simulation.limit_basis
    wanted = _as_of(as_of)
    table = read_table(
        records, COLUMN_ALIASES, REQUIRED_COLUMNS
    )  # the reader 'supervise' uses; a TableError exits 2
    rows, problems = parse_records(table, process.item_ids, wanted or date(FAR_FUTURE_YEAR, 12, 31))
    if problems and strict:
        sys.stderr.write(
            printable(
                _("error: {file}: {count} row problem(s) (--strict; nothing written)").format(
                    file=records, count=len(problems)
                )
            )
            + "\n"
        )
        _list_problems(problems)
        raise typer.Exit(USAGE_ERROR)
    if not rows:
        raise UserError(
            Message(
                "{file}: no usable record ({rejected} rows rejected, {rows} in the file)",
                file=str(records),
                rejected=len(problems),
                rows=len(table),
            )
        )
    day = wanted or _latest(rows)
    observations = observe(rows, process, day, default_calendar(), basis)
    result = run_calibration(observations, process, min_records)
    data = overlay(result, process, _base_reference(scenario, out), records.name, today_in_shanghai())
    header = (
        f"# Calibrated by 'approval-sim calibrate {records.name} --scenario {scenario}' on {today_in_shanghai().isoformat()}.\n"
        "# Every calibrated value names its source (PLATFORM_RECORDS) and how it was fitted; the rest comes from base.\n"
    )
    write_atomically(out, header + dump_yaml(data))
    report = {
        "file": str(records),
        "scenario": scenario,
        "overlay": str(out),
        **result.as_json(),
        "rejected": [p.as_json() for p in problems],
    }
    if as_json:
        print_json(report)
    else:
        _print_report(report)
    if problems:
        warn(
            Message(
                "{file}: {count} row(s) could not be used and were skipped:",
                file=str(records),
                count=len(problems),
            )
        )
        _list_problems(problems)


def _list_problems(problems: list[Any]) -> None:
    for problem in problems:
        sys.stderr.write(printable(f"  - {localize(problem.render())}") + "\n")


def _fit_text(fit: dict[str, Any] | None) -> str:
    if fit is None:
        return "–"
    if fit["family"] == "empirical":
        return _("empirical ({count} values)").format(count=len(fit["parameters"]["values"]))
    shown = ", ".join(f"{k}={v:g}" for k, v in fit["parameters"].items())
    return f"{fit['family']}({shown})"


def _print_report(report: dict[str, Any]) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    console.print(
        _(
            "[bold]{file}[/bold]: {records:,} usable records ({completed:,} completed, {open:,} in progress, "
            "censored), accepted {first}..{last}, as of {as_of}; {rejected} rows skipped"
        ).format(
            file=report["file"],
            records=report["records"],
            completed=report["completed"],
            open=report["in_progress"],
            first=report["date_range"][0],
            last=report["date_range"][1],
            as_of=report["as_of"],
            rejected=len(report["rejected"]),
        ),
        soft_wrap=True,
    )
    columns = [
        Column(_("item"), "key"),
        Column(_("name"), "name", priority=3),
        Column(_("records"), "figure", priority=2),
        Column(_("chosen"), "text"),
        Column(_("mean"), "figure"),
        Column(_("KS"), "figure", priority=1),
        Column(_("补正 p"), "figure"),
        Column(_("applicant"), "text", priority=2),
        Column(_("overdue"), "figure", priority=1),
    ]
    rows = []
    for item_id, c in report["items"].items():
        fit = c["handling_days"]
        supplement = c["supplement"]
        overdue = c["overdue"]["rate"]
        rows.append(
            [
                item_id,
                c["name"],
                f"{c['records']:,}",
                _fit_text(fit) if fit else _("kept: {reason}").format(reason=c["kept_assumption"]),
                f"{fit['mean_days']:.2f}" if fit else "–",
                f"{fit['ks']:.3f}" if fit else "–",
                "–" if supplement["probability"] is None else f"{supplement['probability']:.1%}",
                _fit_text(supplement["applicant_days"])
                if supplement["applicant_days"]
                else (supplement["applicant_note"] or "–"),
                "–" if overdue is None else f"{overdue:.1%}",
            ]
        )
    title = _("handling time per item (working days; overdue against {basis} limits)").format(
        basis=words.basis(report["limit_basis"])
    )
    console.print(fitted_table(console, columns, rows, title))
    arrivals = report["arrivals"]
    if arrivals["per_working_day"] is not None:
        console.print(
            _(
                "arrivals: {projects:,} projects over {days:,} working days ({first}..{last}): {rate:.4g} per "
                "working day; {by_type}"
            ).format(
                projects=arrivals["projects"],
                days=arrivals["working_days"],
                first=arrivals["first_arrival"],
                last=arrivals["last_arrival"],
                rate=arrivals["per_working_day"],
                by_type=", ".join(
                    f"{name} {v['per_working_day']:.4g} ({v['share']:.0%})"
                    for name, v in arrivals["by_type"].items()
                ),
            ),
            soft_wrap=True,
        )
    department_columns = [
        Column(_("department"), "name"),
        Column(_("records"), "figure", priority=1),
        Column(_("most open"), "figure"),
        Column(_("on"), "label", priority=2),
        Column(_("declared capacity"), "text"),
    ]
    department_rows = []
    for d, v in report["departments"].items():
        raised = v.get("capacity_raised_to")
        declared = "–" if v["capacity"] is None else str(v["capacity"])
        department_rows.append(
            [
                f"{v['name']} ({d})",
                f"{v['records']:,}",
                str(v["max_open_all_day"]),
                v["on"] or "–",
                _("{declared} -> raised to {raised}").format(declared=declared, raised=raised)
                if raised
                else declared,
            ]
        )
    console.print(
        fitted_table(
            console,
            department_columns,
            department_rows,
            _("files open all day at once (a lower bound for capacity)"),
        )
    )
    console.print(
        _(
            "chosen = the lowest-AIC family within the KS 5 % critical value, else empirical; items with fewer than "
            "{min_records} records keep their assumption. Overlay written: {overlay}"
        ).format(min_records=report["min_records"], overlay=report["overlay"]),
        soft_wrap=True,
    )


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add calibrate to the main app."""
    app.command("calibrate")(calibrate)
