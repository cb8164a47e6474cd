"""Where each day's status comes from: the user's override table, the official tables, the rule-based fallback.

Why its own module: the calendar's answers are only as good as its day data, and each source has its own
rules. In order of precedence (per day):

1. a user override table (``WorkingDayCalendar(overrides=...)``; :mod:`readers.calendar_overrides` reads one from
   a file): a year listed there is *official* and fully defined by it (Mon–Fri minus its holidays plus its
   workdays). :func:`parse_overrides` checks it and says, for each way it can be wrong, where and how to fix it;
2. the ``chinese_calendar`` package tables (official State Council announcements, 2004–2026):
   :func:`package_tables`;
3. rule-based holidays from the ``holidays`` package (no make-up workdays for future years):
   :func:`fallback_days`; the calendar flags every answer that depends on such a day as estimated.

Both packages are imported lazily: importing this module loads neither.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from approval_model.calendar_dates import CalendarError
from messages import Message

__all__ = ["Overrides", "fallback_days", "package_tables", "parse_overrides", "weekdays"]

_MAX_BLOCK_DAYS = 31  # longer holiday/workday blocks in an override table are almost certainly typos


@functools.cache
def package_tables() -> tuple[range, dict[int, tuple[list[int], list[int]]]]:
    """Official years covered by ``chinese_calendar`` and, per year, (holiday, workday) ordinals."""
    from chinese_calendar import constants

    by_year: dict[int, tuple[list[int], list[int]]] = {}
    for table, slot in ((constants.holidays, 0), (constants.workdays, 1)):
        for day in table:
            by_year.setdefault(day.year, ([], []))[slot].append(day.toordinal())
    years = sorted(by_year)
    return range(years[0], years[-1] + 1), by_year


def fallback_days(years: Iterable[int]) -> dict[int, tuple[list[int], list[int]]]:
    """Rule-based (holiday, workday) ordinals per year from the ``holidays`` package; never raises."""
    years = list(years)
    out: dict[int, tuple[list[int], list[int]]] = {y: ([], []) for y in years}
    if not years:
        return out
    try:
        import holidays

        # the package only knows years it has lunar data for; outside that it returns nothing
        table = holidays.China(years=years)
        for day in table:
            if day.year in out:
                out[day.year][0].append(day.toordinal())
        for day in getattr(table, "weekend_workdays", ()) or ():
            if day.year in out:
                out[day.year][1].append(day.toordinal())
    except Exception:  # noqa: BLE001 - an estimate of plain Mon–Fri is better than a crash
        pass
    return out


def weekdays(first: int, count: int) -> np.ndarray:
    """Mon–Fri mask for ``count`` consecutive days starting at ordinal ``first`` (ordinal 1 is a Monday)."""
    return (np.arange(first - 1, first - 1 + count) % 7) < 5


@dataclass(frozen=True)
class Overrides:
    """A validated override table: the years it defines completely and its explicit days."""

    years: frozenset[int]
    days: dict[int, bool]  # ordinal -> is working day


def _as_entry_date(value: Any, where: str, key: str = "") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(
        Message(
            "{where}: '{key}' value {value!r} is not a date. Fix: write dates as YYYY-MM-DD, e.g. 2027-02-06",
            where=where,
            key=key,
            value=value,
        )
        if key
        else Message(
            "{where}: value {value!r} is not a date. Fix: write dates as YYYY-MM-DD, e.g. 2027-02-06",
            where=where,
            value=value,
        )
    )


def parse_overrides(raw: Any, source: str) -> Overrides:
    """Validate an override table; every error names ``source``, the year/entry and the fix."""
    example = (
        "years: {2027: {holidays: [2027-01-01, {from: 2027-02-06, to: 2027-02-14}], workdays: [2027-02-20]}}"
    )
    if not isinstance(raw, Mapping):
        raise CalendarError(
            Message(
                "{source}: expected a mapping with a top-level 'years:' key, got {kind}. Fix: write e.g. {example}",
                source=source,
                kind=type(raw).__name__,
                example=example,
            )
        )
    extra = set(raw) - {"years"}
    if extra or "years" not in raw:
        hint = (
            Message(" (years must be nested under 'years:')")
            if any(str(k).strip().isdigit() for k in raw)
            else ""
        )
        raise CalendarError(
            Message(
                "{source}: top level must contain only 'years:'{hint}, found {found}. Fix: write e.g. {example}",
                source=source,
                hint=hint,
                found=sorted(map(str, raw)),
                example=example,
            )
        )
    years_raw = raw["years"]
    if not isinstance(years_raw, Mapping):
        raise CalendarError(
            Message(
                "{source}: 'years' must be a mapping of year -> {{holidays: [...], workdays: [...]}}, got {kind}. "
                "Fix: write e.g. {example}",
                source=source,
                kind=type(years_raw).__name__,
                example=example,
            )
        )

    years: set[int] = set()
    days: dict[int, bool] = {}
    origin: dict[int, str] = {}
    for year_key, spec in years_raw.items():
        where_year = Message("{source}, year {year!r}", source=source, year=year_key)
        try:
            year = int(str(year_key).strip())
        except ValueError:
            year = -1
        if isinstance(year_key, bool) or not 1 <= year <= 9999:
            raise CalendarError(
                Message(
                    "{where}: not a year. Fix: use a four-digit year such as 2027 as the key",
                    where=where_year,
                )
            )
        where_year = Message("{source}, year {year}", source=source, year=year)
        if year in years:
            raise CalendarError(
                Message(
                    "{where}: listed twice. Fix: merge the two entries for {year}",
                    where=where_year,
                    year=year,
                )
            )
        if not isinstance(spec, Mapping):
            raise CalendarError(
                Message(
                    "{where}: expected a mapping with 'holidays:' and/or 'workdays:', got {value!r}. "
                    "Fix: write e.g. {year}: {{holidays: [{year}-01-01], workdays: []}}",
                    where=where_year,
                    value=spec,
                    year=year,
                )
            )
        unknown = set(spec) - {"holidays", "workdays"}
        if unknown:
            raise CalendarError(
                Message(
                    "{where}: unknown key(s) {keys}. Fix: only 'holidays' (days off) and 'workdays' (make-up working "
                    "days, 调休上班) are allowed",
                    where=where_year,
                    keys=sorted(map(str, unknown)),
                )
            )
        years.add(year)
        for kind, is_work in (("holidays", False), ("workdays", True)):
            entries = spec.get(kind) or []
            if not isinstance(entries, list):
                raise CalendarError(
                    Message(
                        "{where}, {kind}: expected a list, got {value!r}. Fix: write {kind}: [YYYY-MM-DD, ...]",
                        where=where_year,
                        kind=kind,
                        value=entries,
                    )
                )
            for i, entry in enumerate(entries, start=1):
                where = Message("{where}, {kind} entry #{number}", where=where_year, kind=kind, number=i)
                if isinstance(entry, Mapping):
                    if set(entry) != {"from", "to"}:
                        raise CalendarError(
                            Message(
                                "{where}: a date range needs exactly the keys 'from' and 'to', got {keys}. Fix: "
                                "write {{from: {year}-02-06, to: {year}-02-14}}",
                                where=where,
                                keys=sorted(map(str, entry)),
                                year=year,
                            )
                        )
                    first = _as_entry_date(entry["from"], where, "from")
                    last = _as_entry_date(entry["to"], where, "to")
                    if first > last:
                        raise CalendarError(
                            Message(
                                "{where}: 'from' {first} is after 'to' {last}. Fix: swap them so that from <= to",
                                where=where,
                                first=first,
                                last=last,
                            )
                        )
                    if (last - first).days >= _MAX_BLOCK_DAYS:
                        raise CalendarError(
                            Message(
                                "{where}: range {first}..{last} spans {days} days, more than {most}; this is almost "
                                "certainly a typo. Fix: check the dates",
                                where=where,
                                first=first,
                                last=last,
                                days=(last - first).days + 1,
                                most=_MAX_BLOCK_DAYS,
                            )
                        )
                else:
                    first = last = _as_entry_date(entry, where)
                for o in range(first.toordinal(), last.toordinal() + 1):
                    d = date.fromordinal(o)
                    # announcements may reach into the neighbouring December/January (e.g. 2011-12-31
                    # was a make-up workday in the 2012 notice), anything further is misfiled
                    if not (
                        d.year == year
                        or (d.year == year - 1 and d.month == 12)
                        or (d.year == year + 1 and d.month == 1)
                    ):
                        raise CalendarError(
                            Message(
                                "{where}: date {day} does not belong to year {year}. Fix: list it under {other}:",
                                where=where,
                                day=d,
                                year=year,
                                other=d.year,
                            )
                        )
                    if o in days and days[o] != is_work:
                        raise CalendarError(
                            Message(
                                "{where}: {day} is listed both as a holiday and as a workday (also in {other}). "
                                "Fix: keep only one of them",
                                where=where,
                                day=d,
                                other=origin[o],
                            )
                        )
                    days[o] = is_work
                    origin[o] = Message("year {year}, {kind} entry #{number}", year=year, kind=kind, number=i)
    return Overrides(frozenset(years), days)
