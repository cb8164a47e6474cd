"""A city's project mix: each simulated project draws its profile (which items it needs) from the scenario's
``mix: {profile: weight}``, and a run reports the mixed result and the result per profile.

Common random numbers hold across profiles, sides and framings. A project's profile comes from one uniform on a
stream of its own (per replication and project, like the arrival times), so the same project has the same
profile on both sides of a comparison and in every framing; and every item's draws are keyed by the item's id
and the project's number, so a project draws the same times whichever profile it has. The draws are made once
per chunk for the whole catalog (:attr:`Mix.union`) and each profile takes its rows and its projects.

Without queues projects never interact, so each profile's projects are assembled by the profile's own compiled
process. With department capacities, projects of every profile compete for the same departments: the event
engine runs them together over the whole catalog, each project with its own items and ordering
(:data:`simulations.des.ProjectPlan`), and each profile's projects are then assembled from that joint run.

The mixed result covers the whole catalog's items (an item a project does not need counts as 0 for it): per-item
figures are per project of the mix. Per profile, the result is that profile's own (its items, its projects).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from approval_model.models import Process, ProjectProfile
from approval_model.profiles import applicable_process, mix_profiles
from simulations.compiled import CompiledProcess, Mode, compile_process
from simulations.des import ProjectPlan, run_des
from simulations.results import SimulationResult, assemble, gain_limit
from simulations.sampling import Draws, draw, mix_uniforms
from simulations.timeline import Timeline, timeline_of

__all__ = ["Mix", "Simulated", "assign", "combine", "compile_mix", "mix_timelines", "run_replication_mix"]

_NEVER = 1 << 30  # prerequisites pending of an item a project does not have: it is never requested


@dataclass(frozen=True)
class Mix:
    """The profiles of a mix, their shares (summing to 1) and each profile's compiled process."""

    name: str
    profiles: tuple[str, ...]
    shares: np.ndarray
    parts: tuple[CompiledProcess, ...]
    union: CompiledProcess  # the whole catalog: every item the draws and the joint event engine need
    rows: tuple[np.ndarray, ...]  # per part: the union row of each of its items, in the part's order

    @property
    def limited(self) -> bool:
        return any(part.limited for part in self.parts)

    @property
    def arrival_rate(self) -> float | None:
        return self.union.arrival_rate

    @property
    def parallel_share(self) -> float | None:
        return self.union.parallel_share

    @property
    def batch_release(self) -> bool:
        return self.union.batch_release

    @property
    def start_date(self):  # noqa: ANN201 - a date
        return self.union.start_date

    @property
    def n_items(self) -> int:
        return self.union.n_items

    def weights(self) -> dict[str, float]:
        return {name: round(float(share), 6) for name, share in zip(self.profiles, self.shares, strict=True)}

    def with_parallel_share(self, share: float | None) -> Mix:
        """Every part (and the union) handled in parallel with this share in mode ``partial``."""
        return replace(
            self,
            union=replace(self.union, parallel_share=share),
            parts=tuple(replace(part, parallel_share=share) for part in self.parts),
        )


Simulated = CompiledProcess | Mix  # what the engines run: one process, or a project mix


def compile_mix(
    process: Process,
    mix: Mapping[str, float] | None = None,
    profiles: Mapping[str, ProjectProfile] | None = None,
) -> Mix:
    """Compile each profile of a mix (the items that apply to it) and the whole catalog: the process's own
    ``mix``, or the one given with its profiles (a comparison: both sides draw from the declaring side's mix)."""
    mix = process.mix if mix is None else mix
    if mix is None:
        raise ValueError(f"{process.name}: no mix declared")
    profiles = mix_profiles(process) if profiles is None else profiles
    names = tuple(name for name, weight in mix.items() if weight > 0)
    weights = np.array([mix[name] for name in names], dtype=float)
    union = compile_process(process)
    index = {item_id: row for row, item_id in enumerate(union.item_ids)}
    parts = tuple(compile_process(applicable_process(process, profiles[name])) for name in names)
    return Mix(
        name=process.name,
        profiles=names,
        shares=weights / weights.sum(),
        parts=parts,
        union=union,
        rows=tuple(np.array([index[item_id] for item_id in part.item_ids], dtype=np.intp) for part in parts),
    )


def assign(mix: Mix, replication_seed: np.random.SeedSequence, start: int, stop: int) -> np.ndarray:
    """The profile (index into ``mix.profiles``) of projects ``start..stop-1``: one uniform per project, laid on
    the profiles in the order of their names (so the order a file lists them in changes nothing)."""
    order = np.argsort(np.array(mix.profiles, dtype=object))
    bounds = np.cumsum(mix.shares[order])[:-1]
    return order[np.searchsorted(bounds, mix_uniforms(replication_seed, start, stop), side="right")]


