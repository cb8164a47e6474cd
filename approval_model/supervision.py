"""Time-limit supervision (限时办结): in-flight items against their working-day deadlines.

Pure functions: records in (``(row number, {column: raw value})``, as :func:`readers.tables.read_table` reads
them from a CSV or Excel file with :data:`COLUMN_ALIASES`), per-row deadline / working days used and left /
status and a per-department summary out. No file is opened here.

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

A little over 500 lines: the record vocabulary, the cell-by-cell checks of a record (every problem of every
row, with the fix) and the deadline arithmetic belong together; no file is read here (:mod:`readers.tables`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from approval_model.limits import LimitBasis
from approval_model.problems import did_you_mean
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
REQUIRED_COLUMNS = ("project_code", "item_id", "accepted")
OPTIONAL_COLUMNS = ("clock_stops", "completed")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
# header spellings a table may use for each column (readers.tables compares them lower-cased, spaces/hyphens as _)
COLUMN_ALIASES = {
    "project_code": ("code", "项目代码", "项目统一代码"),
    "item_id": ("item", "事项", "事项编号"),
    "accepted": ("accepted_date", "受理日期"),
    "clock_stops": ("clock_stop", "stops", "停止计时", "暂停计时"),
    "completed": ("completed_date", "办结日期"),
}
STOP_KINDS = {
    "supplement": "supplement",
    "补正": "supplement",
    "补正材料": "supplement",
    "expert_review": "expert_review",
    "expert": "expert_review",
    "review": "expert_review",
    "专家评审": "expert_review",
    "评审": "expert_review",
}
# 2017-era national project code: year(4)-region(6)-industry(2)-type(2)-serial(6). The layout is ASSUMED
# (remembered, not confirmed against the NDRC rules; approval_catalog_facts.yaml platform_features.project_code).
PROJECT_CODE_LAYOUT = "YYYY-RRRRRR-II-TT-NNNNNN"
PROJECT_CODE_EXAMPLE = "2017-410300-04-01-000123"
_PROJECT_CODE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_STOP_RANGE = re.compile(r"^(?P<start>[^~至]+?)\s*(?:\.\.|~|至)\s*(?P<end>[^~至]*)$")
_STOP_SPLIT = re.compile(r"[;；]")


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
class ClockStop:
    kind: str  # supplement | expert_review
    start: date
    end: date | None  # None: still stopped


@dataclass(frozen=True)
class SupervisionInput:
    """One valid input row."""

    row: int
    project_code: str
    item_id: str
    accepted: date
    clock_stops: tuple[ClockStop, ...] = ()
    completed: date | None = None


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one cell (row numbers count the header as row 1, like a spreadsheet)."""

    row: int
    column: str
    value: str
    message: str
    fix: str = ""

    def render(self, file: str | None = None) -> Message:
        """'file: row N, column 'c': what. Fix: how' (a Message: English as a str, localize() for the user)."""
        text = (
            Message("{file}: row {row}, column '{column}': {message}", file=file, row=self.row, column=self.column,
                    message=self.message)
            if file
            else Message("row {row}, column '{column}': {message}", row=self.row, column=self.column, message=self.message)
        )  # fmt: skip
        return Message("{text}. Fix: {fix}", text=text, fix=self.fix) if self.fix else text

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
        }


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


# ---- parsing --------------------------------------------------------------------------------------


def parse_date(value: Any) -> date:
    """A date from a cell: ``date``/``datetime`` (Excel) or text ``YYYY-MM-DD`` (also ``/`` or ``.``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(Message("{text!r} is not a date", text=text))
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as error:
        # the calendar's own reason ("day is out of range for month") stays as Python words it
        raise ValueError(Message("{text!r} is not a date ({reason})", text=text, reason=str(error))) from None


def _error_text(error: ValueError) -> str:
    """The message of a ValueError, kept translatable when it was raised with a Message."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, Message) else str(error)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_stops(text: str) -> tuple[list[ClockStop], str | None]:
    """Clock stops from ``kind:START..END; ...``; (stops, None) or ([], message)."""
    stops: list[ClockStop] = []
    for part in (p.strip() for p in _STOP_SPLIT.split(text)):
        if not part:
            continue
        kind = "supplement"
        if ":" in part or "：" in part:
            label, _, part = part.replace("：", ":").partition(":")
            kind_key = label.strip().lower().replace(" ", "_")
            if kind_key not in STOP_KINDS:
                return (
                    [],
                    Message(
                        "unknown clock-stop kind {label!r} (known: supplement/补正, expert_review/专家评审)",
                        label=label.strip(),
                    ),
                )
            kind = STOP_KINDS[kind_key]
            part = part.strip()
        match = _STOP_RANGE.match(part)
        if not match:
            return [], Message("{part!r} is not a period START..END", part=part)
        try:
            start = parse_date(match["start"])
            end = parse_date(match["end"]) if match["end"].strip() else None
        except ValueError as error:
            return [], Message("in period {part!r}: {error}", part=part, error=_error_text(error))
        if end is not None and end < start:
            return [], Message("period {part!r} ends before it starts", part=part)
        stops.append(ClockStop(kind, start, end))
    return stops, None


