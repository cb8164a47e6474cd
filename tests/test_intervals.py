"""The fast clocks against a straightforward reference: a per-project interval union and a per-project walk of
the critical path in plain Python, on random processes (kinds, calendar-day steps, 补正, excluded time, stage
coordination, handover, queues) and random intervals, including ties, touching and empty intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from approval_model.clock import WorkingClock
from approval_model.models import Process
from rules.loading import for_profile, load
from simulations.clocks import CATEGORIES, _approval_plans, _structure, clock_figures
from simulations.compiled import CompiledProcess, compile_process
from simulations.des import run_des
from simulations.intervals import sorting_network, union_length
from simulations.montecarlo import critical_items, end_to_end, schedule
from simulations.sampling import Draws, draw, replication_seeds

KINDS = ("approval", "approval", "approval", "intermediary", "utility", "notice", "applicant")


def python_union(intervals: list[tuple[float, float]]) -> float:
    """Length of a union of closed intervals: sort by start, merge, add up the merged pieces."""
    total, current = 0.0, None
    for start, end in sorted((s, e) for s, e in intervals if e >= s):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = [start, end]
        else:
            current[1] = max(current[1], end)
    return total + (current[1] - current[0] if current is not None else 0.0)


# ------------------------------------------------------------------------------------------- union of intervals
def test_the_sorting_networks_sort_every_zero_one_input():
    """0-1 principle: a comparator network that sorts every 0/1 sequence sorts every sequence."""
    for size in range(1, 13):
        columns = np.arange(2**size)
        rows = [((columns >> k) & 1).astype(float) for k in range(size)]
        for low, high in sorting_network(size):
            rows[low], rows[high] = np.minimum(rows[low], rows[high]), np.maximum(rows[low], rows[high])
        assert (np.diff(np.array(rows), axis=0) >= 0).all(), size


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 12, 13, 40, 41, 64])
def test_union_length_equals_a_sweep_per_project(rows: int):
    rng = np.random.default_rng(rows)
    projects = 300
    starts = rng.integers(0, 30, (rows, projects)).astype(float)  # whole days: many ties and touching ends
    ends = starts + rng.integers(0, 6, (rows, projects))
    starts[:, :100] += rng.uniform(0, 1, (rows, 100))  # and some continuous ones
    ends[:, :100] = starts[:, :100] + rng.exponential(3, (rows, 100))
    ends[0, 250:] = starts[0, 250:] - 1  # an empty interval (ends before it starts)
    expected = [
        python_union(list(zip(starts[:, k].tolist(), ends[:, k].tolist(), strict=True)))
        for k in range(projects)
    ]
    np.testing.assert_allclose(union_length(starts, ends), expected, rtol=0, atol=1e-9)


def test_union_length_by_hand():
    # [0,4] U [3,4.5] U [5,6] = 5.5; [2,3] U [0,1] U [1,1] (touching, a point) = 2
    starts = np.array([[0.0, 2.0], [3.0, 0.0], [5.0, 1.0]])
    ends = np.array([[4.0, 3.0], [4.5, 1.0], [6.0, 1.0]])
    assert union_length(starts, ends).tolist() == [5.5, 2.0]


# ------------------------------------------------------------------------------------------ random processes
def random_process(seed: int) -> Process:
    """Every fifth one plain (approval items only, nothing stopped or delayed: the fast forms), else mixed."""
    rng = np.random.default_rng(seed)
    plain = seed % 5 == 0
    count = int(rng.integers(2, 13))
    stages = int(rng.integers(1, 4))
    items: list[dict[str, Any]] = []
    for index in range(count):
        kind = str(rng.choice(KINDS)) if index and not plain else "approval"
        calendar = kind != "approval" and rng.random() < 0.6
        item: dict[str, Any] = {
            "id": f"T{index}",
            "name": f"事项{index}",
            "department": "d1" if kind == "approval" else "d2",
            "stage": f"S{min(stages - 1, index * stages // count + int(rng.integers(0, 2)))}",
            "statutory_limit_days": int(rng.integers(1, 25)),
            "kind": kind,
            "day_unit": "calendar" if calendar else "working",
            "prerequisites": sorted(
                {f"T{j}" for j in rng.integers(0, index, int(rng.integers(0, 4)))} if index else set()
            ),
        }
        shape = rng.integers(0, 4)
        if shape == 0:  # fixed times make ties between the items' ends
            item["handling_days"] = {"distribution": "fixed", "value": int(rng.integers(0, 8))}
        elif shape == 1:
            item["handling_days"] = {"distribution": "exponential", "mean": float(rng.uniform(1, 10))}
        elif shape == 2 and kind != "notice":
            item["handling_days"] = {"distribution": "uniform", "low": 1, "high": 9}
        if kind == "approval" and not plain and rng.random() < 0.4:
            item["supplement"] = {
                "probability": float(rng.choice([0.3, 1.0])),
                "applicant_days": {"distribution": "uniform", "low": 0, "high": 6},
            }
        if kind == "approval" and not plain and rng.random() < 0.3:
            item["excluded_days"] = float(rng.choice([0.0, 2.0, 3.5]))
        items.append(item)
    simulation: dict[str, Any] = {
        "start_date": str(rng.choice(["2017-09-25", "2018-02-09", "2019-04-29"])),
        "stage_coordination_days": 0.0 if plain else float(rng.choice([0.0, 0.0, 1.0, 0.5])),
        "serial_handover_days": 0.0 if plain else float(rng.choice([0.0, 2.0])),
    }
    if rng.random() < 0.3:
        simulation["arrivals"] = {"per_working_day": 2.0}
    return Process.model_validate(
        {
            "name": f"random-{seed}",
            "departments": [{"id": "d1", "name": "审批"}, {"id": "d2", "name": "其他"}],
            "stages": [{"id": f"S{k}", "name": f"阶段{k}"} for k in range(stages)],
            "items": items,
            "simulation": simulation,
        }
    )


def reference_clocks(
    compiled: CompiledProcess,
    draws: Draws,
    finish: np.ndarray,
    critical: np.ndarray,
    serial: bool,
    wait: np.ndarray | None,
    again: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The clocks project by project, by their definitions (docs/kinds-and-clocks.md)."""
    clock = WorkingClock(compiled.start_date)
    m, n = finish.shape
    stages = max(len(compiled.stage_ids), 1)
    approval, per_stage = np.zeros(n), np.zeros((stages, n))
    kinds = np.zeros((len(CATEGORIES), n))
    index = {name: k for k, name in enumerate(CATEGORIES)}
    calendar = set(compiled.calendar_rows)
    stopped = draws.applicant is not None or draws.excluded is not None

    def cal(position: float) -> float:
        return float(clock.to_calendar(position))

    for p in range(n):
        start = []
        for j in range(m):
            if serial:
                start.append(0.0 if j == 0 else finish[j - 1, p] + compiled.handover_days)
            elif not compiled.prerequisites[j]:
                start.append(compiled.coordination_days)
            else:
                start.append(
                    max(
                        finish[q, p] + (compiled.coordination_days if change else 0.0)
                        for q, change in zip(compiled.prerequisites[j], compiled.stage_change[j], strict=True)
                    )
                )
        pieces: dict[int, list[tuple[float, float]]] = {}
        phases: dict[int, tuple[float, float, float]] = {}
        for j in range(m):
            if compiled.kinds[j] != "approval":
                continue
            handling = draws.handling[j, p]
            waited = 0.0 if wait is None else wait[j, p]
            if draws.applicant is None:
                first, applicant, second = waited + handling, 0.0, 0.0
            else:
                waited_again = 0.0 if again is None else again[j, p]
                split = draws.split[j, p]  # type: ignore[index]
                first = waited - waited_again + handling * split
                applicant, second = draws.applicant[j, p], waited_again + handling * (1 - split)
            phases[j] = (first, applicant, second)
            s = start[j]
            pieces[j] = [(s, s + first), (s + first + applicant, s + first + applicant + second)]
        approval[p] = python_union([piece for j in pieces for piece in pieces[j]])
        for g in range(stages):
            per_stage[g, p] = python_union(
                [piece for j in pieces if compiled.item_stage[j] == g for piece in pieces[j]]
            )
        a = draws.arrival[p]
        reached = origin = cal(a)
        covered = 0.0
        for j in range(m):
            if not (serial or critical[j, p]):
                continue
            begin = cal(a + start[j])
            t0 = max(begin, reached)
            own_end = begin + draws.handling[j, p] if j in calendar else cal(a + finish[j, p])
            end = max(own_end, t0)
            kind = compiled.kinds[j]
            if kind != "approval" or j in calendar or not stopped:
                kinds[index[kind], p] += end - t0
            else:
                first, applicant, second = phases[j]
                t1 = min(max(cal(a + start[j] + first), t0), end)
                t2 = min(max(cal(a + start[j] + first + applicant), t1), end)
                t3 = min(max(cal(a + start[j] + first + applicant + second), t2), end)
                kinds[index["approval"], p] += (t1 - t0) + (t3 - t2)
                kinds[index["applicant"], p] += t2 - t1
                kinds[index["intermediary"], p] += end - t3
            covered += end - t0
            reached = max(reached, end)
        kinds[index["coordination"], p] += max(cal(a + finish[:, p].max()) - origin - covered, 0.0)
    return approval, per_stage, kinds


