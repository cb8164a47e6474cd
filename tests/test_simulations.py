"""Validation of the simulation engines against theory, against each other, and for reproducibility.

These tests are the credibility of the product: zero variance reproduces the exact critical path, an M/M/c
department matches Erlang C, the two engines agree when they should, and seeds reproduce bit-identically.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from approval_model.graph import analyse
from approval_model.models import HandlingDistribution, Process, Supplement
from approval_sim.cli import app
from rules import loading
from simulations import (
    compare,
    compile_process,
    judge,
    replication_seeds,
    replications_needed,
    run_chunk,
    run_replication,
    simulate,
)
from simulations.des import run_des
from simulations.results import SimulationResult
from simulations.sampling import default_handling, draw, transform
from simulations.stats import t_quantile

DATA = Path(__file__).parent / "data" / "sim"


def fixed(value: float) -> HandlingDistribution:
    return HandlingDistribution(distribution="fixed", value=value)


@pytest.fixture(scope="module")
def catalog() -> Process:
    """The full built-in pre-reform catalog (every item)."""
    return loading.for_profile(loading.load("luoyang-2017-before"), "all")


def zero_variance(process: Process, **simulation: float) -> Process:
    """Every item takes exactly its statutory limit."""
    items = tuple(
        i.model_copy(update={"handling_days": fixed(i.statutory_limit_days)}) for i in process.items
    )
    settings = process.simulation.model_copy(update=simulation)
    return process.replace(items=items, simulation=settings)


def one_department(capacity: int | None, rate: float | None, handling: dict, items: int = 1) -> Process:
    return Process.model_validate(
        {
            "name": "queue",
            "departments": [{"id": "d", "name": "窗口", "capacity": capacity}],
            "stages": [{"id": "S", "name": "审批"}],
            "items": [
                {
                    "id": f"I{k}",
                    "name": f"事项{k}",
                    "department": "d",
                    "stage": "S",
                    "statutory_limit_days": 10,
                    "handling_days": handling,
                }
                for k in range(items)
            ],
            "simulation": {"arrivals": {"per_working_day": rate}} if rate else {},
        }
    )


# ---------------------------------------------------------------------------------------------- theory


@pytest.mark.parametrize("mode", ["serial", "parallel"])
def test_zero_variance_monte_carlo_equals_the_exact_critical_path(catalog: Process, mode: str) -> None:
    process = zero_variance(catalog, serial_handover_days=2.0, stage_coordination_days=1.0)
    exact = analyse(process)
    run = simulate(process, mode=mode, projects=50, replications=2, seed=3)
    expected = exact.serial_days if mode == "serial" else exact.parallel_days
    for result in run.results:
        assert np.all(result.end_to_end_days == expected)
    if mode == "parallel":
        criticality = run.pooled().item_means()["criticality"]
        on_path = {item for item, c in zip(run.results[0].item_ids, criticality, strict=True) if c == 1.0}
        assert set(exact.critical_path) <= on_path


def erlang_c_wait(arrival_rate: float, mean_service: float, servers: int) -> float:
    """Mean waiting time in queue of an M/M/c system (Erlang C formula)."""
    a = arrival_rate * mean_service  # offered load
    rho = a / servers
    terms = sum(a**k / math.factorial(k) for k in range(servers))
    top = a**servers / math.factorial(servers) / (1 - rho)
    probability_wait = top / (terms + top)
    return probability_wait * mean_service / (servers - rho * servers)


def test_mmc_department_matches_erlang_c() -> None:
    servers, rate, mean = 3, 2.4, 1.0  # utilisation 0.8
    process = one_department(servers, rate, {"distribution": "exponential", "mean": mean})
    run = simulate(process, projects=100_000, replications=2, seed=11, engine="des")
    simulated = run.pooled().item_means()["mean_wait_days"][0]
    theory = erlang_c_wait(rate, mean, servers)  # 1.0787 working days
    assert simulated == pytest.approx(theory, rel=0.04)
    utilisation = np.mean([r.department_levels()["utilisation"][0] for r in run.results])
    assert utilisation == pytest.approx(0.8, abs=0.01)


def test_unlimited_department_never_queues() -> None:
    run = simulate(
        one_department(None, 5.0, {"distribution": "exponential", "mean": 3}),
        projects=2000,
        replications=1,
        engine="des",
    )
    assert run.results[0].item_wait.sum() == 0


def test_shared_pool_serves_files_first_come_first_served() -> None:
    """Capacity 1 shared by two parallel items of 3 and 5 days, two projects at day 0: hand-computed."""
    process = one_department(1, None, {"distribution": "fixed", "value": 3}, items=2)
    items = (process.items[0], process.items[1].model_copy(update={"handling_days": fixed(5)}))
    process = process.replace(items=items)
    result = simulate(process, projects=2, replications=1, engine="des").results[0]
    # project 0: I0 0-3, I1 waits 3, 3-8; project 1: I0 waits 8, 8-11; I1 waits 11, 11-16
    assert result.end_to_end_days.tolist() == [8.0, 16.0]
    assert result.item_wait.tolist() == [8.0, 14.0]


def test_supplement_stops_the_clock_and_excluded_time_is_not_counted() -> None:
    process = one_department(None, None, {"distribution": "fixed", "value": 9})
    item = process.items[0].model_copy(
        update={"supplement": Supplement(probability=1.0, applicant_days=5.0), "excluded_days": 4.0}
    )
    process = process.replace(items=(item,))
    for engine in ("montecarlo", "des"):
        result = simulate(process, projects=10, replications=1, engine=engine).results[0]
        assert np.allclose(result.end_to_end_days, 18.0)
        assert np.allclose(result.counted_days, 9.0)  # within the 10-day limit: not overdue
        assert result.on_time_rate == 1.0
        assert result.item_means()["mean_stopped_days"][0] == pytest.approx(9.0)


def test_default_handling_is_limit_times_u_0_4_to_1_with_a_5_percent_overdue_tail() -> None:
    u = (np.arange(200_000) + 0.5) / 200_000
    days = default_handling(u, 20.0)
    assert days.min() == pytest.approx(8.0, abs=1e-3)
    assert (days > 20.0).mean() == pytest.approx(0.05, abs=1e-4)
    assert days.max() == pytest.approx(30.0, abs=1e-3)
    assert days.mean() == pytest.approx(0.73 * 20, rel=1e-3)
    assert np.all(np.diff(days) >= 0)  # monotone in u: common random numbers stay coupled


@pytest.mark.parametrize(
    ("spec", "mean", "sd"),
    [
        ({"distribution": "uniform", "low": 2, "high": 8}, 5.0, 6 / math.sqrt(12)),
        (
            {"distribution": "triangular", "low": 1, "mode": 2, "high": 6},
            3.0,
            math.sqrt((1 + 4 + 36 - 2 - 6 - 12) / 18),
        ),
        ({"distribution": "exponential", "mean": 4}, 4.0, 4.0),
        ({"distribution": "lognormal", "mean": 10, "sd": 4}, 10.0, 4.0),
        ({"distribution": "empirical", "values": [3, 1, 2, 6]}, 3.0, math.sqrt(3.5)),
    ],
)
def test_distributions_have_their_stated_mean_and_sd(spec: dict, mean: float, sd: float) -> None:
    u = (np.arange(400_000) + 0.5) / 400_000  # a fine grid: the inverse CDF's moments, not sampling noise
    days = transform(HandlingDistribution.model_validate(spec), u)
    assert days.mean() == pytest.approx(mean, rel=2e-3)
    assert days.std() == pytest.approx(sd, rel=1e-2)


# ------------------------------------------------------------------------------------ engines agree


def with_noise(process: Process) -> Process:
    """Supplements on some items and excluded time on others, so every code path is exercised."""
    items = []
    for k, item in enumerate(process.items):
        update = {}
        if k % 3 == 0:
            update["supplement"] = Supplement(
                probability=0.4, applicant_days=HandlingDistribution(distribution="exponential", mean=6)
            )
        if k % 4 == 1:
            update["excluded_days"] = HandlingDistribution(distribution="uniform", low=2, high=9)
        items.append(item.model_copy(update=update))
    return process.replace(
        items=tuple(items), simulation={"serial_handover_days": 2, "stage_coordination_days": 1}
    )


@pytest.mark.parametrize("mode", ["serial", "parallel"])
def test_monte_carlo_and_des_agree_without_capacity(catalog: Process, mode: str) -> None:
    process = with_noise(catalog)
    mc = simulate(process, mode=mode, projects=1000, replications=2, seed=5, engine="montecarlo")
    des = simulate(process, mode=mode, projects=1000, replications=2, seed=5, engine="des")
    for a, b in zip(mc.results, des.results, strict=True):
        assert np.allclose(a.end_to_end_days, b.end_to_end_days, rtol=0, atol=1e-9)
        assert np.allclose(a.counted_days, b.counted_days, rtol=0, atol=1e-9)
        assert np.array_equal(a.item_critical, b.item_critical)
        assert b.item_wait.sum() == 0


def test_des_with_capacity_that_never_binds_equals_monte_carlo(catalog: Process) -> None:
    """Every department gets more slots than there are projects: the queue code runs but nobody waits."""
    process = with_noise(catalog)
    roomy = process.replace(
        departments=tuple(d.model_copy(update={"capacity": 100_000}) for d in process.departments)
    )
    mc = simulate(process, projects=2000, replications=1, seed=2, engine="montecarlo").results[0]
    des = simulate(roomy, projects=2000, replications=1, seed=2, engine="des").results[0]
    assert np.allclose(mc.end_to_end_days, des.end_to_end_days, rtol=0, atol=1e-9)


def test_des_clock_matches_the_rebuilt_schedule() -> None:
    """The event engine's own end times equal the longest path over its realised item times (with waiting)."""
    process = loading.for_profile(loading.load(str(DATA / "two-windows.yaml")), "all")
    compiled = compile_process(process)
    seed = replication_seeds(4, 1)[0]
    draws = draw(compiled, seed, 0, 3000)
    wait, e2e, events = run_des(compiled, draws, "parallel")
    rebuilt = run_replication(compiled, "parallel", 3000, seed, engine="des")
    assert wait.sum() > 0 and events > 3000
    assert np.allclose(rebuilt.end_to_end_days, e2e)
    from simulations.montecarlo import end_to_end, schedule

    elapsed = draws.handling + draws.stopped + wait
    assert np.allclose(end_to_end(compiled, schedule(compiled, elapsed, "parallel"), "parallel")[0], e2e)


