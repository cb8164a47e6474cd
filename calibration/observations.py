"""What platform records say about each item, in whole days: the department's time, the applicant's 补正 time,
expert review, lateness, arrivals and files open at once.

Input: the valid rows of a platform export (:class:`approval_model.supervision_records.SupervisionInput`, as the shared
reader and its checks produce them) and the process whose items they name. Everything is computed on arrays (a
year of a city's records is some 100,000 rows).

How durations are counted (docs/calibration.md): on the statutory calendar (working days with 调休; calendar
days for a step whose ``day_unit`` is calendar), a duration from day ``x`` to day ``y`` is the number of days in
``(x, y]``: an item accepted and completed on the same day took 0 days, and a 补正 from its notice on day ``s``
to the resubmission on day ``e`` stopped the clock for the days in ``(s, e]``. The department's time is the
item's total minus its stops. Counted this way, each day count is the continuous time blurred by less than a day
either way, with the right mean (calibration/fitting.py models exactly that). Supervision counts stop days
differently (both ends, as a deadline extension): the lateness figures here follow supervision, so that the
overdue rate matches what ``supervise`` reports.

A record still in progress at the as-of date is a censored observation: its time is at least what has passed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from approval_model.limits import LimitBasis
from approval_model.models import Process
from approval_model.project_codes import project_type, type_names

__all__ = ["ItemObservations", "Observations", "observe"]


@dataclass(frozen=True)
class ItemObservations:
    """One item's day counts: exact (completed) and censored lower bounds (in progress)."""

    item_id: str
    rows: int
    completed: int
    handling: np.ndarray  # department's days, completed records
    handling_censored: np.ndarray  # lower bounds, records in progress
    supplemented: int  # completed records with a 补正
    applicant: np.ndarray  # applicant's days per supplemented record (closed stops)
    applicant_censored: np.ndarray  # open 补正 at the as-of date: lower bounds
    expert: np.ndarray  # expert review days per record that had one (closed)
    expert_censored: np.ndarray
    done_late: int  # completed after the deadline (supervision's rule)
    overdue_open: int  # in progress and already past the deadline
    first: date | None
    last: date | None


@dataclass(frozen=True)
class Observations:
    items: dict[str, ItemObservations]
    as_of: date
    first: date
    last: date
    rows: int
    completed: int
    arrivals: dict[str, Any]
    departments: dict[str, dict[str, Any]]


class _Days:
    """Day indexes on the statutory calendar: working-day counts (cumulative) and calendar ordinals."""

    def __init__(self, calendar: Any, first: int, last: int) -> None:
        span = np.arange(first - 1, last + 2, dtype=np.int64)
        counts, _ = calendar.working_days_between_array(np.full(span.shape, first - 1), span)
        self.first = first - 1
        self.working = counts.astype(np.int64)  # working days in (first - 1, day]
        workday, _ = calendar.is_workday_array(span)
        self.is_workday = np.asarray(workday, dtype=bool)

    def index(self, ordinals: np.ndarray, calendar_days: np.ndarray) -> np.ndarray:
        """Working-day index of each ordinal, or the ordinal itself where the item counts calendar days."""
        return np.where(calendar_days, ordinals, self.working[ordinals - self.first])


def _limit(item: Any, basis: LimitBasis) -> int:
    if basis == LimitBasis.promised and item.promised_limit_days is not None:
        return math.ceil(item.promised_limit_days)
    return math.ceil(item.statutory_limit_days)


