"""Bounded cost on large catalogs: constant-time lookups, linear compile, Monte Carlo within a memory budget.

Before: ``compile_process`` looked items up by linear scan (50,000 items did not compile in 300 s) and a
5,000-item catalog peaked at 4.3 GB in the Monte Carlo engine (chunks of 16,384 projects whatever the items).
Costs are checked by counting work (Python line events, traced allocations), not by timing; the times are
printed by ``approval-sim bench``.
"""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from approval_model.models import Process
from simulations.bench import _peak_rss_mb, large_catalog
from simulations.budget import (
    BYTES_PER_CELL,
    BYTES_PER_CELL_STOPPED,
    chunk_projects,
    des_bytes,
    memory_budget_bytes,
)
from simulations.compiled import compile_process
from simulations.runner import chunk_for, run_replication, simulate
from simulations.sampling import replication_seeds


def lines_executed_in(functions, action) -> tuple[int, int]:
    """(calls, line events) inside the given functions while `action` runs."""
    codes = {f.__code__ for f in functions}
    counts = {"calls": 0, "lines": 0}

    def local(frame, event, _arg):
        if event == "line":
            counts["lines"] += 1
        return local

    def tracer(frame, event, _arg):
        if frame.f_code in codes and event == "call":
            counts["calls"] += 1
            return local
        return None

    sys.settrace(tracer)
    try:
        action()
    finally:
        sys.settrace(None)
    return counts["calls"], counts["lines"]


def test_item_and_department_lookups_take_constant_work():
    process = large_catalog(2_000)
    calls, lines = lines_executed_in([Process.item, Process.department], lambda: compile_process(process))
    assert calls >= 2_000
    assert lines <= 6 * calls  # a scan would run ~1,000 loop lines per call on 2,000 items


def test_lookups_follow_a_copy_with_other_items():
    process = large_catalog(10)
    first = process.item("I000003")
    changed = process.model_copy(update={"items": process.items[:3]})
    assert process.item("I000003") is first
    with pytest.raises(KeyError):
        changed.item("I000003")
    assert changed.item("I000002") is process.items[2]
    assert process == large_catalog(10)  # the index is not part of the model's value


def test_the_synthetic_catalog_is_a_valid_deep_dag():
    process = large_catalog(1_000)
    compiled = compile_process(process)
    assert compiled.n_items == 1_000 and len(process.departments) == 50
    # I000999 waits for I000499 and I000333: the path halves each step, about log2(1000) = 10 items long
    assert process.item("I000999").prerequisite_ids == ("I000333", "I000499")


def test_chunk_size_follows_items_times_projects():
    budget = 256 * 2**20
    assert chunk_projects(42, budget) == 16_384  # small catalogs keep the cache-sized chunk
    compiled = compile_process(large_catalog(300, supplement=True))
    assert chunk_for(compiled, budget) == chunk_projects(300, budget)
    assert chunk_for(compile_process(large_catalog(300)), budget) == chunk_projects(
        300, budget, stopped=False
    )
    assert chunk_projects(5_000, budget) == budget // (5_000 * BYTES_PER_CELL_STOPPED) == 186
    assert chunk_projects(5_000, budget, stopped=False) == budget // (5_000 * BYTES_PER_CELL) == 372
    assert chunk_projects(10**7, budget) == 1
    assert memory_budget_bytes({"APPROVAL_SIM_MEMORY_MB": "64"}) == 64 * 2**20
    assert memory_budget_bytes({}) == 256 * 2**20
    with pytest.raises(ValueError, match="APPROVAL_SIM_MEMORY_MB"):
        memory_budget_bytes({"APPROVAL_SIM_MEMORY_MB": "lots"})


def test_chunking_by_budget_changes_no_number():
    process = large_catalog(200, supplement=True)
    small = simulate(process, projects=2_000, replications=2, seed=5, memory_budget=2 * 2**20)
    whole = simulate(process, projects=2_000, replications=2, seed=5, memory_budget=2**30)
    assert chunk_projects(200, 2 * 2**20) == 36  # 56 chunks against one
    for a, b in zip(small.results, whole.results, strict=True):
        np.testing.assert_array_equal(a.end_to_end_days, b.end_to_end_days)
        np.testing.assert_array_equal(a.item_critical, b.item_critical)
        np.testing.assert_allclose(a.item_handling, b.item_handling, rtol=1e-12)
        assert a.join_last == b.join_last
    # gains: on the first projects of a replication, as many as the budget holds at once, whatever the chunks
    chunked = simulate(process, projects=2_000, replications=1, seed=5, chunk=100, gains=True)
    whole_gains = simulate(process, projects=2_000, replications=1, seed=5, gains=True)
    assert chunked.results[0].gain_projects == whole_gains.results[0].gain_projects == 2_000
    np.testing.assert_array_equal(chunked.results[0].gain_sum, whole_gains.results[0].gain_sum)