def test_parallel_never_slower_than_serial_per_project_under_common_random_numbers(catalog: Process) -> None:
    process = with_noise(catalog).replace(simulation={})
    serial = simulate(process, mode="serial", projects=5000, replications=2, seed=9)
    parallel = simulate(process, mode="parallel", projects=5000, replications=2, seed=9)
    for s, p in zip(serial.results, parallel.results, strict=True):
        assert np.all(p.end_to_end_days <= s.end_to_end_days + 1e-9)


# -------------------------------------------------------------------------------- reproducibility


def test_same_seed_reproduces_bit_identically_and_another_seed_does_not(catalog: Process) -> None:
    a = simulate(with_noise(catalog), projects=1000, replications=2, seed=42)
    b = simulate(with_noise(catalog), projects=1000, replications=2, seed=42)
    c = simulate(with_noise(catalog), projects=1000, replications=2, seed=43)
    for x, y in zip(a.results, b.results, strict=True):
        assert np.array_equal(x.end_to_end_days, y.end_to_end_days)
        assert np.array_equal(x.item_handling, y.item_handling)
    assert not np.array_equal(
        a.results[0].end_to_end_days, a.results[1].end_to_end_days
    )  # replications differ
    assert not np.array_equal(a.results[0].end_to_end_days, c.results[0].end_to_end_days)
    assert json.dumps(a.summary()) == json.dumps(b.summary())
    des = [simulate(_two_windows(), projects=500, replications=1, seed=7) for _ in range(2)]
    assert np.array_equal(des[0].results[0].end_to_end_days, des[1].results[0].end_to_end_days)


