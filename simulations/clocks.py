"""The two clocks of every simulated project: approval time and elapsed time, and where the elapsed time goes.

* **Approval clock** (``approval_days``, working days): the working days during which the government holds at
  least one of the project's approval files with the clock running — the union, over the project's items of kind
  ``approval``, of the time from the request (waiting in the department's queue included: the clock runs from
  acceptance) to the decision, less the stopped-clock time (补正 applicant time, excluded expert/technical time).
  Intermediary, utility, notice and applicant steps are not on it. This is how a stage's time is counted under
  国办发〔2019〕11号 (from acceptance to decision, the clock stopped for excluded time, 行政许可法 Art.45) and why
  the whole process's approval time is the union: two approvals handled in parallel count once. Per stage, the
  union over that stage's approval items (the stage figures may add up to more than the whole when stages overlap).
* **Elapsed clock** (``elapsed_days``, calendar days): from the project's arrival (initiation) to the completion
  of its last item (completion filing), everything included; the same figure as the ``calendar`` block.
* **Elapsed by kind**: the project's realised critical path, laid on the calendar, split by whose time it is:
  each critical item's span goes to its kind, except that inside an approval item the 补正 time goes to
  ``applicant`` and the excluded time (expert review, technical evaluation) to ``intermediary``; the gaps between
  critical items (stage coordination, serial handover) go to ``coordination``. Summed over projects; the shares
  are of the continuous calendar time of the path, which the summary applies to the mean elapsed days.

Worked example (docs/kinds-and-clocks.md): approval A (5 wd) -> notice N (20 calendar days) -> approval B (5 wd)
from Monday 2017-03-06: approval clock 10 working days, elapsed 36 calendar days, of which the notice 20.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from approval_model.calendar import default_calendar
from approval_model.clock import shared_clock
from simulations.compiled import CompiledProcess
from simulations.sampling import Draws
from simulations.stats import mean_ci

__all__ = [
    "CATEGORIES",
    "ClockFigures",
    "calendar_days",
    "clock_comparison",
    "clock_figures",
    "clock_summary",
    "figures",
    "replication_clock_means",
    "target_checks",
    "union_length",
    "union_lengths",
]

CATEGORIES = ("approval", "intermediary", "utility", "notice", "applicant", "coordination")
_INDEX = {name: k for k, name in enumerate(CATEGORIES)}


def calendar_days(start: date, arrival: np.ndarray, end_to_end: np.ndarray) -> tuple[np.ndarray, bool]:
    """Calendar days from each project's arrival date to its completion date on the statutory calendar.

    A project arriving during working day ``a`` (counted from ``start``) is dated ``start + floor(a)`` working
    days; one completing during working day ``a + e`` is dated ``start + ceil(a + e)``. Returns the days and
    whether any date relied on estimated (rule-based, non-official) holiday data.
    """
    calendar = default_calendar()
    origin = start.toordinal()
    begin, estimated_begin = calendar.add_working_days_array(origin, np.floor(arrival).astype(np.int64))
    end, estimated_end = calendar.add_working_days_array(
        origin, np.ceil(arrival + end_to_end - 1e-9).astype(np.int64)
    )
    return (end - begin).astype(float), bool(estimated_begin.any() or estimated_end.any())


def union_length(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per column (project), the total length of the union of the intervals ``[starts[i], ends[i]]``."""
    whole, _ = union_lengths(starts, ends, np.zeros(starts.shape[0], dtype=np.intp), 0)
    return whole


