"""Platform records of items in progress, checked cell by cell: the vocabulary of a record and its parsing.

Why its own module: a planner's export from the approval platform (CSV or Excel, read by
:func:`readers.tables.read_table` with :data:`COLUMN_ALIASES`) is checked before anything is judged: every
problem of every row is collected, each with the row, the column and the fix (:class:`RowProblem`), and only
valid rows (:class:`SupervisionInput`) go on. Supervision (:mod:`approval_model.supervision`) and calibration
(:mod:`calibration.observations`) both start from these rows. No file is opened here.

Cells: ``project_code`` (the 2017-era national layout, ASSUMED: see :data:`PROJECT_CODE_LAYOUT`), ``item_id``
(an item of the catalog whose limit counts working days), ``accepted`` and ``completed`` dates (``YYYY-MM-DD``,
also ``/`` or ``.``; Excel dates), and ``clock_stops`` (``kind:START..END; ...``, kinds 补正 supplement or 专家评审
expert_review; an open stop has no end).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from approval_model.problems import did_you_mean
from messages import Message

__all__ = [
    "COLUMNS",
    "COLUMN_ALIASES",
    "OPTIONAL_COLUMNS",
    "PROJECT_CODE_EXAMPLE",
    "PROJECT_CODE_LAYOUT",
    "REQUIRED_COLUMNS",
    "STOP_KINDS",
    "ClockStop",
    "RowProblem",
    "SupervisionInput",
    "parse_date",
    "parse_records",
]

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
                Message(
                    "use an id from 'approval-sim catalog list' (or name the right catalog: supervise --catalog, calibrate --scenario)"
                ),
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
