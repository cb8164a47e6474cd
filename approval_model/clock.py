"""The working-day axis of a schedule and calendar time, mapped onto each other exactly.

Schedules run on a working-day axis: position ``x`` is ``x`` working days after the start date (day 0), with
the convention of the statutory calendar that a position in ``(j - 1, j]`` lies on the ``j``-th working day
after the start (so a 20-working-day limit from day 0 ends on ``add_working_days(start, 20)``). Calendar time
``t`` is days after the start date with the same convention: ``(k - 1, k]`` is the calendar day ``start + k``.

Working time is calendar time with the non-working days (weekends, holidays, but not the 调休 make-up working
days) squeezed to nothing, so:

* ``to_calendar(x)``: the calendar time of working position ``x`` (inside its working day);
* ``to_working(t)``: the working position of calendar time ``t``; a time inside a non-working day maps to the
  end of the last working day before it (nothing can happen on the government's clock until the next one);
* ``add_calendar_days(x, c)``: where a step of ``c`` calendar days (a 20-day tender period, say) that starts at
  ``x`` ends on the working-day axis, which depends on the date it starts (holidays inside it cost nothing).

``to_working(to_calendar(x)) == x`` for every ``x >= 0``. This is how a calendar-day step keeps its unit: it is
never converted once and for all (20 calendar days are 14 working days in one month and 10 across National
Day), only laid on the calendar from the date it starts.

Speed: the day tables from the start date are built once per clock (a year at first, doubled on demand), so a
conversion is a few array gathers; the scalar methods (for the event engine) use plain lists.
"""

from __future__ import annotations

import functools
import math
from datetime import date

import numpy as np

from approval_model.calendar import WorkingDayCalendar, default_calendar

__all__ = ["DEFAULT_START_DATE", "WorkingClock", "shared_clock"]

DEFAULT_START_DATE = date(2017, 10, 9)  # the Monday after National Day 2017, just after 洛政办〔2017〕89号
_EPS = 1e-9  # positions are sums of floats: 5.000000000001 is the end of day 5, not day 6
_FIRST_SPAN = 400  # calendar days covered at first; doubled whenever a position reaches beyond


class WorkingClock:
    """Working-day positions <-> calendar time from one start date (vectorised). ``estimated`` turns true once
    a date used relied on rule-based (non-official) holiday data."""

    def __init__(self, start: date | None = None, calendar: WorkingDayCalendar | None = None) -> None:
        self.start = start or DEFAULT_START_DATE
        self.calendar = calendar or default_calendar()
        self.estimated = False
        self._span = 0
        self._build(_FIRST_SPAN)

    def _build(self, span: int) -> None:
        origin = self.start.toordinal()
        days = origin + np.arange(span + 1, dtype=np.int64)
        work, estimated = self.calendar.is_workday_array(days)
        work = work.copy()
        work[0] = True  # day 0 is the start of the clock whatever it is; it is never counted
        count = np.concatenate(([0], np.cumsum(work[1:])))
        self._work, self._est, self._count = work, estimated, count
        self._offset = np.flatnonzero(work).astype(float)  # offset[j] = calendar day of working day j
        self._span = span
        self._work_list: list[bool] | None = None

    def _cover(self, calendar_day: int, working_day: int) -> None:
        """Extend the tables until they reach ``calendar_day`` and the ``working_day``-th working day."""
        while self._span < calendar_day or len(self._offset) <= working_day:
            if self._span >= 400_000:
                raise ValueError("a schedule reaches more than 1,000 years past its start date")
            self._build(self._span * 2)

    @staticmethod
    def _whole(values: np.ndarray) -> np.ndarray:
        return np.maximum(np.ceil(values - _EPS), 0).astype(np.int64)

    def to_calendar(self, positions: np.ndarray | float) -> np.ndarray:
        """Calendar days after the start date of working positions (>= 0)."""
        x = np.asarray(positions, dtype=float)
        j = self._whole(x)
        if j.size and int(j.max()) >= len(self._offset):
            self._cover(0, int(j.max()))
        day = self._offset[j]
        if self._est.any():
            self.estimated |= bool(self._est[day.astype(np.int64)].any())
        return day - (j - x)

    def to_working(self, times: np.ndarray | float) -> np.ndarray:
        """Working positions of calendar times (days after the start date, >= 0)."""
        t = np.asarray(times, dtype=float)
        k = self._whole(t)
        if k.size and int(k.max()) > self._span:
            self._cover(int(k.max()), 0)
        if self._est.any():
            self.estimated |= bool(self._est[k].any())
        count = self._count[k]
        return np.where(self._work[k], count - k + t, count).astype(float)

    def add_calendar_days(self, positions: np.ndarray | float, days: np.ndarray | float) -> np.ndarray:
        """The working position at which a step of ``days`` calendar days starting at ``positions`` ends."""
        return self.to_working(self.to_calendar(positions) + np.asarray(days, dtype=float))

    def add_calendar_days_scalar(self, position: float, days: float) -> float:
        """:meth:`add_calendar_days` for one step, without numpy (the event engine calls it per file)."""
        j = max(math.ceil(position - _EPS), 0)
        if j >= len(self._offset):
            return float(self.add_calendar_days(position, days))
        t = self._offset[j] - (j - position) + days
        k = max(math.ceil(t - _EPS), 0)
        if k > self._span:
            return float(self.add_calendar_days(position, days))
        if self._work_list is None:
            self._work_list = self._work.tolist()
            self._count_list = self._count.tolist()
        count = self._count_list[k]
        return float(count - k + t if self._work_list[k] else count)


@functools.cache
def shared_clock(start: date) -> WorkingClock:
    """One clock per start date for the whole process (its tables are built once and extended on demand)."""
    return WorkingClock(start)