def check_against_reference(compiled: CompiledProcess, draws: Draws, engine: str) -> None:
    for mode in ("serial", "parallel"):
        wait = again = None
        elapsed = draws.handling if draws.stopped is None else draws.handling + draws.stopped
        if engine == "des":
            waits: list[np.ndarray] = []
            wait, _, _ = run_des(compiled, draws, mode, wait_again=waits)
            again = waits[0] if waits else None
            elapsed = elapsed + wait
            elapsed[list(compiled.calendar_rows)] = draws.handling[list(compiled.calendar_rows)]
        plan = schedule(compiled, elapsed, mode, arrival=draws.arrival, wait=wait)
        _, last = end_to_end(compiled, plan, mode)
        critical = critical_items(compiled, plan, last, mode)
        fast = clock_figures(
            compiled,
            draws,
            plan,
            None if mode == "serial" else critical,
            serial=mode == "serial",
            wait=wait,
            wait_again=again,
        )
        approval, per_stage, kinds = reference_clocks(
            compiled, draws, plan.finish, critical, mode == "serial", wait, again
        )
        context = f"{compiled.name} {engine} {mode}"
        np.testing.assert_allclose(fast.approval_days, approval, rtol=0, atol=1e-9, err_msg=context)
        np.testing.assert_allclose(fast.stage_approval_days, per_stage, rtol=0, atol=1e-9, err_msg=context)
        np.testing.assert_allclose(fast.kind_calendar_days, kinds, rtol=0, atol=1e-9, err_msg=context)