def union_lengths(
    starts: np.ndarray, ends: np.ndarray, labels: np.ndarray, groups: int, *, whole: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Per project (column): the length of the union of all its intervals (rows), and of those of each group
    (``labels[row]`` in ``0..groups-1``; a (groups, projects) array). ``whole=False``: groups only."""
    n = starts.shape[1]
    per_group = np.zeros((groups, n))
    labels = np.asarray(labels)
    for g in range(groups):
        mine = np.flatnonzero(labels == g)
        if mine.size == starts.shape[0]:
            per_group[g] = _covered(starts, ends)
        elif mine.size:
            per_group[g] = _covered(starts[mine], ends[mine])
    if not whole:
        return np.zeros(n), per_group
    if (
        groups
        and np.count_nonzero(per_group.any(axis=1)) == 1
        and labels.size
        and (labels == labels[0]).all()
    ):
        return per_group[labels[0]].copy(), per_group
    return _covered(starts, ends), per_group


def _covered(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Sorted by start, an interval adds what reaches beyond the furthest end of the intervals before it (they
    all start no later, so what they cover inside it is one piece from its start). Projects are laid out as rows
    (contiguous) for the sort, three times faster than sorting down the columns."""
    if starts.shape[0] == 0:
        return np.zeros(starts.shape[1])
    s = np.ascontiguousarray(starts.T)
    e = np.ascontiguousarray(ends.T)
    order = np.argsort(s, axis=1)
    s = np.take_along_axis(s, order, axis=1)
    e = np.take_along_axis(e, order, axis=1)
    reach = np.maximum.accumulate(e, axis=1)
    before = np.empty_like(reach)
    before[:, 0] = -np.inf
    before[:, 1:] = reach[:, :-1]
    np.maximum(s, before, out=before)
    np.subtract(e, before, out=e)
    return np.clip(e, 0.0, None, out=e).sum(axis=1)


@dataclass(frozen=True)
class ClockFigures:
    """Per project: approval days (whole process and per stage) and the calendar days of its critical path by
    category (:data:`CATEGORIES`)."""

    approval_days: np.ndarray  # (n,)
    stage_approval_days: np.ndarray  # (stages, n)
    kind_calendar_days: np.ndarray  # (len(CATEGORIES), n): calendar days of the critical path by category


def _phases(
    compiled: CompiledProcess, draws: Draws, wait: np.ndarray | None, wait_again: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per item and project, in order from the item's start: counted part 1 (waiting + handling before a 补正
    request), the applicant's time, counted part 2 (waiting again + the rest of the handling), excluded time.
    Calendar-day items: their whole span is part 1 (working days from the schedule, filled in by the caller)."""
    handling = draws.handling
    if draws.applicant is None:
        first = handling if wait is None else wait + handling
        none = np.zeros_like(handling)
        return first, none, none, none, none
    waited = np.zeros_like(handling) if wait is None else wait
    again = np.zeros_like(handling) if wait_again is None else wait_again
    split = np.ones_like(handling) if draws.split is None else draws.split
    first = waited - again + handling * split
    second = again + handling * (1.0 - split)
    excluded = np.zeros_like(handling) if draws.excluded is None else draws.excluded
    return first, draws.applicant, second, excluded, waited


def clock_figures(
    compiled: CompiledProcess,
    draws: Draws,
    start: np.ndarray,
    finish: np.ndarray,
    critical: np.ndarray,
    *,
    wait: np.ndarray | None = None,
    wait_again: np.ndarray | None = None,
    serial: bool = False,
) -> ClockFigures:
    """The two clocks of each project from its schedule (``start``/``finish`` relative to arrival, working
    days), the draws, the waiting (event engine) and the realised critical path (bool, items x projects).

    ``serial``: items run one after another, so approval intervals never overlap and the union is their sum."""
    m, n = draws.handling.shape
    first, applicant, second, excluded, _ = _phases(compiled, draws, wait, wait_again)
    approval_rows = [j for j in range(m) if not compiled.kinds or compiled.kinds[j] == "approval"]
    every = len(approval_rows) == m
    rows = slice(None) if every else np.array(approval_rows, dtype=np.intp)
    stage_of = np.array(
        [compiled.item_stage[j] if compiled.item_stage else 0 for j in approval_rows], dtype=np.intp
    )
    stages = max(len(compiled.stage_ids), 1)
    if serial:
        counted = first[rows] if draws.applicant is None else first[rows] + second[rows]
        per_stage = np.zeros((stages, n))
        for g in range(stages):
            mine = np.flatnonzero(stage_of == g)
            if mine.size:
                per_stage[g] = counted[mine].sum(axis=0)
        approval = counted.sum(axis=0)
    else:
        begin1 = start[rows]
        end1 = begin1 + first[rows]
        if draws.applicant is None:  # no 补正: one counted interval per item
            starts, ends, labels = begin1, end1, stage_of
        else:
            begin2 = end1 + applicant[rows]
            starts = np.concatenate([begin1, begin2])
            ends = np.concatenate([end1, begin2 + second[rows]])
            labels = np.concatenate([stage_of, stage_of])
        if _gapless(compiled, draws, every):
            # only approvals, never a stopped clock, no coordination gap: the realised critical path covers
            # [0, end] with approval handling, so the union is the end-to-end time (per stage still sorted)
            _, per_stage = union_lengths(starts, ends, labels, stages, whole=False)
            approval = finish.max(axis=0) if m else np.zeros(n)
        else:
            approval, per_stage = union_lengths(starts, ends, labels, stages)
    if _gapless(compiled, draws, every):  # every calendar day of the path is approval time
        clock = shared_clock(compiled.start_date)
        kinds = np.zeros((len(CATEGORIES), n))
        if m:
            end = finish.max(axis=0)
            kinds[_INDEX["approval"]] = clock.to_calendar(draws.arrival + end) - clock.to_calendar(
                draws.arrival
            )
    else:
        kinds = _kind_days(compiled, draws, start, finish, critical, first, applicant, second)
    return ClockFigures(approval, per_stage, kinds)


def _gapless(compiled: CompiledProcess, draws: Draws, every_approval: bool) -> bool:
    """Whether a project's timeline is approval handling from start to end: every item an approval, no 补正 or
    excluded time, no stage coordination or serial handover (the plain catalogs, with default settings)."""
    return (
        every_approval
        and draws.applicant is None
        and draws.excluded is None
        and not compiled.coordination_days
        and not compiled.handover_days
    )


def _kind_days(
    compiled: CompiledProcess,
    draws: Draws,
    start: np.ndarray,
    finish: np.ndarray,
    critical: np.ndarray,
    first: np.ndarray,
    applicant: np.ndarray,
    second: np.ndarray,
) -> np.ndarray:
    """Calendar days of each project's realised critical path by category (categories x projects).

    Walked in topological order, so each critical item follows the one before it on the path: an item is
    credited from where the previous one ended on the calendar (a calendar-day step ends exactly its days after
    it starts, even on a Sunday; the working-day axis would stop it at Saturday) to where it ends. Days before a
    step can start (a weekend after a Friday decision) go to the step that waits for them."""
    clock = shared_clock(compiled.start_date)
    arrival = draws.arrival
    m, n = finish.shape
    totals = np.zeros((len(CATEGORIES), n))
    if m == 0:
        return totals
    origin = clock.to_calendar(arrival)
    path_total = clock.to_calendar(arrival + finish.max(axis=0)) - origin
    begins = clock.to_calendar(arrival + start)  # every item at once: a few gathers
    ends = clock.to_calendar(arrival + finish)
    stopped = draws.applicant is not None or draws.excluded is not None
    reached = origin.copy()  # where the path has got to on the calendar, per project
    covered = np.zeros(n)
    calendar = set(compiled.calendar_rows)
    for j in range(m):
        on = critical[j]
        if not on.any():
            continue
        begin = begins[j, on]
        t0 = np.maximum(begin, reached[on])
        own_end = begin + draws.handling[j, on] if j in calendar else ends[j, on]
        end = np.maximum(own_end, t0)
        kind = compiled.kinds[j] if compiled.kinds else "approval"
        if kind != "approval" or j in calendar:
            totals[_INDEX[kind], on] += end - t0
        elif not stopped:
            totals[_INDEX["approval"], on] += end - t0
        else:
            # inside an approval item: counted time, the applicant's 补正, counted again, then excluded time
            a = arrival[on]
            b1 = start[j, on] + first[j, on]
            b2 = b1 + applicant[j, on]
            b3 = b2 + second[j, on]
            t1 = np.clip(clock.to_calendar(a + b1), t0, end)
            t2 = np.clip(clock.to_calendar(a + b2), t1, end)
            t3 = np.clip(clock.to_calendar(a + b3), t2, end)
            totals[_INDEX["approval"], on] += (t1 - t0) + (t3 - t2)
            totals[_INDEX["applicant"], on] += t2 - t1
            totals[_INDEX["intermediary"], on] += end - t3
        covered[on] += end - t0
        reached[on] = np.maximum(reached[on], end)
    totals[_INDEX["coordination"]] += np.clip(path_total - covered, 0.0, None)
    return totals


def _round(value: float, digits: int = 4) -> float | None:
    value = float(value)
    return None if np.isnan(value) else round(value, digits)


def figures(values: np.ndarray) -> dict[str, float | None]:
    """``{mean, p50, p90}`` of per-project days."""
    if values.size == 0:
        return {"mean": None, "p50": None, "p90": None}
    return {
        "mean": _round(values.mean()),
        "p50": _round(np.percentile(values, 50)),
        "p90": _round(np.percentile(values, 90)),
    }


def clock_summary(
    approval: np.ndarray | None,
    stage_approval: np.ndarray | None,
    stage_ids: tuple[str, ...],
    kind_days: np.ndarray | None,
    elapsed: np.ndarray,
) -> dict:
    """The JSON block of the two clocks: ``approval_days`` and ``elapsed_days`` ({mean, p50, p90}), the approval
    clock per stage, and ``elapsed_by_kind`` ({days, share} per category: the share of the critical path's
    calendar time, applied to the mean elapsed days, so the days add up to ``elapsed_days.mean``)."""
    block: dict = {"elapsed_days": figures(elapsed)}
    if approval is not None:
        block["approval_days"] = figures(approval)
    if stage_approval is not None:
        block["stage_approval_days"] = {
            stage: figures(stage_approval[k]) for k, stage in enumerate(stage_ids) if k < len(stage_approval)
        }
    if kind_days is not None:
        total = float(kind_days.sum())
        mean_elapsed = float(elapsed.mean()) if elapsed.size else 0.0
        block["elapsed_by_kind"] = {
            name: {
                "days": _round(mean_elapsed * kind_days[k] / total if total else 0.0, 2),
                "share": _round(kind_days[k] / total if total else 0.0),
            }
            for k, name in enumerate(CATEGORIES)
        }
    return block


def _verdict(values: np.ndarray, ceiling: float) -> tuple[str, tuple[float | None, float | None]]:
    """``holds`` when the 95 % CI of the mean (across replications) is at or below the ceiling, ``fails`` when it
    is above, else ``inconclusive``."""
    lo, hi = mean_ci(values)
    if np.isnan(lo):
        return "inconclusive", (None, None)
    verdict = "holds" if hi <= ceiling + 1e-9 else "fails" if lo > ceiling + 1e-9 else "inconclusive"
    return verdict, (_round(lo), _round(hi))


def target_checks(
    targets: dict | None,
    per_replication: list[dict[str, np.ndarray]],
    pooled: dict[str, np.ndarray],
) -> list[dict]:
    """Each time target of the process against the simulated projects: the mean (with its 95 % CI across
    replications and a verdict), the p90 and the share of projects within the ceiling.

    ``per_replication`` and ``pooled`` map a measure (``approval_days``, ``elapsed_days``, ``stage:<id>``) to
    per-project days."""
    if not targets:
        return []
    wanted: list[tuple[str, str, dict]] = []
    if targets.get("approval_days"):
        wanted.append(("approval_days", "whole process", targets["approval_days"]))
    for stage, target in (targets.get("stage_approval_days") or {}).items():
        wanted.append((f"stage:{stage}", f"stage {stage}", target))
    if targets.get("elapsed_days"):
        wanted.append(("elapsed_days", "whole process", targets["elapsed_days"]))
    checks = []
    for measure, scope, target in wanted:
        if measure not in pooled:
            continue
        ceiling = float(target["max_days"])
        values = pooled[measure]
        verdict, ci = _verdict(np.array([r[measure].mean() for r in per_replication]), ceiling)
        checks.append(
            {
                "measure": "elapsed_days" if measure == "elapsed_days" else "approval_days",
                "scope": scope,
                "unit": "calendar days" if measure == "elapsed_days" else "working days",
                "max_days": ceiling,
                "mean": _round(values.mean()),
                "mean_ci95": list(ci),
                "p90": _round(np.percentile(values, 90)),
                "share_within": _round((values <= ceiling + 1e-9).mean()),
                "verdict": verdict,
                "status": target.get("status"),
                "sources": list(target.get("sources") or ()),
                "note": target.get("note"),
            }
        )
    return checks


def replication_clock_means(results: Sequence) -> dict[str, np.ndarray]:
    """Per replication, the mean approval days and mean elapsed (calendar) days of its projects."""
    approval = [r.approval_days.mean() if r.approval_days is not None else np.nan for r in results]
    elapsed = [calendar_days(r.start_date, r.arrival_days, r.end_to_end_days)[0].mean() for r in results]
    return {"approval_days": np.array(approval, dtype=float), "elapsed_days": np.array(elapsed, dtype=float)}


def clock_comparison(baseline_results: Sequence, reform_results: Sequence) -> dict:
    """Baseline vs reform on each clock: the means and the reduction ``1 - reform / baseline`` of the mean, per
    replication (common random numbers), with its 95 % CI."""
    first, second = replication_clock_means(baseline_results), replication_clock_means(reform_results)
    out = {}
    for measure in ("approval_days", "elapsed_days"):
        before, after = first[measure], second[measure]
        with np.errstate(divide="ignore", invalid="ignore"):
            cut = 1 - after / before
        lo, hi = mean_ci(cut)
        out[measure] = {
            "baseline_mean": _round(np.mean(before)),
            "reform_mean": _round(np.mean(after)),
            "reduction": {"mean": _round(np.mean(cut), 6), "ci95": [_round(lo, 6), _round(hi, 6)]},
        }
    return out