def _two_windows() -> Process:
    return loading.for_profile(loading.load(str(DATA / "two-windows.yaml")), "all")


def test_chunks_merge_to_the_same_numbers_whatever_the_chunk_size(catalog: Process) -> None:
    compiled = compile_process(with_noise(catalog))
    seed = replication_seeds(1, 1)[0]
    whole = run_chunk(compiled, "parallel", seed, 0, 20_000)
    parts = SimulationResult.merge(
        [
            run_chunk(compiled, "parallel", seed, a, b)
            for a, b in ((12_000, 20_000), (0, 5_000), (5_000, 12_000))
        ]
    )
    assert np.array_equal(whole.end_to_end_days, parts.end_to_end_days)
    assert np.array_equal(whole.item_critical, parts.item_critical)
    assert np.allclose(whole.item_handling, parts.item_handling)


def test_common_random_numbers_follow_the_item_id_not_its_position(catalog: Process) -> None:
    """Dropping items leaves every remaining item's draws for every project unchanged."""
    kept = tuple(i for i in catalog.items if not i.prerequisites)[:3]
    smaller = catalog.replace(items=kept)
    big, small = compile_process(catalog), compile_process(smaller)
    seed = replication_seeds(8, 1)[0]
    draws_big, draws_small = draw(big, seed, 0, 500), draw(small, seed, 0, 500)
    for k, item_id in enumerate(small.item_ids):
        assert np.array_equal(draws_small.handling[k], draws_big.handling[big.item_ids.index(item_id)])


