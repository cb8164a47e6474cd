"""``approval-sim claims`` and ``approval-sim supervise``: the numeric claims of plans 2-5 and time-limit
supervision (限时办结) of in-flight items. Thin: parse options, call approval_model.claims/supervision, print.

Heavy imports (pydantic models, numpy calendar, rich) stay inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from approval_sim.errors import USAGE_ERROR, UserError, handle_user_errors
from approval_sim.options import SCENARIO_HELP, JsonOption, LimitOption
from approval_sim.output import print_json

DEFAULT_CATALOG = "luoyang-2017-before"

_STATUS_STYLE = {
    "green": "green",
    "yellow": "yellow",
    "red": "bold red",
    "done_on_time": "dim green",
    "done_late": "magenta",
}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


# ---- claims ---------------------------------------------------------------------------------------


@handle_user_errors
def claims(
    plan: Annotated[int | None, typer.Option("--plan", help="only the claims of plan 2, 3, 4 or 5")] = None,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            metavar="PP",
            help="stated vs computed reduction counts as consistent within this many percentage points",
        ),
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Check the numeric claims of plans 2-5: stated vs computed reduction, and the plan's own targets."""
    from approval_model.claims import PLAN_TITLES, check_claims, load_claims, summarize

    if plan is not None and plan not in PLAN_TITLES:
        if plan == 1:
            raise UserError(
                "plan 1 (investment project approval) is the process model itself: use 'approval-sim analyze'; "
                "'claims' covers plans 2-5"
            )
        raise UserError(f"--plan must be 2, 3, 4 or 5 (the document has 5 plans), got {plan}")
    if not 0 <= tolerance <= 100:
        raise UserError(f"--tolerance is in percentage points between 0 and 100, got {tolerance:g}")
    checks = check_claims(load_claims(), tolerance / 100, plan)
    if as_json:
        print_json([c.as_json() for c in checks])
        return
    _print_claims(checks, summarize(checks), plan, tolerance, PLAN_TITLES)


_UNIT_SHORT = {
    "working_days": "wd",
    "days": "days",
    "minutes": "min",
    "steps": "steps",
    "visits": "visits",
    "materials": "docs",
    "certificates": "certs",
}


