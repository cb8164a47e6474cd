"""Chinese statutory working-day calendar (法定工作日) for approval time limits.

Statutory limits ("20 个工作日") count working days, and in China those are not simply Mon–Fri: public
holidays are stretched over weekends and paid back with make-up working Saturdays/Sundays (调休上班).
A Mon–Fri count is off by up to a week around the Spring Festival and National Day, so we use the
officially announced tables where they exist and say so when we had to guess: every answer carries
``estimated=True`` when it depends on a rule-based (non-official) day. Where each day's status comes from (a
user's override table, the official tables, the rule-based fallback) is :mod:`approval_model.calendar_sources`;
the checks of dates and ordinals, and :class:`CalendarError`, are :mod:`approval_model.calendar_dates`.

Speed: per-day booleans and their cumulative count are precomputed as numpy arrays over a span of whole
years, built lazily on first use and extended on demand, so converting millions of (start, n) pairs is a
handful of vectorised gathers. Importing this module builds nothing.

Conventions: ``add_working_days(start, n)`` is the n-th working day *after* ``start`` (``start`` itself is
never counted; n=0 returns ``start``; n<0 is the |n|-th working day *before* ``start``).
``working_days_between(start, end)`` counts working days in ``(start, end]`` and is antisymmetric
(negative when ``end < start``), so ``between(s, add(s, n)) == n`` for every n >= 1.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from approval_model import calendar_sources
from approval_model.calendar_dates import (
    MAX_ORDINAL,
    MIN_ORDINAL,
    CalendarError,
    as_date,
    as_int_array,
    as_ordinals,
    as_whole_number,
    datetime64_from_ordinals,
    format_years,
    ordinals_from_datetime64,
)
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

_MARGIN_YEARS = 2  # extra years built around a requested date, so neighbouring requests need no rebuild


@dataclass(frozen=True, slots=True)
class CalendarResult:
    """A calendar answer plus whether it relied on rule-based (non-official) holiday data."""

    value: Any  # date for add_working_days, int for working_days_between, bool for is_workday
    estimated: bool

    def __bool__(self) -> bool:
        # ``if cal.is_workday(d):`` would always be true for a dataclass; make the mistake loud.
        raise TypeError("CalendarResult has no truth value; use result.value (and check result.estimated)")


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


class WorkingDayCalendar:
    """Statutory working days with official data where it exists and flagged estimates elsewhere."""

    def __init__(self, overrides: Mapping[str, Any] | None = None, *, source: str = "override table") -> None:
        """``overrides``: parsed override table ``{years: {2027: {holidays: [...], workdays: [...]}}}``.

        Validated eagerly (a bad table is a :class:`CalendarError` here, not on first use); ``source``
        names the table in error messages.
        """
        self._overrides = (
            calendar_sources.parse_overrides(overrides, source)
            if overrides is not None
            else calendar_sources.Overrides(frozenset(), {})
        )
        self._table: _Table | None = None
        self._years: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # year -> (work, est)
        self._lock = threading.Lock()

    # ---- coverage -------------------------------------------------------------------------------

    def official_years(self) -> frozenset[int]:
        """Years whose every day comes from official data (the package tables or the override table)."""
        return frozenset(calendar_sources.package_tables()[0]) | self._overrides.years

    def covered_years(self) -> range:
        """Contiguous official range: the package years extended by adjacent override years."""
        official = self.official_years()
        base = calendar_sources.package_tables()[0]
        first, last = base.start, base.stop - 1
        while first - 1 in official:
            first -= 1
        while last + 1 in official:
            last += 1
        return range(first, last + 1)

    def estimated_years(self, start: date, end: date) -> tuple[int, ...]:
        """Years in [start, end] (either order) whose days are rule-based estimates; for messages."""
        a, b = sorted((as_date(start, "start").year, as_date(end, "end").year))
        official = self.official_years()
        return tuple(y for y in range(a, b + 1) if y not in official)

    # ---- scalar API -----------------------------------------------------------------------------

    def is_workday(self, day: date) -> CalendarResult:
        """Whether ``day`` is a statutory working day (value: bool)."""
        o = as_date(day, "day").toordinal()
        t = self._table
        if t is not None and t.lo <= o < t.hi:
            return CalendarResult(bool(t.work[o - t.lo]), bool(t.est[o - t.lo]))
        work, est = self.is_workday_array(np.array([o], dtype=np.int64))
        return CalendarResult(bool(work[0]), bool(est[0]))

    def add_working_days(self, start: date, n: int) -> CalendarResult:
        """The n-th working day after ``start`` (not counted); n=0 -> ``start``; n<0 goes back (value: date)."""
        o = as_date(start, "start").toordinal()
        k = as_whole_number(n)
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
        s = as_date(start, "start").toordinal()
        e = as_date(end, "end").toordinal()
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
        o = as_ordinals(ordinals, "ordinals")
        if o.size == 0:
            return np.zeros(o.shape, bool), np.zeros(o.shape, bool)
        t = self._table_covering(int(o.min()), int(o.max()))
        idx = o - t.lo
        return t.work[idx], t.est[idx]

    def add_working_days_array(self, start_ordinals: Any, n: Any) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`add_working_days` (broadcasting) -> (result ordinals int64[], estimated bool[])."""
        s = as_ordinals(start_ordinals, "start_ordinals")
        k = as_int_array(n, "n")
        s, k = np.broadcast_arrays(s, k)
        if s.size == 0:
            return np.zeros(s.shape, np.int64), np.zeros(s.shape, bool)
        # each working day is at least one calendar day away: reject the impossible before building anything
        if int((s + k).max()) > MAX_ORDINAL or int((s + k).min()) < MIN_ORDINAL:
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
        s = as_ordinals(start_ordinals, "start_ordinals")
        e = as_ordinals(end_ordinals, "end_ordinals")
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
        official, pkg = calendar_sources.package_tables()
        ov = self._overrides
        fallback = calendar_sources.fallback_days(y for y in years if y not in official and y not in ov.years)
        for y in years:
            lo = date(y, 1, 1).toordinal()
            n = date(y + 1, 1, 1).toordinal() - lo if y < 9999 else 365
            work = calendar_sources.weekdays(lo, n)
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