def test_a_shorter_limit_shortens_every_project_under_common_random_numbers(catalog: Process) -> None:
    faster = catalog.replace(
        items=tuple(
            i.model_copy(update={"statutory_limit_days": i.statutory_limit_days * 0.5}) for i in catalog.items
        )
    )
    result = compare(catalog, faster, framing="parallel-to-parallel", projects=2000, replications=3, seed=1)
    assert result.headline == "parallel-to-parallel"
    for base, reform in zip(result.baseline.results, result.reform.results, strict=True):
        assert np.allclose(reform.end_to_end_days, 0.5 * base.end_to_end_days)
    assert result.mean.estimate == pytest.approx(0.5)
    assert result.verdict == "holds"


# ---------------------------------------------------------------------------------------- verdict


def test_verdict_holds_when_the_lower_bound_reaches_the_target() -> None:
    verdict = judge([0.25, 0.26, 0.24, 0.25, 0.27], target=0.2)
    assert verdict.verdict == "holds" and verdict.ci95[0] >= 0.2 and verdict.replications_needed is None


def test_verdict_fails_when_the_upper_bound_is_below_the_target() -> None:
    verdict = judge([0.10, 0.12, 0.11, 0.09], target=0.2)
    assert verdict.verdict == "fails" and verdict.ci95[1] < 0.2


def test_verdict_inconclusive_says_how_many_replications_would_settle_it() -> None:
    values = [0.22, 0.18, 0.25, 0.21, 0.19]  # mean 0.21, sd 0.0274: CI contains 0.20
    verdict = judge(values, target=0.2)
    assert verdict.verdict == "inconclusive"
    needed = verdict.replications_needed
    sd = float(np.std(values, ddof=1))
    assert needed is not None and needed > len(values)
    assert t_quantile(needed - 1) * sd / math.sqrt(needed) < 0.01  # that many would exclude the target
    assert t_quantile(needed - 2) * sd / math.sqrt(needed - 1) >= 0.01  # and no fewer


def test_verdict_edge_cases() -> None:
    assert judge([0.3], target=0.2).verdict == "inconclusive"  # one replication: no CI
    assert judge([0.2, 0.2, 0.2], target=0.2).verdict == "holds"  # lower bound == target holds
    assert replications_needed(0.2, 0.05, 0.2, 5) is None  # sits on the target: cannot settle
    assert t_quantile(1) == 12.706 and t_quantile(40) == pytest.approx(2.0211, abs=2e-4)
    assert t_quantile(120) == pytest.approx(1.9799, abs=2e-4)


# -------------------------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_simulate_json_has_the_contract_fields() -> None:
    out = runner.invoke(
        app,
        [
            "simulate",
            str(DATA / "two-windows.yaml"),
            "-p",
            "all",
            "-n",
            "300",
            "-r",
            "2",
            "--seed",
            "3",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    for key in ("mode", "engine", "projects", "mean_days", "p50_days", "p90_days", "on_time_rate", "items"):
        assert key in payload
    assert payload["engine"] == "des" and payload["mode"] == "parallel"
    assert set(payload["items"]["C"]) >= {
        "criticality",
        "mean_wait_days",
        "mean_handling_days",
        "overdue_rate",
    }


def test_cli_compare_json_one_scenario_is_serial_vs_parallel() -> None:
    out = runner.invoke(
        app,
        [
            "compare",
            str(DATA / "two-windows.yaml"),
            "-p",
            "all",
            "-n",
            "300",
            "-r",
            "3",
            "--target",
            "0.1",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["baseline"]["mode"] == "serial" and payload["reform"]["mode"] == "parallel"
    assert payload["verdict"] in {"holds", "fails", "inconclusive"} and payload["target"] == 0.1
    assert len(payload["reduction"]["ci95"]) == 2 and "mean" in payload["reduction"]
    criticality = [row["criticality"] for row in payload["bottlenecks"]]
    assert criticality == sorted(criticality, reverse=True)


def test_cli_refuses_monte_carlo_for_a_process_with_capacities() -> None:
    out = runner.invoke(
        app, ["simulate", str(DATA / "two-windows.yaml"), "-p", "all", "--engine", "montecarlo"]
    )
    assert out.exit_code == 2
    assert "use --engine des" in out.output