def _print_claims(
    checks: list, summary: dict[str, Any], plan: int | None, tolerance: float, titles: dict
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not checks:
        console.print(
            f"plan {plan} ({titles[plan]}) states no before/after figures: its numbers are deadlines and "
            "coverage (e.g. every power item online by 30 September), nothing to check",
            soft_wrap=True,
        )
        return
    for number in sorted({c.claim.plan for c in checks}):
        table = Table(title=f"Plan {number}: {titles[number]}", title_justify="left")
        table.add_column("claim", no_wrap=True)
        table.add_column("subject", overflow="fold")
        table.add_column("unit", no_wrap=True)
        table.add_column("before→after", justify="right", no_wrap=True)
        table.add_column("stated", justify="right", no_wrap=True)
        table.add_column("computed", justify="right", no_wrap=True)
        table.add_column("consistent", no_wrap=True)
        table.add_column("target", no_wrap=True)
        for check in (k for k in checks if k.claim.plan == number):
            c = check.claim
            if check.consistent is None:
                consistent = "–"
            elif check.consistent:
                consistent = "[green]yes[/green]"
            else:
                consistent = f"[bold red]NO {check.discrepancy * 100:+.1f}pp[/bold red]"
            if c.target is None:
                target = "–"
            elif check.meets_target is None:
                target = f"≥{_pct(c.target)} ?"
            else:
                target = f"≥{_pct(c.target)} " + (
                    "[green]met[/green]" if check.meets_target else "[red]missed[/red]"
                )
            before = _num(c.before) + ("*" if c.before_assumed else "")
            if c.before is None and c.before_nonzero:
                before = "some"
            figures = (
                "–"
                if c.before is None and c.after is None and not c.before_nonzero
                else f"{before}→{_num(c.after)}"
            )
            table.add_row(
                c.id,
                c.subject,
                _UNIT_SHORT.get(c.unit or "", "–"),
                figures,
                _pct(c.stated_reduction),
                _pct(check.computed_reduction),
                consistent,
                target,
            )
        console.print(table)
    console.print(
        "* before figure not in the plan text (assumed; see the claim's note in --json); wd = working days",
        soft_wrap=True,
    )
    console.print(
        f"{summary['claims']} claims transcribed; {summary['computable']} have before/after figures; "
        f"{summary['checked']} stated reductions checkable against them (tolerance {tolerance:g} pp): "
        f"[bold]{summary['inconsistent']} inconsistent[/bold]"
        + (f" ({', '.join(summary['inconsistent_ids'])})" if summary["inconsistent_ids"] else "")
        + f"; plan targets checked {summary['target_checked']}, missed {summary['target_missed']}",
        soft_wrap=True,
    )


# ---- supervise ------------------------------------------------------------------------------------


def _parse_as_of(text: str):
    from datetime import date

    from approval_model.supervision import parse_date

    if text.strip().lower() == "today":
        return date.today()
    try:
        return parse_date(text)
    except ValueError as error:
        raise UserError(
            f"--as-of: {error}. Fix: write it as YYYY-MM-DD, e.g. 2017-10-20, or 'today'"
        ) from None


@handle_user_errors
def supervise(
    file: Annotated[Path, typer.Argument(help="CSV or Excel (.xlsx) file of items in progress")],
    as_of: Annotated[
        str, typer.Option("--as-of", metavar="DATE", help="supervision date, YYYY-MM-DD or 'today'")
    ],
    catalog: Annotated[
        str, typer.Option("--catalog", help=f"the process whose items' limits apply: {SCENARIO_HELP}")
    ] = DEFAULT_CATALOG,
    limit: LimitOption = None,
    yellow_days: Annotated[
        int,
        typer.Option(
            "--yellow-days", metavar="N", help="yellow (at risk) when at most N working days are left"
        ),
    ] = 3,
    yellow_share: Annotated[
        float,
        typer.Option(
            "--yellow-share", metavar="F", help="yellow when at most this share of the limit is left (0-1)"
        ),
    ] = 0.2,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="report the good rows and list the bad ones (the default now; kept for scripts)",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="stop at bad rows: report nothing and exit 2 (default: report the good rows)"
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE.xlsx",
            help="write the follow-up list (督办清单) to Excel: most urgent first, red and yellow rows highlighted",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Deadlines of in-flight items on the working-day calendar, with status and a per-department summary.

    Rows with problems are listed (stderr) and left out; the others are reported (exit 0). --strict: nothing is
    reported when a row has a problem (exit 2). --out FILE.xlsx writes the follow-up list (督办清单)."""
    from approval_model.calendar import default_calendar
    from approval_model.supervision import (
        COLUMN_ALIASES,
        REQUIRED_COLUMNS,
        Thresholds,
        calendar_day_items,
        department_summary,
        item_limits,
        parse_records,
    )
    from approval_model.supervision import supervise as run_supervision
    from readers.tables import read_table
    from rules.loading import load

    day = _parse_as_of(as_of)
    if out is not None and out.suffix.lower() != ".xlsx":
        raise UserError(f"--out {out}: the follow-up list is an Excel file; give a name ending in .xlsx")
    try:
        thresholds = Thresholds(yellow_days=yellow_days, yellow_share=yellow_share)
    except ValueError as error:
        raise UserError(f"--yellow-days/--yellow-share: {error}") from None
    process = load(catalog)
    basis = limit or process.simulation.limit_basis
    items = item_limits(process)
    records = read_table(file, COLUMN_ALIASES, REQUIRED_COLUMNS)  # a TableError is a ValueError: exit 2
    rows, problems = parse_records(records, items.keys(), day, calendar_day_items(process))
    if problems and strict and not keep_going:
        count = len(problems)
        sys.stderr.write(
            f"error: {file}: {count} problem{'s' if count != 1 else ''} (nothing reported: --strict; without it the good rows are reported)\n"
        )
        for problem in problems:
            sys.stderr.write(f"  - {problem.render()}\n")
        raise typer.Exit(USAGE_ERROR)
    results = run_supervision(rows, items, day, default_calendar(), basis, thresholds)
    summary = department_summary(results, [d.id for d in process.departments])
    estimated = any(r.estimated for r in results)
    if as_json:
        print_json(
            {
                "file": str(file),
                "as_of": day.isoformat(),
                "catalog": catalog,
                "limit": basis.value,
                "thresholds": {
                    "yellow_days": thresholds.yellow_days,
                    "yellow_share": thresholds.yellow_share,
                },
                "rows": [r.as_json() for r in results],
                "departments": summary,
                "rejected": [p.as_json() for p in problems],
                "estimated": estimated,
            }
        )
    else:
        _print_supervision(results, summary, day, basis, thresholds, estimated)
    if out is not None:
        from exports.supervision import follow_up_tables, write_follow_up

        tables = follow_up_tables(
            results, summary, problems, as_of=day.isoformat(), catalog=catalog, basis=str(basis),
            yellow_days=thresholds.yellow_days, yellow_share=thresholds.yellow_share,
        )  # fmt: skip
        try:
            written = write_follow_up(tables, out, day.isoformat())
        except OSError as error:
            raise UserError(
                f"--out {out}: cannot write the follow-up list ({error.strerror or error})"
            ) from None
        sys.stderr.write(f"督办清单 follow-up list: {written}\n")
    if problems:
        sys.stderr.write(f"warning: {file}: {len(problems)} problem(s); the rows below were left out:\n")
        for problem in problems:
            sys.stderr.write(f"  - {problem.render()}\n")


def _print_supervision(results, summary, day, limit_kind: str, thresholds, estimated: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Time-limit supervision as of {day} ({limit_kind} limits)", title_justify="left")
    table.add_column("row", justify="right", no_wrap=True)
    table.add_column("project code", no_wrap=True)
    table.add_column("item", no_wrap=True)
    table.add_column("department", overflow="fold")
    table.add_column("accepted", no_wrap=True)
    table.add_column("limit", justify="right", no_wrap=True)
    table.add_column("deadline", no_wrap=True)
    table.add_column("used", justify="right", no_wrap=True)
    table.add_column("left", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for r in results:
        style = _STATUS_STYLE[r.status]
        status = r.status.replace("_", " ") + (" ⏸" if r.clock_stopped else "")
        limit_text = f"{r.limit_days}" + (f"+{r.stopped_working_days}" if r.stopped_working_days else "")
        if r.limit_kind != limit_kind:
            limit_text += " S"
        table.add_row(
            str(r.input.row),
            r.input.project_code,
            r.input.item_id,
            r.item.department_name,
            r.input.accepted.isoformat(),
            limit_text,
            r.deadline.isoformat() + ("*" if r.estimated else ""),
            str(r.working_days_used),
            "–" if r.working_days_left is None else str(r.working_days_left),
            f"[{style}]{status}[/{style}]",
        )
    console.print(table)
    per_dept = Table(title="Per department")
    for name in [
        "department",
        "items",
        "green",
        "yellow",
        "red",
        "done on time",
        "done late",
        "overdue rate",
    ]:
        per_dept.add_column(name, justify="left" if name == "department" else "right")
    for d in summary:
        per_dept.add_row(
            d["department_name"],
            str(d["items"]),
            str(d["green"]),
            str(d["yellow"]),
            str(d["red"]),
            str(d["done_on_time"]),
            str(d["done_late"]),
            f"{d['overdue_rate'] * 100:.0f}%",
        )
    console.print(per_dept)
    console.print(
        f"yellow = at most {thresholds.yellow_days} working days or {thresholds.yellow_share:.0%} of the limit left; "
        "red = past the deadline. limit = working days (+ working days of clock stops); "
        "S = statutory used (no promised limit); ⏸ = clock stopped now",
        soft_wrap=True,
    )
    if estimated:
        console.print(
            "* relies on calendar years outside the official data (estimated holidays, no 调休)",
            soft_wrap=True,
        )


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add this module's commands to the main app (and the 'catalog' group)."""
    app.command("claims")(claims)
    app.command("supervise")(supervise)