def observe(
    rows: Sequence[Any],
    process: Process,
    as_of: date,
    calendar: Any,
    basis: LimitBasis = LimitBasis.statutory,
) -> Observations:
    """Day counts per item, arrivals per project type and files open per department, from valid rows."""
    if not rows:
        raise ValueError("no usable records")
    items = {item.id: item for item in process.items}
    n = len(rows)
    accepted = np.array([r.accepted.toordinal() for r in rows], dtype=np.int64)
    completed = np.array([r.completed.toordinal() if r.completed else -1 for r in rows], dtype=np.int64)
    done = completed >= 0
    end = np.where(done, completed, as_of.toordinal())
    item_ids = np.array([r.item_id for r in rows])
    calendar_days = np.array([items[r.item_id].day_unit == "calendar" for r in rows])
    stop_row, stop_kind, stop_start, stop_end = [], [], [], []
    for position, r in enumerate(rows):
        for stop in r.clock_stops:
            stop_row.append(position)
            stop_kind.append(stop.kind)
            stop_start.append(stop.start.toordinal())
            stop_end.append(stop.end.toordinal() if stop.end else -1)
    s_row = np.array(stop_row, dtype=np.int64)
    s_kind = np.array(stop_kind, dtype=object)
    s_start = np.array(stop_start, dtype=np.int64)
    s_end = np.array(stop_end, dtype=np.int64)
    s_open = s_end < 0
    s_end_or_now = np.where(s_open, as_of.toordinal(), s_end)
    dates = [accepted, end, s_start, s_end_or_now]
    low = int(min(int(d.min()) for d in dates if d.size))
    high = int(max(int(d.max()) for d in dates if d.size))
    days = _Days(calendar, low, high)
    a_index = days.index(accepted, calendar_days)
    e_index = days.index(end, calendar_days)
    stop_days = days.index(s_end_or_now, calendar_days[s_row]) - days.index(s_start, calendar_days[s_row])
    stopped_closed = np.bincount(s_row[~s_open], weights=stop_days[~s_open], minlength=n)
    total = e_index - a_index
    # in progress: at least one more day unless a stop is running (the department's time resumes after it)
    open_at = np.full(n, -1, dtype=np.int64)
    open_at[s_row[s_open]] = s_start[s_open]
    running = open_at >= 0
    handling = np.where(done, total - stopped_closed, total - stopped_closed + 1)
    before_stop = days.index(np.where(running, open_at, accepted), calendar_days) - a_index
    handling = np.where(running & ~done, before_stop - stopped_closed, handling)
    handling = np.maximum(handling, 0)

    # supervision's deadline: limit + stop days counted from the day before a stop (not before acceptance)
    limits = np.array([_limit(items[r.item_id], basis) for r in rows], dtype=np.int64)
    lower = np.maximum(s_start - 1, accepted[s_row])
    deadline_stop = days.working[s_end_or_now - days.first] - days.working[lower - days.first]
    extension = np.bincount(s_row, weights=deadline_stop, minlength=n).astype(np.int64)
    deadline = calendar.add_working_days_array(accepted, limits + extension)[0]
    late = done & (completed > deadline)
    overdue_open = ~done & (as_of.toordinal() > deadline)

    supplement_stop = s_kind == "supplement"
    expert_stop = s_kind == "expert_review"

    def per_row(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row, the days of its stops in mask: exact when all are closed, else a lower bound (the open one
        has run one day more than has passed); NaN for a row without such a stop."""
        closed_mask, open_mask = mask & ~s_open, mask & s_open
        closed = np.bincount(s_row[closed_mask], weights=stop_days[closed_mask], minlength=n)
        opened = np.bincount(s_row[open_mask], weights=stop_days[open_mask] + 1, minlength=n)
        has_closed = np.bincount(s_row[closed_mask], minlength=n) > 0
        has_open = np.bincount(s_row[open_mask], minlength=n) > 0
        exact = np.where(has_closed & ~has_open, closed, np.nan)
        return exact, np.where(has_open, closed + opened, np.nan)

    applicant_days, applicant_open = per_row(supplement_stop)
    expert_days, expert_open = per_row(expert_stop)
    had_supplement = np.bincount(s_row[supplement_stop], minlength=n) > 0

    per_item: dict[str, ItemObservations] = {}
    order = np.argsort(item_ids, kind="stable")
    sorted_ids = item_ids[order]
    boundaries = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1], True])
    for start, stop in zip(boundaries[:-1], boundaries[1:], strict=True):
        members = order[start:stop]
        item_id = str(sorted_ids[start])
        finished = members[done[members]]
        ongoing = members[~done[members]]
        per_item[item_id] = ItemObservations(
            item_id=item_id,
            rows=int(members.size),
            completed=int(finished.size),
            handling=handling[finished].astype(float),
            handling_censored=handling[ongoing].astype(float),
            supplemented=int(had_supplement[finished].sum()),
            applicant=_present(applicant_days[members]),
            applicant_censored=_present(applicant_open[members]),
            expert=_present(expert_days[members]),
            expert_censored=_present(expert_open[members]),
            done_late=int(late[finished].sum()),
            overdue_open=int(overdue_open[ongoing].sum()),
            first=date.fromordinal(int(accepted[members].min())),
            last=date.fromordinal(int(end[members].max())),
        )
    codes = np.array([r.project_code for r in rows])
    return Observations(
        items=per_item,
        as_of=as_of,
        first=date.fromordinal(int(accepted.min())),
        last=date.fromordinal(int(np.max(np.where(done, completed, accepted)))),
        rows=n,
        completed=int(done.sum()),
        arrivals=_arrivals(codes, accepted, days, type_names()),
        departments=_open_files(
            rows, items, accepted, end, done, s_row, s_start, s_end_or_now, days, process
        ),
    )


def _present(values: np.ndarray) -> np.ndarray:
    return values[~np.isnan(values)]


def _arrivals(
    codes: np.ndarray, accepted: np.ndarray, days: _Days, types: Mapping[str, str]
) -> dict[str, Any]:
    """Projects per working day: a project arrives with its first accepted item; the rate is the number of gaps
    between arrivals over the working days they span (the Poisson rate's estimate given the first arrival)."""
    unique, inverse = np.unique(codes, return_inverse=True)
    first = np.full(unique.size, np.iinfo(np.int64).max)
    np.minimum.at(first, inverse, accepted)
    span = int(days.working[first.max() - days.first] - days.working[first.min() - days.first])
    rate = (unique.size - 1) / span if span > 0 else None
    kinds = np.array([project_type(str(code)) for code in unique])
    by_type = {}
    for kind in sorted(set(kinds.tolist())):
        count = int((kinds == kind).sum())
        share = count / unique.size
        by_type[types.get(kind, f"type {kind}")] = {
            "code_type": kind,
            "projects": count,
            "share": round(share, 4),
            "per_working_day": round(rate * share, 6) if rate is not None else None,
        }
    return {
        "projects": int(unique.size),
        "first_arrival": date.fromordinal(int(first.min())).isoformat(),
        "last_arrival": date.fromordinal(int(first.max())).isoformat(),
        "working_days": span,
        "per_working_day": round(rate, 6) if rate is not None else None,
        "by_type": by_type,
    }


def _open_files(
    rows: Sequence[Any],
    items: Mapping[str, Any],
    accepted: np.ndarray,
    end: np.ndarray,
    done: np.ndarray,
    s_row: np.ndarray,
    s_start: np.ndarray,
    s_end: np.ndarray,
    days: _Days,
    process: Process,
) -> dict[str, dict[str, Any]]:
    """Per department, the most files open (accepted, not completed, clock running) for the whole of one working
    day: they were all in hand at once. A file counts from the day after its acceptance to the day before its
    completion (to the as-of day while open), stop days left out."""
    department_ids = [d.id for d in process.departments]
    index = {d: k for k, d in enumerate(department_ids)}
    department = np.array([index[items[r.item_id].department] for r in rows], dtype=np.int64)
    width = int(end.max()) - days.first + 3
    change = np.zeros((len(department_ids), width), dtype=np.int64)
    first_day = accepted + 1
    last_day = np.where(done, end - 1, end)
    active = first_day <= last_day
    np.add.at(change, (department[active], first_day[active] - days.first), 1)
    np.add.at(change, (department[active], last_day[active] + 1 - days.first), -1)
    lo = np.maximum(s_start, first_day[s_row])
    hi = np.minimum(s_end, last_day[s_row])
    cut = lo <= hi
    np.add.at(change, (department[s_row[cut]], lo[cut] - days.first), -1)
    np.add.at(change, (department[s_row[cut]], hi[cut] + 1 - days.first), 1)
    level = np.cumsum(change, axis=1)[:, : days.is_workday.size]
    level = np.where(days.is_workday[None, : level.shape[1]], level, 0)
    result = {}
    counts = np.bincount(department, minlength=len(department_ids))
    for d, ident in enumerate(department_ids):
        if not counts[d]:
            continue
        peak = int(level[d].max())
        result[ident] = {
            "name": process.department(ident).name,
            "records": int(counts[d]),
            "max_open_all_day": peak,
            "on": date.fromordinal(int(np.argmax(level[d])) + days.first).isoformat() if peak else None,
            "capacity": process.department(ident).capacity,
        }
    return result