def parse_records(
    records: Iterable[tuple[int, Mapping[str, Any]]],
    known_items: Collection[str],
    as_of: date,
    calendar_items: Mapping[str, str] | None = None,
) -> tuple[list[SupervisionInput], list[RowProblem]]:
    """Validate raw records; every problem of every row is collected (a row with any problem is left out)."""
    rows: list[SupervisionInput] = []
    problems: list[RowProblem] = []
    stop_fix = Message(
        "write periods as START..END (YYYY-MM-DD), optionally 'supplement:' or 'expert_review:' first, "
        "separated by ';'"
    )
    for number, record in records:
        found: list[RowProblem] = []

        def bad(
            column: str, value: str, message: str, fix: str, _row: int = number, _found: list = found
        ) -> None:
            _found.append(RowProblem(_row, column, value, message, fix))

        code = _text(record.get("project_code"))
        if not code:
            bad(
                "project_code",
                code,
                Message("the project code is empty"),
                Message("give the project code, e.g. {example}", example=PROJECT_CODE_EXAMPLE),
            )
        else:
            match = _PROJECT_CODE.match(code)
            if not match or not 1990 <= int(match[1]) <= 2100:
                bad(
                    "project_code",
                    code,
                    Message(
                        "{code!r} is not a project code of the layout {layout} (year-region-industry-type-serial; "
                        "this 2017-era layout is assumed, not confirmed against the NDRC code rules)",
                        code=code,
                        layout=PROJECT_CODE_LAYOUT,
                    ),
                    Message(
                        "copy the code from the online approval platform, e.g. {example}",
                        example=PROJECT_CODE_EXAMPLE,
                    ),
                )

        item_id = _text(record.get("item_id"))
        if not item_id:
            bad(
                "item_id",
                item_id,
                Message("the item id is empty"),
                Message("give the catalog item id, e.g. I04"),
            )
        elif calendar_items and item_id in calendar_items:
            bad(
                "item_id",
                item_id,
                Message(
                    "item {item_id} ({name}) counts calendar days: it has a period, not a working-day time limit to "
                    "supervise",
                    item_id=item_id,
                    name=calendar_items[item_id],
                ),
                Message(
                    "supervise the catalog's working-day items (approval items, utility hookups); leave this row out"
                ),
            )
        elif item_id not in known_items:
            bad(
                "item_id",
                item_id,
                Message(
                    "unknown item id {item_id!r}{hint}",
                    item_id=item_id,
                    hint=did_you_mean(item_id, known_items) or did_you_mean(item_id.upper(), known_items),
                ),
                Message("use an id from 'approval-sim catalog list' (or pass the right --catalog)"),
            )

        accepted = completed = None
        raw_accepted = record.get("accepted")
        if _text(raw_accepted) == "":
            bad(
                "accepted",
                "",
                Message("the accepted date is empty"),
                Message("give the date of acceptance (受理) as YYYY-MM-DD"),
            )
        else:
            try:
                accepted = parse_date(raw_accepted)
            except ValueError as error:
                bad(
                    "accepted",
                    _text(raw_accepted),
                    _error_text(error),
                    Message("write the date as YYYY-MM-DD, e.g. 2017-09-20"),
                )
            else:
                if accepted > as_of:
                    bad(
                        "accepted",
                        accepted.isoformat(),
                        Message(
                            "accepted {accepted} is after the --as-of date {as_of}",
                            accepted=accepted,
                            as_of=as_of,
                        ),
                        Message("check the date, or use a later --as-of"),
                    )
                    accepted = None

        raw_completed = record.get("completed")
        if _text(raw_completed) != "":
            try:
                completed = parse_date(raw_completed)
            except ValueError as error:
                bad(
                    "completed",
                    _text(raw_completed),
                    _error_text(error),
                    Message("write the date as YYYY-MM-DD, or leave it empty while in progress"),
                )
            else:
                if accepted is not None and completed < accepted:
                    bad(
                        "completed",
                        completed.isoformat(),
                        Message(
                            "completed {completed} is before it was accepted ({accepted})",
                            completed=completed,
                            accepted=accepted,
                        ),
                        Message("check both dates"),
                    )
                elif completed > as_of:
                    bad(
                        "completed",
                        completed.isoformat(),
                        Message(
                            "completed {completed} is after the --as-of date {as_of}",
                            completed=completed,
                            as_of=as_of,
                        ),
                        Message("check the date, or use a later --as-of"),
                    )

        stops: list[ClockStop] = []
        raw_stops = _text(record.get("clock_stops"))
        if raw_stops:
            stops, message = _parse_stops(raw_stops)
            if message:
                bad("clock_stops", raw_stops, message, stop_fix)
            else:
                message = _stop_conflict(stops, accepted, completed, as_of)
                if message:
                    bad(
                        "clock_stops",
                        raw_stops,
                        message,
                        Message("check the clock-stop dates against accepted/completed"),
                    )

        if found:
            problems.extend(found)
        else:
            assert accepted is not None
            rows.append(SupervisionInput(number, code, item_id, accepted, tuple(stops), completed))
    return rows, problems


def _stop_conflict(
    stops: list[ClockStop], accepted: date | None, completed: date | None, as_of: date
) -> str | None:
    ordered = sorted(stops, key=lambda s: s.start)
    for stop in ordered:
        label = f"{stop.kind} {stop.start}..{stop.end or ''}"
        if accepted is not None and stop.start < accepted:
            return Message(
                "clock stop {label} starts before the item was accepted ({accepted})",
                label=label,
                accepted=accepted,
            )
        if stop.end is None and completed is not None:
            return Message(
                "clock stop {label} has no end but the item was completed on {completed}",
                label=label,
                completed=completed,
            )
        if stop.end is None and stop.start > as_of:
            return Message(
                "clock stop {label} is open (no end) but starts after the --as-of date {as_of}",
                label=label,
                as_of=as_of,
            )
        if completed is not None and stop.end is not None and stop.end > completed:
            return Message(
                "clock stop {label} ends after the item was completed ({completed})",
                label=label,
                completed=completed,
            )
    for first, second in zip(ordered, ordered[1:], strict=False):
        if first.end is None or second.start <= first.end:
            one, other = (f"{stop.start}..{stop.end or ''}" for stop in (first, second))
            return Message("clock stops {first} and {second} overlap", first=one, second=other)
    return None


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
