"""Simulated files as the approval platform records them: one row per item of a project, in the layout
``supervise`` and ``calibrate`` read (项目代码, 事项编号, 受理日期, 停止计时, 办结日期).

Times on the working-day axis (:mod:`simulations.timeline`) become dates on the statutory calendar: working time
``t`` falls on the ``floor(t)``-th working day after the simulation's start date. A 补正 is written
``补正:START..END`` from the day of the notice to the day of resubmission, expert review ``专家评审:START..END``.
Two stops of one file never share a day in the record (the reader would take them as overlapping): an expert
review that would start on the day a 补正 ended is dated from the next day, or left out (its time then counts as
handling) when the file is decided that same day. With ``as_of``, the rows are those a platform export of that
date holds: files not yet accepted are absent, later dates are blank (in progress, stops still running).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from approval_model.calendar import default_calendar
from approval_model.project_codes import DEFAULT_REGION, MAX_SERIAL, project_code
from simulations.timeline import Timeline

__all__ = ["HEADER", "RecordGroup", "records"]

HEADER = ("项目代码", "事项编号", "受理日期", "停止计时", "办结日期")
Row = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class RecordGroup:
    """The files of some projects: their timeline, their numbers (1-based) and their code's type segment."""

    timeline: Timeline
    numbers: np.ndarray  # per project (column) of the timeline
    type_segment: str


def _dates(start: date, times: np.ndarray) -> np.ndarray:
    """Ordinals of the working days on which working times fall (NaN -> -1)."""
    known = ~np.isnan(times)
    out = np.full(times.shape, -1, dtype=np.int64)
    if known.any():
        days = np.floor(times[known]).astype(np.int64)
        out[known] = default_calendar().add_working_days_array(start.toordinal(), days)[0]
    return out


def _rows(group: RecordGroup, start: date, region: str, as_of: int | None) -> list[tuple[int, Row]]:
    t = group.timeline
    accepted = _dates(start, t.accepted)
    completed = _dates(start, t.completed)
    s_start, s_end = _dates(start, t.supplement_start), _dates(start, t.supplement_end)
    e_start, e_end = _dates(start, t.expert_start), _dates(start, t.expert_end)
    years = [date.fromordinal(int(d)).year for d in _dates(start, t.arrival)]
    iso: dict[int, str] = {}

    def text(ordinal: int) -> str:
        if ordinal not in iso:
            iso[ordinal] = date.fromordinal(ordinal).isoformat()
        return iso[ordinal]

    def until(ordinal: int) -> str:
        return text(ordinal) if as_of is None or ordinal <= as_of else ""

    rows = []
    m, n = accepted.shape
    for j in range(n):
        code = project_code(years[j], int(group.numbers[j]), group.type_segment, region)
        for i in range(m):
            a = int(accepted[i, j])
            if as_of is not None and a > as_of:
                continue
            stops = []
            supplement_end = -1
            if s_start[i, j] >= 0 and (as_of is None or s_start[i, j] <= as_of):
                supplement_end = int(s_end[i, j])
                stops.append(f"补正:{text(int(s_start[i, j]))}..{until(supplement_end)}")
            c = int(completed[i, j])
            if e_start[i, j] >= 0:
                begin = max(int(e_start[i, j]), supplement_end + 1)
                end = max(int(e_end[i, j]), begin)
                if begin <= c and (as_of is None or begin <= as_of):
                    stops.append(f"专家评审:{text(begin)}..{until(end)}")
            rows.append((a, (code, t.item_ids[i], text(a), "；".join(stops), until(c))))
    return rows


def records(
    groups: Sequence[RecordGroup], start: date, *, as_of: date | None = None, region: str = DEFAULT_REGION
) -> list[Row]:
    """The rows of every file, sorted by acceptance (then project code and item)."""
    if sum(g.timeline.projects for g in groups) > MAX_SERIAL:
        raise ValueError(f"platform records hold at most {MAX_SERIAL:,} projects (six-digit project numbers)")
    cut = as_of.toordinal() if as_of is not None else None
    keyed = [row for group in groups for row in _rows(group, start, region, cut)]
    keyed.sort(key=lambda r: (r[0], r[1][0], r[1][1]))
    return [row for _, row in keyed]
