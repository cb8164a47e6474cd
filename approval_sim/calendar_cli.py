"""``approval-sim calendar``: statutory working-day arithmetic from the command line.

Thin wrapper over :mod:`approval_model.calendar`; parses its own arguments so that every bad input ends
in one red line on stderr and exit status 2 (no traceback), and says plainly when an answer is estimated.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Chinese statutory working days (法定工作日, with 调休 make-up days): add and count.",
    no_args_is_help=True,
    add_completion=False,
)

_OverridesOpt = Annotated[
    Path | None,
    typer.Option(
        "--overrides",
        metavar="FILE",
        help="YAML override table for years not yet in the official data, "
        "e.g. years: {2027: {holidays: [2027-01-01], workdays: [2027-02-20]}}",
    ),
]
_JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
# allow negative N ("add 2017-10-09 -5") instead of taking it for an unknown option
_CTX = {"ignore_unknown_options": True}


class _BadInput(Exception):
    pass


def _fail(message: str) -> typer.Exit:
    typer.secho("error: " + " ".join(message.split()), err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def _parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _BadInput(
            f"{what} {text!r} is not a date. Fix: write it as YYYY-MM-DD, e.g. 2017-09-20"
        ) from None


def _parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise _BadInput(
            f"N {text!r} is not a whole number of working days. Fix: pass an integer such as 20 or -5"
        ) from None


def _calendar(overrides: Path | None):
    from approval_model.calendar import WorkingDayCalendar, default_calendar

    return WorkingDayCalendar.from_override_file(overrides) if overrides is not None else default_calendar()


def _note(cal, start: date, end: date) -> str:
    from approval_model.calendar import format_years

    years = cal.estimated_years(start, end)
    where = format_years(years)
    verb = "is" if len(years) == 1 else "are"
    return (
        f"  (estimated: {where} {verb} outside the official calendar data "
        f"{format_years(cal.official_years())}; supply --overrides)"
    )


def _run(body) -> None:
    from approval_model.calendar import CalendarError

    try:
        body()
    except (_BadInput, CalendarError) as exc:
        raise _fail(str(exc)) from None
    except (ValueError, OverflowError) as exc:  # e.g. a result beyond 9999-12-31
        raise _fail(f"{exc}. Fix: use dates and day counts within 0001-01-01..9999-12-31") from None


@app.command("add", context_settings=_CTX)
def add(
    start: Annotated[str, typer.Argument(metavar="DATE", help="Start date YYYY-MM-DD (not counted).")],
    n: Annotated[str, typer.Argument(metavar="N", help="Working days to add; negative goes back.")],
    overrides: _OverridesOpt = None,
    as_json: _JsonOpt = False,
) -> None:
    """Print the N-th working day after DATE."""

    def body() -> None:
        day, k = _parse_date(start, "DATE"), _parse_int(n)
        cal = _calendar(overrides)
        res = cal.add_working_days(day, k)
        if as_json:
            typer.echo(json.dumps({"date": res.value.isoformat(), "estimated": res.estimated}))
        else:
            typer.echo(res.value.isoformat() + (_note(cal, day, res.value) if res.estimated else ""))

    _run(body)


@app.command("between", context_settings=_CTX)
def between(
    start: Annotated[str, typer.Argument(metavar="DATE", help="Start date YYYY-MM-DD (not counted).")],
    end: Annotated[str, typer.Argument(metavar="DATE", help="End date YYYY-MM-DD (counted).")],
    overrides: _OverridesOpt = None,
    as_json: _JsonOpt = False,
) -> None:
    """Print the number of working days in (START, END]; negative if END is before START."""

    def body() -> None:
        a, b = _parse_date(start, "start DATE"), _parse_date(end, "end DATE")
        cal = _calendar(overrides)
        res = cal.working_days_between(a, b)
        if as_json:
            typer.echo(json.dumps({"working_days": res.value, "estimated": res.estimated}))
        else:
            typer.echo(str(res.value) + (_note(cal, a, b) if res.estimated else ""))

    _run(body)
