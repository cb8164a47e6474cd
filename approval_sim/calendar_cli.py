"""``approval-sim calendar add|between``: statutory working-day arithmetic from the command line.

Thin wrapper over :mod:`approval_model.calendar`. Dates and N are parsed here (not by typer) so that a
negative N ("add 2017-10-09 -5") is a number, not an unknown option, and every bad input ends in one line
on stderr and exit status 2; the output says plainly when an answer is estimated.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from approval_sim.errors import UserError, handle_user_errors
from approval_sim.options import JsonOption
from approval_sim.output import echo, print_json
from messages import N_, Message, _

OverridesOption = Annotated[
    Path | None,
    typer.Option(
        "--overrides",
        metavar="FILE",
        help=N_(
            "YAML override table for years not yet in the official data, "
            "e.g. years: {2027: {holidays: [2027-01-01], workdays: [2027-02-20]}}"
        ),
    ),
]
# allow negative N ("add 2017-10-09 -5") instead of taking it for an unknown option
NEGATIVE_NUMBERS = {"ignore_unknown_options": True}


def _parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            Message(
                "{what} {text!r} is not a date. Fix: write it as YYYY-MM-DD, e.g. 2017-09-20",
                what=what,
                text=text,
            )
        ) from None


def _parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise UserError(
            Message(
                "N {text!r} is not a whole number of working days. Fix: pass an integer such as 20 or -5",
                text=text,
            )
        ) from None


def _calendar(overrides: Path | None):  # noqa: ANN202 - a WorkingDayCalendar (imported lazily)
    from approval_model.calendar import default_calendar
    from readers.calendar_overrides import read_calendar

    return read_calendar(overrides) if overrides is not None else default_calendar()


def _note(cal, start: date, end: date) -> str:  # noqa: ANN001
    from approval_model.calendar_dates import format_years

    years = cal.estimated_years(start, end)
    template = (
        _("  (estimated: {years} is outside the official calendar data {official}; supply --overrides)")
        if len(years) == 1
        else _("  (estimated: {years} are outside the official calendar data {official}; supply --overrides)")
    )
    return template.format(years=format_years(years), official=format_years(cal.official_years()))


def _answer(question, *args):  # noqa: ANN001, ANN202 - a CalendarResult
    """The calendar's answer; a date beyond 0001-01-01..9999-12-31 becomes a message with the fix."""
    from approval_model.calendar_dates import CalendarError

    try:
        return question(*args)
    except CalendarError:
        raise
    except (ValueError, OverflowError) as error:
        raise UserError(
            Message("{error}. Fix: use dates and day counts within 0001-01-01..9999-12-31", error=str(error))
        ) from None


@handle_user_errors
def add(
    start: Annotated[str, typer.Argument(metavar="DATE", help=N_("Start date YYYY-MM-DD (not counted)."))],
    n: Annotated[str, typer.Argument(metavar="N", help=N_("Working days to add; negative goes back."))],
    overrides: OverridesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the N-th working day after DATE."""
    day, k = _parse_date(start, "DATE"), _parse_int(n)
    cal = _calendar(overrides)
    res = _answer(cal.add_working_days, day, k)
    if as_json:
        print_json({"date": res.value.isoformat(), "estimated": res.estimated})
    else:
        echo(res.value.isoformat() + (_note(cal, day, res.value) if res.estimated else ""))


@handle_user_errors
def between(
    start: Annotated[str, typer.Argument(metavar="DATE", help=N_("Start date YYYY-MM-DD (not counted)."))],
    end: Annotated[str, typer.Argument(metavar="DATE", help=N_("End date YYYY-MM-DD (counted)."))],
    overrides: OverridesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the number of working days in (START, END]; negative if END is before START."""
    a, b = _parse_date(start, "start DATE"), _parse_date(end, "end DATE")
    cal = _calendar(overrides)
    res = _answer(cal.working_days_between, a, b)
    if as_json:
        print_json({"working_days": res.value, "estimated": res.estimated})
    else:
        echo(str(res.value) + (_note(cal, a, b) if res.estimated else ""))


def register(app: typer.Typer, catalog_app: typer.Typer) -> None:
    """Add the 'calendar' group to the main app."""
    calendar_app = typer.Typer(
        help=N_(
            "Chinese statutory working-day calendar (法定工作日, with 调休 make-up days): add and count."
        ),
        no_args_is_help=True,
    )
    calendar_app.command("add", context_settings=NEGATIVE_NUMBERS)(add)
    calendar_app.command("between", context_settings=NEGATIVE_NUMBERS)(between)
    app.add_typer(calendar_app, name="calendar")
