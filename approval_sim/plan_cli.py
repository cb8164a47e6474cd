"""``approval-sim claims`` and ``approval-sim supervise``: the numeric claims of plans 2-5 and time-limit
supervision (限时办结) of in-flight items. Thin: parse options, call approval_model.claims/supervision, print.

Heavy imports (pydantic models, numpy calendar, rich) stay inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from approval_sim.errors import USAGE_ERROR, UserError, error_text, handle_user_errors, warn
from approval_sim.options import JsonOption, LimitOption
from approval_sim.output import print_json, printable
from messages import N_, Message, _, language, localize

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
    plan: Annotated[
        int | None, typer.Option("--plan", help=N_("only the claims of plan 2, 3, 4 or 5"))
    ] = None,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            metavar="PP",
            help=N_("stated vs computed reduction counts as consistent within this many percentage points"),
        ),
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Check the numeric claims of plans 2-5: stated vs computed reduction, and the plan's own targets."""
    from approval_model.claims import PLAN_TITLES, check_claims, load_claims, summarize

    if plan is not None and plan not in PLAN_TITLES:
        if plan == 1:
            raise UserError(
                Message(
                    "plan 1 (investment project approval) is the process model itself: use 'approval-sim "
                    "analyze'; 'claims' covers plans 2-5"
                )
            )
        raise UserError(
            Message("--plan must be 2, 3, 4 or 5 (the document has 5 plans), got {plan}", plan=plan)
        )
    if not 0 <= tolerance <= 100:
        raise UserError(
            Message(
                "--tolerance is in percentage points between 0 and 100, got {tolerance:g}",
                tolerance=tolerance,
            )
        )
    checks = check_claims(load_claims(), tolerance / 100, plan)
    if as_json:
        print_json([c.as_json() for c in checks])
        return
    _print_claims(checks, summarize(checks), plan, tolerance, PLAN_TITLES)


_UNIT_SHORT = {
    "working_days": N_("wd"),
    "days": N_("days"),
    "minutes": N_("min"),
    "steps": N_("steps"),
    "visits": N_("visits"),
    "materials": N_("docs"),
    "certificates": N_("certs"),
}


def _plan_title(title: str) -> str:
    """'涉企事项 (enterprise matters)': the Chinese alone in Chinese, both in English."""
    return title.split(" (")[0] if language() == "zh" else title


def _print_claims(
    checks: list, summary: dict[str, Any], plan: int | None, tolerance: float, titles: dict
) -> None:
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    if not checks:
        console.print(
            _(
                "plan {plan} ({title}) states no before/after figures: its numbers are deadlines and coverage "
                "(e.g. every power item online by 30 September), nothing to check"
            ).format(plan=plan, title=_plan_title(titles[plan])),
            soft_wrap=True,
        )
        return
    columns = [
        Column(_("claim"), "key"),
        Column(_("subject"), "name", min_width=14),
        Column(_("unit"), priority=4),
        Column(_("before→after"), priority=3),
        Column(_("stated")),
        Column(_("computed")),
        Column(_("consistent"), "label"),
        Column(_("target"), "label", priority=2),
    ]
    for number in sorted({c.claim.plan for c in checks}):
        rows = []
        for check in (k for k in checks if k.claim.plan == number):
            c = check.claim
            if check.consistent is None:
                consistent = "–"
            elif check.consistent:
                consistent = "[green]" + _("yes") + "[/green]"
            else:
                consistent = (
                    "[bold red]" + _("NO {gap:+.1f}pp").format(gap=check.discrepancy * 100) + "[/bold red]"
                )
            if c.target is None:
                target = "–"
            elif check.meets_target is None:
                target = f"≥{_pct(c.target)} ?"
            else:
                met = (
                    "[green]" + _("met") + "[/green]"
                    if check.meets_target
                    else "[red]" + _("missed") + "[/red]"
                )
                target = f"≥{_pct(c.target)} {met}"
            before = _num(c.before) + ("*" if c.before_assumed else "")
            if c.before is None and c.before_nonzero:
                before = _("some")
            figures = (
                "–"
                if c.before is None and c.after is None and not c.before_nonzero
                else f"{before}→{_num(c.after)}"
            )
            unit = _UNIT_SHORT.get(c.unit or "")
            rows.append(
                [
                    c.id,
                    c.subject if language() == "zh" or not c.subject_en else c.subject_en,
                    _(unit) if unit else "–",
                    figures,
                    _pct(c.stated_reduction),
                    _pct(check.computed_reduction),
                    consistent,
                    target,
                ]
            )
        title = _("Plan {plan}: {title}").format(plan=number, title=_plan_title(titles[number]))
        console.print(fitted_table(console, columns, rows, title=title))
    console.print(
        _(
            "* before figure not in the plan text (assumed; see the claim's note in --json); wd = working days"
        ),
    )
    inconsistent = f" ({', '.join(summary['inconsistent_ids'])})" if summary["inconsistent_ids"] else ""
    console.print(
        _(
            "{claims} claims transcribed; {computable} have before/after figures; {checked} stated reductions "
            "checkable against them (tolerance {tolerance:g} pp): [bold]{inconsistent} inconsistent[/bold]{ids}; "
            "plan targets checked {target_checked}, missed {target_missed}"
        ).format(
            claims=summary["claims"],
            computable=summary["computable"],
            checked=summary["checked"],
            tolerance=tolerance,
            inconsistent=summary["inconsistent"],
            ids=inconsistent,
            target_checked=summary["target_checked"],
            target_missed=summary["target_missed"],
        ),
    )


