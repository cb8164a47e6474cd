"""Time-limit supervision (限时办结): in-flight items judged against their working-day deadlines.

Pure functions: valid rows in (:class:`~approval_model.supervision_records.SupervisionInput`, as
:func:`~approval_model.supervision_records.parse_records` checks them), per-row deadline / working days used
and left / status and a per-department summary out. No file is opened here.

Conventions (docs/claims-and-supervision.md has the user-facing version):

* the day of acceptance is day 0; the deadline is the L-th working day after it on the statutory
  calendar (调休 make-up Saturdays are working days, holidays are not), L = the item's limit rounded up to
  a whole working day (0 = on the spot: the deadline is the day of acceptance);
* a clock stop (补正 supplementary materials, 专家评审 expert review) is a period of whole days, both ends
  included; the working days in it (after the day of acceptance) do not count, so the deadline moves
  later by that many working days. An open stop (no end) is still running: it counts up to ``as_of``;
* used = working days in (accepted, completed-or-as_of] minus the stopped ones; left = L - used;
* statuses: ``done_on_time`` / ``done_late`` (completed by / after the deadline); else ``red`` when
  left < 0 (overdue), ``yellow`` when left <= ``yellow_days`` or left <= ``yellow_share`` * L, else
  ``green``. Defaults 3 working days / 20 %; the 20 % comes from a vendor article (assumed, not an
  official rule - see approval_catalog_facts.yaml, platform_features.time_limit_supervision).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from approval_model.limits import LimitBasis

# the record's vocabulary and parsing, importable from here as before (scripts of users)
from approval_model.supervision_records import (
    COLUMN_ALIASES,
    COLUMNS,
    PROJECT_CODE_LAYOUT,
    REQUIRED_COLUMNS,
    ClockStop,
    RowProblem,
    SupervisionInput,
    parse_date,
    parse_records,
)
from messages import Message

__all__ = [
    "COLUMNS",
    "COLUMN_ALIASES",
    "REQUIRED_COLUMNS",
    "PROJECT_CODE_LAYOUT",
    "STATUSES",
    "ClockStop",
    "ItemLimit",
    "RowProblem",
    "RowResult",
    "SupervisionInput",
    "Thresholds",
    "department_summary",
    "calendar_day_items",
    "item_limits",
    "parse_date",
    "parse_records",
    "status_for",
    "supervise",
    "supervise_row",
]

STATUSES = ("green", "yellow", "red", "done_on_time", "done_late")


@dataclass(frozen=True)
class Thresholds:
    """When an in-progress item turns yellow (at risk): few working days or a small share of the limit left."""

    yellow_days: int = 3
    yellow_share: float = 0.2

    def __post_init__(self) -> None:
        if (
            isinstance(self.yellow_days, bool)
            or not isinstance(self.yellow_days, int)
            or self.yellow_days < 0
        ):
            raise ValueError(
                Message(
                    "yellow_days must be a whole number of working days >= 0, got {value!r}",
                    value=self.yellow_days,
                )
            )
        if not 0 <= self.yellow_share <= 1:
            raise ValueError(
                Message(
                    "yellow_share must be a share between 0 and 1, got {value!r}", value=self.yellow_share
                )
            )


@dataclass(frozen=True)
class ItemLimit:
    item_id: str
    name: str
    department: str
    department_name: str
    statutory_limit_days: float
    promised_limit_days: float | None


@dataclass(frozen=True)
class RowResult:
    input: SupervisionInput
    item: ItemLimit
    limit_kind: LimitBasis  # the limit used: promised only where the item has one
    limit_days: int
    stopped_working_days: int
    deadline: date
    working_days_used: int
    working_days_left: int | None  # None once completed
    status: str
    clock_stopped: bool  # an open stop is running as of the as-of date
    estimated: bool  # relies on rule-based (non-official) calendar years
    stop_days: tuple[int, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        i = self.input
        return {
            "row": i.row,
            "project_code": i.project_code,
            "item_id": i.item_id,
            "item_name": self.item.name,
            "department": self.item.department,
            "department_name": self.item.department_name,
            "accepted": i.accepted.isoformat(),
            "completed": i.completed.isoformat() if i.completed else None,
            "limit_kind": str(self.limit_kind),
            "limit_days": self.limit_days,
            "clock_stops": [
                {
                    "kind": s.kind,
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat() if s.end else None,
                    "working_days": n,
                }
                for s, n in zip(i.clock_stops, self.stop_days, strict=True)
            ],
            "stopped_working_days": self.stopped_working_days,
            "deadline": self.deadline.isoformat(),
            "working_days_used": self.working_days_used,
            "working_days_left": self.working_days_left,
            "status": self.status,
            "clock_stopped": self.clock_stopped,
            "estimated": self.estimated,
        }


# ---- catalog --------------------------------------------------------------------------------------


def calendar_day_items(process: Any) -> dict[str, str]:
    """Items whose durations count calendar days (notice periods, some intermediary services), by id -> kind.

    Supervision counts working-day limits (限时办结 of the government's items); such a step has a period, not a
    working-day limit, so it is not supervised here (nothing is converted)."""
    return {
        item.id: item.kind for item in process.items if getattr(item, "day_unit", "working") == "calendar"
    }


def item_limits(process: Any) -> dict[str, ItemLimit]:
    """Limits and departments of every item of an :class:`approval_model.models.Process` whose limit counts
    working days, by item id (see :func:`calendar_day_items`)."""
    names = {d.id: d.name for d in process.departments}
    calendar = calendar_day_items(process)
    return {
        item.id: ItemLimit(
            item_id=item.id,
            name=item.name,
            department=item.department,
            department_name=names.get(item.department, item.department),
            statutory_limit_days=item.statutory_limit_days,
            promised_limit_days=item.promised_limit_days,
        )
        for item in process.items
        if item.id not in calendar
    }


# ---- computing ------------------------------------------------------------------------------------


def status_for(left: int, limit_days: int, thresholds: Thresholds = Thresholds()) -> str:
    """Status of an item in progress with ``left`` working days of a ``limit_days`` limit remaining."""
    if left < 0:
        return "red"
    if left <= thresholds.yellow_days or left <= thresholds.yellow_share * limit_days + 1e-9:
        return "yellow"
    return "green"


def _limit(item: ItemLimit, basis: LimitBasis | str) -> tuple[LimitBasis, int]:
    if basis not in tuple(LimitBasis):
        raise ValueError(Message("limit kind must be 'statutory' or 'promised', got {basis!r}", basis=basis))
    if basis == LimitBasis.promised and item.promised_limit_days is not None:
        return LimitBasis.promised, math.ceil(item.promised_limit_days)
    return LimitBasis.statutory, math.ceil(item.statutory_limit_days)


def supervise_row(
    row: SupervisionInput,
    item: ItemLimit,
    as_of: date,
    calendar: Any,
    limit_kind: LimitBasis | str = LimitBasis.statutory,
    thresholds: Thresholds = Thresholds(),
) -> RowResult:
    """Deadline, working days used/left and status of one item (``calendar``: a WorkingDayCalendar)."""
    kind, limit = _limit(item, limit_kind)
    end_point = row.completed or as_of
    estimated = False

    def between(start: date, end: date) -> int:
        nonlocal estimated
        if end <= start:
            return 0
        result = calendar.working_days_between(start, end)
        estimated = estimated or result.estimated
        return int(result.value)

    stop_days: list[int] = []
    stopped_to_end = 0
    running = False
    for stop in row.clock_stops:
        lower = max(stop.start - timedelta(days=1), row.accepted)  # the acceptance day never counts
        end = stop.end if stop.end is not None else end_point
        if row.completed is None and (stop.end is None or stop.start <= as_of <= stop.end):
            running = True
        stop_days.append(between(lower, end))
        stopped_to_end += between(lower, min(end, end_point))
    stopped = sum(stop_days)
    result = calendar.add_working_days(row.accepted, limit + stopped)
    estimated = estimated or result.estimated
    deadline = result.value
    used = between(row.accepted, end_point) - stopped_to_end
    if row.completed is not None:
        status = "done_on_time" if row.completed <= deadline else "done_late"
        left = None
    else:
        left = limit - used
        status = status_for(left, limit, thresholds)
    return RowResult(
        input=row,
        item=item,
        limit_kind=kind,
        limit_days=limit,
        stopped_working_days=stopped,
        deadline=deadline,
        working_days_used=used,
        working_days_left=left,
        status=status,
        clock_stopped=running,
        estimated=estimated,
        stop_days=tuple(stop_days),
    )


def supervise(
    rows: Iterable[SupervisionInput],
    items: Mapping[str, ItemLimit],
    as_of: date,
    calendar: Any = None,
    limit_kind: LimitBasis | str = LimitBasis.statutory,
    thresholds: Thresholds = Thresholds(),
) -> list[RowResult]:
    """:func:`supervise_row` over valid rows (default calendar: the shared statutory one)."""
    if calendar is None:
        from approval_model.calendar import default_calendar

        calendar = default_calendar()
    return [supervise_row(r, items[r.item_id], as_of, calendar, limit_kind, thresholds) for r in rows]


def department_summary(
    results: Sequence[RowResult], department_order: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Per department: item counts per status, in progress, overdue (red + done late) and the overdue rate."""
    groups: dict[str, list[RowResult]] = {}
    for result in results:
        groups.setdefault(result.item.department, []).append(result)
    rank = {d: i for i, d in enumerate(department_order)}
    summary = []
    for department in sorted(groups, key=lambda d: (rank.get(d, len(rank)), d)):
        members = groups[department]
        counts = {s: sum(r.status == s for r in members) for s in STATUSES}
        overdue = counts["red"] + counts["done_late"]
        done = [r for r in members if r.input.completed is not None]
        summary.append(
            {
                "department": department,
                "department_name": members[0].item.department_name,
                "items": len(members),
                **counts,
                "in_progress": counts["green"] + counts["yellow"] + counts["red"],
                "overdue": overdue,
                "overdue_rate": round(overdue / len(members), 4),
                "average_used_completed": round(sum(r.working_days_used for r in done) / len(done), 2)
                if done
                else None,
            }
        )
    return summary
