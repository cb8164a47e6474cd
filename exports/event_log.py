"""Simulated projects as the approval platform would record them: one row per item of a project, in the layout
``supervise`` and ``calibrate`` read (项目代码, 事项编号, 受理日期, 停止计时, 办结日期).

Times on the working-day axis become dates on the statutory calendar: working time ``t`` falls on the
``floor(t)``-th working day after the simulation's start date. A 补正 is written ``补正:START..END`` from the
day of the notice to the day of resubmission, expert review ``专家评审:START..END``. Two stops of one file never
share a day in the record (the reader would take them as overlapping): an expert review that would start on the
day a 补正 ended is dated from the next day, or left out (its time then counts as handling) when the file is
decided that same day. With ``as_of``, the records are those a platform export of that date holds: files not yet
accepted are absent, later dates are blank (in progress, stops still running).

Project codes follow the layout ``YYYY-RRRRRR-II-TT-NNNNNN`` (assumed, see approval_model/supervision.py): the
arrival year, a region (Luoyang 410300 by default), industry 00, the type segment of the project's investment
type (calibration/data/project_types.yaml) and the project's number.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from approval_model.calendar import default_calendar
from simulations.timeline import Timeline

__all__ = ["HEADER", "LogPart", "write_event_log"]

HEADER = ("项目代码", "事项编号", "受理日期", "停止计时", "办结日期")
MAX_PROJECTS = 999_999  # the serial segment of a project code has six digits


@dataclass(frozen=True)
class LogPart:
    """The files of some projects: their timeline, their numbers (1-based) and their type segment."""

    timeline: Timeline
    numbers: np.ndarray  # per project (column) of the timeline
    type_code: str


def _dates(start: date, times: np.ndarray) -> np.ndarray:
    """Ordinals of the working days on which working times fall (NaN -> -1)."""
    known = ~np.isnan(times)
    out = np.full(times.shape, -1, dtype=np.int64)
    if known.any():
        days = np.floor(times[known]).astype(np.int64)
        out[known] = default_calendar().add_working_days_array(start.toordinal(), days)[0]
    return out


def _rows(
    part: LogPart, start: date, region: str, as_of: int | None
) -> list[tuple[int, str, str, str, str, str]]:
    t = part.timeline
    accepted = _dates(start, t.accepted)
    completed = _dates(start, t.completed)
    s_start, s_end = _dates(start, t.supplement_start), _dates(start, t.supplement_end)
    e_start, e_end = _dates(start, t.expert_start), _dates(start, t.expert_end)
    years = [date.fromordinal(int(d)).year for d in _dates(start, t.arrival)]
    iso = {}

    def text(ordinal: int) -> str:
        if ordinal not in iso:
            iso[ordinal] = date.fromordinal(ordinal).isoformat()
        return iso[ordinal]

    rows = []
    m, n = accepted.shape
    for j in range(n):
        code = f"{years[j]:04d}-{region}-00-{part.type_code}-{int(part.numbers[j]):06d}"
        for i in range(m):
            a = int(accepted[i, j])
            if as_of is not None and a > as_of:
                continue
            stops = []
            supplement_end = -1
            if s_start[i, j] >= 0 and (as_of is None or s_start[i, j] <= as_of):
                end = int(s_end[i, j])
                supplement_end = end
                shown = text(end) if as_of is None or end <= as_of else ""
                stops.append(f"补正:{text(int(s_start[i, j]))}..{shown}")
            c = int(completed[i, j])
            if e_start[i, j] >= 0:
                begin = max(int(e_start[i, j]), supplement_end + 1)
                end = max(int(e_end[i, j]), begin)
                if begin <= c and (as_of is None or begin <= as_of):
                    shown = text(end) if as_of is None or end <= as_of else ""
                    stops.append(f"专家评审:{text(begin)}..{shown}")
            done = text(c) if as_of is None or c <= as_of else ""
            rows.append((a, code, t.item_ids[i], text(a), "；".join(stops), done))
    return rows


def write_event_log(
    path: str | Path,
    parts: Sequence[LogPart],
    start: date,
    *,
    as_of: date | None = None,
    region: str = "410300",
) -> int:
    """Write the records (CSV, UTF-8 with BOM so that Excel reads the Chinese) sorted by acceptance; returns the
    number of rows. The file is written whole or not at all."""
    if sum(p.timeline.projects for p in parts) > MAX_PROJECTS:
        raise ValueError(f"an event log holds at most {MAX_PROJECTS:,} projects (six-digit project numbers)")
    cut = as_of.toordinal() if as_of is not None else None
    rows = [row for part in parts for row in _rows(part, start, region, cut)]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(HEADER)
            writer.writerows(row[1:] for row in rows)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(rows)