def _select(draws: Draws, rows: np.ndarray, columns: np.ndarray) -> Draws:
    """The draws of some items (rows) of some projects (columns)."""

    def pick(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[np.ix_(rows, columns)]

    return Draws(
        draws.start,
        draws.handling[np.ix_(rows, columns)],
        pick(draws.applicant),
        pick(draws.supplemented),
        pick(draws.split),
        pick(draws.excluded),
        draws.arrival[columns],
        None if draws.parallel is None else draws.parallel[columns],
    )


def _plan(mix: Mix, who: np.ndarray, mode: Mode, parallel: np.ndarray | None) -> ProjectPlan:
    """Each project's items and ordering on the union's rows (the event engine's :data:`ProjectPlan`)."""
    m = mix.union.n_items
    shapes: dict[tuple[int, str], tuple[list, tuple, list[int]]] = {}
    for g, (part, rows) in enumerate(zip(mix.parts, mix.rows, strict=True)):
        how: Mode
        for how in ("serial", "parallel"):
            dependents: list = [()] * m
            for i, follow in enumerate(part.dependents(how)):
                dependents[rows[i]] = tuple((int(rows[j]), delay) for j, delay in follow)
            roots = tuple((int(rows[i]), delay) for i, delay in part.roots(how))
            pending = [_NEVER] * m
            counts = (
                [len(p) for p in part.prerequisites] if how == "parallel" else [0] + [1] * (part.n_items - 1)
            )
            for i, count in enumerate(counts):
                pending[rows[i]] = count
            shapes[(g, how)] = (dependents, roots, pending)
    dependents_of, roots_of, pending_all, remaining = [], [], [], []
    for p, g in enumerate(who.tolist()):
        how = (
            mode if mode != "partial" else ("parallel" if parallel is not None and parallel[p] else "serial")
        )
        dependents, roots, pending = shapes[(g, how)]
        dependents_of.append(dependents)
        roots_of.append(roots)
        pending_all.extend(pending)
        remaining.append(mix.parts[g].n_items)
    return dependents_of, roots_of, pending_all, remaining


def run_replication_mix(
    mix: Mix,
    modes: Sequence[Mode],
    projects: int,
    replication_seed: np.random.SeedSequence,
    *,
    engine: str = "montecarlo",
    replication: int = 0,
    gains: Collection[Mode] = (),
    chunk: int,
    on_chunk: Callable[[], None] | None = None,
    warmup: int = 0,
) -> dict[Mode, SimulationResult]:
    """One replication of a mix in several modes (as :func:`simulations.runner.run_replication_modes`): per
    mode the mixed result, its ``profiles`` holding each profile's own."""
    per_profile: dict[tuple[int, Mode], SimulationResult] = {}

    def add(g: int, mode: Mode, result: SimulationResult) -> None:
        key = (g, mode)
        per_profile[key] = (
            SimulationResult.merge([per_profile[key], result]) if key in per_profile else result
        )

    if engine == "des":
        draws = draw(mix.union, replication_seed, 0, projects)
        who = assign(mix, replication_seed, 0, projects)
        counted = np.arange(projects) >= warmup
        for mode in modes:
            again: list[np.ndarray] = []
            plan = _plan(mix, who, mode, draws.parallel)
            wait, e2e, events = run_des(mix.union, draws, mode, wait_again=again, plan=plan)
            for g, (part, rows) in enumerate(zip(mix.parts, mix.rows, strict=True)):
                columns = np.flatnonzero((who == g) & counted)
                add(
                    g,
                    mode,
                    assemble(
                        part,
                        _select(draws, rows, columns),
                        mode,
                        "des",
                        replication=replication,
                        wait=wait[np.ix_(rows, columns)],
                        end_to_end_days=e2e[columns],
                        events=events if g == 0 else 0,
                        gains=mode in gains,
                        wait_again=again[0][np.ix_(rows, columns)] if again else None,
                    ),  # fmt: skip
                )
        if on_chunk:
            on_chunk()
    else:
        for start in range(0, projects, chunk):
            stop = min(projects, start + chunk)
            draws = draw(mix.union, replication_seed, start, stop)
            who = assign(mix, replication_seed, start, stop)
            for g, (part, rows) in enumerate(zip(mix.parts, mix.rows, strict=True)):
                columns = np.flatnonzero(who == g)
                chosen = _select(draws, rows, columns)
                plans: dict = {}
                for mode in modes:
                    add(
                        g,
                        mode,
                        assemble(
                            part,
                            chosen,
                            mode,
                            "montecarlo",
                            replication=replication,
                            plans=plans,
                            gains=start == 0 and mode in gains,
                            gain_sample=min(columns.size, gain_limit(part.n_items)),
                        ),  # fmt: skip
                    )
            if on_chunk:
                on_chunk()
    return {
        mode: combine(mix, {name: per_profile[(g, mode)] for g, name in enumerate(mix.profiles)})
        for mode in modes
    }


def _spread(values: np.ndarray | None, rows: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=float if values is None else values.dtype)
    if values is not None:
        out[rows] = values
    return out


def combine(mix: Mix, parts: dict[str, SimulationResult]) -> SimulationResult:
    """The mixed result of the profiles' results: projects side by side, per-item sums on the union's items."""
    union = mix.union
    m = union.n_items
    results = [parts[name] for name in mix.profiles]
    rows = dict(zip(mix.profiles, mix.rows, strict=True))

    def items(name: str) -> np.ndarray:
        return np.sum([_spread(getattr(r, name), rows[p], m) for p, r in parts.items()], axis=0)

    def projects(name: str) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in results])

    joins: dict[int, dict[int, int]] = {}
    for p, r in parts.items():
        for j, row in r.join_last.items():
            target = joins.setdefault(int(rows[p][j]), {})
            for k, count in row.items():
                target[int(rows[p][k])] = target.get(int(rows[p][k]), 0) + count
    gains = [r for r in results if r.gain_sum is not None]
    stage = [r.stage_approval_days for r in results if r.stage_approval_days is not None]
    approval = [r.approval_days for r in results if r.approval_days is not None]
    kinds = [r.kind_calendar_days for r in results if r.kind_calendar_days is not None]
    first = results[0]
    return replace(
        first,
        item_ids=union.item_ids,
        item_names=union.item_names,
        item_department=tuple(union.item_department.tolist()),
        item_kinds=union.kinds,
        item_day_units=tuple("calendar" if row in union.calendar_rows else "working" for row in range(m)),
        item_own_handling=union.own_handling,
        limits=union.limits,
        statutory_limits=union.statutory_limits,
        first_project=min(r.first_project for r in results),
        arrival_days=projects("arrival_days"),
        end_to_end_days=projects("end_to_end_days"),
        counted_days=projects("counted_days"),
        overdue_items=projects("overdue_items"),
        item_wait=items("item_wait"),
        item_handling=items("item_handling"),
        item_stopped=items("item_stopped"),
        item_overdue=items("item_overdue"),
        item_critical=items("item_critical"),
        join_last=joins,
        gain_sum=np.sum(
            [_spread(r.gain_sum, rows[p], m) for p, r in parts.items() if r.gain_sum is not None], axis=0
        )
        if gains
        else None,
        gain_projects=sum(r.gain_projects for r in results),
        department_busy=np.sum([r.department_busy for r in results], axis=0),
        department_wait=np.sum([r.department_wait for r in results], axis=0),
        department_files=np.sum([r.department_files for r in results], axis=0),
        events=sum(r.events for r in results),
        approval_days=np.concatenate(approval) if len(approval) == len(results) else None,
        stage_approval_days=np.concatenate(stage, axis=1) if len(stage) == len(results) else None,
        kind_calendar_days=np.sum(kinds, axis=0) if len(kinds) == len(results) else None,
        profiles=dict(parts),
    )


def mix_timelines(
    mix: Mix,
    mode: Mode,
    projects: int,
    replication_seed: np.random.SeedSequence,
    *,
    engine: str = "montecarlo",
) -> list[tuple[str, np.ndarray, Timeline]]:
    """Per profile: its projects (numbers from 0) and their files' events, as one replication of the mix ran them
    (the event engine: all profiles together, as in :func:`run_replication_mix`)."""
    draws = draw(mix.union, replication_seed, 0, projects)
    who = assign(mix, replication_seed, 0, projects)
    wait = again = None
    if engine == "des":
        collected: list[np.ndarray] = []
        wait, _, _ = run_des(
            mix.union, draws, mode, wait_again=collected, plan=_plan(mix, who, mode, draws.parallel)
        )
        again = collected[0] if collected else None
    out = []
    for g, (name, part, rows) in enumerate(zip(mix.profiles, mix.parts, mix.rows, strict=True)):
        columns = np.flatnonzero(who == g)
        events = timeline_of(
            part, _select(draws, rows, columns), mode,
            None if wait is None else wait[np.ix_(rows, columns)],
            None if again is None else again[np.ix_(rows, columns)],
        )  # fmt: skip
        out.append((name, columns, events))
    return out