# ---- supervise ------------------------------------------------------------------------------------


def _parse_as_of(text: str):
    from approval_model.supervision_records import parse_date
    from exports.vocabulary import today_in_shanghai

    if text.strip().lower() == "today":
        return today_in_shanghai()  # the date in China, where the deadlines run
    try:
        return parse_date(text)
    except ValueError as error:
        raise UserError(
            Message(
                "--as-of: {error}. Fix: write it as YYYY-MM-DD, e.g. 2017-10-20, or 'today'",
                error=error_text(error),
            )
        ) from None


@handle_user_errors
def supervise(
    file: Annotated[Path, typer.Argument(help=N_("CSV or Excel (.xlsx) file of items in progress"))],
    as_of: Annotated[
        str, typer.Option("--as-of", metavar="DATE", help=N_("supervision date, YYYY-MM-DD or 'today'"))
    ],
    catalog: Annotated[
        str,
        typer.Option(
            "--catalog",
            help=N_(
                "the process whose items' limits apply: built-in name (see 'approval-sim catalog names') or "
                "scenario file"
            ),
        ),
    ] = DEFAULT_CATALOG,
    limit: LimitOption = None,
    yellow_days: Annotated[
        int,
        typer.Option(
            "--yellow-days", metavar="N", help=N_("yellow (at risk) when at most N working days are left")
        ),
    ] = 3,
    yellow_share: Annotated[
        float,
        typer.Option(
            "--yellow-share",
            metavar="F",
            help=N_("yellow when at most this share of the limit is left (0-1)"),
        ),
    ] = 0.2,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help=N_("report the good rows and list the bad ones (the default now; kept for scripts)"),
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help=N_("stop at bad rows: report nothing and exit 2 (default: report the good rows)")
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE.xlsx",
            help=N_(
                "write the follow-up list (督办清单) to Excel: most urgent first, red and yellow rows highlighted"
            ),
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Deadlines of in-flight items on the working-day calendar, with status and a per-department summary.

    Rows with problems are listed (stderr) and left out; the others are reported (exit 0). --strict: nothing is
    reported when a row has a problem (exit 2). --out FILE.xlsx writes the follow-up list (督办清单)."""
    from approval_model.calendar import default_calendar
    from approval_model.supervision import Thresholds, calendar_day_items, department_summary, item_limits
    from approval_model.supervision import supervise as run_supervision
    from approval_model.supervision_records import COLUMN_ALIASES, REQUIRED_COLUMNS, parse_records
    from readers.tables import read_table
    from rules.loading import load

    day = _parse_as_of(as_of)
    if out is not None and out.suffix.lower() != ".xlsx":
        raise UserError(
            Message(
                "--out {file}: the follow-up list is an Excel file; give a name ending in .xlsx",
                file=str(out),
            )
        )
    try:
        thresholds = Thresholds(yellow_days=yellow_days, yellow_share=yellow_share)
    except ValueError as error:
        raise UserError(Message("--yellow-days/--yellow-share: {error}", error=error_text(error))) from None
    process = load(catalog)
    basis = limit or process.simulation.limit_basis
    items = item_limits(process)
    records = read_table(file, COLUMN_ALIASES, REQUIRED_COLUMNS)  # a TableError is a ValueError: exit 2
    rows, problems = parse_records(records, items.keys(), day, calendar_day_items(process))
    if problems and strict and not keep_going:
        head = (
            Message(
                "{file}: 1 problem (nothing reported: --strict; without it the good rows are reported)",
                file=str(file),
            )
            if len(problems) == 1
            else Message(
                "{file}: {count} problems (nothing reported: --strict; without it the good rows are reported)",
                file=str(file),
                count=len(problems),
            )
        )
        _problem_lines(head, problems)
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
                Message(
                    "--out {file}: cannot write the follow-up list ({reason})",
                    file=str(out),
                    reason=error.strerror or str(error),
                )
            ) from None
        sys.stderr.write(_("督办清单 follow-up list: {file}").format(file=written) + "\n")
    if problems:
        warn(
            Message(
                "{file}: {count} problem(s); the rows below were left out:",
                file=str(file),
                count=len(problems),
            )
        )
        for problem in problems:
            sys.stderr.write(printable(f"  - {localize(problem.render())}") + "\n")


def _problem_lines(head: str, problems: list) -> None:
    """An error line naming the file and the count, then every problem with its row, column and fix."""
    sys.stderr.write(printable(_("error: {message}").format(message=localize(head))) + "\n")
    for problem in problems:
        sys.stderr.write(printable(f"  - {localize(problem.render())}") + "\n")


_STATUS_WORDS = {
    "green": N_("green"),
    "yellow": N_("yellow"),
    "red": N_("red"),
    "done_on_time": N_("done on time"),
    "done_late": N_("done late"),
}


def _print_supervision(results, summary, day, limit_kind: str, thresholds, estimated: bool) -> None:
    from approval_sim import words
    from approval_sim.output import console as safe_console
    from approval_sim.tables import Column, fitted_table

    console = safe_console()
    columns = [
        Column(_("row"), "key"),
        Column(_("project code"), "label", priority=4),
        Column(_("item"), "label"),
        Column(_("department"), "name", priority=3),
        Column(_("accepted"), "label", priority=6),
        Column(_("limit")),
        Column(_("deadline"), "label"),
        Column(_("used"), priority=5),
        Column(_("left")),
        Column(_("status"), "label"),
    ]
    rows = []
    for r in results:
        style = _STATUS_STYLE[r.status]
        status = _(_STATUS_WORDS[r.status]) + (" ⏸" if r.clock_stopped else "")
        limit_text = f"{r.limit_days}" + (f"+{r.stopped_working_days}" if r.stopped_working_days else "")
        if r.limit_kind != limit_kind:
            limit_text += " S"
        rows.append(
            [
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
            ]
        )
    title = _("Time-limit supervision as of {day} ({basis} limits)").format(
        day=day, basis=words.basis(limit_kind)
    )
    console.print(fitted_table(console, columns, rows, title=title))
    columns = [
        Column(_("department"), "name"),
        Column(_("items")),
        Column(_("green"), priority=4),
        Column(_("yellow")),
        Column(_("red")),
        Column(_("done on time"), priority=3),
        Column(_("done late"), priority=2),
        Column(_("overdue rate"), priority=1),
    ]
    rows = [
        [
            d["department_name"],
            str(d["items"]),
            str(d["green"]),
            str(d["yellow"]),
            str(d["red"]),
            str(d["done_on_time"]),
            str(d["done_late"]),
            f"{d['overdue_rate'] * 100:.0f}%",
        ]
        for d in summary
    ]
    console.print(fitted_table(console, columns, rows, title=_("Per department")))
    console.print(
        _(
            "yellow = at most {days} working days or {share:.0%} of the limit left; red = past the deadline. "
            "limit = working days (+ working days of clock stops); S = statutory used (no promised limit); "
            "⏸ = clock stopped now"
        ).format(days=thresholds.yellow_days, share=thresholds.yellow_share)
    )
    if estimated:
        console.print(_("* relies on calendar years outside the official data (estimated holidays, no 调休)"))


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add this module's commands to the main app (and the 'catalog' group)."""
    app.command("claims")(claims)
    app.command("supervise")(supervise)