def test_gains_by_hand_whatever_the_chunking():
    # A (3 days) and B (5 days) in parallel, then C (1 day): end-to-end 6. A instant: still 6 (gain 0);
    # B instant: max(3, 0) + 1 = 4 (gain 2); C instant: 5 (gain 1). Serial: each saves its own time.
    fixed = {"distribution": "fixed"}
    process = Process.model_validate(
        {
            "name": "gains",
            "departments": [{"id": "d", "name": "部门"}],
            "stages": [{"id": "S", "name": "阶段"}],
            "items": [
                {"id": i, "name": i, "department": "d", "stage": "S", "statutory_limit_days": 10,
                 "handling_days": {**fixed, "value": days}, "prerequisites": pre}
                for i, days, pre in (("A", 3, []), ("B", 5, []), ("C", 1, ["A", "B"]))
            ],
        }
    )  # fmt: skip
    seed = replication_seeds(0, 1)[0]
    compiled = compile_process(process)
    parallel = run_replication(compiled, "parallel", 50, seed, gains=True, chunk=20)
    assert parallel.gain_projects == 50  # in three chunks
    assert (parallel.gain_sum / parallel.gain_projects).tolist() == [0.0, 2.0, 1.0]
    serial = run_replication(compiled, "serial", 50, seed, gains=True)
    assert serial.gain_projects == 50 and (serial.gain_sum / 50).tolist() == [3.0, 5.0, 1.0]


@pytest.mark.parametrize("mode, stopped", [("parallel", True), ("serial", True), ("parallel", False)])
def test_monte_carlo_peak_memory_stays_within_the_budget(mode, stopped):
    """300 items x 4,000 projects: one 4,000-project chunk held ~270 MB (~115 MB without stopped-clock
    matrices); the budget is 16 MB."""
    process = large_catalog(300, supplement=stopped)
    compiled = compile_process(process)
    budget = 16 * 2**20
    seed = replication_seeds(0, 1)[0]
    run_replication(compiled, mode, 10, seed)  # fills the caches (working-day calendar tables) first
    tracemalloc.start()
    try:
        run_replication(compiled, mode, 4_000, seed, gains=True, memory_budget=budget)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= budget, f"peak {peak / 2**20:.0f} MB"


def test_des_refuses_a_run_beyond_the_budget_with_the_numbers_to_change():
    process = large_catalog(5_000, capacity=3)
    with pytest.raises(ValueError) as caught:
        simulate(process, projects=10_000, replications=1, memory_budget=256 * 2**20)
    message = str(caught.value)
    assert "5,000 items x 10,000 projects" in message and "APPROVAL_SIM_MEMORY_MB" in message
    assert f"--projects {256 * 2**20 // des_bytes(5_000, 1):,} or fewer" in message


def test_the_robustness_analysis_stays_within_the_budget(monkeypatch):
    """compare's default robustness analysis keeps one set of draws per process: 300 items x 2,000 projects
    held ~40 MB whatever the budget; under a 16 MB budget it takes fewer projects per assumption set."""
    from simulations.budget import ROBUSTNESS_BYTES_PER_CELL
    from simulations.robustness import assess_comparison

    process = large_catalog(300)
    assess_comparison(process, None, samples=8, projects=20, target=0.2)  # fills the caches first
    monkeypatch.setenv("APPROVAL_SIM_MEMORY_MB", "16")
    tracemalloc.start()
    try:
        robust = assess_comparison(process, None, samples=16, projects=2_000, target=0.2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert robust["projects"] == 16 * 2**20 // (300 * ROBUSTNESS_BYTES_PER_CELL)  # 582, not 2,000
    assert peak <= 16 * 2**20, f"peak {peak / 2**20:.0f} MB"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux only: VmHWM")
def test_a_childs_peak_memory_is_its_own_not_its_parents():
    """`bench` runs the 5,000-item replication in a child forked after the 50,000-item catalog was built; its
    ru_maxrss carried the parent's high-water mark across exec (280 MB reported for 153 MB of its own)."""
    ballast = bytearray(200 * 2**20)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: resident, not just reserved
    code = "from simulations.bench import _peak_rss_mb; print(_peak_rss_mb())"
    child = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    own = float(child.stdout)
    parent = _peak_rss_mb()
    del ballast
    assert parent >= 200 and own < parent - 150, (own, parent)
