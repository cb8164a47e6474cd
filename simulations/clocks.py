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

Speed (every Monte Carlo chunk computes these, whichever figures a command reports): in series the union is a
sum; in parallel it follows the schedule's chains (:mod:`simulations.intervals`), so an all-approval process
without coordination delays needs no sort at all; only the critical items are laid on the calendar, and a
path of one kind of working-day steps without gaps needs only its two ends. Rows are computed one at a time:
fresh chunk-sized matrices cost more in page faults than in arithmetic. ``tests/test_intervals.py`` checks all
of it against a per-project reference.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from approval_model.calendar import default_calendar
from approval_model.clock import shared_clock
from simulations.compiled import CompiledProcess, Mode
from simulations.intervals import ChainPlan, Rows, chain_plan, chained_union
from simulations.intervals import union_length as _union_length
from simulations.montecarlo import Schedule, start_time
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
    return _union_length(starts, ends)


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
    none = np.broadcast_to(0.0, handling.shape)  # read-only zeros that take no memory
    if draws.applicant is None:
        first = handling if wait is None else wait + handling
        return first, none, none, none, none
    split = np.broadcast_to(1.0, handling.shape) if draws.split is None else draws.split
    first = handling * split
    second = handling * (1.0 - split)
    if wait is not None:  # the queue before the file is accepted, and again after the 补正 (event engine)
        again = none if wait_again is None else wait_again
        first = wait - again + first
        second = again + second
    waited = none if wait is None else wait
    excluded = none if draws.excluded is None else draws.excluded
    return first, draws.applicant, second, excluded, waited


class _Rows:
    """Rows of an (items x projects) quantity computed one at a time, on demand: the clocks need a few rows,
    and a chunk's full matrices would be allocated afresh (and page-faulted in) for every mode of every chunk.
    Indexing remembers the row; :meth:`row` computes it without remembering (a pass over every item)."""

    def __init__(self, compute: Callable[[int], np.ndarray]) -> None:
        self._compute = compute
        self._kept: dict[int, np.ndarray] = {}

    def __getitem__(self, j: int) -> np.ndarray:
        if j not in self._kept:
            self._kept[j] = self._compute(j)
        return self._kept[j]

    def row(self, j: int) -> np.ndarray:
        return self._kept[j] if j in self._kept else self._compute(j)


def clock_figures(
    compiled: CompiledProcess,
    draws: Draws,
    plan: Schedule,
    critical: np.ndarray | None = None,
    *,
    serial: bool = False,
    wait: np.ndarray | None = None,
    wait_again: np.ndarray | None = None,
) -> ClockFigures:
    """The two clocks of each project from its schedule (``plan``: finish times relative to arrival, working
    days, and who held up each join), the draws, the waiting (event engine) and, in parallel, the realised
    critical path (bool, items x projects; serial: every item is on it).

    ``serial``: items run one after another, so approval intervals never overlap and the union is their sum.
    In parallel the union follows the schedule's chains (:func:`simulations.intervals.chained_union`)."""
    m, n = draws.handling.shape
    first, applicant, second, _, _ = _phases(compiled, draws, wait, wait_again)
    mode: Mode = "serial" if serial else "parallel"
    starts = _Rows(lambda j: start_time(compiled, plan, j, mode))
    approval_rows = [j for j in range(m) if not compiled.kinds or compiled.kinds[j] == "approval"]
    stages = max(len(compiled.stage_ids), 1)
    if serial:
        approval, per_stage = _serial_approval(compiled, draws, first, second, approval_rows, stages)
    else:
        approval, per_stage = _chained_approval(
            compiled, draws, plan, starts, first, applicant, second, approval_rows, stages
        )
    if critical is None:
        if not serial:
            raise ValueError("the parallel clocks need the realised critical paths")
        critical = np.ones((0, 0), dtype=bool)  # not read in series: every item is on the path
    kinds = _kind_days(compiled, draws, starts, plan.finish, critical, first, applicant, second, serial)
    return ClockFigures(approval, per_stage, kinds)


def _serial_approval(
    compiled: CompiledProcess,
    draws: Draws,
    first: np.ndarray,
    second: np.ndarray,
    approval_rows: list[int],
    stages: int,
) -> tuple[np.ndarray, np.ndarray]:
    """In series approval intervals never overlap: the clock is the sum of the counted time, row by row."""
    n = first.shape[1]

    def total(rows: list[int]) -> np.ndarray:
        if not rows:
            return np.zeros(n)
        counted = first[rows[0]].copy()
        if draws.applicant is not None:
            counted += second[rows[0]]
        for j in rows[1:]:
            counted += first[j] if draws.applicant is None else first[j] + second[j]
        return counted

    stage_of = [compiled.item_stage[j] if compiled.item_stage else 0 for j in approval_rows]
    per_stage = np.zeros((stages, n))
    for g in range(stages):
        per_stage[g] = total([j for j, k in zip(approval_rows, stage_of, strict=True) if k == g])
    return total(approval_rows), per_stage