@pytest.mark.parametrize("seed", range(40))
def test_the_clocks_equal_the_reference_on_random_processes(seed: int):
    compiled = compile_process(random_process(seed))
    draws = draw(compiled, replication_seeds(seed, 1)[0], 0, 150)
    check_against_reference(compiled, draws, "montecarlo")


@pytest.mark.parametrize("seed", [3, 11, 17])
def test_the_clocks_equal_the_reference_with_queues(seed: int):
    process = random_process(seed)
    data = process.model_dump()
    data["departments"][0]["capacity"] = 2
    data["simulation"]["arrivals"] = {"per_working_day": 0.5}
    compiled = compile_process(Process.model_validate(data))
    draws = draw(compiled, replication_seeds(seed, 1)[0], 0, 120)
    check_against_reference(compiled, draws, "des")


@pytest.mark.parametrize("name", ["luoyang-2017-before", "luoyang-2017-full-before", "national-2019-after"])
def test_the_clocks_equal_the_reference_on_the_extended_catalogs(name: str):
    compiled = compile_process(for_profile(load(name), "all"))
    check_against_reference(compiled, draw(compiled, replication_seeds(1, 1)[0], 0, 40), "montecarlo")


def test_an_all_approval_process_without_delays_is_one_chain_per_stage_where_items_wait_for_each_other():
    """The benchmark catalog takes the fast form: its whole approval clock and its first stage's (whose items
    only wait for each other) are one interval from the start to the latest end; the later stages, whose items
    wait for earlier stages, are unions of a few chains."""
    compiled = compile_process(for_profile(load("luoyang-2017-before"), "all"))
    whole, stages = _approval_plans(_structure(compiled, stops=False), len(compiled.stage_ids))
    assert whole.single and whole.members == tuple(range(compiled.n_items))
    assert stages[0].single and not stages[1].single and not stages[2].single
    with_delays = compile_process(load("anchor-2017-after"))  # one working day of stage coordination
    whole, _ = _approval_plans(_structure(with_delays, stops=False), len(with_delays.stage_ids))
    assert not whole.single


def test_the_last_item_is_the_first_to_reach_the_latest_finish():
    compiled = compile_process(for_profile(load("luoyang-2017-before"), "all"))
    rng = np.random.default_rng(0)
    finish = rng.integers(0, 4, (compiled.n_items, 500)).astype(float)  # many ties
    from simulations.montecarlo import Schedule

    latest, last = end_to_end(compiled, Schedule(finish, {}), "parallel")
    assert (last == np.argmax(finish, axis=0)).all()
    assert (latest == finish.max(axis=0)).all()
