"""Chinese statutory working-day calendar (法定工作日) for approval time limits.

Statutory limits ("20 个工作日") count working days, and in China those are not simply Mon–Fri: public
holidays are stretched over weekends and paid back with make-up working Saturdays/Sundays (调休上班).
A Mon–Fri count is off by up to a week around the Spring Festival and National Day, so we use the
officially announced tables where they exist and say so when we had to guess.

Sources, in order of precedence (per day):

1. a user override table (``WorkingDayCalendar(overrides=...)``; :mod:`readers.calendar_overrides` reads one from
   a file): a year listed there is *official* and fully defined by it (Mon–Fri minus its holidays plus its
   workdays);
2. the ``chinese_calendar`` package tables (official State Council announcements, 2004–2026);
3. rule-based holidays from the ``holidays`` package (no make-up workdays for future years). Every result
   that depends on such a day is flagged ``estimated=True`` instead of failing or crashing.

Speed: per-day booleans and their cumulative count are precomputed as numpy arrays over a span of whole
years, built lazily on first use and extended on demand, so converting millions of (start, n) pairs is a
handful of vectorised gathers. Importing this module builds nothing.

Conventions: ``add_working_days(start, n)`` is the n-th working day *after* ``start`` (``start`` itself is
never counted; n=0 returns ``start``; n<0 is the |n|-th working day *before* ``start``).
``working_days_between(start, end)`` counts working days in ``(start, end]`` and is antisymmetric
(negative when ``end < start``), so ``between(s, add(s, n)) == n`` for every n >= 1.

A little over 500 lines: one class, whose scalar and vectorised answers must agree and share one
precomputed table, and the validation of an override table with a message for each way it can be wrong.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from messages import Message

__all__ = [
    "CalendarError",
    "CalendarResult",
    "WorkingDayCalendar",
    "datetime64_from_ordinals",
    "default_calendar",
    "format_years",
    "ordinals_from_datetime64",
]

_MIN_ORDINAL = date.min.toordinal()  # 1
_MAX_ORDINAL = date.max.toordinal()  # 9999-12-31
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # datetime64[D] zero
_MAX_BLOCK_DAYS = 31  # longer holiday/workday blocks in an override table are almost certainly typos
_MARGIN_YEARS = 2  # extra years built around a requested date, so neighbouring requests need no rebuild


class CalendarError(ValueError):
    """Bad calendar input (override table, date out of range); the message says where and how to fix it."""


@dataclass(frozen=True, slots=True)
class CalendarResult:
    """A calendar answer plus whether it relied on rule-based (non-official) holiday data."""

    value: Any  # date for add_working_days, int for working_days_between, bool for is_workday
    estimated: bool

    def __bool__(self) -> bool:
        # ``if cal.is_workday(d):`` would always be true for a dataclass; make the mistake loud.
        raise TypeError("CalendarResult has no truth value; use result.value (and check result.estimated)")


# --------------------------------------------------------------------------------------------------
# package data (imported lazily: chinese_calendar and holidays are not needed to import this module)


@functools.cache
def _package_tables() -> tuple[range, dict[int, tuple[list[int], list[int]]]]:
    """Official years covered by ``chinese_calendar`` and, per year, (holiday, workday) ordinals."""
    from chinese_calendar import constants

    by_year: dict[int, tuple[list[int], list[int]]] = {}
    for table, slot in ((constants.holidays, 0), (constants.workdays, 1)):
        for day in table:
            by_year.setdefault(day.year, ([], []))[slot].append(day.toordinal())
    years = sorted(by_year)
    return range(years[0], years[-1] + 1), by_year


def _fallback_days(years: Iterable[int]) -> dict[int, tuple[list[int], list[int]]]:
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


def _weekdays(first: int, count: int) -> np.ndarray:
    """Mon–Fri mask for ``count`` consecutive days starting at ordinal ``first`` (ordinal 1 is a Monday)."""
    return (np.arange(first - 1, first - 1 + count) % 7) < 5


# --------------------------------------------------------------------------------------------------
# override table


@dataclass(frozen=True)
class _Overrides:
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


def _parse_overrides(raw: Any, source: str) -> _Overrides:
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
    return _Overrides(frozenset(years), days)


# --------------------------------------------------------------------------------------------------
# precomputed table


@dataclass(frozen=True)
class _Table:
    """Immutable arrays over whole years [first_year, last_year]; replaced, never mutated, on extension."""

    first_year: int
    last_year: int
    lo: int  # ordinal of first_year-01-01
    work: np.ndarray  # bool[N]: is working day
    est: np.ndarray  # bool[N]: day's status is rule-based, not official
    cum: np.ndarray  # int64[N+1]: cum[i] = working days among the first i days
    est_cum: np.ndarray  # int64[N+1]: same for estimated days
    wd: np.ndarray  # int64[W]: ordinals of all working days, ascending

    @property
    def hi(self) -> int:
        """Ordinal one past the last covered day."""
        return self.lo + len(self.work)


def _year_of(ordinal: int) -> int:
    return date.fromordinal(int(ordinal)).year


def format_years(years: Iterable[int]) -> str:
    """Compact human form of a set of years: ``2004–2026``, ``2003, 2027–2028``."""
    ys = sorted(set(years))
    if not ys:
        return "none"
    parts: list[str] = []
    start = prev = ys[0]
    for y in [*ys[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


def ordinals_from_datetime64(values: Any) -> np.ndarray:
    """``datetime64`` array (any unit) -> int64 proleptic Gregorian ordinals, as the array API expects."""
    return np.asarray(values).astype("datetime64[D]").astype(np.int64) + _EPOCH_ORDINAL


def datetime64_from_ordinals(ordinals: Any) -> np.ndarray:
    """Inverse of :func:`ordinals_from_datetime64`."""
    return (np.asarray(ordinals, dtype=np.int64) - _EPOCH_ORDINAL).astype("datetime64[D]")


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__} {value!r}")


def _as_whole_number(n: Any) -> int:
    """Working days are whole numbers here; fractional input must be rounded explicitly by the caller."""
    if isinstance(n, numbers.Integral) and not isinstance(n, bool | np.bool_):
        return operator.index(n)
    if isinstance(n, numbers.Real) and not isinstance(n, bool | np.bool_):
        value = float(n)
        if math.isfinite(value) and value.is_integer():
            return int(value)
    raise ValueError(
        f"n must be a whole number of working days, got {n!r}; "
        "round it explicitly (e.g. math.ceil for a deadline) before calling"
    )


def _as_ordinals(values: Any, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.dtype.kind == "M":
        raise TypeError(
            f"{name} must be integer ordinals; convert datetime64 with ordinals_from_datetime64()"
        )
    a = _as_int_array(a, name)
    if a.size and (a.min() < _MIN_ORDINAL or a.max() > _MAX_ORDINAL):
        raise CalendarError(
            Message(
                "{name} contains values outside the date range {low}..{high}",
                name=name,
                low=_MIN_ORDINAL,
                high=_MAX_ORDINAL,
            )
        )
    return a


def _as_int_array(values: Any, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.dtype.kind in "iu":
        return a.astype(np.int64, copy=False)
    if a.dtype.kind == "f":
        finite = np.isfinite(a)
        whole = finite & (a == np.round(np.where(finite, a, 0)))
        if whole.all():
            return a.astype(np.int64)
        bad = a[~whole].flat[0]
        raise ValueError(
            f"{name} must hold whole numbers of working days, found {bad!r}; round explicitly first"
        )
    raise ValueError(f"{name} must be an integer array, got dtype {a.dtype}")


class WorkingDayCalendar:
    """Statutory working days with official data where it exists and flagged estimates elsewhere."""

    def __init__(self, overrides: Mapping[str, Any] | None = None, *, source: str = "override table") -> None:
        """``overrides``: parsed override table ``{years: {2027: {holidays: [...], workdays: [...]}}}``.

        Validated eagerly (a bad table is a :class:`CalendarError` here, not on first use); ``source``
        names the table in error messages.
        """
        self._overrides = (
            _parse_overrides(overrides, source) if overrides is not None else _Overrides(frozenset(), {})
        )
        self._table: _Table | None = None
        self._years: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # year -> (work, est)
        self._lock = threading.Lock()

    # ---- coverage -------------------------------------------------------------------------------

    def official_years(self) -> frozenset[int]:
        """Years whose every day comes from official data (the package tables or the override table)."""
        return frozenset(_package_tables()[0]) | self._overrides.years

    def covered_years(self) -> range:
        """Contiguous official range: the package years extended by adjacent override years."""
        official = self.official_years()
        base = _package_tables()[0]
        first, last = base.start, base.stop - 1
        while first - 1 in official:
            first -= 1
        while last + 1 in official:
            last += 1
        return range(first, last + 1)

    def estimated_years(self, start: date, end: date) -> tuple[int, ...]:
        """Years in [start, end] (either order) whose days are rule-based estimates; for messages."""
        a, b = sorted((_as_date(start, "start").year, _as_date(end, "end").year))
        official = self.official_years()
        return tuple(y for y in range(a, b + 1) if y not in official)

    # ---- scalar API -----------------------------------------------------------------------------

    def is_workday(self, day: date) -> CalendarResult:
        """Whether ``day`` is a statutory working day (value: bool)."""
        o = _as_date(day, "day").toordinal()
        t = self._table
        if t is not None and t.lo <= o < t.hi:
            return CalendarResult(bool(t.work[o - t.lo]), bool(t.est[o - t.lo]))
        work, est = self.is_workday_array(np.array([o], dtype=np.int64))
        return CalendarResult(bool(work[0]), bool(est[0]))

    def add_working_days(self, start: date, n: int) -> CalendarResult:
        """The n-th working day after ``start`` (not counted); n=0 -> ``start``; n<0 goes back (value: date)."""
        o = _as_date(start, "start").toordinal()
        k = _as_whole_number(n)
        t = self._table
        if t is not None and t.lo <= o < t.hi:  # fast path without array round trips
            fwd = 1 if k > 0 else 0
            pos = int(t.cum[o - t.lo + fwd]) + k - fwd
            if 0 <= pos < len(t.wd):
                r = int(t.wd[pos]) if k else o
                a, b = min(o, r) - t.lo, max(o, r) - t.lo + 1
                return CalendarResult(date.fromordinal(r), bool(t.est_cum[b] > t.est_cum[a]))
        res, est = self.add_working_days_array(np.array([o], dtype=np.int64), np.array([k], dtype=np.int64))
        return CalendarResult(date.fromordinal(int(res[0])), bool(est[0]))

    def working_days_between(self, start: date, end: date) -> CalendarResult:
        """Working days in ``(start, end]``; negative (-count of ``(end, start]``) if end < start (value: int)."""
        s = _as_date(start, "start").toordinal()
        e = _as_date(end, "end").toordinal()
        t = self._table
        if t is not None and t.lo <= min(s, e) and max(s, e) < t.hi:  # fast path without array round trips
            a, b = min(s, e) - t.lo, max(s, e) - t.lo + 1
            count = int(t.cum[e - t.lo + 1] - t.cum[s - t.lo + 1])
            return CalendarResult(count, bool(t.est_cum[b] > t.est_cum[a]))
        cnt, est = self.working_days_between_array(
            np.array([s], dtype=np.int64), np.array([e], dtype=np.int64)
        )
        return CalendarResult(int(cnt[0]), bool(est[0]))

    # ---- vectorised API -------------------------------------------------------------------------

    def is_workday_array(self, ordinals: Any) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`is_workday` over date ordinals -> (is_workday bool[], estimated bool[])."""
        o = _as_ordinals(ordinals, "ordinals")
        if o.size == 0:
            return np.zeros(o.shape, bool), np.zeros(o.shape, bool)
        t = self._table_covering(int(o.min()), int(o.max()))
        idx = o - t.lo
        return t.work[idx], t.est[idx]

    def add_working_days_array(self, start_ordinals: Any, n: Any) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`add_working_days` (broadcasting) -> (result ordinals int64[], estimated bool[])."""
        s = _as_ordinals(start_ordinals, "start_ordinals")
        k = _as_int_array(n, "n")
        s, k = np.broadcast_arrays(s, k)
        if s.size == 0:
            return np.zeros(s.shape, np.int64), np.zeros(s.shape, bool)
        # each working day is at least one calendar day away: reject the impossible before building anything
        if int((s + k).max()) > _MAX_ORDINAL or int((s + k).min()) < _MIN_ORDINAL:
            raise CalendarError(
                Message("result would fall outside the supported dates 0001-01-01..9999-12-31")
            )
        t = self._table_covering(int(s.min()), int(s.max()))
        moving = k != 0
        while True:
            idx = s - t.lo
            fwd = (k > 0).astype(np.int64)
            # fwd: first working day > start is wd[cum[idx+1]]; back: last working day < start is wd[cum[idx]-1]
            pos = t.cum[idx + fwd] + k - fwd
            too_far = int(pos.max()) >= len(t.wd) and bool((moving & (pos >= len(t.wd))).any())
            too_early = int(pos.min()) < 0 and bool((moving & (pos < 0)).any())
            if not (too_far or too_early):
                break
            first, last = t.first_year, t.last_year
            if too_far:
                missing = int(pos[moving].max()) - len(t.wd) + 1
                last = min(9999, last + missing // 200 + 1 + _MARGIN_YEARS)  # >200 working days per year
            if too_early:
                missing = -int(pos[moving].min())
                first = max(1, first - missing // 200 - 1 - _MARGIN_YEARS)
            if (first, last) == (t.first_year, t.last_year):
                raise CalendarError(
                    Message("result would fall outside the supported dates 0001-01-01..9999-12-31")
                )
            t = self._extend(first, last)
        res = np.where(moving, t.wd[np.clip(pos, 0, len(t.wd) - 1)], s)
        return res, self._estimated_between(t, np.minimum(s, res), np.maximum(s, res))

    def working_days_between_array(
        self, start_ordinals: Any, end_ordinals: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`working_days_between` (broadcasting) -> (counts int64[], estimated bool[])."""
        s = _as_ordinals(start_ordinals, "start_ordinals")
        e = _as_ordinals(end_ordinals, "end_ordinals")
        s, e = np.broadcast_arrays(s, e)
        if s.size == 0:
            return np.zeros(s.shape, np.int64), np.zeros(s.shape, bool)
        t = self._table_covering(int(min(s.min(), e.min())), int(max(s.max(), e.max())))
        counts = t.cum[e - t.lo + 1] - t.cum[s - t.lo + 1]
        return counts, self._estimated_between(t, np.minimum(s, e), np.maximum(s, e))

    # ---- internals ------------------------------------------------------------------------------

    @staticmethod
    def _estimated_between(t: _Table, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """True where any day in [lo, hi] (inclusive) has a rule-based status."""
        a, b = int(lo.min()) - t.lo, int(hi.max()) - t.lo + 1
        if t.est_cum[b] == t.est_cum[a]:  # fast path: nothing estimated anywhere in the touched span
            return np.zeros(lo.shape, bool)
        return (t.est_cum[hi - t.lo + 1] - t.est_cum[lo - t.lo]) > 0

    def _table_covering(self, first_ordinal: int, last_ordinal: int) -> _Table:
        t = self._table
        if t is not None and t.lo <= first_ordinal and last_ordinal < t.hi:
            return t
        y0, y1 = _year_of(first_ordinal), _year_of(last_ordinal)
        # start from the official years (cheap: no ``holidays`` import, ~0.8 s) and add a margin only on a
        # side where estimated years are asked for, so that neighbouring requests need no rebuild
        official = self.official_years()
        a, b = min(official), max(official)
        if t is not None:
            a, b = min(a, t.first_year), max(b, t.last_year)
        first = a if y0 >= a else max(1, y0 - _MARGIN_YEARS)
        last = b if y1 <= b else min(9999, y1 + _MARGIN_YEARS)
        return self._extend(first, last)

    def _extend(self, first_year: int, last_year: int) -> _Table:
        """Rebuild the table over the union of the current span and [first_year, last_year]."""
        with self._lock:
            t = self._table
            if t is not None:
                if t.first_year <= first_year and last_year <= t.last_year:
                    return t
                first_year, last_year = min(first_year, t.first_year), max(last_year, t.last_year)
            years = range(first_year, last_year + 1)
            self._build_years([y for y in years if y not in self._years])
            work = np.concatenate([self._years[y][0] for y in years])
            est = np.concatenate([self._years[y][1] for y in years])
            lo = date(first_year, 1, 1).toordinal()
            cum = np.zeros(len(work) + 1, np.int64)
            np.cumsum(work, out=cum[1:])
            est_cum = np.zeros(len(est) + 1, np.int64)
            np.cumsum(est, out=est_cum[1:])
            wd = np.flatnonzero(work).astype(np.int64) + lo
            for a in (work, est, cum, est_cum, wd):
                a.setflags(write=False)
            self._table = _Table(first_year, last_year, lo, work, est, cum, est_cum, wd)
            return self._table

    def _build_years(self, years: list[int]) -> None:
        """Fill ``self._years`` for ``years`` from overrides, package tables or the rule-based fallback."""
        official, pkg = _package_tables()
        ov = self._overrides
        fallback = _fallback_days(y for y in years if y not in official and y not in ov.years)
        for y in years:
            lo = date(y, 1, 1).toordinal()
            n = date(y + 1, 1, 1).toordinal() - lo if y < 9999 else 365
            work = _weekdays(lo, n)
            if y in ov.years:
                est = np.zeros(n, bool)
            else:
                est = np.full(n, y not in official)
                hols, wds = pkg.get(y, ([], [])) if y in official else fallback[y]
                work[np.asarray(hols, np.int64) - lo] = False
                work[np.asarray(wds, np.int64) - lo] = True
            for o, is_work in ov.days.items():  # explicit entries, including ones reaching into this year
                if lo <= o < lo + n:
                    work[o - lo] = is_work
                    est[o - lo] = False
            self._years[y] = (work, est)


@functools.cache
def default_calendar() -> WorkingDayCalendar:
    """Shared calendar without overrides; its tables are built on first use and reused by all callers."""
    return WorkingDayCalendar()