def _chained_approval(
    compiled: CompiledProcess,
    draws: Draws,
    plan: Schedule,
    starts: _Rows,
    first: np.ndarray,
    applicant: np.ndarray,
    second: np.ndarray,
    approval_rows: list[int],
    stages: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The approval clock of a parallel schedule, whole and per stage, along the schedule's chains."""
    n = plan.finish.shape[1]
    whole, per_stage_plans = _approval_plans(_structure(compiled, draws.applicant is not None), stages)
    last_end: Rows = plan.finish  # without stopped time: one counted interval, start to finish
    first_end: Rows | None = None
    resumed: Rows | None = None
    if draws.stopped is not None:  # counted, the 补正 (zero-length without one), counted again, excluded
        first_ends = first_end = _Rows(lambda j: starts[j] + first[j])
        resumes = resumed = _Rows(lambda j: first_ends[j] + applicant[j])
        last_end = _Rows(lambda j: resumes[j] + second[j])

    def union(chains: ChainPlan) -> np.ndarray:
        if not chains.members:
            return np.zeros(n)
        return chained_union(chains, starts, last_end, first_end, resumed, plan.binding)

    approval = union(whole)
    per_stage = np.zeros((stages, n))
    for g, chains in enumerate(per_stage_plans):
        per_stage[g] = approval if chains is whole else union(chains)
    return approval, per_stage


_Structure = tuple[
    tuple[tuple[int, ...], ...],  # prerequisites
    tuple[tuple[bool, ...], ...],  # delayed: stage coordination between the prerequisite and the item
    tuple[int, ...],  # stage per approval item (-1: not an approval item)
    frozenset[int],  # items whose counted time is followed by excluded time
    frozenset[int],  # items with a 补正 request
]


def _structure(compiled: CompiledProcess, stops: bool) -> _Structure:
    """What the chains of a parallel schedule depend on (hashable, so the plans are built once per process)."""
    coordinated = compiled.coordination_days > 0
    m = compiled.n_items
    return (
        compiled.prerequisites,
        tuple(tuple(coordinated and c for c in changes) for changes in compiled.stage_change),
        tuple(
            (compiled.item_stage[j] if compiled.item_stage else 0)
            if not compiled.kinds or compiled.kinds[j] == "approval"
            else -1
            for j in range(m)
        ),
        frozenset(j for j in range(m) if compiled.excluded[j] is not None),
        frozenset(
            j for j in range(m) if stops and (s := compiled.supplement[j]) is not None and s.probability > 0
        ),
    )


@functools.lru_cache(maxsize=64)
def _approval_plans(structure: _Structure, stages: int) -> tuple[ChainPlan, tuple[ChainPlan, ...]]:
    """The chain plans of all approval items and of each stage's (the whole one where a stage holds them all)."""
    prerequisites, delayed, stage_of, ends_stopped, split = structure
    approval = tuple(j for j, g in enumerate(stage_of) if g >= 0)

    def plan(members: tuple[int, ...]) -> ChainPlan:
        return chain_plan(members, prerequisites, delayed, ends_stopped, split)

    whole = plan(approval)
    per_stage = []
    for g in range(stages):
        members = tuple(j for j in approval if stage_of[j] == g)
        per_stage.append(whole if members == approval and members else plan(members))
    return whole, tuple(per_stage)


def _gapless(compiled: CompiledProcess, draws: Draws, serial: bool) -> bool:
    """Whether every project's path is one kind of working-day steps from arrival to the end, without a gap:
    no calendar-day step, no stopped clock, nothing between an item and the next (no handover in series, no
    stage coordination in parallel)."""
    kinds = set(compiled.kinds or ("approval",))
    return (
        len(kinds) == 1
        and not compiled.calendar_rows
        and draws.applicant is None
        and draws.excluded is None
        and (compiled.handover_days if serial else compiled.coordination_days) == 0
    )


def _kind_days(
    compiled: CompiledProcess,
    draws: Draws,
    starts: _Rows,
    finish: np.ndarray,
    critical: np.ndarray,
    first: np.ndarray,
    applicant: np.ndarray,
    second: np.ndarray,
    serial: bool = False,
) -> np.ndarray:
    """Calendar days of each project's realised critical path by category (categories x projects).

    Walked in topological order, so each critical item follows the one before it on the path: an item is
    credited from where the previous one ended on the calendar (a calendar-day step ends exactly its days after
    it starts, even on a Sunday; the working-day axis would stop it at Saturday) to where it ends. Days before a
    step can start (a weekend after a Friday decision) go to the step that waits for them.

    Only the critical items' times are laid on the calendar. When every item is of one kind, works in working
    days and has no stopped clock, and nothing delays an item after its predecessor (no handover in series, no
    stage coordination in parallel), each item starts on the calendar where the one before it ended: the path's
    items then cover it from arrival to the end without a gap, all of it that kind's."""
    clock = shared_clock(compiled.start_date)
    arrival = draws.arrival
    m, n = finish.shape
    totals = np.zeros((len(CATEGORIES), n))
    if m == 0:
        return totals
    origin = clock.to_calendar(arrival)
    path_total = clock.to_calendar(arrival + finish.max(axis=0)) - origin
    stopped = draws.applicant is not None or draws.excluded is not None
    kinds = compiled.kinds or ("approval",) * m
    if _gapless(compiled, draws, serial):
        totals[_INDEX[kinds[0]]] = path_total
        return totals
    reached = origin.copy()  # where the path has got to on the calendar, per project
    covered = np.zeros(n)
    calendar = set(compiled.calendar_rows)
    for j in range(m):  # item by item: small temporaries
        on: np.ndarray | slice = slice(None) if serial else np.flatnonzero(critical[j])
        a = arrival[on]
        if not a.size:
            continue
        start = starts.row(j)[on]
        begin = clock.to_calendar(a + start)
        t0 = np.maximum(begin, reached[on])
        own_end = begin + draws.handling[j, on] if j in calendar else clock.to_calendar(a + finish[j, on])
        end = np.maximum(own_end, t0)
        kind = kinds[j]
        if kind != "approval" or j in calendar:
            totals[_INDEX[kind], on] += end - t0
        elif not stopped:
            totals[_INDEX["approval"], on] += end - t0
        else:
            # inside an approval item: counted time, the applicant's 补正, counted again, then excluded time
            b1 = start + first[j, on]
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
