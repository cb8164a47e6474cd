"""When each simulated file was accepted, paused and completed: the events an approval platform records.

The results of a run keep sums per item (they merge across chunks and replications); a platform-style record of
each file needs the times themselves. :func:`timeline` redraws one replication with the same seed (the same
draws as the run) and lays out, per item and project, on the working-day axis from day 0 of the simulation:

* ``accepted``: the file is handed in (its prerequisites done, plus handover or stage coordination); a wait in
  the department's queue (event engine) counts as the department's time, as the statutory clock runs from 受理;
* ``supplement``: the 补正 period, after ``split`` of the handling (and the queue wait before it), lasting the
  applicant's time; the rest of the handling (and any wait after resubmission) follows;
* ``expert``: the excluded time (expert review, technical evaluation) after the handling, clock stopped;
* ``completed``: the decision.

A calendar-day step (``day_unit: calendar``) has no stops; it runs from its start to its finish as the schedule
lays it on the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulations.compiled import CompiledProcess, Mode
from simulations.des import run_des
from simulations.montecarlo import schedule, start_times
from simulations.sampling import Draws, draw

__all__ = ["Timeline", "timeline", "timeline_of"]


@dataclass(frozen=True)
class Timeline:
    """Event times (working days from day 0) per item (row) and project (column); NaN where an event did not
    happen (no 补正, no expert review)."""

    item_ids: tuple[str, ...]
    arrival: np.ndarray
    accepted: np.ndarray
    supplement_start: np.ndarray
    supplement_end: np.ndarray
    expert_start: np.ndarray
    expert_end: np.ndarray
    completed: np.ndarray

    @property
    def projects(self) -> int:
        return int(self.arrival.shape[0])


def _plan_start_finish(
    compiled: CompiledProcess, elapsed: np.ndarray, mode: Mode, arrival: np.ndarray, wait: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    plan = schedule(compiled, elapsed, mode, arrival=arrival, wait=wait)
    return start_times(compiled, plan, mode), plan.finish


def timeline(
    compiled: CompiledProcess,
    mode: Mode,
    projects: int,
    replication_seed: np.random.SeedSequence,
    *,
    engine: str = "montecarlo",
) -> Timeline:
    """The events of every file of one replication (``replication_seed``: as the run's replication)."""
    draws = draw(compiled, replication_seed, 0, projects)
    wait = wait_again = None
    if engine == "des":
        again: list[np.ndarray] = []
        wait, _, _ = run_des(compiled, draws, mode, wait_again=again)
        wait_again = again[0] if again else None
    return timeline_of(compiled, draws, mode, wait, wait_again)


def timeline_of(
    compiled: CompiledProcess,
    draws: Draws,
    mode: Mode,
    wait: np.ndarray | None = None,
    wait_again: np.ndarray | None = None,
) -> Timeline:
    """The events of drawn files, with the queue waits of an event-engine run (None: no queue)."""
    m, n = draws.handling.shape
    zeros = np.zeros((m, n))
    applicant = draws.applicant if draws.applicant is not None else zeros
    split = draws.split if draws.split is not None else np.ones((m, n))
    excluded = draws.excluded if draws.excluded is not None else zeros
    supplemented = draws.supplemented if draws.supplemented is not None else np.zeros((m, n), dtype=bool)
    calendar = np.zeros(m, dtype=bool)
    calendar[list(compiled.calendar_rows)] = True
    elapsed = draws.handling + applicant + excluded + (wait if wait is not None else 0.0)
    elapsed[calendar] = draws.handling[calendar]  # calendar days: the schedule lays them on the calendar
    arrival = draws.arrival
    if mode == "partial":
        if draws.parallel is None:
            raise ValueError(f"{compiled.name}: mode 'partial' needs simulation.parallel_share")
        serial = _plan_start_finish(compiled, elapsed, "serial", arrival, wait)
        parallel = _plan_start_finish(compiled, elapsed, "parallel", arrival, wait)
        start = np.where(draws.parallel, parallel[0], serial[0])
        finish = np.where(draws.parallel, parallel[1], serial[1])
    else:
        start, finish = _plan_start_finish(compiled, elapsed, mode, arrival, wait)
    accepted = arrival + start
    before = (
        wait - wait_again
        if wait is not None and wait_again is not None
        else (wait if wait is not None else 0.0)
    )
    after = wait_again if wait_again is not None else 0.0
    pause = accepted + before + draws.handling * split
    resume = pause + applicant
    handled = resume + after + draws.handling * (1 - split)
    done = np.where(calendar[:, None], arrival + finish, handled + excluded)
    nan = np.full((m, n), np.nan)
    has_supplement = supplemented & ~calendar[:, None]
    has_expert = (excluded > 0) & ~calendar[:, None]
    return Timeline(
        item_ids=compiled.item_ids,
        arrival=arrival,
        accepted=accepted,
        supplement_start=np.where(has_supplement, pause, nan),
        supplement_end=np.where(has_supplement, resume, nan),
        expert_start=np.where(has_expert, handled, nan),
        expert_end=np.where(has_expert, handled + excluded, nan),
        completed=done,
    )
